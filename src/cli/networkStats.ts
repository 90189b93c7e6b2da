/**
 * pack's last lines: where its requests, retries, failures, bytes and time
 * went, one line per server (network/requestStats.ts counts them).
 */
import type { ServerStats } from '../network/requestStats.js';
import { formatBytes } from '../pack/progress.js';

/**
 * One line per server: `proxy https://m.example: 120 requests, 2 retries,
 * 1 failed (timeout 2, 502 1), 3 not found, 4.1 MiB, median 35 ms`.
 */
export function formatServerStats(s: ServerStats): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const kinds = Object.entries(s.failures)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const parts = [
    plural(s.requests, 'request'),
    plural(s.retries, 'retry').replace('retrys', 'retries'),
    `${s.failed} failed${kinds === '' ? '' : ` (${kinds})`}`,
    ...(s.notFound === 0 ? [] : [`${s.notFound} not found`]),
    formatBytes(s.bytes),
    `median ${s.medianMs === null ? '-' : `${Math.round(s.medianMs)} ms`}`,
  ];
  return `${s.kind} ${s.server}: ${parts.join(', ')}`;
}
