/**
 * The serve application: an express app (no listen here) answering the
 * GOPROXY protocol from a BundleSet, the checksum-database replay through a
 * SumdbHandler, and /healthz, /readyz, /metrics. The proxy itself is one
 * plain handler that parses the raw path (requestPath.ts) and does Map
 * lookups, so express adds routing for the base path and little else to
 * the hot path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { AccessLogEntry } from './accessLog.js';
import type { BundleSet } from '../bundleset/bundleSet.js';
import { CachedAnswer, type VersionedKind } from './cachedAnswer.js';
import { Metrics, type RouteLabel } from './metrics.js';
import { parseRequestPath } from './requestPath.js';
import { sendBody, sendFile } from './sendFile.js';
import { SmallFileCache } from './smallFileCache.js';
import { warmCache } from './warmCache.js';
import { ReplaySumdbHandler, type SumdbHandler } from './sumdbHandler.js';
import type { VulnDbView } from '../bundleset/vulndbView.js';

/** Where the bundles' vulnerability database is served: `govulncheck -db http://<host>/vulndb`. */
export const VULNDB_URL_PREFIX = '/vulndb/';

/** Versioned files never change. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** list and @latest change when a bundle is added. */
export const SHORT_CACHE_CONTROL = 'public, max-age=60';

const CONTENT_TYPES = new Map<string, string>([
  ['info', 'application/json'],
  ['latest', 'application/json'],
  ['mod', 'text/plain; charset=utf-8'],
  ['list', 'text/plain; charset=utf-8'],
  ['zip', 'application/zip'],
]);

/** A URL that may be a stored name as it is: no escapes, no query, a versioned file under /@v/. */
const DIRECT_NAME = /^\/[^%?\\]+\/@v\/[^/%?\\]+\.(info|mod|zip)$/;

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

/** Paths under this prefix (and `/` itself) are the page's, never a module's: a module path's first element has a dot and no leading dash. */
export const PAGE_PREFIX = '/-/';

