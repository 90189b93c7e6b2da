/**
 * Every request gobundle sends (module proxies, checksum database,
 * vulnerability database, go-import pages) goes through here: one undici
 * Agent (keep-alive, bounded connections per origin) and one Semaphore
 * bounding the whole run, connections opened as the go command opens them
 * (connect.ts: the outbound proxy from HTTPS_PROXY/HTTP_PROXY/NO_PROXY,
 * a CONNECT tunnel for https, SSL_CERT_FILE roots), GOAUTH credentials on
 * https requests, per-request timeouts, retries of transient failures,
 * redirects as cmd/go follows them, per-server statistics, and errors that
 * say what came back (networkErrors.ts).
 *
 * This is the only layer that retries: a caller that gets a NetworkError
 * back has seen every attempt fail and must not try again itself.
 *
 * A successful body is handed to a `consume` callback while the slot is
 * held; a transient failure while reading it (a reset mid-body) retries the
 * whole request, so `consume` must start afresh each time it is called.
 * Every response body is consumed or dumped, error paths included, so
 * connections go back to the pool.
 *
 * Small files (go.mod, .info, lists, checksum-database answers) are read
 * whole with getBytes(): the same routes, redirects, retries, caps and
 * errors, but the body collected by a plain undici handler
 * (bufferingHandler.ts) instead of request()'s stream.
 */
import { STATUS_CODES } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, Pool, type buildConnector, type Dispatcher } from './undiciParts.js';
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
import { ConnectFailure, openConnection, proxyAuthorization, type ConnectRequest } from './connect.js';
import { authorizationFor } from './goAuth.js';
import { NO_NETWORK_SETTINGS, type NetworkSettings } from './networkSettings.js';
import { describeProxy, failureKind, failureWords, ProxyAuthError, proxyAuthHint } from './networkErrors.js';
import { firstTextLine } from './explanationLine.js';
import { discard, readCapped, readPrefix } from './cappedBody.js';
import { BufferingHandler, contentLengthOf, headerValue, type BufferedResponse, type Headers } from './bufferingHandler.js';
import { proxyFor, type ParsedProxy, type ProxyRoute } from './proxyEnv.js';
import { RequestStats, type RequestTag } from './requestStats.js';

/** Connections kept per proxy origin, by default. */
export const DEFAULT_CONNECTIONS_PER_ORIGIN = 16;
/** How long to wait for response headers, by default. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
/** How long the body may stall between chunks, by default. */
export const DEFAULT_BODY_TIMEOUT_MS = 60_000;
/** How long DNS, TCP, a proxy's CONNECT and TLS may take together, by default (Go's dialer allows 30 s). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
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
  /** Milliseconds to get a connection: DNS, TCP, CONNECT, TLS (default 30 s). */
  connectTimeoutMs?: number;
  /** Retry behaviour; unset fields take DEFAULT_RETRY_POLICY's. */
  retry?: Partial<RetryPolicy>;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** Source of jitter (tests make it deterministic). */
  random?: () => number;
  /** Proxies, credentials and trusted roots (networkSettings(env)); default: direct, none, built-in roots. */
  network?: NetworkSettings;
}

/** Per request: which server it is for (statistics), and whether GOAUTH credentials go with it. */
export interface RequestOptions {
  /** Default: `{ kind: 'proxy', server: <origin> }`. */
  tag?: RequestTag;
  /**
   * Send GOAUTH credentials (https only). Default true; the vulnerability
   * database gets none, as govulncheck sends none. An Authorization value
   * given here is sent instead (gobundle wants with GOBUNDLE_TOKEN).
   */
  credentials?: boolean | { authorization: string };
  /** Attempts for this request (default: the retry policy's). */
  attempts?: number;
}

/** What `consume` learns about a successful response. */
export interface ResponseMeta {
  /** The URL that answered (after redirects), credentials removed. */
  url: string;
  /** Content-Length, when the server sent one. */
  contentLength: number | undefined;
}

export type Consume<T> = (body: Readable, meta: ResponseMeta) => Promise<T>;

/** A page read whatever its status (go-import lookups read meta tags from 404 pages too). */
export interface Page {
  url: string;
  status: number;
  body: Buffer;
}

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

