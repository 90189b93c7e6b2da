/**
 * One request on a fresh connection, timed phase by phase, for gobundle
 * doctor: DNS, TCP, the outbound proxy's CONNECT, TLS (with what the
 * certificate says), time to the first byte of the answer, the status and
 * a capped body. Connections are opened exactly as pack opens them
 * (connect.ts, the proxy rules, GOAUTH credentials, trusted roots), so what
 * doctor sees is what pack will see. Never throws: a failure is part of the
 * result, worded as pack would word it.
 */
import { Client } from './undiciParts.js';
import { NotFoundError } from '../errors.js';
import { redactUrl } from '../gomod/goenv.js';
import { openConnection, proxyAuthorization, type ConnectTrace } from './connect.js';
import { readPrefix } from './cappedBody.js';
import { openFileUrl } from './fileUrl.js';
import { authorizationFor } from './goAuth.js';
import { failureKind, failureWords, describeProxy } from './networkErrors.js';
import type { NetworkSettings } from './networkSettings.js';
import { proxyFor } from './proxyEnv.js';
import { MAX_REDIRECTS } from './httpTransport.js';

export interface ProbeResult {
  /** The URL asked for, credentials removed. */
  url: string;
  /** How the request went: `direct` or `via <proxy> (from VAR)`. */
  route: string;
  trace: ConnectTrace;
  status?: number;
  statusText?: string;
  contentType?: string;
  /** The body, up to the limit asked for. */
  body?: Buffer;
  /** From the request written to the first byte of the answer (the connection not included). */
  ttfbMs?: number;
  /** Everything, connection and body included. */
  totalMs: number;
  /** A connection to the server was made (through the proxy, TLS included): a failure after it is the server's. */
  connected: boolean;
  /** What failed: a short kind (dns, refused, timeout, tls, proxy, …) and the reason as pack words it. */
  error?: { kind: string; reason: string; code: string };
}

export interface ProbeOptions {
  /** Bound for the whole request, connection included. */
  timeoutMs: number;
  /** Bytes of the body kept. */
  limit: number;
  /** Send GOAUTH credentials (https only). Default true. */
  credentials?: boolean;
  signal?: AbortSignal;
  userAgent?: string;
}

