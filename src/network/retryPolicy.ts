/**
 * When and how long to wait before retrying a proxy request.
 *
 * Only failures that a second try can fix are retried: dropped or refused
 * connections, timeouts, 5xx and 429. A 404/410 is an answer (the module is
 * not there) and drives proxy fallback instead; other 4xx mean the request
 * itself is wrong.
 */

export interface RetryPolicy {
  /** Total attempts per request, the first included (1 = no retries). */
  attempts: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs: number;
  /** Upper bound of one backoff delay. */
  maxDelayMs: number;
  /** Upper bound honoured for a server's Retry-After. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** Statuses worth another try: throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * Error codes (Node's and undici's) of transient transport failures. A DNS
 * NXDOMAIN (ENOTFOUND) is not transient; a DNS timeout (EAI_AGAIN) is.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_CLOSED',
]);

/** The code of an error or of the first error in its cause chain that has one. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether a thrown error (anywhere in its cause chain) is a transient transport failure. */
export function isTransientError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Delay before retry number `retry` (0 for the first retry): exponential
 * backoff with jitter in [d/2, d), so many clients failing together do not
 * come back together.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(d / 2 + (random() * d) / 2);
}

/**
 * A Retry-After header in milliseconds: delta-seconds or an HTTP date.
 * Undefined when absent or unparseable.
 */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // An HTTP-date starts with a day name (RFC 9110 §5.6.7); Date.parse alone
  // would also read "-1" or "1.5" as dates.
  if (!/^[A-Za-z]{3,9},? /.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The wait before the next attempt: the backoff, or the server's Retry-After if longer (capped). */
export function nextDelay(policy: RetryPolicy, retry: number, retryAfter: number | undefined, random: () => number = Math.random): number {
  const backoff = backoffDelay(policy, retry, random);
  if (retryAfter === undefined) return backoff;
  return Math.min(policy.maxRetryAfterMs, Math.max(backoff, retryAfter));
}
