/**
 * Prometheus text exposition of what serve does: requests by route and
 * status, bytes sent, a latency histogram, bundles loaded. Counters live in
 * Maps keyed by our own route labels (never by user input).
 */

/** Latency histogram bucket bounds, seconds. */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export type RouteLabel =
  'list' | 'info' | 'mod' | 'zip' | 'latest' | 'sumdb' | 'vulndb' | 'healthz' | 'readyz' | 'metrics' | 'page' | 'other';

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly bytes = new Map<RouteLabel, number>();
  private readonly latency = new Map<RouteLabel, Histogram>();
  bundlesLoaded = 0;
  bundlesRejected = 0;
  /** serve --auth: requests refused for missing or wrong credentials, and those refused while their client was throttled. */
  authFailures = 0;
  authThrottled = 0;

  observe(route: RouteLabel, status: number, bytes: number, seconds: number): void {
    const key = `${route}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.bytes.set(route, (this.bytes.get(route) ?? 0) + bytes);
    let h = this.latency.get(route);
    if (h === undefined) {
      h = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.latency.set(route, h);
    }
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= (LATENCY_BUCKETS[i] as number)) h.counts[i] = (h.counts[i] as number) + 1;
    }
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP gobundle_http_requests_total HTTP requests by route and status.');
    out.push('# TYPE gobundle_http_requests_total counter');
    for (const [key, n] of [...this.requests].sort()) {
      const [route, status] = key.split('\u0000');
      out.push(`gobundle_http_requests_total{route="${route}",status="${status}"} ${n}`);
    }
    out.push('# HELP gobundle_http_response_bytes_total Response body bytes sent by route.');
    out.push('# TYPE gobundle_http_response_bytes_total counter');
    for (const [route, n] of [...this.bytes].sort()) out.push(`gobundle_http_response_bytes_total{route="${route}"} ${n}`);
    out.push('# HELP gobundle_http_request_duration_seconds Time to answer a request.');
    out.push('# TYPE gobundle_http_request_duration_seconds histogram');
    for (const [route, h] of [...this.latency].sort()) {
      LATENCY_BUCKETS.forEach((b, i) =>
        out.push(`gobundle_http_request_duration_seconds_bucket{route="${route}",le="${b}"} ${h.counts[i]}`),
      );
      out.push(`gobundle_http_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${h.count}`);
      out.push(`gobundle_http_request_duration_seconds_sum{route="${route}"} ${h.sum}`);
      out.push(`gobundle_http_request_duration_seconds_count{route="${route}"} ${h.count}`);
    }
    out.push('# HELP gobundle_bundles_loaded Bundles currently served.');
    out.push('# TYPE gobundle_bundles_loaded gauge');
    out.push(`gobundle_bundles_loaded ${this.bundlesLoaded}`);
    out.push('# HELP gobundle_bundles_rejected_total Bundles refused at start or from --bundles-dir.');
    out.push('# TYPE gobundle_bundles_rejected_total counter');
    out.push(`gobundle_bundles_rejected_total ${this.bundlesRejected}`);
    out.push('# HELP gobundle_auth_failures_total Requests refused (401) for missing or wrong credentials.');
    out.push('# TYPE gobundle_auth_failures_total counter');
    out.push(`gobundle_auth_failures_total ${this.authFailures}`);
    out.push('# HELP gobundle_auth_throttled_total Requests refused (429) because their client failed too often.');
    out.push('# TYPE gobundle_auth_throttled_total counter');
    out.push(`gobundle_auth_throttled_total ${this.authThrottled}`);
    return `${out.join('\n')}\n`;
  }
}
