/**
 * Go toolchain versions ("1.21", "1.21rc1", "1.21.0") and the version order
 * the go command uses inside the module graph.
 *
 * Go versions are not semver: cmd/go's gover package orders them as
 * 1.21 < 1.21rc1 < 1.21.0, and before Go 1.21 a missing patch means ".0".
 * The module graph carries two pseudo-modules, "go" and "toolchain", whose
 * versions use this order; every other path uses semver. The main module has
 * the version "" and sorts above everything so MVS can never replace it.
 */
import { compare as compareSemver } from '../gomod/semver.js';

/** Go version assumed for a go.mod without a `go` line (gover.DefaultGoModVersion). */
export const DEFAULT_GO_MOD_VERSION = '1.16';
/** First Go version whose go.mod lists every dependency, enabling graph pruning (gover.ExplicitIndirectVersion). */
export const EXPLICIT_INDIRECT_VERSION = '1.17';
/** First Go version whose `go` line is a requirement on the "go" pseudo-module (gover.GoStrictVersion). */
export const GO_STRICT_VERSION = '1.21';

interface ParsedGoVersion {
  major: string;
  minor: string;
  patch: string;
  kind: string;
  pre: string;
}

const INVALID: ParsedGoVersion = { major: '', minor: '', patch: '', kind: '', pre: '' };

function cutInt(x: string): [string, string] | undefined {
  let i = 0;
  while (i < x.length && x.charCodeAt(i) >= 48 && x.charCodeAt(i) <= 57) i++;
  // No digits, or an unnecessary leading zero.
  if (i === 0 || (x[0] === '0' && i !== 1)) return undefined;
  return [x.slice(0, i), x.slice(i)];
}

/** Port of internal/gover.Parse; returns INVALID for malformed versions. */
function parseGoVersion(x: string): ParsedGoVersion {
  const v = { ...INVALID };
  let cut = cutInt(x);
  if (cut === undefined) return INVALID;
  [v.major, x] = cut;
  if (x === '') {
    v.minor = '0';
    v.patch = '0';
    return v;
  }
  if (x[0] !== '.') return INVALID;
  cut = cutInt(x.slice(1));
  if (cut === undefined) return INVALID;
  [v.minor, x] = cut;
  if (x === '') {
    // Before Go 1.21 a missing patch meant ".0"; from 1.21 on "1.21" is the language version.
    if (compareInt(v.minor, '21') < 0) v.patch = '0';
    return v;
  }
  if (x[0] === '.') {
    cut = cutInt(x.slice(1));
    if (cut === undefined || cut[1] !== '') return INVALID;
    v.patch = cut[0];
    return v;
  }
  let i = 0;
  while (i < x.length && (x[i]! < '0' || x[i]! > '9')) {
    if (x[i]! < 'a' || x[i]! > 'z') return INVALID;
    i++;
  }
  if (i === 0) return INVALID;
  v.kind = x.slice(0, i);
  x = x.slice(i);
  if (x === '') return v;
  cut = cutInt(x);
  if (cut === undefined || cut[1] !== '') return INVALID;
  v.pre = cut[0];
  return v;
}

/** Compares decimal strings without leading zeros ("" sorts lowest). */
function compareInt(x: string, y: string): -1 | 0 | 1 {
  if (x === y) return 0;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : 1;
}

/** Port of gover.Compare: malformed versions sort below well-formed ones and equal to each other. */
export function compareGoVersion(x: string, y: string): -1 | 0 | 1 {
  const vx = parseGoVersion(x);
  const vy = parseGoVersion(y);
  return (
    compareInt(vx.major, vy.major) ||
    compareInt(vx.minor, vy.minor) ||
    compareInt(vx.patch, vy.patch) ||
    (vx.kind === vy.kind ? 0 : vx.kind < vy.kind ? -1 : 1) ||
    compareInt(vx.pre, vy.pre)
  );
}

/** gover.IsToolchain: the pseudo-modules that track `go` and `toolchain` lines; never downloaded. */
export function isToolchainPath(path: string): boolean {
  return path === 'go' || path === 'toolchain';
}

/** "go1.21.0" → "1.21.0"; "go1.21.0-custom" → "1.21.0"; other names → "" (gover.FromToolchain). */
function fromToolchain(name: string): string {
  if (name.includes('/') || name.includes('\\')) return '';
  const rest = name.startsWith('go') ? name.slice(2) : '';
  if (rest === '') return '';
  // Some builds use custom suffixes ("go1.21.0-custom"); strip them.
  const cut = rest.search(/[ \t-]/);
  const v = cut >= 0 ? rest.slice(0, cut) : rest;
  return parseGoVersion(v) === INVALID ? '' : v;
}

/** gover.ModCompare: Go-version order for "go" and "toolchain", semver for everything else. */
export function modCompare(path: string, x: string, y: string): -1 | 0 | 1 {
  if (path === 'go') return compareGoVersion(x, y);
  if (path === 'toolchain') return compareGoVersion(maybeToolchainVersion(x), maybeToolchainVersion(y));
  return compareSemver(x, y);
}

/** gover.maybeToolchainVersion: accepts both "go1.21.0" and a bare "1.21.0". */
function maybeToolchainVersion(name: string): string {
  return parseGoVersion(name) !== INVALID ? name : fromToolchain(name);
}

/**
 * modload.cmpVersion: ModCompare, except that "" (the main module) is higher
 * than every other version. "none" is not a valid version and so sorts lowest.
 */
export function cmpVersion(path: string, v1: string, v2: string): -1 | 0 | 1 {
  if (v2 === '') return v1 === '' ? 0 : -1;
  if (v1 === '') return 1;
  return modCompare(path, v1, v2);
}

/** Whether a module whose go.mod says `go goVersion` (undefined: no go line) prunes its dependencies' graphs. */
export function supportsPruning(goVersion: string | undefined): boolean {
  return goVersion !== undefined && compareGoVersion(goVersion, EXPLICIT_INDIRECT_VERSION) >= 0;
}
