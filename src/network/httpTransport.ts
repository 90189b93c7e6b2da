/**
 * Every GET gobundle sends (module proxies, checksum database,
 * vulnerability database): one undici Agent (keep-alive, bounded
 * connections per origin) and one Semaphore bounding the whole run,
 * per-request timeouts, retries of transient failures, redirects as cmd/go
 * follows them, and errors that say what came back.
 *
 * This is the only layer that retries: a caller that gets a NetworkError
 * back has seen every attempt fail and must not try again itself.
 *
 * A successful body is handed to a `consume` callback while the slot is
 * held; a transient failure while reading it (a reset mid-body) retries the
 * whole request, so `consume` must start afresh each time it is called.
 * Every response body is consumed or dumped, error paths included, so
 * connections go back to the pool.
 */
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { GobundleError, NetworkError, NotFoundError } from '../errors.js';
import { redactUrl } from '../gomod/goenv.js';
import { openFileUrl } from './fileUrl.js';
import {
  DEFAULT_RETRY_POLICY,
  errorCode,
  isRetryableStatus,
  isTransientError,
  nextDelay,
  retryAfterMs,
  type RetryPolicy,
} from './retryPolicy.js';
import { DEFAULT_CONCURRENCY, Semaphore } from '../concurrency/semaphore.js';

/** Connections kept per proxy origin, by default. */
export const DEFAULT_CONNECTIONS_PER_ORIGIN = 16;
/** How long to wait for response headers, by default. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
/** How long the body may stall between chunks, by default. */
export const DEFAULT_BODY_TIMEOUT_MS = 60_000;
/** Redirects followed, as Go's http.Client. */
export const MAX_REDIRECTS = 10;
/**
 * How much of a text/plain error body is read for its message: cmd/go's
 * maxErrorDetailBytes (8 lines of 81 bytes).
 */
export const MAX_ERROR_DETAIL_BYTES = 8 * 81;
/** Bytes of an unwanted body drained before the connection is dropped instead. */
const DUMP_LIMIT_BYTES = 64 * 1024;

export interface HttpTransportOptions {
  /** Requests in flight across every proxy (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Connections per origin (default DEFAULT_CONNECTIONS_PER_ORIGIN; pack passes its --concurrency). */
  connectionsPerOrigin?: number;
  /** Milliseconds to wait for response headers (default 60 s). */
  headersTimeoutMs?: number;
  /** Milliseconds the body may go without data (default 60 s). */
  bodyTimeoutMs?: number;
  /** Retry behaviour; unset fields take DEFAULT_RETRY_POLICY's. */
  retry?: Partial<RetryPolicy>;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** Source of jitter (tests make it deterministic). */
  random?: () => number;
}

/** What `consume` learns about a successful response. */
export interface ResponseMeta {
  /** The URL that answered (after redirects), credentials removed. */
  url: string;
  /** Content-Length, when the server sent one. */
  contentLength: number | undefined;
}

export type Consume<T> = (body: Readable, meta: ResponseMeta) => Promise<T>;

/**
 * A failed attempt worth retrying: a retryable HTTP status or a transient
 * transport error. Turned into a NetworkError when attempts run out.
 */
class RetryableFailure {
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly detail: string,
    readonly status: number | undefined,
    readonly retryAfter: number | undefined,
    readonly cause: unknown,
  ) {}
}

/** `reading <url>: <reason>`, then the server's one-line text/plain explanation if it gave one. */
function readingMessage(url: string, reason: string, detail: string): string {
  return `reading ${url}: ${reason}${detail === '' ? '' : `\n\tserver response: ${detail}`}`;
}

const HINT =
  'check GOPROXY and your network connection; separate proxies with "|" instead of "," to fall through to the next one on any error';

export class HttpTransport {
  readonly limiter: Semaphore;
  readonly retry: RetryPolicy;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly #agent: Agent;
  readonly #userAgent: string;
  readonly #random: () => number;

