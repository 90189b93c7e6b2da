/**
 * Go's path.Match, which the go command uses for GOPRIVATE-style patterns:
 * `*` matches any run of non-slash characters, `?` one non-slash character,
 * `[...]` a class (ranges, `^` negation), `\` escapes. A malformed pattern is
 * an error in Go (ErrBadPattern); here it is reported as 'bad-pattern', and
 * callers treat it as no match, exactly as MatchPrefixPatterns does.
 *
 * Ported over arrays of code points so multi-byte characters behave as Go's
 * rune decoding does.
 */

type Chars = readonly string[];
type Result = true | false | 'bad-pattern';

function scanChunk(pattern: Chars): { star: boolean; chunk: Chars; rest: Chars } {
  let p = 0;
  let star = false;
  while (p < pattern.length && pattern[p] === '*') {
    p++;
    star = true;
  }
  let inrange = false;
  let i = p;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 < pattern.length) i++;
        break;
      case '[':
        inrange = true;
        break;
      case ']':
        inrange = false;
        break;
      case '*':
        if (!inrange) break scan;
        break;
    }
  }
  return { star, chunk: pattern.slice(p, i), rest: pattern.slice(i) };
}

function getEsc(chunk: Chars): { r: string; next: Chars } | undefined {
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') return undefined;
  let c = chunk;
  if (c[0] === '\\') {
    c = c.slice(1);
    if (c.length === 0) return undefined;
  }
  const r = c[0] as string;
  const next = c.slice(1);
  if (next.length === 0) return undefined;
  return { r, next };
}

function cp(s: string): number {
  return s.codePointAt(0) as number;
}

/** matchChunk: the rest of s after chunk matched its start, false, or a pattern error. */
function matchChunk(chunkIn: Chars, sIn: Chars): Chars | false | 'bad-pattern' {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === '[') {
      let r = -1;
      if (!failed) {
        r = cp(s[0] as string);
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === ']' && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk);
        if (lo === undefined) return 'bad-pattern';
        chunk = lo.next;
        let hi = lo.r;
        if (chunk[0] === '-') {
          const h = getEsc(chunk.slice(1));
          if (h === undefined) return 'bad-pattern';
          hi = h.r;
          chunk = h.next;
        }
        if (cp(lo.r) <= r && r <= cp(hi)) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) return 'bad-pattern';
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? false : s;
}

/** path.Match(pattern, name). */
export function pathMatch(patternStr: string, nameStr: string): Result {
  let pattern: Chars = [...patternStr];
  let name: Chars = [...nameStr];
  outer: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return !name.includes('/');
    const t = matchChunk(chunk, name);
    if (t !== false && t !== 'bad-pattern' && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (t === 'bad-pattern') return 'bad-pattern';
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const t2 = matchChunk(chunk, name.slice(i + 1));
        if (t2 !== false && t2 !== 'bad-pattern') {
          if (pattern.length === 0 && t2.length > 0) continue;
          name = t2;
          continue outer;
        }
        if (t2 === 'bad-pattern') return 'bad-pattern';
      }
    }
    // Before returning false with no error, check that the rest of the
    // pattern is well formed, as Go does.
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      if (matchChunk(next.chunk, []) === 'bad-pattern') return 'bad-pattern';
    }
    return false;
  }
  return name.length === 0;
}
