/**
 * A duration on the command line, as Go writes them (`30s`, `1m30s`,
 * `500ms`, `1.5s`) or a plain number of seconds: milliseconds, or a usage
 * error naming the flag.
 */
import { UsageError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

export function parseDurationOption(flag: string, value: string): number {
  const bad = (): never => {
    throw new UsageError(`${flag} ${JSON.stringify(value)}: want a duration such as 30s, 2m or 500ms`);
  };
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const ms = Math.round(Number(v) * 1000);
    return ms > 0 ? ms : bad();
  }
  if (!/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(v)) return bad();
  let ms = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 0);
  return ms >= 1 ? Math.round(ms) : bad();
}
