/**
 * The serve application: an express app (no listen here) answering the
 * GOPROXY protocol from a BundleSet, the checksum-database replay through a
 * SumdbHandler, and /healthz, /readyz, /metrics. What to answer is route.ts's
 * pure decision; this file writes it (through sendFile.ts), runs the hooks
 * (the gate, the miss record, the page), counts and logs. The proxy itself
 * is one plain handler, so express adds routing for the base path and
 * little else to the hot path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { AccessLogEntry } from './accessLog.js';
import type { BundleSet } from '../bundleset/bundleSet.js';
import { CachedAnswer } from './cachedAnswer.js';
import { Metrics, type RouteLabel } from './metrics.js';
import { storedVersionFile } from './requestPath.js';
import { CONTENT_TYPES, IMMUTABLE_CACHE_CONTROL, type Answer, type NotFoundTarget, route, sumdbNotFound } from './route.js';
import { sendBody, sendFile, sendText } from './sendFile.js';
import { SmallFileCache } from './smallFileCache.js';
import { warmCache } from './warmCache.js';
import { ReplaySumdbHandler, type SumdbHandler } from './sumdbHandler.js';

export { IMMUTABLE_CACHE_CONTROL, PAGE_PREFIX, SHORT_CACHE_CONTROL, VULNDB_URL_PREFIX, type NotFoundTarget } from './route.js';

export interface ServeAppOptions {
  bundles: BundleSet;
  metrics?: Metrics;
  /** Called once per finished request. */
  accessLog?: (entry: AccessLogEntry) => void;
  /** Serve under this prefix (e.g. "/goproxy"); default "/". */
  basePath?: string;
  sumdb?: SumdbHandler;
  /** /readyz answers 503 while this is false (e.g. during shutdown). Default: at least one bundle loaded. */
  isReady?: () => boolean;
  /**
   * Hook: called before serve answers 404 to a request for a module's list
   * or @latest, a module version's file or a checksum-database path (the
   * miss record); the 404 is sent once it settles.
   */
  notFound?: (target: NotFoundTarget, req: IncomingMessage) => Promise<void> | void;
  /**
   * Hook: answers `/` and every path under `/-/` (PAGE_PREFIX: no module
   * path starts with `-`), resolving to the body bytes sent. Absent: 404.
   */
  pages?: (req: IncomingMessage, res: ServerResponse, url: string) => Promise<number>;
  /**
   * Hook: runs first on every request (path below the base path); false
   * means it has answered (401, 429) and nothing else runs.
   */
  gate?: (req: IncomingMessage, res: ServerResponse, url: string) => boolean | Promise<boolean>;
}

export interface ServeApp {
  app: express.Express;
  /**
   * The request listener to give the http server: GOPROXY, sumdb and health
   * requests under the base path go straight to the proxy handler (the hot
   * path: no router, no middleware chain); everything else goes to `app`.
   */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  metrics: Metrics;
}

