/**
 * What serve answers to a request, decided without touching the request or
 * the response: a pure function of the method, the path below the base
 * path, the current index and whether serve is ready. app.ts writes the
 * answer (one writer: sendFile.ts) and runs the hooks it names (the miss
 * record for a 404, the page).
 */
import type { ModuleIndex, ServedFile } from '../bundleset/moduleIndex.js';
import { VULNDB_PREFIX } from '../bundle/treeLayout.js';
import type { RouteLabel } from './metrics.js';
import { parseRequestPath } from './requestPath.js';

/** Where the bundles' vulnerability database is served: `govulncheck -db http://<host>/vulndb`. */
export const VULNDB_URL_PREFIX = `/${VULNDB_PREFIX}`;

/** Paths under this prefix (and `/` itself) are the page's, never a module's: a module path's first element has a dot and no leading dash. */
export const PAGE_PREFIX = '/-/';
/** The page under the name `gobundle export` writes it (a module path alone is never a proxy request). */
const PAGE_INDEX = '/index.html';

/** Versioned files never change. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** list and @latest change when a bundle is added. */
export const SHORT_CACHE_CONTROL = 'public, max-age=60';

export const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['info', 'application/json'],
  ['latest', 'application/json'],
  ['mod', 'text/plain; charset=utf-8'],
  ['list', 'text/plain; charset=utf-8'],
  ['zip', 'application/zip'],
]);

/** What a request answered 404 asked for (the miss record's input). */
export type NotFoundTarget =
  | { kind: 'list' | 'latest'; path: string }
  | { kind: 'info' | 'mod' | 'zip'; path: string; version: string }
  | { kind: 'sumdb'; db: string; rest: string };

/** What to send. */
export type Answer =
  /** A verified file of the index (Range and conditional requests honoured). */
  | { kind: 'file'; route: RouteLabel; file: ServedFile; contentType: string; cacheControl: string }
  /** Bytes in memory, with their ETag. */
  | { kind: 'body'; route: RouteLabel; body: Buffer; etag: string; contentType: string; cacheControl: string }
  /** A one-line text/plain answer (errors, health); `miss` when a 404 names something the bundles lack. */
  | { kind: 'text'; route: RouteLabel; status: number; line: string; headers?: Record<string, string>; miss?: NotFoundTarget }
  /** The Prometheus exposition of this process's metrics. */
  | { kind: 'metrics' }
  /** A checksum-database path (the replay answers it, or it is a 404 and a miss). */
  | { kind: 'sumdb'; db: string; rest: string }
  /** The page (`/`, `/-/…`), when serve has one. */
  | { kind: 'page' };

export interface RouteContext {
  index: ModuleIndex;
  /** /readyz says 503 while this is false. */
  ready: boolean;
  /** serve answers `/` and `/-/…` with its page. */
  hasPage: boolean;
}

export function route(method: string | undefined, url: string, ctx: RouteContext): Answer {
  if (method !== 'GET' && method !== 'HEAD') {
    return {
      kind: 'text',
      route: 'other',
      status: 405,
      line: 'method not allowed: the module proxy is read-only',
      headers: { Allow: 'GET, HEAD' },
    };
  }
  const { index } = ctx;
  if (ctx.hasPage && (url.startsWith(PAGE_PREFIX) || url === '/' || url.startsWith('/?') || url === PAGE_INDEX)) return { kind: 'page' };
  if (url.startsWith(VULNDB_URL_PREFIX)) {
    const q = url.indexOf('?');
    const path = (q < 0 ? url : url.slice(0, q)).slice(VULNDB_URL_PREFIX.length);
    const f = index.vulndb.get(path);
    if (f === undefined) return notFound('vulndb', `vulnerability database: ${path}: not in the served bundles`);
    // The database changes when a bundle is added.
    return {
      kind: 'body',
      route: 'vulndb',
      body: f.body,
      etag: `"${f.sha256}"`,
      contentType: path.endsWith('.gz') ? 'application/gzip' : 'application/json',
      cacheControl: SHORT_CACHE_CONTROL,
    };
  }
  const t = parseRequestPath(url);
  switch (t.kind) {
    case 'bad':
      return { kind: 'text', route: 'other', status: t.status, line: t.reason };
    case 'healthz':
      return { kind: 'text', route: 'healthz', status: 200, line: 'ok' };
    case 'readyz':
      return ctx.ready
        ? { kind: 'text', route: 'readyz', status: 200, line: 'ready' }
        : { kind: 'text', route: 'readyz', status: 503, line: 'not ready' };
    case 'metrics':
      return { kind: 'metrics' };
    case 'sumdb':
      return { kind: 'sumdb', db: t.db, rest: t.rest };
    case 'list': {
      const list = index.lists.get(t.escPath);
      if (list === undefined) return notFound('list', `${t.path}: module not in the served bundles`, { kind: 'list', path: t.path });
      return {
        kind: 'body',
        route: 'list',
        body: list.body,
        etag: `"${list.sha256}"`,
        contentType: CONTENT_TYPES.get('list') as string,
        cacheControl: SHORT_CACHE_CONTROL,
      };
    }
    case 'latest': {
      const info = index.latest.get(t.escPath);
      if (info === undefined)
        return notFound('latest', `${t.path}@latest: no version in the served bundles`, { kind: 'latest', path: t.path });
      return {
        kind: 'file',
        route: 'latest',
        file: info,
        contentType: CONTENT_TYPES.get('latest') as string,
        cacheControl: SHORT_CACHE_CONTROL,
      };
    }
    default: {
      const f = index.files.get(t.name);
      if (f === undefined) {
        const why = index.hasModule(t.escPath)
          ? `${t.path}@${t.version}: version not in the served bundles`
          : `${t.path}: module not in the served bundles`;
        return notFound(t.kind, why, { kind: t.kind, path: t.path, version: t.version });
      }
      return {
        kind: 'file',
        route: t.kind,
        file: f,
        contentType: CONTENT_TYPES.get(t.kind) as string,
        cacheControl: IMMUTABLE_CACHE_CONTROL,
      };
    }
  }
}

function notFound(route: RouteLabel, line: string, miss?: NotFoundTarget): Answer {
  return miss === undefined ? { kind: 'text', route, status: 404, line } : { kind: 'text', route, status: 404, line, miss };
}

/** The checksum database's 404, once the replay has said it has no such path. */
export function sumdbNotFound(db: string, rest: string): Answer {
  return notFound('sumdb', `checksum database ${db}: ${rest}: not in the served bundles`, { kind: 'sumdb', db, rest });
}
