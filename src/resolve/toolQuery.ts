/**
 * The pure part of resolving `go install pkg@version` (cmd/go
 * internal/load PackagesAndErrorsOutsideModule, modload/query.go): which
 * module paths may provide the package, which listed version `@latest`
 * means, and whether a version is retracted.
 */
import { isPseudoVersion } from '../gomod/pseudo.js';
import { canonical, compare, isPrerelease, isValid } from '../gomod/semver.js';

export interface ToolArg {
  /** The package path as typed. */
  pkg: string;
  /** "latest" or a canonical semantic version. */
  query: string;
}

/** `pkg@version` with version "latest" or a full semantic version; undefined-free errors as strings for the caller to wrap. */
export function parseToolArg(arg: string): ToolArg | string {
  const at = arg.lastIndexOf('@');
  if (at <= 0) return `${arg}: want module/package@version (e.g. golang.org/x/tools/cmd/stringer@v0.1.0 or @latest)`;
  const pkg = arg.slice(0, at);
  const query = arg.slice(at + 1);
  if (query === '') return `${arg}: version must not be empty`;
  if (pkg.startsWith('.') || pkg.startsWith('/')) return `${arg}: argument must be a package path, not a relative or absolute path`;
  if (pkg.includes('...')) return `${arg}: patterns are not supported; name one package`;
  if (query !== 'latest' && !(isValid(query) && canonical(query) === query)) {
    return `${arg}: version must be "latest" or a full semantic version such as v1.2.3 (branches, prefixes and queries are resolved by the go command on the inside)`;
  }
  return { pkg, query };
}

/**
 * The module paths that could provide pkg, longest first (modload.QueryPackages
 * tries every prefix and keeps the longest match).
 */
export function candidateModulePaths(pkg: string): string[] {
  const parts = pkg.split('/');
  const out: string[] = [];
  for (let n = parts.length; n >= 1; n--) out.push(parts.slice(0, n).join('/'));
  return out;
}

/** A retract directive's interval (both ends inclusive; equal for a single version). */
export interface Retraction {
  low: string;
  high: string;
  rationale: string;
}

/** The retraction covering v, if any (modload.CheckRetractions). */
export function retractionOf(v: string, retract: readonly Retraction[]): Retraction | undefined {
  return retract.find((r) => compare(r.low, v) <= 0 && compare(v, r.high) <= 0);
}

/**
 * queryLatestVersionIgnoringRetractions over @v/list: the highest release,
 * else the highest prerelease; pseudo-versions do not count. Undefined when
 * the list has neither (then the go command asks @latest).
 */
export function highestListed(versions: readonly string[], allowed: (v: string) => boolean = () => true): string | undefined {
  let release: string | undefined;
  let pre: string | undefined;
  // With a compatible version listed, +incompatible ones are ignored (cmd/go does so when that version has a go.mod; see README).
  const hasCompatible = versions.some((v) => isValid(v) && !v.endsWith('+incompatible') && !isPseudoVersion(v));
  for (const v of versions) {
    if (!isValid(v) || isPseudoVersion(v) || !allowed(v)) continue;
    if (hasCompatible && v.endsWith('+incompatible')) continue;
    if (isPrerelease(v)) {
      if (pre === undefined || compare(v, pre) > 0) pre = v;
    } else if (release === undefined || compare(v, release) > 0) {
      release = v;
    }
  }
  return release ?? pre;
}
