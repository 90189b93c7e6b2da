/**
 * The version order the go command uses inside the module graph.
 *
 * Go versions are not semver (src/toolchain/gover.ts ports their order:
 * 1.21 < 1.21rc1 < 1.21.0). The module graph carries two pseudo-modules, "go" and "toolchain", whose
 * versions use this order; every other path uses semver. The main module has
 * the version "" and sorts above everything so MVS can never replace it.
 */
import { compare as compareSemver } from '../gomod/semver.js';
import { compare, maybeToolchainVersion } from '../toolchain/gover.js';

/** Go version assumed for a go.mod without a `go` line (gover.DefaultGoModVersion). */
export const DEFAULT_GO_MOD_VERSION = '1.16';
/** First Go version whose go.mod lists every dependency, enabling graph pruning (gover.ExplicitIndirectVersion). */
export const EXPLICIT_INDIRECT_VERSION = '1.17';
/** First Go version whose `go` line is a requirement on the "go" pseudo-module (gover.GoStrictVersion). */
export const GO_STRICT_VERSION = '1.21';

/** gover.Compare (src/toolchain/gover.ts): malformed versions sort below well-formed ones and equal to each other. */
export const compareGoVersion: (x: string, y: string) => -1 | 0 | 1 = compare;

/** gover.IsToolchain: the pseudo-modules that track `go` and `toolchain` lines; never downloaded. */
export function isToolchainPath(path: string): boolean {
  return path === 'go' || path === 'toolchain';
}

/** gover.ModCompare: Go-version order for "go" and "toolchain", semver for everything else. */
export function modCompare(path: string, x: string, y: string): -1 | 0 | 1 {
  if (path === 'go') return compareGoVersion(x, y);
  if (path === 'toolchain') return compareGoVersion(maybeToolchainVersion(x), maybeToolchainVersion(y));
  return compareSemver(x, y);
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
