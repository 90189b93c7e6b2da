/**
 * serve's page: `/` and everything under `/-/` (app.ts's `pages` hook).
 *
 *   /, /index.html                     the page (pageAssets.ts; export writes it as index.html)
 *   /-/page.css, /-/page.js            its stylesheet and script
 *   /-/catalog.json                    the catalogue (catalog.ts)
 *   /-/module/<esc path>/@detail.json  one module's detail, licences read on demand
 *   /-/misses.json                     the miss record, answered ones left out
 *   /-/wants.txt                       the same as gobundle wants writes it
 *
 * The misses come from whoever holds the record (the primary process, over
 * IPC, when serve runs workers). Read-only: GET and HEAD.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { unescapePath } from '../gomod/modulePath.js';
import type { ModuleIndex } from '../bundleset/moduleIndex.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './pageAssets.js';
import { LicenseReader } from './licenseReader.js';
import { PageSite, type SiteOptions } from './pageSite.js';

export interface PageServerOptions extends Omit<SiteOptions, 'misses'> {
  current: () => ModuleIndex;
  /** The miss record as JSON and as a wants list (undefined: not recorded here). */
  missRecord?: (req: IncomingMessage) => Promise<{ json: Buffer; wants: Buffer }>;
}

const ASSETS = new Map<string, { body: Buffer; type: string }>([
  ['/', { body: Buffer.from(PAGE_HTML), type: 'text/html; charset=utf-8' }],
  ['/index.html', { body: Buffer.from(PAGE_HTML), type: 'text/html; charset=utf-8' }],
  ['/-/page.css', { body: Buffer.from(PAGE_CSS), type: 'text/css; charset=utf-8' }],
  ['/-/page.js', { body: Buffer.from(PAGE_JS), type: 'text/javascript; charset=utf-8' }],
]);
const DETAIL = /^\/-\/module\/(.+)\/@detail\.json$/;

/** The `pages` hook: answers the request and resolves to the body bytes sent. */
export function pageServer(opts: PageServerOptions): (req: IncomingMessage, res: ServerResponse, url: string) => Promise<number> {
  const licenses = new LicenseReader();
  let site: PageSite | undefined;
  const current = (): PageSite => {
    const index = opts.current();
    if (site?.index !== index) site = new PageSite(index, { ...opts, misses: opts.missRecord !== undefined });
    return site;
  };
  return async (req, res, url) => {
    const head = req.method === 'HEAD';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const asset = ASSETS.get(path);
    if (asset !== undefined) return send(res, 200, asset.body, asset.type, head, 'no-cache');
    if (path === '/-/catalog.json') return send(res, 200, current().catalogJson, JSON_TYPE, head, 'no-cache');
    if (path === '/-/misses.json' || path === '/-/wants.txt') {
      if (opts.missRecord === undefined) return notFound(res, head, 'misses are not recorded here');
      const m = await opts.missRecord(req);
      return path === '/-/misses.json'
        ? send(res, 200, m.json, JSON_TYPE, head, 'no-store')
        : send(res, 200, m.wants, 'text/plain; charset=utf-8', head, 'no-store');
    }
    const d = DETAIL.exec(path);
    if (d !== null) {
      let modulePath: string;
      try {
        modulePath = unescapePath(decodeURIComponent(d[1] as string));
      } catch {
        return notFound(res, head, 'not a module path');
      }
      const s = current();
      await licenses.read(s.zips(modulePath));
      const detail = s.detail(modulePath, licenses);
      if (detail === undefined) return notFound(res, head, `${modulePath}: module not in the served bundles`);
      return send(res, 200, Buffer.from(JSON.stringify(detail)), JSON_TYPE, head, 'no-cache');
    }
    return notFound(res, head, `${path}: no such page`);
  };
}

const JSON_TYPE = 'application/json';

function send(res: ServerResponse, status: number, body: Buffer, type: string, head: boolean, cache: string): number {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': body.length,
    'Cache-Control': cache,
    ETag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy':
      "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  });
  res.end(head ? undefined : body);
  return head ? 0 : body.length;
}

function notFound(res: ServerResponse, head: boolean, line: string): number {
  return send(res, 404, Buffer.from(`${line}\n`), 'text/plain; charset=utf-8', head, 'no-store');
}
