/**
 * Go's semantic versions, a faithful port of golang.org/x/mod/semver.
 *
 * This is not npm's semver: versions carry a leading "v", "v1" and "v1.2"
 * are shorthands for "v1.0.0" and "v1.2.0", build metadata is ignored for
 * ordering, and every invalid string sorts below every valid one (and equal
 * to every other invalid one) so that a list containing garbage still sorts
 * deterministically, exactly as the go command sorts it.
 */

interface Parsed {
  major: string;
  minor: string;
  patch: string;
  short: string;
  prerelease: string;
  build: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isIdentChar(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '-';
}

/** A numeric identifier with a leading zero ("01") is not allowed in prereleases. */
function isBadNum(v: string): boolean {
  let i = 0;
  while (i < v.length && isDigit(v[i])) i++;
  return i === v.length && i > 1 && v[0] === '0';
}

function isNum(v: string): boolean {
  let i = 0;
  while (i < v.length && isDigit(v[i])) i++;
  return i === v.length;
}

function parseInt(v: string): [string, string] | undefined {
  if (v === '' || !isDigit(v[0])) return undefined;
  let i = 1;
  while (i < v.length && isDigit(v[i])) i++;
  if (v[0] === '0' && i !== 1) return undefined;
  return [v.slice(0, i), v.slice(i)];
}

function parsePrerelease(v: string): [string, string] | undefined {
  if (v === '' || v[0] !== '-') return undefined;
  let i = 1;
  let start = 1;
  while (i < v.length && v[i] !== '+') {
    const c = v[i] as string;
    if (!isIdentChar(c) && c !== '.') return undefined;
    if (c === '.') {
      if (start === i || isBadNum(v.slice(start, i))) return undefined;
      start = i + 1;
    }
    i++;
  }
  if (start === i || isBadNum(v.slice(start, i))) return undefined;
  return [v.slice(0, i), v.slice(i)];
}

function parseBuild(v: string): [string, string] | undefined {
  if (v === '' || v[0] !== '+') return undefined;
  let i = 1;
  let start = 1;
  while (i < v.length) {
    const c = v[i] as string;
    if (!isIdentChar(c) && c !== '.') return undefined;
    if (c === '.') {
      if (start === i) return undefined;
      start = i + 1;
    }
    i++;
  }
  if (start === i) return undefined;
  return [v.slice(0, i), v.slice(i)];
}

function parse(v: string): Parsed | undefined {
  if (v === '' || v[0] !== 'v') return undefined;
  const p: Parsed = { major: '', minor: '', patch: '', short: '', prerelease: '', build: '' };
  let r = parseInt(v.slice(1));
  if (!r) return undefined;
  [p.major, v] = r;
  if (v === '') {
    p.minor = '0';
    p.patch = '0';
    p.short = '.0.0';
    return p;
  }
  if (v[0] !== '.') return undefined;
  r = parseInt(v.slice(1));
  if (!r) return undefined;
  [p.minor, v] = r;
  if (v === '') {
    p.patch = '0';
    p.short = '.0';
    return p;
  }
  if (v[0] !== '.') return undefined;
  r = parseInt(v.slice(1));
  if (!r) return undefined;
  [p.patch, v] = r;
  if (v.length > 0 && v[0] === '-') {
    r = parsePrerelease(v);
    if (!r) return undefined;
    [p.prerelease, v] = r;
  }
  if (v.length > 0 && v[0] === '+') {
    r = parseBuild(v);
    if (!r) return undefined;
    [p.build, v] = r;
  }
  if (v !== '') return undefined;
  return p;
}

/** Reports whether v is a valid semantic version string. */
export function isValid(v: string): boolean {
  return parse(v) !== undefined;
}

/**
 * The canonical formatting of v: missing .MINOR or .PATCH filled in, build
 * metadata dropped. Two versions are equal exactly when their canonical forms
 * are identical strings. The canonical invalid version is "".
 */
export function canonical(v: string): string {
  const p = parse(v);
  if (!p) return '';
  if (p.build !== '') return v.slice(0, v.length - p.build.length);
  if (p.short !== '') return v + p.short;
  return v;
}

/** The major version prefix: major("v2.1.0") = "v2"; "" when invalid. */
export function major(v: string): string {
  const p = parse(v);
  if (!p) return '';
  return v.slice(0, 1 + p.major.length);
}

/** The major.minor prefix: majorMinor("v2.1.0") = "v2.1"; "" when invalid. */
export function majorMinor(v: string): string {
  const p = parse(v);
  if (!p) return '';
  const i = 1 + p.major.length;
  const j = i + 1 + p.minor.length;
  if (j <= v.length && v[i] === '.' && v.slice(i + 1, j) === p.minor) return v.slice(0, j);
  return `${v.slice(0, i)}.${p.minor}`;
}

/** The prerelease suffix including its "-": prerelease("v2.1.0-pre+meta") = "-pre". */
export function prerelease(v: string): string {
  return parse(v)?.prerelease ?? '';
}

/** The build suffix including its "+": build("v2.1.0+meta") = "+meta". */
export function build(v: string): string {
  return parse(v)?.build ?? '';
}

/** Reports whether v is valid and has a prerelease suffix. */
export function isPrerelease(v: string): boolean {
  return prerelease(v) !== '';
}

function compareInt(x: string, y: string): -1 | 0 | 1 {
  if (x === y) return 0;
  if (x.length < y.length) return -1;
  if (x.length > y.length) return 1;
  return x < y ? -1 : 1;
}

function nextIdent(x: string): [string, string] {
  let i = 0;
  while (i < x.length && x[i] !== '.') i++;
  return [x.slice(0, i), x.slice(i)];
}

function comparePrerelease(x: string, y: string): -1 | 0 | 1 {
  if (x === y) return 0;
  if (x === '') return 1;
  if (y === '') return -1;
  while (x !== '' && y !== '') {
    x = x.slice(1); // skip - or .
    y = y.slice(1);
    let dx: string;
    let dy: string;
    [dx, x] = nextIdent(x);
    [dy, y] = nextIdent(y);
    if (dx !== dy) {
      const ix = isNum(dx);
      const iy = isNum(dy);
      if (ix !== iy) return ix ? -1 : 1;
      if (ix) {
        if (dx.length < dy.length) return -1;
        if (dx.length > dy.length) return 1;
      }
      return dx < dy ? -1 : 1;
    }
  }
  return x === '' ? -1 : 1;
}

/**
 * Compare by semantic version precedence: -1 if v < w, 0 if equal, +1 if
 * v > w. Invalid strings are below every valid one and equal to each other.
 */
export function compare(v: string, w: string): -1 | 0 | 1 {
  const pv = parse(v);
  const pw = parse(w);
  if (!pv && !pw) return 0;
  if (!pv) return -1;
  if (!pw) return 1;
  return (
    compareInt(pv.major, pw.major) ||
    compareInt(pv.minor, pw.minor) ||
    compareInt(pv.patch, pw.patch) ||
    comparePrerelease(pv.prerelease, pw.prerelease)
  );
}

/** The canonical form of whichever of v and w is greater (x/mod's deprecated Max). */
export function max(v: string, w: string): string {
  const cv = canonical(v);
  const cw = canonical(w);
  return compare(cv, cw) > 0 ? cv : cw;
}

/**
 * x/mod's ByVersion order: by precedence, ties (such as "v1" and "v1.0.0", or
 * different build metadata) broken by plain string order so the result is
 * total and deterministic.
 */
export function byVersion(a: string, b: string): -1 | 0 | 1 {
  const c = compare(a, b);
  if (c !== 0) return c;
  return compareUtf8(a, b);
}

/**
 * Go's string order is UTF-8 byte order, which is code point order. JavaScript's
 * `<` compares UTF-16 code units and disagrees for characters above U+FFFF
 * versus U+E000–U+FFFF; invalid "versions" may hold either.
 */
function compareUtf8(a: string, b: string): -1 | 0 | 1 {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n;) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Sort a list of versions in place in ByVersion order, and return it. */
export function sort(list: string[]): string[] {
  return list.sort(byVersion);
}
