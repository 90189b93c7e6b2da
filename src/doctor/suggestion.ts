/**
 * The table the guides build by hand: N requests per proxy, latency
 * percentiles and failure rate side by side, and from it a GOPROXY to
 * suggest: the proxies that answered, most reliable first then fastest,
 * `|` between them when any failed (so an error falls through, not only a
 * 404), and `direct` kept at the end only when it can work. Pure.
 */
import type { ProbeRow, Verdict } from './report.js';

/** The p-th percentile (nearest rank) of the values, or null. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return Math.round((s[rank - 1] ?? 0) * 10) / 10;
}

/** One proxy's row from its requests: latency (ms) of each answered one, and the kind of each failure. */
export function probeRow(proxy: string, latencies: readonly number[], failures: readonly string[]): ProbeRow {
  const byKind: Record<string, number> = {};
  for (const k of failures) byKind[k] = (byKind[k] ?? 0) + 1;
  return {
    proxy,
    requests: latencies.length + failures.length,
    ok: latencies.length,
    failed: failures.length,
    failures: byKind,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
  };
}

/**
 * The GOPROXY to suggest, with the reason; null when no proxy answered.
 * `direct` is the verdict of direct fetches (undefined when GOPROXY has no
 * direct).
 */
export function suggestGoproxy(rows: readonly ProbeRow[], direct: Verdict | undefined): { goproxy: string; reason: string } | null {
  const usable = rows.filter((r) => r.ok > 0);
  if (usable.length === 0) return null;
  const rate = (r: ProbeRow): number => r.failed / Math.max(1, r.requests);
  const ranked = [...usable].sort((a, b) => rate(a) - rate(b) || (a.p50Ms ?? Infinity) - (b.p50Ms ?? Infinity));
  const anyFailed = ranked.some((r) => r.failed > 0);
  const sep = anyFailed ? '|' : ',';
  let goproxy = ranked.map((r) => r.proxy).join(sep);
  const dropped = rows.filter((r) => r.ok === 0).map((r) => r.proxy);
  const keepDirect = direct !== undefined && direct !== 'blocked';
  if (keepDirect) goproxy += ',direct';
  const pct = (r: ProbeRow): string => `${Math.round(rate(r) * 1000) / 10}% failed`;
  const parts = [
    `ordered by failure rate, then median latency (${ranked.map((r) => `${r.proxy}: ${pct(r)}, median ${r.p50Ms === null ? '-' : Math.round(r.p50Ms)} ms`).join('; ')})`,
    ranked.length > 1
      ? anyFailed
        ? '"|" so that an error (not only a 404) falls through to the next proxy'
        : '"," since none failed: only a module one proxy lacks falls through, and a real error shows'
      : '',
    dropped.length > 0 ? `left out: ${dropped.join(', ')} (no request succeeded)` : '',
    direct === 'blocked'
      ? 'direct left out: version-control hosts cannot be reached from here'
      : keepDirect
        ? 'direct kept last, for modules no proxy has'
        : '',
  ];
  return { goproxy, reason: parts.filter((p) => p !== '').join('; ') };
}
