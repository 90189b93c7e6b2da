/**
 * Listening: an http or https server around the serve app with the limits
 * a shared intranet service needs (bounded headers, request and idle
 * timeouts), and a graceful close that stops accepting, lets in-flight
 * responses finish, then drops idle keep-alive connections.
 */
import { createServer as createHttpServer, type Server, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ServeListenError } from './serveErrors.js';

/** Largest request header block accepted (the go command sends a few hundred bytes). */
export const MAX_HEADER_BYTES = 16 << 10;
/** Time allowed to receive a request's headers. */
export const HEADERS_TIMEOUT_MS = 15_000;
/** Time allowed to receive a whole request (GET has no body). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** An idle socket (no bytes either way) is closed after this long; large zips keep moving bytes. */
export const SOCKET_IDLE_TIMEOUT_MS = 120_000;
/** Keep-alive connections idle this long are closed. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How long a graceful close waits for in-flight responses before cutting connections. */
export const DRAIN_TIMEOUT_MS = 30_000;

export interface ListenOptions {
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
}

export interface RunningServer {
  server: Server;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  close(drainTimeoutMs?: number): Promise<void>;
  /**
   * Replace the certificate and key of an https server for connections
   * accepted from now on; open connections keep theirs (nothing dropped).
   * Throws when they do not load (the old ones stay). No-op for http.
   */
  reloadTls(tls: { cert: Buffer; key: Buffer }): void;
}

const LISTEN_FAILURES: ReadonlyMap<string, { why: string; hint: string }> = new Map([
  ['EADDRINUSE', { why: 'address already in use', hint: 'another process listens there: stop it, or give serve another --listen' }],
  ['EADDRNOTAVAIL', { why: 'address not available', hint: "give --listen an address of this machine's, or 0.0.0.0 for all of them" }],
  ['EACCES', { why: 'permission denied', hint: 'ports below 1024 need privileges: listen on a higher port (and forward to it)' }],
]);

/** A failure to listen, as a ServeListenError naming the address when it is one a person can fix. */
function listenError(err: Error, opts: ListenOptions): Error {
  const known = LISTEN_FAILURES.get((err as NodeJS.ErrnoException).code ?? '');
  if (known === undefined) return err;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return new ServeListenError(`serve --listen ${host}:${opts.port}: ${known.why}`, { hint: known.hint, cause: err });
}

export async function listen(handler: RequestListener, opts: ListenOptions): Promise<RunningServer> {
  const common = {
    maxHeaderSize: MAX_HEADER_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    headersTimeout: HEADERS_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  };
  const https = opts.tls ? createHttpsServer({ ...common, cert: opts.tls.cert, key: opts.tls.key }, handler) : undefined;
  const server: Server = https ?? createHttpServer(common, handler);
  server.timeout = SOCKET_IDLE_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => reject(listenError(err, opts));
    server.once('error', failed);
    server.listen(opts.port, opts.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}`;
  let closing: Promise<void> | undefined;
  const close = (drainTimeoutMs = DRAIN_TIMEOUT_MS): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  const reloadTls = (tls: { cert: Buffer; key: Buffer }): void => https?.setSecureContext({ cert: tls.cert, key: tls.key });
  return { server, url, close, reloadTls };
}

/** Parse `HOST:PORT` ([v6]:port allowed). */
export function parseListenAddress(s: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(s);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
