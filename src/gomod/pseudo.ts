/**
 * Pseudo-versions: a port of golang.org/x/mod/module/pseudo.go (identical in
 * the copy Go 1.23 vendors).
 *
 * A pseudo-version names an untagged commit as a semantic version that sorts
 * after the tag it was built on and before the next possible tag:
 *
 *   (1) vX.0.0-yyyymmddhhmmss-abcdefabcdef          no earlier tag for major X
 *   (2) vX.Y.Z-pre.0.yyyymmddhhmmss-abcdefabcdef    built on vX.Y.Z-pre
 *   (3) vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdefabcdef    built on vX.Y.Z
 *
 * Forms (2) and (3) may carry the base's build suffix (+incompatible). The
 * timestamp is the commit time in UTC; the revision is a commit-hash prefix.
 */
import { goQuote } from './goQuote.js';
import { InvalidVersionError } from './modulePath.js';
import * as semver from './semver.js';

// \d is ASCII-only in a non-unicode JavaScript regexp, as in Go's RE2.
const PSEUDO_VERSION_RE = /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** The revision the go command uses in a zero pseudo-version (ZeroPseudoVersion). */
const ZERO_PSEUDO_REV = '000000000000';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** t formatted as Go's "20060102150405" in UTC (years outside 0–9999 as Go prints them). */
function formatTimestamp(t: Date): string {
  const y = t.getUTCFullYear();
  const year = y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
  return (
    year +
    pad(t.getUTCMonth() + 1, 2) +
    pad(t.getUTCDate(), 2) +
    pad(t.getUTCHours(), 2) +
    pad(t.getUTCMinutes(), 2) +
    pad(t.getUTCSeconds(), 2)
  );
}

/** Go's zero time.Time, 0001-01-01T00:00:00Z (Date.UTC would map year 1 to 1901). */
function zeroTime(): Date {
  const t = new Date(0);
  t.setUTCFullYear(1, 0, 1);
  return t;
}

/** incDecimal: a decimal string plus one ("99" → "100"). */
export function incDecimal(decimal: string): string {
  const digits = [...decimal];
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === '9'; i--) digits[i] = '0';
  if (i >= 0) {
    digits[i] = String.fromCharCode((digits[i] as string).charCodeAt(0) + 1);
  } else {
    digits[0] = '1';
    digits.push('0');
  }
  return digits.join('');
}

/** decDecimal: a decimal string minus one ("100" → "99"), or "" for zero. */
export function decDecimal(decimal: string): string {
  const digits = [...decimal];
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === '0'; i--) digits[i] = '9';
  if (i < 0) return ''; // decimal is zero
  if (i === 0 && digits[i] === '1' && digits.length > 1) {
    digits.shift();
  } else {
    digits[i] = String.fromCharCode((digits[i] as string).charCodeAt(0) - 1);
  }
  return digits.join('');
}

/**
 * PseudoVersion: the pseudo-version for a commit at time t with revision
 * identifier rev, built on the tag `older` ("" if none; then `major`, default
 * "v0", picks form (1)).
 */
export function pseudoVersion(major: string, older: string, t: Date, rev: string): string {
  if (major === '') major = 'v0';
  const segment = `${formatTimestamp(t)}-${rev}`;
  const build = semver.build(older);
  older = semver.canonical(older);
  if (older === '') return `${major}.0.0-${segment}`; // form (1)
  if (semver.prerelease(older) !== '') return `${older}.0.${segment}${build}`; // form (2)
  // Form (3): bump the patch so the pseudo-version sorts after `older`.
  const i = older.lastIndexOf('.') + 1;
  return `${older.slice(0, i)}${incDecimal(older.slice(i))}-0.${segment}${build}`;
}

/** ZeroPseudoVersion: the pseudo-version with zero time and revision, for a major ("v0" if ""). */
export function zeroPseudoVersion(major: string): string {
  return pseudoVersion(major, '', zeroTime(), ZERO_PSEUDO_REV);
}

/** IsPseudoVersion: whether v has one of the three pseudo-version forms. */
export function isPseudoVersion(v: string): boolean {
  return v.split('-').length - 1 >= 2 && semver.isValid(v) && PSEUDO_VERSION_RE.test(v);
}

/** IsZeroPseudoVersion: whether v is the zero pseudo-version of its major. */
export function isZeroPseudoVersion(v: string): boolean {
  return v === zeroPseudoVersion(semver.major(v));
}

interface PseudoParts {
  base: string;
  timestamp: string;
  rev: string;
  build: string;
}

function parsePseudoVersion(v: string): PseudoParts {
  if (!isPseudoVersion(v)) throw new InvalidVersionError(v, 'syntax error', true);
  const build = semver.build(v);
  let rest = v.slice(0, v.length - build.length);
  const j = rest.lastIndexOf('-');
  const rev = rest.slice(j + 1);
  rest = rest.slice(0, j);
  const i = rest.lastIndexOf('-');
  const dot = rest.lastIndexOf('.');
  if (dot > i) {
    // "vX.Y.Z-pre.0" or "vX.Y.(Z+1)-0"
    return { base: rest.slice(0, dot), timestamp: rest.slice(dot + 1), rev, build };
  }
  // "vX.0.0"
  return { base: rest.slice(0, i), timestamp: rest.slice(i + 1), rev, build };
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** time.Parse("20060102150405", ts) for the 14 ASCII digits the regexp guarantees. */
function parseTimestamp(ts: string): Date | undefined {
  const year = Number(ts.slice(0, 4));
  const month = Number(ts.slice(4, 6));
  const day = Number(ts.slice(6, 8));
  const hour = Number(ts.slice(8, 10));
  const min = Number(ts.slice(10, 12));
  const sec = Number(ts.slice(12, 14));
  if (month < 1 || month > 12) return undefined;
  const days = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day < 1 || day > days || hour > 23 || min > 59 || sec > 59) return undefined;
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  t.setUTCHours(hour, min, sec, 0);
  return t;
}

/** PseudoVersionTime: the commit time in a pseudo-version; throws InvalidVersionError. */
export function pseudoVersionTime(v: string): Date {
  const { timestamp } = parsePseudoVersion(v);
  const t = parseTimestamp(timestamp);
  if (t === undefined) throw new InvalidVersionError(v, `malformed time ${goQuote(timestamp)}`, true);
  return t;
}

/** PseudoVersionRev: the revision identifier in a pseudo-version; throws InvalidVersionError. */
export function pseudoVersionRev(v: string): string {
  return parsePseudoVersion(v).rev;
}

/**
 * PseudoVersionBase: the canonical tag a pseudo-version was built on, or ""
 * for form (1). Throws InvalidVersionError for a malformed pseudo-version,
 * for form (1) with build metadata, or for a form (3) whose patch is 0.
 */
export function pseudoVersionBase(v: string): string {
  const { build, ...parsed } = parsePseudoVersion(v);
  let base = parsed.base;
  const pre = semver.prerelease(base);
  if (pre === '') {
    if (build !== '') {
      throw new InvalidVersionError(v, `lacks base version, but has build metadata ${goQuote(build)}`, true);
    }
    return '';
  }
  if (pre === '-0') {
    base = base.slice(0, base.length - pre.length);
    const i = base.lastIndexOf('.');
    const patch = decDecimal(base.slice(i + 1));
    if (patch === '') {
      throw new InvalidVersionError(v, `version before ${base} would have negative patch number`, true);
    }
    return base.slice(0, i + 1) + patch + build;
  }
  // Form (2): strip the ".0" that separates the prerelease from the timestamp.
  return base.slice(0, base.length - '.0'.length) + build;
}
