/**
 * Go toolchain versions ("1.21", "1.21rc1", "1.21.0"): a port of cmd/go's
 * internal/gover (gover.go, toolchain.go, version.go).
 *
 * Go versions are not semver. Before Go 1.21 a missing patch meant ".0"
 * ("1.20" == "1.20.0"); from Go 1.21 on "1.21" is the language version and
 * sorts below its first release candidate and its first release:
 * 1.21 < 1.21rc1 < 1.21.0. Versions carry no "go" prefix; toolchain names
 * do ("go1.21.0", "go1.21.0-bigcorp").
 */

interface Version {
  major: string;
  minor: string;
  patch: string;
  /** "", "alpha", "beta", "rc" (any lowercase word parses). */
  kind: string;
  pre: string;
}

const ZERO: Version = { major: '', minor: '', patch: '', kind: '', pre: '' };

/** The leading decimal of x and the rest; undefined with no digits or an unnecessary leading zero (gover.cutInt). */
function cutInt(x: string): [string, string] | undefined {
  let i = 0;
  while (i < x.length && x.charCodeAt(i) >= 48 && x.charCodeAt(i) <= 57) i++;
  if (i === 0 || (x[0] === '0' && i !== 1)) return undefined;
  return [x.slice(0, i), x.slice(i)];
}

/** Decimal strings compared as numbers without converting them (gover.cmpInt). */
function cmpInt(x: string, y: string): -1 | 0 | 1 {
  if (x === y) return 0;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : 1;
}

/** gover.parse: ZERO for a malformed version. */
function parse(x: string): Version {
  const v = { ...ZERO };
  let cut = cutInt(x);
  if (cut === undefined) return ZERO;
  [v.major, x] = cut;
  if (x === '') return { ...v, minor: '0', patch: '0' };
  if (x[0] !== '.') return ZERO;
  cut = cutInt(x.slice(1));
  if (cut === undefined) return ZERO;
  [v.minor, x] = cut;
  if (x === '') {
    // Patch missing is "0" for older versions; from Go 1.21 it is the language version.
    if (cmpInt(v.minor, '21') < 0) v.patch = '0';
    return v;
  }
  if (x[0] === '.') {
    // No prereleases of patch releases ("1.21.3rc1"): the go command never needed them.
    cut = cutInt(x.slice(1));
    if (cut === undefined || cut[1] !== '') return ZERO;
    v.patch = cut[0];
    return v;
  }
  // A prerelease kind is lowercase letters ("1.600+auto" is not a version).
  let i = 0;
  while (i < x.length && (x[i]! < '0' || x[i]! > '9')) {
    if (x[i]! < 'a' || x[i]! > 'z') return ZERO;
    i++;
  }
  if (i === 0) return ZERO;
  v.kind = x.slice(0, i);
  x = x.slice(i);
  if (x === '') return v;
  cut = cutInt(x);
  if (cut === undefined || cut[1] !== '') return ZERO;
  v.pre = cut[0];
  return v;
}

function isZero(v: Version): boolean {
  return v.major === '' && v.minor === '' && v.patch === '' && v.kind === '' && v.pre === '';
}

/**
 * gover.Compare: -1, 0 or +1 for x < y, x == y, x > y. Malformed versions
 * sort below well-formed ones and equal to each other.
 */
export function compare(x: string, y: string): -1 | 0 | 1 {
  const vx = parse(x);
  const vy = parse(y);
  return (
    cmpInt(vx.major, vy.major) ||
    cmpInt(vx.minor, vy.minor) ||
    cmpInt(vx.patch, vy.patch) ||
    // "" < alpha < beta < rc, as plain string order.
    (vx.kind === vy.kind ? 0 : vx.kind < vy.kind ? -1 : 1) ||
    cmpInt(vx.pre, vy.pre)
  );
}

/** gover.Max: the larger of x and y (x when equal). */
export function max(x: string, y: string): string {
  return compare(x, y) < 0 ? y : x;
}

/** gover.IsValid. */
export function isValid(x: string): boolean {
  return !isZero(parse(x));
}

/**
 * gover.IsLang: x names a language version, not a release — "1.21" and
 * later without patch or prerelease ("1.20" is the release 1.20.0).
 */
export function isLang(x: string): boolean {
  const v = parse(x);
  return !isZero(v) && v.patch === '' && v.kind === '' && v.pre === '';
}

/** gover.Lang: "1.2.3" → "1.2", "1.2rc3" → "1.2", "1" → "1". */
export function lang(x: string): string {
  const v = parse(x);
  // "1" parses as 1.0.0 but its language version is written "1".
  return v.minor === '' || (v.major === '1' && v.minor === '0') ? v.major : `${v.major}.${v.minor}`;
}

/** gover.IsPrerelease: "1.22rc1" and the like. */
export function isPrerelease(x: string): boolean {
  return parse(x).kind !== '';
}

/**
 * gover.FromToolchain: the Go version a toolchain name stands for, from the
 * name alone: "go1.2.3" → "1.2.3", "go1.2.3-bigcorp" → "1.2.3" (a suffix
 * after "-", space or tab is dropped), anything else → "". Names with a
 * path separator are refused, as a toolchain name becomes a file name.
 */
export function fromToolchain(name: string): string {
  if (name.includes('/') || name.includes('\\') || !name.startsWith('go')) return '';
  let v = name.slice(2);
  const cut = v.search(/[ \t-]/);
  if (cut >= 0) v = v.slice(0, cut);
  return isValid(v) ? v : '';
}

/** gover.maybeToolchainVersion: "go1.21.0" or a bare "1.21.0". */
export function maybeToolchainVersion(name: string): string {
  return isValid(name) ? name : fromToolchain(name);
}

/**
 * The first release of a Go version as a toolchain name: "1.22" → "go1.22.0"
 * (from Go 1.21 a language version is not a toolchain; its first release
 * is x.0, toolchain/select.go), "1.22.12" → "go1.22.12", "1.20" → "go1.20".
 */
export function toolchainFor(goVersion: string): string {
  return isLang(goVersion) && compare(goVersion, '1.21') >= 0 ? `go${goVersion}.0` : `go${goVersion}`;
}