/** How one hop is sent: the dispatcher, and for an http URL through an http proxy the absolute-form request. */
interface Hop {
  dispatcher: Dispatcher;
  /** Set when the request goes to the proxy itself, in absolute form. */
  viaProxy?: { proxy: ParsedProxy };
}

export class HttpTransport {
  readonly limiter: Semaphore;
  readonly retry: RetryPolicy;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly network: NetworkSettings;
  /** What every request cost, per server. */
  readonly stats = new RequestStats();
  readonly #agent: Agent;
  readonly #proxyPools = new Map<string, Pool>();
  readonly #connections: number;
  readonly #userAgent: string;
  readonly #random: () => number;

  constructor(options: HttpTransportOptions = {}) {
    this.limiter = new Semaphore(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.headersTimeoutMs = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.network = options.network ?? NO_NETWORK_SETTINGS;
    this.#userAgent = options.userAgent ?? 'gobundle';
    this.#random = options.random ?? Math.random;
    this.#connections = options.connectionsPerOrigin ?? DEFAULT_CONNECTIONS_PER_ORIGIN;
    this.#agent = new Agent({
      connections: this.#connections,
      keepAliveTimeout: 10_000,
      headersTimeout: this.headersTimeoutMs,
      bodyTimeout: this.bodyTimeoutMs,
      // Every connection is opened as the go command would open it: through the outbound proxy or not.
      connect: this.#connector((opts) => {
        const protocol = opts.protocol === 'https:' ? 'https:' : 'http:';
        const route = proxyFor(this.network.proxies, `${protocol}//${opts.host ?? opts.hostname}`);
        return {
          protocol,
          hostname: opts.hostname,
          port: Number(opts.port) || (protocol === 'https:' ? 443 : 80),
          proxy: route.kind === 'proxy' ? route.proxy : undefined,
        };
      }),
    });
  }

  /** An undici connect function opening each connection with connect.ts, as `where` says. */
  #connector(
    where: (opts: buildConnector.Options) => Omit<ConnectRequest, 'trustedRoots' | 'timeoutMs' | 'userAgent'>,
  ): buildConnector.connector {
    return (opts, callback) => {
      openConnection({
        ...where(opts),
        trustedRoots: () => this.network.secureContext,
        timeoutMs: this.connectTimeoutMs,
        userAgent: this.#userAgent,
      }).then(
        (socket) => callback(null, socket),
        (err: Error) => callback(err, null),
      );
    };
  }

  /** Close pooled connections. */
  async close(): Promise<void> {
    await Promise.all([this.#agent.close(), ...[...this.#proxyPools.values()].map((p) => p.close())]);
  }

  /** Where a request for `url` goes, as the go command would send it. */
  routeOf(url: string): ProxyRoute {
    if (!/^https?:/.test(url)) return { kind: 'direct', why: 'not an http(s) URL' };
    return proxyFor(this.network.proxies, url);
  }

  /**
   * The route in words, for hints: `directly, as the go command would:
   * HTTPS_PROXY is not set` or `through the outbound proxy …, as the go
   * command would`.
   */
  describeRoute(url: string): string {
    const route = this.routeOf(url);
    if (route.kind === 'proxy') return `through the outbound proxy ${describeProxy(route.proxy)}, as the go command would`;
    return `directly, as the go command would: ${route.why}`;
  }

  /**
   * GET `url` and pass the 200 body to `consume`. Throws NotFoundError for
   * 404/410 (and missing files), NetworkError (or a subclass: networkErrors.ts)
   * for everything else that went wrong on the wire; errors thrown by
   * `consume` that are not transport failures propagate unchanged and are
   * not retried.
   */
  async get<T>(url: string, consume: Consume<T>, options: RequestOptions = {}): Promise<T> {
    if (url.startsWith('file:')) {
      const { body, size } = await openFileUrl(url);
      return consume(body, { url: redactUrl(url), contentLength: size });
    }
    return this.#retrying(url, options, (tag, credentials) => this.#attempt(url, consume, tag, credentials));
  }

  /**
   * GET a small file whole into memory: get() with a consumer that reads
   * at most `limit` bytes, failing with `tooLarge(meta)` past them (checked
   * against Content-Length first, then as bytes arrive), without a stream
   * per response.
   */
  async getBytes(url: string, limit: number, tooLarge: (meta: ResponseMeta) => Error, options: RequestOptions = {}): Promise<Buffer> {
    if (url.startsWith('file:')) {
      return this.get(url, (body, meta) => readCapped(body, limit, meta.contentLength, () => tooLarge(meta)), options);
    }
    return this.#retrying(url, options, (tag, credentials) => this.#attemptBytes(url, limit, tooLarge, tag, credentials));
  }

  /** Run `once` in a concurrency slot until it succeeds, fails for good, or attempts run out. */
  async #retrying<T>(
    url: string,
    options: RequestOptions,
    once: (tag: RequestTag, credentials: NonNullable<RequestOptions['credentials']>) => Promise<T>,
  ): Promise<T> {
    const shown = redactUrl(url);
    const tag = options.tag ?? { kind: 'proxy', server: redactUrl(new URL(url).origin) };
    const attempts = Math.max(1, options.attempts ?? this.retry.attempts);
    for (let attempt = 1; ; attempt++) {
      let failure: RetryableFailure;
      this.stats.attempt(tag, attempt > 1);
      try {
        return await this.limiter.run(() => once(tag, options.credentials ?? true));
      } catch (err) {
        if (err instanceof NotFoundError) {
          this.stats.outcome(tag, 'not-found');
          throw err;
        }
        this.stats.failedAttempt(tag, failureKind(err instanceof RetryableFailure ? (err.status ?? err.cause) : err));
        if (err instanceof RetryableFailure) {
          failure = err;
        } else if (isTransientError(err)) {
          failure = new RetryableFailure(shown, '', '', undefined, undefined, err);
        } else {
          this.stats.outcome(tag, 'failed');
          if (err instanceof GobundleError) throw err;
          // A failure to connect or an undici error is the network's; anything else (a full disk while
          // consume writes the body) is not, and goes up unchanged.
          if (err instanceof ConnectFailure || errorCode(err)?.startsWith('UND_ERR') === true) throw this.#failure(shown, err);
          throw err;
        }
      }
      if (attempt >= attempts) {
        this.stats.outcome(tag, 'failed');
        const gaveUp = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
        if (failure.status === undefined) throw this.#failure(failure.url, failure.cause, gaveUp);
        throw new NetworkError(failure.url, readingMessage(failure.url, `${failure.reason}${gaveUp}`, failure.detail), {
          status: failure.status,
          reason: failure.reason,
          hint: HINT,
          cause: failure.cause,
        });
      }
      await sleep(nextDelay(this.retry, attempt - 1, failure.retryAfter, this.#random));
    }
  }

  /**
   * One GET, whatever the status (go-import pages: a meta tag may be served
   * with a 404), following redirects; the body is read up to `limit` bytes
   * and the rest dropped. No retries, as cmd/go's web.Get makes none.
   */
  async page(url: string, limit: number, options: RequestOptions = {}): Promise<Page> {
    const tag = options.tag ?? { kind: 'go-import', server: redactUrl(new URL(url).origin) };
    this.stats.attempt(tag, false);
    try {
      return await this.limiter.run(async () => {
        const { res, current } = await this.#follow(url, tag, options.credentials ?? true, this.#sendStreaming, dumpBody);
        const body = await readPrefix(res.body as AsyncIterable<Buffer>, limit);
        if (!res.body.destroyed) await res.body.dump({ limit: DUMP_LIMIT_BYTES }).catch(() => undefined);
        this.stats.bytes(tag, body.length);
        return { url: redactUrl(current), status: res.statusCode, body };
      });
    } catch (err) {
      this.stats.failedAttempt(tag, failureKind(err));
      this.stats.outcome(tag, 'failed');
      if (err instanceof GobundleError) throw err;
      throw this.#failure(redactUrl(url), err);
    }
  }

  /** The error for a transport failure, classified and worded (networkErrors.ts). */
  #failure(shownUrl: string, err: unknown, suffix = ''): NetworkError {
    const host = hostPort(shownUrl);
    const words = failureWords(err, host, this);
    const reason = `${words.reason}${suffix}`;
    return new words.Kind(shownUrl, readingMessage(shownUrl, reason, ''), {
      reason,
      hint: words.hint ?? HINT,
      cause: err,
    });
  }

  /** How to send one hop: through the agent (direct or CONNECT), or to an http proxy in absolute form. */
  #hop(url: URL): Hop {
    const route = proxyFor(this.network.proxies, url.href);
    if (route.kind === 'refused') {
      throw new NetworkError(redactUrl(url.href), `reading ${redactUrl(url.href)}: ${route.why}`, { reason: route.why });
    }
    if (route.kind !== 'proxy' || url.protocol !== 'http:' || route.proxy.scheme === 'socks5') return { dispatcher: this.#agent };
    const proxy = route.proxy;
    let pool = this.#proxyPools.get(proxy.display);
    if (pool === undefined) {
      pool = new Pool(`http://${proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host}:${proxy.port}`, {
        connections: this.#connections,
        keepAliveTimeout: 10_000,
        headersTimeout: this.headersTimeoutMs,
        bodyTimeout: this.bodyTimeoutMs,
        // An http request through an http proxy: a connection to the proxy itself, the request in absolute form.
        connect: this.#connector(() => ({ protocol: 'http:', hostname: proxy.host, port: proxy.port, proxy, proxyOnly: true })),
      });
      this.#proxyPools.set(proxy.display, pool);
    }
    return { dispatcher: pool, viaProxy: { proxy } };
  }

  /** A GET of `current` sent to its own origin (directly or through a CONNECT tunnel), with the timeouts. */
  #directGet(current: URL, headers: Record<string, string>): Dispatcher.DispatchOptions {
    return {
      origin: current.origin,
      path: `${current.pathname}${current.search}`,
      method: 'GET',
      headers,
      headersTimeout: this.headersTimeoutMs,
      bodyTimeout: this.bodyTimeoutMs,
    };
  }

  /** Send one GET for `current`, through its route. */
  async #send(current: URL, headers: Record<string, string>): Promise<Dispatcher.ResponseData> {
    const hop = this.#hop(current);
    if (hop.viaProxy === undefined) return hop.dispatcher.request(this.#directGet(current, headers));
    const auth = proxyAuthorization(hop.viaProxy.proxy);
    const res = await hop.dispatcher.request({
      origin: `http://${hop.viaProxy.proxy.host}:${hop.viaProxy.proxy.port}`,
      path: current.href,
      method: 'GET',
      headers: { ...headers, host: current.host, ...(auth === undefined ? {} : { 'proxy-authorization': auth }) },
      headersTimeout: this.headersTimeoutMs,
      bodyTimeout: this.bodyTimeoutMs,
    });
    if (res.statusCode === 407) {
      await res.body.dump({ limit: DUMP_LIMIT_BYTES }).catch(() => undefined);
      const proxy = hop.viaProxy.proxy;
      const shown = redactUrl(current.href);
      const reason = `the outbound proxy ${describeProxy(proxy)} answered 407 Proxy Authentication Required`;
      throw new ProxyAuthError(shown, readingMessage(shown, reason, ''), {
        status: 407,
        reason,
        hint: proxyAuthHint(proxy),
      });
    }
    return res;
  }

  /** #send as a value, for #follow. */
  readonly #sendStreaming = (current: URL, headers: Record<string, string>): Promise<Dispatcher.ResponseData> =>
    this.#send(current, headers);

  /**
   * Send one GET for `current` and read its body into memory: a 200's up to
   * `limit` bytes, any other answer's first DUMP_LIMIT_BYTES (what an error
   * message or a redirect needs; the connection is dropped past them). A
   * request to an http proxy in absolute form goes the streaming way.
   */
  async #sendBuffered(
    current: URL,
    headers: Record<string, string>,
    limit: number,
    tooLarge: (meta: ResponseMeta) => Error,
  ): Promise<BufferedResponse> {
    const hop = this.#hop(current);
    const fail = (contentLength: number | undefined): Error => tooLarge({ url: redactUrl(current.href), contentLength });
    if (hop.viaProxy !== undefined) {
      const res = await this.#send(current, headers);
      const answeredAt = performance.now();
      const length = contentLengthOf(res.headers);
      const data = res.statusCode === 200 ? await readCapped(res.body, limit, length, () => fail(length)) : await readHead(res.body);
      return { statusCode: res.statusCode, statusText: res.statusText, headers: res.headers, data, answeredAt };
    }
    return new Promise((resolve, reject) => {
      hop.dispatcher.dispatch(this.#directGet(current, headers), new BufferingHandler(limit, DUMP_LIMIT_BYTES, fail, resolve, reject));
    });
  }

  /**
   * GET `url` following redirects (at most 10, never from https to http).
   * Credentials in the URL, else GOAUTH's for it, go only to its origin.
   */
  async #follow<R extends { statusCode: number; headers: Headers; answeredAt?: number }>(
    url: string,
    tag: RequestTag,
    credentials: NonNullable<RequestOptions['credentials']>,
    send: (current: URL, headers: Record<string, string>) => Promise<R>,
    drop: (res: R) => Promise<void>,
  ): Promise<{ res: R; current: string }> {
    const { url: bare, authorization: fromUrl } = splitCredentials(url);
    const authorization =
      fromUrl ??
      (typeof credentials === 'object' ? credentials.authorization : credentials ? authorizationFor(this.network.auth, url) : undefined);
    const origin = new URL(bare).origin;
    let current = bare;
    for (let redirects = 0; ; redirects++) {
      const headers: Record<string, string> = { 'user-agent': this.#userAgent };
      if (authorization !== undefined && new URL(current).origin === origin) headers.authorization = authorization;
      const t0 = performance.now();
      let res: R;
      try {
        res = await send(new URL(current), headers);
      } catch (err) {
        // Transient failures are retried by #retrying; any other failure to get an
        // answer at all (no such host, TLS, a proxy refusing) is a network error
        // naming the URL, not a bare system error.
        if (isTransientError(err) || err instanceof GobundleError) throw err;
        throw this.#failure(redactUrl(current), err);
      }
      this.stats.answered(tag, (res.answeredAt ?? performance.now()) - t0);
      const status = res.statusCode;
      if (status >= 300 && status < 400 && status !== 304 && headerValue(res.headers.location) !== undefined) {
        await drop(res);
        const next = new URL(headerValue(res.headers.location) ?? '', current).toString();
        if (redirects + 1 > MAX_REDIRECTS) {
          const reason = `stopped after ${MAX_REDIRECTS} redirects`;
          throw new NetworkError(redactUrl(url), `reading ${redactUrl(url)}: ${reason}`, { hint: HINT, reason });
        }
        if (current.startsWith('https:') && !next.startsWith('https:')) {
          const reason = `redirected from secure URL ${redactUrl(current)} to insecure URL ${redactUrl(next)}`;
          throw new NetworkError(redactUrl(url), `reading ${redactUrl(url)}: ${reason}`, {
            reason,
            hint: 'the proxy redirected an https request to plain http; fix the proxy or use an http:// GOPROXY entry explicitly',
          });
        }
        current = next;
        continue;
      }
      return { res, current };
    }
  }

  /** One request, following redirects; returns consume's result or throws. */
  async #attempt<T>(
    url: string,
    consume: Consume<T>,
    tag: RequestTag,
    credentials: NonNullable<RequestOptions['credentials']>,
  ): Promise<T> {
    const { res, current } = await this.#follow(url, tag, credentials, this.#sendStreaming, dumpBody);
    const status = res.statusCode;

    if (status === 200) {
      let bytes = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          callback(null, chunk);
        },
      });
      // pipe, not pipeline: stream.pipeline makes an AbortController and an
      // AbortError per call, a tenth of a small pack's main thread at 0 ms.
      // Its two other duties, by hand: an error on the body reaches the
      // consumer, and a consumer that stops early frees the connection.
      res.body.on('error', (err) => counted.destroy(err));
      counted.on('close', () => {
        if (!res.body.readableEnded) discard(res.body);
      });
      res.body.pipe(counted);
      try {
        return await consume(counted, {
          url: redactUrl(current),
          contentLength: contentLengthOf(res.headers),
        });
      } finally {
        this.stats.bytes(tag, bytes);
      }
    }

    return this.#refuse(current, res, await errorDetail(res));
  }

  /** One request for a small file, following redirects; returns its bytes or throws. */
  async #attemptBytes(
    url: string,
    limit: number,
    tooLarge: (meta: ResponseMeta) => Error,
    tag: RequestTag,
    credentials: NonNullable<RequestOptions['credentials']>,
  ): Promise<Buffer> {
    const send = (current: URL, headers: Record<string, string>): Promise<BufferedResponse> =>
      this.#sendBuffered(current, headers, limit, tooLarge);
    const { res, current } = await this.#follow(url, tag, credentials, send, async () => undefined);
    if (res.statusCode === 200) {
      this.stats.bytes(tag, res.data.length);
      return res.data;
    }
    return this.#refuse(current, res, isPlainText(res.headers) ? detailLine(res.data) : '');
  }

  /** The error for an answer other than 200: not found, worth retrying, or final. */
  #refuse(current: string, res: { statusCode: number; statusText: string; headers: Headers }, detail: string): never {
    const status = res.statusCode;
    const shown = redactUrl(current);
    const statusLine = `${status} ${res.statusText || STATUS_CODES[status] || `status code ${status}`}`;
    if (status === 404 || status === 410) {
      throw new NotFoundError(readingMessage(shown, statusLine, detail), {
        hint: 'the proxy does not have it; with "," or "|" after this proxy in GOPROXY the next entry is tried',
      });
    }
    if (isRetryableStatus(status)) {
      throw new RetryableFailure(shown, statusLine, detail, status, retryAfterMs(headerValue(res.headers['retry-after'])), undefined);
    }
    throw new NetworkError(shown, readingMessage(shown, statusLine, detail), { status, reason: statusLine, hint: HINT });
  }
}

