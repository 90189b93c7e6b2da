/**
 * Where a run's time and failures went, per server: every attempt the
 * transport makes is counted against the server it was for (a module
 * proxy, the checksum database, the vulnerability database, go-import
 * pages), with its latency to the response headers, the body bytes read
 * and, for a failed attempt, what kind of failure it was. Pure bookkeeping.
 */

export type ServerKind = 'proxy' | 'sumdb' | 'vulndb' | 'go-import';

/** Which server a request is for: its kind and base URL (credentials removed). */
export interface RequestTag {
  kind: ServerKind;
  server: string;
}

export interface ServerStats {
  kind: ServerKind;
  server: string;
  /** Requests made (a request retried counts once). */
  requests: number;
  /** Attempts beyond the first. */
  retries: number;
  /** Requests answered "not found" (404/410): answers, not failures. */
  notFound: number;
  /** Requests that failed after every attempt. */
  failed: number;
  /** Failed attempts by kind (dns, refused, reset, timeout, tls, proxy, 502, …). */
  failures: Record<string, number>;
  /** Body bytes received. */
  bytes: number;
  /** Median milliseconds from sending a request to its response headers (answered attempts only). */
  medianMs: number | null;
}

interface Entry {
  stats: Omit<ServerStats, 'medianMs'>;
  latencies: number[];
}

export class RequestStats {
  readonly #servers = new Map<string, Entry>();

  #entry(tag: RequestTag): Entry {
    const key = `${tag.kind} ${tag.server}`;
    let e = this.#servers.get(key);
    if (e === undefined) {
      e = {
        stats: { kind: tag.kind, server: tag.server, requests: 0, retries: 0, notFound: 0, failed: 0, failures: {}, bytes: 0 },
        latencies: [],
      };
      this.#servers.set(key, e);
    }
    return e;
  }

  /** A request starts (its first attempt) or is retried. */
  attempt(tag: RequestTag, retry: boolean): void {
    const e = this.#entry(tag);
    if (retry) e.stats.retries++;
    else e.stats.requests++;
  }

  /** Response headers arrived after `ms`. */
  answered(tag: RequestTag, ms: number): void {
    this.#entry(tag).latencies.push(ms);
  }

  bytes(tag: RequestTag, n: number): void {
    this.#entry(tag).stats.bytes += n;
  }

  /** An attempt failed with this kind of failure. */
  failedAttempt(tag: RequestTag, kind: string): void {
    const f = this.#entry(tag).stats.failures;
    f[kind] = (f[kind] ?? 0) + 1;
  }

  /** The request as a whole: found nothing, or failed for good. */
  outcome(tag: RequestTag, outcome: 'not-found' | 'failed'): void {
    const s = this.#entry(tag).stats;
    if (outcome === 'not-found') s.notFound++;
    else s.failed++;
  }

  /** Every server seen: module proxies, then checksum databases, vulnerability databases and go-import hosts, each by URL. */
  snapshot(): ServerStats[] {
    const order: ServerKind[] = ['proxy', 'sumdb', 'vulndb', 'go-import'];
    const sorted = [...this.#servers.values()].sort(
      (a, b) => order.indexOf(a.stats.kind) - order.indexOf(b.stats.kind) || a.stats.server.localeCompare(b.stats.server),
    );
    return sorted.map(({ stats, latencies }) => ({
      ...stats,
      failures: { ...stats.failures },
      medianMs: median(latencies),
    }));
  }
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const m = s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  return Math.round(m * 10) / 10;
}
