/**
 * Which versions an OSV range covers, as govulncheck decides it (a port of
 * golang/vuln internal/semver: affects.go, fixed.go, semver.go). OSV writes
 * Go versions without the "v" (stdlib and toolchain versions may carry
 * "go"); both are compared after turning the prefix into "v", with the go
 * command's own semver ordering (src/gomod/semver.ts), so pseudo-versions
 * and +incompatible order as the go command orders them. Pure.
 */
import { compare, isValid } from '../gomod/semver.js';
import type { OsvRange } from './osvEntry.js';

/** The range type Go entries use. */
export const SEMVER = 'SEMVER';

/** "1.2.3", "v1.2.3" and "go1.2.3" all become "v1.2.3" (golang/vuln canonicalizeSemverPrefix). */
export function canonicalizeSemverPrefix(s: string): string {
  let t = s.startsWith('v') ? s.slice(1) : s;
  if (t.startsWith('go')) t = t.slice(2);
  return `v${t}`;
}

/** v1 < v2 for versions with a "v", "go" or no prefix. */
export function less(v1: string, v2: string): boolean {
  return compare(canonicalizeSemverPrefix(v1), canonicalizeSemverPrefix(v2)) < 0;
}

/** A version OSV may write: a semantic version with no prefix, "v" or "go". */
export function isValidOsvVersion(v: string): boolean {
  return isValid(canonicalizeSemverPrefix(v));
}

/**
 * Whether version `v` is affected: no ranges, or no SEMVER range among
 * them, means every version is; otherwise `v` must fall in one SEMVER range.
 */
export function affects(ranges: readonly OsvRange[], v: string): boolean {
  if (ranges.length === 0) return true;
  let semverRangePresent = false;
  for (const r of ranges) {
    if (r.type !== SEMVER) continue;
    semverRangePresent = true;
    if (containsSemver(r, v)) return true;
  }
  return !semverRangePresent;
}

/**
 * `v` inside one range: events sorted by version ("introduced: 0" first),
 * then walked, switching affected on at an introduced ≤ v and off at a fixed ≤ v.
 */
function containsSemver(r: OsvRange, v: string): boolean {
  if (r.events.length === 0) return true;
  const cv = canonicalizeSemverPrefix(v);
  const at = (e: { introduced?: string; fixed?: string }): string =>
    e.fixed !== undefined && e.fixed !== '' ? e.fixed : (e.introduced ?? '');
  const events = [...r.events].sort((a, b) => {
    if (a.introduced === '0') return b.introduced === '0' ? 0 : -1;
    if (b.introduced === '0') return 1;
    return less(at(a), at(b)) ? -1 : less(at(b), at(a)) ? 1 : 0;
  });
  let affected = false;
  for (const e of events) {
    if (!affected && e.introduced !== undefined && e.introduced !== '') {
      affected = e.introduced === '0' || !less(cv, e.introduced);
    } else if (affected && e.fixed !== undefined && e.fixed !== '') {
      affected = less(cv, e.fixed);
    }
  }
  return affected;
}

/**
 * The latest version that fixes the vulnerability in these ranges, as the
 * database's index/modules.json records it ("fixed"); "" when a range
 * re-introduces it after its last fix, or nothing fixes it.
 */
export function latestFixedVersion(ranges: readonly OsvRange[]): string {
  let latest = '';
  for (const r of ranges) {
    if (r.type !== SEMVER) continue;
    for (const e of r.events) {
      if (e.fixed !== undefined && e.fixed !== '' && (latest === '' || less(latest, e.fixed))) latest = e.fixed;
    }
    for (const e of r.events) {
      if (e.introduced !== undefined && e.introduced !== '' && e.introduced !== '0' && latest !== '' && less(latest, e.introduced)) {
        latest = '';
        break;
      }
    }
  }
  return latest;
}
