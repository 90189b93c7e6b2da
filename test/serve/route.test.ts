/** route() is pure: the answer to a request from the method, the path and the index alone. */
import { describe, expect, test } from 'vitest';
import { ModuleIndex } from '../../src/bundleset/moduleIndex.js';
import { type Answer, route } from '../../src/serve/route.js';

const empty = ModuleIndex.empty();
const ctx = { index: empty, ready: true, hasPage: false };

describe('route', () => {
  test.each<[string, string | undefined, string, Partial<typeof ctx>, Answer]>([
    [
      'a write',
      'POST',
      '/example.com/m/@v/list',
      {},
      {
        kind: 'text',
        route: 'other',
        status: 405,
        line: 'method not allowed: the module proxy is read-only',
        headers: { Allow: 'GET, HEAD' },
      },
    ],
    ['health', 'GET', '/healthz', {}, { kind: 'text', route: 'healthz', status: 200, line: 'ok' }],
    ['not ready', 'HEAD', '/readyz', { ready: false }, { kind: 'text', route: 'readyz', status: 503, line: 'not ready' }],
    ['metrics', 'GET', '/metrics', {}, { kind: 'metrics' }],
    [
      'a list the bundles lack is a 404 and a miss',
      'GET',
      '/example.com/!upper/@v/list',
      {},
      {
        kind: 'text',
        route: 'list',
        status: 404,
        line: 'example.com/Upper: module not in the served bundles',
        miss: { kind: 'list', path: 'example.com/Upper' },
      },
    ],
    [
      'a version file the bundles lack',
      'GET',
      '/example.com/m/@v/v1.0.0-!beta.zip',
      {},
      {
        kind: 'text',
        route: 'zip',
        status: 404,
        line: 'example.com/m: module not in the served bundles',
        miss: { kind: 'zip', path: 'example.com/m', version: 'v1.0.0-Beta' },
      },
    ],
    [
      'a checksum-database path goes to the replay',
      'GET',
      '/sumdb/sum.golang.org/lookup/example.com/m@v1.0.0',
      {},
      { kind: 'sumdb', db: 'sum.golang.org', rest: 'lookup/example.com/m@v1.0.0' },
    ],
    ['the page, when serve has one', 'GET', '/-/catalog.json', { hasPage: true }, { kind: 'page' }],
    ['the page under the name export writes', 'GET', '/index.html', { hasPage: true }, { kind: 'page' }],
    ['no page: / names nothing', 'GET', '/', {}, { kind: 'text', route: 'other', status: 400, line: 'empty, "." or ".." path element' }],
    ['no page: /-/ is no module path', 'GET', '/-/x', {}, { kind: 'text', route: 'other', status: 404, line: 'not a module proxy path' }],
    [
      'a bad escape is a 400 with the reason',
      'GET',
      '/example.com/M/@v/list',
      {},
      { kind: 'text', route: 'other', status: 400, line: expect.stringContaining('invalid escaped module path') as unknown as string },
    ],
    [
      'vulnerability data the bundles lack',
      'GET',
      '/vulndb/index/db.json.gz',
      {},
      { kind: 'text', route: 'vulndb', status: 404, line: 'vulnerability database: index/db.json.gz: not in the served bundles' },
    ],
  ])('%s', (_name, method, url, over, want) => {
    expect(route(method, url, { ...ctx, ...over })).toEqual(want);
  });
});