  constructor(options: HttpTransportOptions = {}) {
    this.limiter = new Semaphore(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.headersTimeoutMs = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
    this.#userAgent = options.userAgent ?? 'gobundle';
    this.#random = options.random ?? Math.random;
    this.#agent = new Agent({
      connections: options.connectionsPerOrigin ?? DEFAULT_CONNECTIONS_PER_ORIGIN,
      keepAliveTimeout: 10_000,
      headersTimeout: this.headersTimeoutMs,
      bodyTimeout: this.bodyTimeoutMs,
    });
  }

  /** Close pooled connections. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  /**
   * GET `url` and pass the 200 body to `consume`. Throws NotFoundError for
   * 404/410 (and missing files), NetworkError for everything else that went
   * wrong on the wire; errors thrown by `consume` that are not transport
   * failures propagate unchanged and are not retried.
   */
  async get<T>(url: string, consume: Consume<T>): Promise<T> {
    if (url.startsWith('file:')) {
      const { body, size } = await openFileUrl(url);
      return consume(body, { url: redactUrl(url), contentLength: size });
    }

    const shown = redactUrl(url);
    const attempts = Math.max(1, this.retry.attempts);
    for (let attempt = 1; ; attempt++) {
      let failure: RetryableFailure;
      try {
        return await this.limiter.run(() => this.#attempt(url, consume));
      } catch (err) {
        if (err instanceof RetryableFailure) {
          failure = err;
        } else if (isTransientError(err)) {
          failure = new RetryableFailure(shown, transportReason(err, this), '', undefined, undefined, err);
        } else if (err instanceof GobundleError) {
          throw err;
        } else if (errorCode(err)?.startsWith('UND_ERR') === true) {
          throw new NetworkError(shown, readingMessage(shown, transportReason(err, this), ''), { hint: HINT, cause: err });
        } else {
          throw err;
        }
      }
      if (attempt >= attempts) {
        const reason = attempts > 1 ? `${failure.reason} (gave up after ${attempts} attempts)` : failure.reason;
        throw new NetworkError(failure.url, readingMessage(failure.url, reason, failure.detail), {
          status: failure.status,
          hint: HINT,
          cause: failure.cause,
        });
      }
      await sleep(nextDelay(this.retry, attempt - 1, failure.retryAfter, this.#random));
    }
  }

  /** One request, following redirects; returns consume's result or throws. */
  async #attempt<T>(url: string, consume: Consume<T>): Promise<T> {
    // Credentials in a proxy URL become Basic auth, sent to that origin only.
    const { url: bare, authorization } = splitCredentials(url);
    const origin = new URL(bare).origin;
    let current = bare;
    for (let redirects = 0; ; redirects++) {
      const headers: Record<string, string> = { 'user-agent': this.#userAgent };
      if (authorization !== undefined && new URL(current).origin === origin) headers.authorization = authorization;
      let res: Dispatcher.ResponseData;
      try {
        res = await request(current, {
          dispatcher: this.#agent,
          method: 'GET',
          headers,
          headersTimeout: this.headersTimeoutMs,
          bodyTimeout: this.bodyTimeoutMs,
        });
      } catch (err) {
        // Transient failures are retried by get(); any other failure to get
        // an answer at all (no such host, a TLS error) is a network error
        // naming the URL, not a bare system error.
        if (isTransientError(err) || err instanceof GobundleError) throw err;
        const shown = redactUrl(current);
        throw new NetworkError(shown, readingMessage(shown, transportReason(err, this), ''), { hint: HINT, cause: err });
      }
      const status = res.statusCode;

      if (status === 200) {
        const length = Number(headerValue(res.headers['content-length']));
        return await consume(res.body, {
          url: redactUrl(current),
          contentLength:
            Number.isSafeInteger(length) && length >= 0 && headerValue(res.headers['content-length']) !== undefined ? length : undefined,
        });
      }

      if (status >= 300 && status < 400 && status !== 304 && headerValue(res.headers.location) !== undefined) {
        await res.body.dump({ limit: DUMP_LIMIT_BYTES });
        const next = new URL(headerValue(res.headers.location) ?? '', current).toString();
        if (redirects + 1 > MAX_REDIRECTS) {
          throw new NetworkError(redactUrl(url), `reading ${redactUrl(url)}: stopped after ${MAX_REDIRECTS} redirects`, { hint: HINT });
        }
        if (current.startsWith('https:') && !next.startsWith('https:')) {
          throw new NetworkError(
            redactUrl(url),
            `reading ${redactUrl(url)}: redirected from secure URL ${redactUrl(current)} to insecure URL ${redactUrl(next)}`,
            { hint: 'the proxy redirected an https request to plain http; fix the proxy or use an http:// GOPROXY entry explicitly' },
          );
        }
        current = next;
        continue;
      }

      const shown = redactUrl(current);
      const statusLine = `${status} ${res.statusText || STATUS_CODES[status] || `status code ${status}`}`;
      const detail = await errorDetail(res);
      if (status === 404 || status === 410) {
        throw new NotFoundError(readingMessage(shown, statusLine, detail), {
          hint: 'the proxy does not have it; with "," or "|" after this proxy in GOPROXY the next entry is tried',
        });
      }
      if (isRetryableStatus(status)) {
        throw new RetryableFailure(shown, statusLine, detail, status, retryAfterMs(headerValue(res.headers['retry-after'])), undefined);
      }
      throw new NetworkError(shown, readingMessage(shown, statusLine, detail), { status, hint: HINT });
    }
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The first line of a text/plain error body (utf-8, us-ascii or no
 * charset), as cmd/go shows it; empty when there is none or it holds
 * control characters or invalid UTF-8 (no terminal funny business). The rest
 * of the body is dumped.
 */
async function errorDetail(res: Dispatcher.ResponseData): Promise<string> {
  const contentType = headerValue(res.headers['content-type']) ?? '';
  const [mediaType = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  const charset =
    params
      .find((p) => p.startsWith('charset='))
      ?.slice('charset='.length)
      .replace(/^"|"$/g, '') ?? '';
  if (mediaType !== 'text/plain' || !['', 'utf-8', 'us-ascii'].includes(charset)) {
    await res.body.dump({ limit: DUMP_LIMIT_BYTES });
    return '';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_DETAIL_BYTES) break;
    }
  } catch {
    // A body that fails while we read the reason is no reason to hide the status.
  } finally {
    if (!res.body.destroyed) await res.body.dump({ limit: DUMP_LIMIT_BYTES }).catch(() => undefined);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks).subarray(0, MAX_ERROR_DETAIL_BYTES));
  } catch {
    return '';
  }
  const line = (text.split('\n')[0] ?? '').replace(/\r$/, '');
  if (line.trim() === '' || /[\p{Cc}\p{Cf}]/u.test(line.replace(/\t/g, ''))) return '';
  return line;
}

/** Friendly words for transport error codes. */
const REASONS: ReadonlyMap<string, string> = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ECONNRESET', 'connection reset by peer'],
  ['ECONNABORTED', 'connection aborted'],
  ['EPIPE', 'broken pipe'],
  ['ETIMEDOUT', 'connection timed out'],
  ['ENOTFOUND', 'no such host'],
  ['EAI_AGAIN', 'temporary failure in name resolution'],
  ['ENETUNREACH', 'network is unreachable'],
  ['EHOSTUNREACH', 'no route to host'],
  ['UND_ERR_SOCKET', 'connection closed by the server'],
  ['UND_ERR_CONNECT_TIMEOUT', 'timed out connecting'],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'response shorter than its Content-Length'],
  ['UND_ERR_CLOSED', 'connection closed'],
]);

/** What went wrong on the wire, in words. */
function transportReason(err: unknown, timeouts: { headersTimeoutMs: number; bodyTimeoutMs: number }): string {
  const code = errorCode(err) ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return `no response headers within ${timeouts.headersTimeoutMs}ms`;
  if (code === 'UND_ERR_BODY_TIMEOUT') return `response body stalled for ${timeouts.bodyTimeoutMs}ms`;
  return REASONS.get(code) ?? (err instanceof Error ? err.message : String(err));
}

/** Remove user information from a URL, turning it into a Basic Authorization value. */
function splitCredentials(url: string): { url: string; authorization: string | undefined } {
  const u = new URL(url);
  if (u.username === '' && u.password === '') return { url, authorization: undefined };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}
