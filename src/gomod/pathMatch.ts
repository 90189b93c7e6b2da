/**
 * Go's path.Match (Go 1.23 src/path/match.go), which the go command uses for
 * GOPRIVATE-style patterns: `*` matches any run of non-slash characters, `?`
 * one non-slash character, `[...]` a class (ranges, `^` negation), `\`
 * escapes. A malformed pattern is an error in Go (ErrBadPattern); here it is
 * reported as 'bad-pattern', and callers treat it as no match, exactly as
 * MatchPrefixPatterns does.
 *
 * Why bytes and not characters: Go's Match walks the UTF-8 bytes of both
 * strings. Literal characters are compared byte by byte, and after a `*` it
 * retries the rest of the pattern at every byte offset, including offsets in
 * the middle of a multi-byte character, where `?` and `[^x]` then match a
 * single stray continuation byte (decoded as U+FFFD). So `*??` matches "€"
 * (three bytes) in Go. Porting over code points would answer differently for
 * such inputs, so this port works on the UTF-8 encoding too.
 */

type Bytes = Uint8Array;
export type PathMatchResult = true | false | 'bad-pattern';

const BAD_PATTERN = 'bad-pattern';
const RUNE_ERROR = 0xfffd;
const SLASH = 0x2f;
const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const CARET = 0x5e;
const DASH = 0x2d;

const utf8 = new TextEncoder();

function isContinuation(b: number | undefined): boolean {
  return b !== undefined && (b & 0xc0) === 0x80;
}

/**
 * utf8.DecodeRuneInString for input that was produced by TextEncoder: every
 * well-formed sequence decodes normally; a stray continuation byte (reached by
 * slicing inside a character) decodes as (U+FFFD, 1), as in Go.
 */
function decodeRune(s: Bytes, at: number): { r: number; n: number } {
  const b0 = s[at] as number;
  if (b0 < 0x80) return { r: b0, n: 1 };
  let n = 0;
  let r = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    n = 2;
    r = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    r = b0 & 0x0f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    r = b0 & 0x07;
  } else {
    return { r: RUNE_ERROR, n: 1 };
  }
  for (let k = 1; k < n; k++) {
    const b = s[at + k];
    if (!isContinuation(b)) return { r: RUNE_ERROR, n: 1 };
    r = (r << 6) | ((b as number) & 0x3f);
  }
  return { r, n };
}

function scanChunk(pattern: Bytes): { star: boolean; chunk: Bytes; rest: Bytes } {
  let p = 0;
  let star = false;
  while (p < pattern.length && pattern[p] === STAR) {
    p++;
    star = true;
  }
  const body = pattern.subarray(p);
  let inrange = false;
  let i = 0;
  scan: for (; i < body.length; i++) {
    switch (body[i]) {
      case BACKSLASH:
        // Error check is deferred to matchChunk.
        if (i + 1 < body.length) i++;
        break;
      case LBRACKET:
        inrange = true;
        break;
      case RBRACKET:
        inrange = false;
        break;
      case STAR:
        if (!inrange) break scan;
        break;
    }
  }
  return { star, chunk: body.subarray(0, i), rest: body.subarray(i) };
}

/** getEsc: one possibly escaped character of a class, or a pattern error. */
function getEsc(chunkIn: Bytes): { r: number; next: Bytes } | undefined {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === DASH || chunk[0] === RBRACKET) return undefined;
  if (chunk[0] === BACKSLASH) {
    chunk = chunk.subarray(1);
    if (chunk.length === 0) return undefined;
  }
  const { r, n } = decodeRune(chunk, 0);
  if (r === RUNE_ERROR && n === 1) return undefined;
  const next = chunk.subarray(n);
  if (next.length === 0) return undefined;
  return { r, next };
}

/** matchChunk: the rest of s after chunk matched its start, false, or a pattern error. */
function matchChunk(chunkIn: Bytes, sIn: Bytes): Bytes | false | typeof BAD_PATTERN {
  let chunk = chunkIn;
  let s = sIn;
  // failed records a mismatch but keeps scanning so pattern errors are still reported.
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === LBRACKET) {
      let r = -1;
      if (!failed) {
        const d = decodeRune(s, 0);
        r = d.r;
        s = s.subarray(d.n);
      }
      chunk = chunk.subarray(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === CARET) {
        negated = true;
        chunk = chunk.subarray(1);
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === RBRACKET && nrange > 0) {
          chunk = chunk.subarray(1);
          break;
        }
        const lo = getEsc(chunk);
        if (lo === undefined) return BAD_PATTERN;
        chunk = lo.next;
        let hi = lo.r;
        if (chunk[0] === DASH) {
          const h = getEsc(chunk.subarray(1));
          if (h === undefined) return BAD_PATTERN;
          hi = h.r;
          chunk = h.next;
        }
        if (lo.r <= r && r <= hi) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === QUESTION) {
      if (!failed) {
        if (s[0] === SLASH) failed = true;
        s = s.subarray(decodeRune(s, 0).n);
      }
      chunk = chunk.subarray(1);
    } else {
      if (c === BACKSLASH) {
        chunk = chunk.subarray(1);
        if (chunk.length === 0) return BAD_PATTERN;
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.subarray(1);
      }
      chunk = chunk.subarray(1);
    }
  }
  return failed ? false : s;
}

function matchBytes(patternIn: Bytes, nameIn: Bytes): PathMatchResult {
  let pattern = patternIn;
  let name = nameIn;
  outer: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) {
      // Trailing * matches the rest of the name unless it contains a /.
      return !name.includes(SLASH);
    }
    // Look for a match at the current position; if we're at the end of the
    // pattern, the whole rest of the name must have matched.
    const t = matchChunk(chunk, name);
    if (t !== false && t !== BAD_PATTERN && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (t === BAD_PATTERN) return BAD_PATTERN;
    if (star) {
      // Look for a match skipping i+1 bytes; it cannot skip a /.
      for (let i = 0; i < name.length && name[i] !== SLASH; i++) {
        const t2 = matchChunk(chunk, name.subarray(i + 1));
        if (t2 !== false && t2 !== BAD_PATTERN) {
          if (pattern.length === 0 && t2.length > 0) continue;
          name = t2;
          continue outer;
        }
        if (t2 === BAD_PATTERN) return BAD_PATTERN;
      }
    }
    // Before returning false with no error, check that the rest of the
    // pattern is well formed, as Go does.
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      if (matchChunk(next.chunk, new Uint8Array(0)) === BAD_PATTERN) return BAD_PATTERN;
    }
    return false;
  }
  return name.length === 0;
}

/**
 * path.Match(pattern, name): true or false, or 'bad-pattern' where Go returns
 * ErrBadPattern. Both strings are matched as their UTF-8 encodings (a lone
 * UTF-16 surrogate, which Go strings cannot hold, encodes as U+FFFD).
 */
export function pathMatch(pattern: string, name: string): PathMatchResult {
  return matchBytes(utf8.encode(pattern), utf8.encode(name));
}