/** `host:port` of a URL (for messages about connections). */
function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}

/**
 * Whether an error body is text/plain in utf-8, us-ascii or no charset:
 * the only kind whose first line cmd/go shows.
 */
function isPlainText(headers: Headers): boolean {
  const contentType = headerValue(headers['content-type']) ?? '';
  const [mediaType = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  const charset =
    params
      .find((p) => p.startsWith('charset='))
      ?.slice('charset='.length)
      .replace(/^"|"$/g, '') ?? '';
  return mediaType === 'text/plain' && ['', 'utf-8', 'us-ascii'].includes(charset);
}

/**
 * The first line of a text/plain error body, as cmd/go shows it; empty
 * when there is none or it holds control characters or invalid UTF-8 (no
 * terminal funny business). The rest of the body is dumped.
 */
async function errorDetail(res: Dispatcher.ResponseData): Promise<string> {
  if (!isPlainText(res.headers)) {
    await res.body.dump({ limit: DUMP_LIMIT_BYTES });
    return '';
  }
  let head: Buffer = Buffer.alloc(0);
  try {
    head = await readPrefix(res.body as AsyncIterable<Buffer>, MAX_ERROR_DETAIL_BYTES);
  } catch {
    // A body that fails while we read the reason is no reason to hide the status.
  } finally {
    if (!res.body.destroyed) await res.body.dump({ limit: DUMP_LIMIT_BYTES }).catch(() => undefined);
  }
  return detailLine(head);
}

/** The line cmd/go shows from the start of a text/plain error body (its first MAX_ERROR_DETAIL_BYTES), or ''. */
function detailLine(head: Buffer): string {
  return firstTextLine(head.subarray(0, MAX_ERROR_DETAIL_BYTES)) ?? '';
}

/** Drain a body that is not wanted (a redirect's), so its connection is reused. */
async function dumpBody(res: Dispatcher.ResponseData): Promise<void> {
  await res.body.dump({ limit: DUMP_LIMIT_BYTES });
}

/** The first DUMP_LIMIT_BYTES of a body that is not a 200's, the rest dropped; a failing body is what it gave. */
async function readHead(body: Dispatcher.ResponseData['body']): Promise<Buffer> {
  try {
    return await readPrefix(body as AsyncIterable<Buffer>, DUMP_LIMIT_BYTES);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (!body.readableEnded) discard(body);
  }
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
