/**
 * What `gobundle doctor` finds, as data (its --json output): the settings
 * pack reads and where each came from, the traps among them, where each
 * module path of a go.mod is routed, how each server answered, the
 * --probe table with a suggested GOPROXY, and whether pack would work.
 * Pure types.
 */

/** ok: answered right in time; slow: right but slow; failing: answered wrong; blocked: no answer at all. */
export type Verdict = 'ok' | 'slow' | 'failing' | 'blocked';

export interface SettingLine {
  name: string;
  /** The effective value ('' for empty or unset); credentials never shown. */
  value: string;
  /** Where it came from, in words: "the environment", "the go env file /x", "its default", … */
  origin: string;
  /** What else is worth knowing (an env file that does not exist, what a .netrc holds). */
  note?: string;
}

export interface Trap {
  /** warning: likely to break or weaken a pack; note: how it works, worth knowing. */
  level: 'warning' | 'note';
  /** The setting(s) involved, e.g. `GO111MODULE`. */
  setting: string;
  message: string;
  advice?: string;
}

export interface RouteLine {
  path: string;
  /** Where its files come from, in order: proxy URLs, `direct`, `off`. */
  fetch: string;
  /** Why (the GONOPROXY/GOPRIVATE pattern that matched, or GOPROXY). */
  fetchWhy: string;
  /** The checksum database name, or '' when skipped. */
  sumdb: string;
  sumdbWhy: string;
}

/** One request a check made. */
export interface RequestResult {
  /** What was asked, e.g. `list example.com/m`, `latest`, `lookup example.com/m@v1.0.0`. */
  what: string;
  url: string;
  status?: number;
  /** Time to the first byte of the answer (ms). */
  ttfbMs?: number;
  totalMs: number;
  verdict: Verdict;
  /** What the answer said, or what went wrong. */
  detail: string;
}

export interface ConnectionInfo {
  dnsMs?: number;
  tcpMs?: number;
  proxyMs?: number;
  tlsMs?: number;
  certificate?: { subject: string; issuer: string; validTo: string; trusted: boolean; hostMatches: boolean };
}

export interface CheckLine {
  kind: 'proxy' | 'direct' | 'sumdb' | 'vulndb';
  /** What is checked: a GOPROXY entry, `sum.golang.org direct`, `sum.golang.org via <proxy>`, the vulnerability database URL. */
  target: string;
  /** How requests went: `direct` or `via http://proxy:3128 (from HTTPS_PROXY)`. */
  route: string;
  verdict: Verdict;
  connection?: ConnectionInfo;
  requests: RequestResult[];
  /** One line: what this means. */
  summary: string;
  advice?: string;
}

export interface ProbeRow {
  proxy: string;
  requests: number;
  ok: number;
  failed: number;
  /** Failed requests by kind (timeout, 502, reset, …). */
  failures: Record<string, number>;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

export interface ProbeTable {
  /** Requests per proxy. */
  n: number;
  concurrency: number;
  /** What each request asked for. */
  what: string;
  rows: ProbeRow[];
  suggestion: { goproxy: string; reason: string } | null;
}

export interface DoctorReport {
  settings: SettingLine[];
  traps: Trap[];
  routing: { input: string; lines: RouteLine[] } | null;
  checks: CheckLine[];
  probe: ProbeTable | null;
  /** Whether `gobundle pack` would get what it needs with these settings from here. */
  packWouldWork: boolean;
  conclusion: string;
}