/** What a request answered 404 asked for (the miss record's input). */
export type NotFoundTarget =
  | { kind: 'list' | 'latest'; path: string }
  | { kind: 'info' | 'mod' | 'zip'; path: string; version: string }
  | { kind: 'sumdb'; db: string; rest: string };

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

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    out: { route: RouteLabel; bytes: number },
  ): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      out.bytes = text(res, 405, 'method not allowed: the module proxy is read-only', { Allow: 'GET, HEAD' });
      out.route = 'other';
      return;
    }
    const head = req.method === 'HEAD';
    const index = opts.bundles.current;
    // Hot path: a plain URL that is exactly a versioned file name of a signed
    // manifest (names were checked when the bundle was opened, and the Map
    // holds nothing else) needs no further parsing or validation.
    const direct = DIRECT_NAME.exec(url);
    if (direct !== null) {
      const f = index.files.get(url.slice(1));
      if (f !== undefined) {
        const kind = direct[1] as 'info' | 'mod' | 'zip';
        out.route = kind;
        out.bytes = await sendFile(
          req,
          res,
          { ...f, contentType: CONTENT_TYPES.get(kind) as string, cacheControl: IMMUTABLE_CACHE_CONTROL },
          cache,
          out,
        );
        out.route = kind;
        return;
      }
    }
    if (opts.pages !== undefined && (url.startsWith(PAGE_PREFIX) || url === '/' || url.startsWith('/?'))) {
      out.route = 'page';
      out.bytes = await opts.pages(req, res, url);
      return;
    }
    if (url.startsWith(VULNDB_URL_PREFIX)) {
      out.route = 'vulndb';
      out.bytes = serveVulnDb(req, res, url, index.vulndb, head);
      return;
    }
    const t = parseRequestPath(url);
    // Known before anything is sent: the 'close' handler may run before this function returns.
    out.route = t.kind === 'bad' ? 'other' : t.kind;
    switch (t.kind) {
      case 'bad':
        out.bytes = text(res, t.status, t.reason, {}, head);
        out.route = 'other';
        return;
      case 'healthz':
        out.bytes = text(res, 200, 'ok', {}, head);
        out.route = t.kind;
        return;
      case 'readyz':
        if (isReady()) out.bytes = text(res, 200, 'ready', {}, head);
        else out.bytes = text(res, 503, 'not ready', {}, head);
        out.route = t.kind;
        return;
      case 'metrics':
        metrics.bundlesLoaded = index.bundles.length;
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
        {
          const body = metrics.render();
          out.bytes = head ? 0 : Buffer.byteLength(body);
          res.end(head ? undefined : body);
        }
        out.route = t.kind;
        return;
      case 'sumdb': {
        const sent = await sumdb.serve(req, res, t.db, t.rest, index, cache, out);
        if (sent === undefined) await opts.notFound?.({ kind: 'sumdb', db: t.db, rest: t.rest }, req);
        if (sent === undefined) out.bytes = text(res, 404, `checksum database ${t.db}: ${t.rest}: not in the served bundles`, {}, head);
        else out.bytes = sent;
        out.route = 'sumdb';
        return;
      }
      case 'list': {
        const list = index.lists.get(t.escPath);
        if (list === undefined) {
          await opts.notFound?.({ kind: 'list', path: t.path }, req);
          out.bytes = text(res, 404, `${t.path}: module not in the served bundles`, {}, head);
          out.route = 'list';
          return;
        }
        const sent = sendBody(
          req,
          res,
          list.body,
          `"${list.sha256}"`,
          { 'Content-Type': CONTENT_TYPES.get('list') as string, 'Cache-Control': SHORT_CACHE_CONTROL },
          head,
        );
        if (sent > 0) out.bytes = sent;
        out.route = 'list';
        return;
      }
      case 'latest': {
        const info = index.latest.get(t.escPath);
        if (info === undefined) {
          await opts.notFound?.({ kind: 'latest', path: t.path }, req);
          out.bytes = text(res, 404, `${t.path}@latest: no version in the served bundles`, {}, head);
          out.route = 'latest';
          return;
        }
        out.bytes = await sendFile(
          req,
          res,
          { ...info, contentType: CONTENT_TYPES.get('latest') as string, cacheControl: SHORT_CACHE_CONTROL },
          cache,
          out,
        );
        out.route = 'latest';
        return;
      }
      default: {
        const f = index.files.get(t.name);
        if (f === undefined) {
          await opts.notFound?.({ kind: t.kind, path: t.path, version: t.version }, req);
          const why = index.hasModule(t.escPath)
            ? `${t.path}@${t.version}: version not in the served bundles`
            : `${t.path}: module not in the served bundles`;
          out.bytes = text(res, 404, why, {}, head);
          out.route = t.kind;
          return;
        }
        out.bytes = await sendFile(
          req,
          res,
          { ...f, contentType: CONTENT_TYPES.get(t.kind) as string, cacheControl: IMMUTABLE_CACHE_CONTROL },
          cache,
          out,
        );
        out.route = t.kind;
        return;
      }
    }
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
    const name = url.includes('%21') ? url.replaceAll('%21', '!') : url;
    const direct = DIRECT_NAME.exec(name);
    if (direct !== null) {
      const f = opts.bundles.current.files.get(name.slice(1));
      if (f !== undefined) {
        const kind = direct[1] as VersionedKind;
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
    text(
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
    text(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
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
  text(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
}

function text(res: ServerResponse, status: number, line: string, extra: Record<string, string> = {}, head = false): number {
  // One line: the go command shows up to 8 lines of a text/plain error body.
  const body = `${line.replace(/[\r\n]+/g, ' ')}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(head ? undefined : body);
  return head ? 0 : Buffer.byteLength(body);
}

/** `/vulndb/<path>`: a file of the merged database, `.json` or `.json.gz`; anything else 404. */
function serveVulnDb(req: IncomingMessage, res: ServerResponse, url: string, view: VulnDbView, head: boolean): number {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).slice(VULNDB_URL_PREFIX.length);
  const f = view.get(path);
  if (f === undefined) return text(res, 404, `vulnerability database: ${path}: not in the served bundles`, {}, head);
  // The database changes when a bundle is added.
  return sendBody(
    req,
    res,
    f.body,
    `"${f.sha256}"`,
    { 'Content-Type': path.endsWith('.gz') ? 'application/gzip' : 'application/json', 'Cache-Control': SHORT_CACHE_CONTROL },
    head,
  );
}

function normalizeBasePath(p: string): string {
  const trimmed = `/${p.replace(/^\/+|\/+$/g, '')}`;
  return trimmed;
}