function ms(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

/** A failure in pack's words, with its short kind. */
function failure(err: unknown, u: URL, protocol: string, options: ProbeOptions, deadline: AbortSignal): NonNullable<ProbeResult['error']> {
  const words = failureWords(err, `${u.hostname}:${u.port || (protocol === 'https:' ? '443' : '80')}`, {
    headersTimeoutMs: options.timeoutMs,
    bodyTimeoutMs: options.timeoutMs,
    connectTimeoutMs: options.timeoutMs,
  });
  const aborted = deadline.aborted;
  return {
    kind: aborted ? 'timeout' : failureKind(err),
    // One line: doctor prints reasons inside its own lines.
    reason: aborted ? `no complete answer within ${2 * options.timeoutMs}ms` : words.reason.replace(/\n\t/g, '; '),
    code: (words.Kind as unknown as { errorCode: string }).errorCode,
  };
}

/** GET `url` once (following redirects) on fresh connections, and say what happened. */
export async function probe(settings: NetworkSettings, url: string, options: ProbeOptions): Promise<ProbeResult> {
  const t0 = performance.now();
  const shown = redactUrl(url);
  if (url.startsWith('file:')) {
    try {
      const { body } = await openFileUrl(url);
      const data = await readPrefix(body as AsyncIterable<Buffer>, options.limit);
      body.destroy();
      return {
        url: shown,
        route: 'local file',
        trace: {},
        connected: true,
        status: 200,
        statusText: 'OK',
        body: data,
        ttfbMs: 0,
        totalMs: ms(t0),
      };
    } catch (err) {
      return err instanceof NotFoundError
        ? { url: shown, route: 'local file', trace: {}, connected: true, status: 404, statusText: 'Not Found', totalMs: ms(t0) }
        : {
            url: shown,
            route: 'local file',
            trace: {},
            connected: false,
            totalMs: ms(t0),
            error: { kind: 'other', reason: err instanceof Error ? err.message : String(err), code: 'ENETWORK' },
          };
    }
  }

  // The headers, body and connect timeouts (each timeoutMs) say what stalled; this bounds the whole, redirects included.
  const deadline = AbortSignal.any([AbortSignal.timeout(2 * options.timeoutMs), ...(options.signal === undefined ? [] : [options.signal])]);
  let current = url;
  let firstTrace: ConnectTrace | undefined;
  let firstRoute: string | undefined;
  for (let redirects = 0; ; redirects++) {
    const u = new URL(current);
    const route = proxyFor(settings.proxies, u.href);
    const routeWords = route.kind === 'proxy' ? `via ${describeProxy(route.proxy)}` : 'direct';
    firstRoute ??= routeWords;
    const trace: ConnectTrace = {};
    firstTrace ??= trace;
    let connectedAt = 0;
    const result = (extra: Partial<ProbeResult>): ProbeResult => ({
      url: shown,
      route: firstRoute ?? routeWords,
      trace: firstTrace ?? trace,
      totalMs: ms(t0),
      connected: connectedAt !== 0,
      ...extra,
    });
    if (route.kind === 'refused') return result({ error: { kind: 'proxy', reason: route.why, code: 'ENETWORK' } });
    const proxy = route.kind === 'proxy' ? route.proxy : undefined;
    const absolute = proxy !== undefined && u.protocol === 'http:' && proxy.scheme !== 'socks5';
    const protocol = u.protocol === 'https:' ? 'https:' : 'http:';
    const client = new Client(
      absolute && proxy !== undefined ? `http://${proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host}:${proxy.port}` : u.origin,
      {
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        connect: (_o, callback) => {
          openConnection(
            {
              protocol: absolute ? 'http:' : protocol,
              hostname: absolute && proxy !== undefined ? proxy.host : u.hostname.replace(/^\[|\]$/g, ''),
              port: absolute && proxy !== undefined ? proxy.port : Number(u.port) || (protocol === 'https:' ? 443 : 80),
              proxy,
              ...(absolute ? { proxyOnly: true } : {}),
              trustedRoots: () => settings.secureContext,
              timeoutMs: options.timeoutMs,
              userAgent: options.userAgent ?? 'gobundle',
            },
            trace,
          ).then(
            (socket) => {
              connectedAt = performance.now();
              callback(null, socket);
            },
            (err: Error) => callback(err, null),
          );
        },
      },
    );
    try {
      const headers: Record<string, string> = { 'user-agent': options.userAgent ?? 'gobundle' };
      const auth = options.credentials === false ? undefined : authorizationFor(settings.auth, current);
      if (auth !== undefined && new URL(url).origin === u.origin) headers.authorization = auth;
      if (absolute && proxy !== undefined) {
        headers.host = u.host;
        const pa = proxyAuthorization(proxy);
        if (pa !== undefined) headers['proxy-authorization'] = pa;
      }
      const res = await client.request({
        path: absolute ? u.href : `${u.pathname}${u.search}`,
        method: 'GET',
        headers,
        signal: deadline,
      });
      const ttfbMs = connectedAt === 0 ? ms(t0) : ms(connectedAt);
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string' && redirects < MAX_REDIRECTS) {
        await res.body.dump().catch(() => undefined);
        current = new URL(location, current).toString();
        continue;
      }
      const contentType = res.headers['content-type'];
      const answer = {
        status: res.statusCode,
        statusText: res.statusText,
        ...(typeof contentType === 'string' ? { contentType } : {}),
        ttfbMs,
      };
      let body: Buffer;
      try {
        body = await readPrefix(res.body as AsyncIterable<Buffer>, options.limit);
      } catch (err) {
        // Headers came, then the body failed: the server's fault, shown with its status.
        return result({ ...answer, error: failure(err, u, protocol, options, deadline) });
      } finally {
        if (!res.body.destroyed) res.body.destroy();
      }
      return result({ ...answer, body });
    } catch (err) {
      return result({ error: failure(err, u, protocol, options, deadline) });
    } finally {
      client.destroy().catch(() => undefined);
    }
  }
}