export function createServeApp(opts: ServeAppOptions): ServeApp {
  const metrics = opts.metrics ?? new Metrics();
  const cache = new SmallFileCache();
  const sumdb = opts.sumdb ?? new ReplaySumdbHandler();
  const isReady = opts.isReady ?? (() => opts.bundles.current.bundles.length > 0);
  const basePath = normalizeBasePath(opts.basePath ?? '/');
  const cached = new CachedAnswer(cache, CONTENT_TYPES, IMMUTABLE_CACHE_CONTROL);
  // The go command's graph loading asks for .mod and .info files one after another: read them
  // before they are asked for (in the background; requests never wait on it).
  let warmed = opts.bundles.current;
  warmCache(warmed, cache);

  /** Write what route() decided; `out` says what was answered and how many bytes went out (for the metrics and the log). */
  const write = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    a: Answer,
    out: { route: RouteLabel; bytes: number },
  ): Promise<void> => {
    const head = req.method === 'HEAD';
    // Known before anything is sent: the 'close' handler may run before this function returns.
    out.route = a.kind === 'page' ? 'page' : a.kind === 'metrics' ? 'metrics' : a.kind === 'sumdb' ? 'sumdb' : a.route;
    switch (a.kind) {
      case 'page':
        out.bytes = await (opts.pages as NonNullable<ServeAppOptions['pages']>)(req, res, url);
        return;
      case 'metrics': {
        metrics.bundlesLoaded = opts.bundles.current.bundles.length;
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
        const body = metrics.render();
        out.bytes = head ? 0 : Buffer.byteLength(body);
        res.end(head ? undefined : body);
        return;
      }
      case 'sumdb': {
        const sent = await sumdb.serve(req, res, a.db, a.rest, opts.bundles.current, cache, out);
        if (sent === undefined) await write(req, res, url, sumdbNotFound(a.db, a.rest), out);
        else out.bytes = sent;
        return;
      }
      case 'text':
        if (a.miss !== undefined) await opts.notFound?.(a.miss, req);
        out.bytes = sendText(res, a.status, a.line, a.headers ?? {}, head);
        return;
      case 'body': {
        const sent = sendBody(req, res, a.body, a.etag, { 'Content-Type': a.contentType, 'Cache-Control': a.cacheControl }, head);
        if (sent > 0) out.bytes = sent;
        return;
      }
      case 'file':
        out.bytes = await sendFile(req, res, { ...a.file, contentType: a.contentType, cacheControl: a.cacheControl }, cache, out);
        out.route = a.route;
        return;
    }
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    out: { route: RouteLabel; bytes: number },
  ): Promise<void> => {
    const index = opts.bundles.current;
    // A plain URL that is exactly a versioned file name of a signed manifest (names were checked when
    // the bundle was opened, and the Map holds nothing else) needs no further parsing or validation.
    const direct = req.method === 'GET' || req.method === 'HEAD' ? storedVersionFile(url) : undefined;
    const f = direct === undefined ? undefined : index.files.get(direct.name);
    if (direct !== undefined && f !== undefined) {
      const kind = direct.kind;
      await write(
        req,
        res,
        url,
        { kind: 'file', route: kind, file: f, contentType: CONTENT_TYPES.get(kind) as string, cacheControl: IMMUTABLE_CACHE_CONTROL },
        out,
      );
      return;
    }
    await write(req, res, url, route(req.method, url, { index, ready: isReady(), hasPage: opts.pages !== undefined }), out);
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  /** Count a finished request and log it. */
  const record = (req: IncomingMessage, status: number, originalUrl: string, route: RouteLabel, bytes: number, seconds: number): void => {
    metrics.observe(route, status, bytes, seconds);
    opts.accessLog?.({
      time: new Date().toISOString(),
      remote: req.socket.remoteAddress ?? '',
      method: req.method ?? '',
      path: originalUrl,
      status,
      bytes,
      ms: seconds * 1000,
    });
  };
  /** Serve one request whose path below the base path is `url`; errors go to `fail`. */
  const serveProxy = (req: IncomingMessage, res: ServerResponse, url: string, fail: (err: unknown) => void): void => {
    const started = performance.now();
    const originalUrl = req.url ?? '/';
    const passed = opts.gate?.(req, res, url) ?? true;
    if (passed !== true) {
      const refused = (): void => {
        const status = res.statusCode;
        res.once('close', () => record(req, status, originalUrl, 'other', 0, (performance.now() - started) / 1000));
      };
      if (passed === false) refused();
      else passed.then((ok) => (ok ? answer(req, res, url, fail, started, originalUrl) : refused()), fail);
      return;
    }
    answer(req, res, url, fail, started, originalUrl);
  };
  /** serveProxy once the gate let the request through. */
  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    fail: (err: unknown) => void,
    started: number,
    originalUrl: string,
  ): void => {
    if (opts.bundles.current !== warmed) {
      warmed = opts.bundles.current;
      warmCache(warmed, cache);
    }
    // Hot path: a versioned file already in memory, answered in one synchronous write. The
    // go command sends the `!` of an escaped capital as %21; any other escape takes the general
    // path, and whatever the URL, only a name the index holds is ever answered.
    const direct = storedVersionFile(url.includes('%21') ? url.replaceAll('%21', '!') : url);
    if (direct !== undefined) {
      const f = opts.bundles.current.files.get(direct.name);
      if (f !== undefined) {
        const kind = direct.kind;
        const sent = cached.trySend(req, res, f, kind);
        if (sent !== undefined) {
          record(req, res.statusCode, originalUrl, kind, sent, (performance.now() - started) / 1000);
          return;
        }
      }
    }
    const out: { route: RouteLabel; bytes: number } = { route: 'other', bytes: 0 };
    res.once('close', () => record(req, res.statusCode, originalUrl, out.route, out.bytes, (performance.now() - started) / 1000));
    handle(req, res, url, out).catch(fail);
  };
  const basePrefix = basePath === '/' ? '' : basePath;
  app.use(basePath, (req, res, next) => {
    // Reached only through app itself (tests, or a caller mounting app): same handler.
    serveProxy(req, res, req.url, next);
  });
  app.use((req, res) => {
    sendText(
      res,
      req.method !== 'GET' && req.method !== 'HEAD' ? 405 : 404,
      req.method !== 'GET' && req.method !== 'HEAD' ? 'method not allowed' : `not under ${basePath}`,
      req.method !== 'GET' && req.method !== 'HEAD' ? { Allow: 'GET, HEAD' } : {},
      req.method === 'HEAD',
    );
  });
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendText(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
  });
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    if (basePrefix === '') {
      serveProxy(req, res, url, (err) => fail(res, err));
      return;
    }
    if (url.startsWith(`${basePrefix}/`)) {
      serveProxy(req, res, url.slice(basePrefix.length), (err) => fail(res, err));
      return;
    }
    (app as unknown as (req: IncomingMessage, res: ServerResponse) => void)(req, res);
  };
  return { app, listener, metrics };
}

function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendText(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
}

function normalizeBasePath(p: string): string {
  const trimmed = `/${p.replace(/^\/+|\/+$/g, '')}`;
  return trimmed;
}
