/**
 * The serve app over real HTTP on 127.0.0.1:0, with raw request paths (node:http
 * does not normalize them, unlike fetch), so traversal attempts reach the app
 * exactly as an attacker would send them.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBundle } from '../../src/bundle/reader.js';
import { createServeApp } from '../../src/serve/app.js';
import { BundleSet } from '../../src/bundleset/bundleSet.js';
import { listen, type RunningServer } from '../../src/serve/server.js';
import type { AccessLogEntry } from '../../src/serve/accessLog.js';
import { buildTestBundle, moduleFiles, testKey, writeBundleFile } from '../bundle/testBundle.js';
import { MemoryLog } from '../sumdb/tlog/memoryLog.js';
import { writeSumdbBundle } from './sumdbBundle.js';
import { rawRequest, type RawResponse } from './rawRequest.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-serve-app-'));
const key = testKey('team');
const bigZip = Buffer.alloc(300_000, 7);
for (let i = 0; i < bigZip.length; i += 97) bigZip[i] = i & 0xff;
const files = [
  ...moduleFiles('example.com/a', 'v1.0.0', { time: '2023-01-01T00:00:00Z' }),
  ...moduleFiles('example.com/a', 'v1.2.0', { zip: bigZip }),
  ...moduleFiles('example.com/a', 'v1.3.0-pre'),
  ...moduleFiles('example.com/!upper/!mod', 'v1.0.0'),
  ...moduleFiles('example.com/inc', 'v2.0.0+incompatible'),
  ...moduleFiles('example.com/pseudo', 'v0.0.0-20230101000000-abcdefabcdef'),
  ...moduleFiles('example.com/pseudo', 'v0.0.0-20240101000000-abcdefabcdef'),
  ...moduleFiles('example.com/pre', 'v1.0.0-rc.1'),
  { name: 'example.com/a/@v/list', data: 'v1.0.0\nv1.2.0\nv1.3.0-pre\n' },
];
const sha = (d: Buffer | string): string => createHash('sha256').update(d).digest('hex');
const log: AccessLogEntry[] = [];
const servers: RunningServer[] = [];
/** Two ways in: the listener serve uses (fast path) and the express app itself; the same behaviour is required of both. */
const bases = new Map<string, URL>();
let base: URL;

beforeAll(async () => {
  const file = writeBundleFile(join(work, 'b.tgz'), await buildTestBundle(files, key));
  const b = await openBundle(file, { trust: [key.verifier], cacheRoot: join(work, 'cache') });
  // A second bundle carrying a checksum-database replay (records 3 and 5 of a 300-record log).
  const sumdbFile = join(work, 'sumdb.tgz');
  await writeSumdbBundle(sumdbFile, { log: new MemoryLog(), logSize: 300, ids: [3, 5], key });
  const s = await openBundle(sumdbFile, { trust: [key.verifier], cacheRoot: join(work, 'cache') });
  const set = new BundleSet();
  await set.add([b, s]);
  const { app, listener } = createServeApp({ bundles: set, accessLog: (e) => log.push(e) });
  for (const [name, handler] of [
    ['listener', listener],
    ['express app', app],
  ] as const) {
    const server = await listen(handler, { host: '127.0.0.1', port: 0 });
    servers.push(server);
    bases.set(name, new URL(server.url));
  }
  base = bases.get('listener') as URL;
});
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(work, { recursive: true, force: true });
});

type Res = RawResponse;

function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<Res> {
  return rawRequest(base, method, path, headers);
}

describe.each(['listener', 'express app'])('through the %s', (way) => {
  beforeAll(() => {
    base = bases.get(way) as URL;
  });
  describe('GOPROXY protocol', () => {
    test.each([
      ['/example.com/a/@v/list', 200, 'text/plain; charset=utf-8', 'v1.0.0\nv1.2.0\nv1.3.0-pre\n'],
      ['/example.com/a/@v/v1.0.0.info', 200, 'application/json', '{"Version":"v1.0.0","Time":"2023-01-01T00:00:00Z"}\n'],
      ['/example.com/a/@v/v1.0.0.mod', 200, 'text/plain; charset=utf-8', 'module example.com/a\n'],
      ['/example.com/a/@v/v1.0.0.zip', 200, 'application/zip', 'zip of example.com/a@v1.0.0'],
      ['/example.com/!upper/!mod/@v/v1.0.0.mod', 200, 'text/plain; charset=utf-8', 'module example.com/!upper/!mod\n'],
      ['/example.com/%21upper/%21mod/@v/v1.0.0.mod', 200, 'text/plain; charset=utf-8', 'module example.com/!upper/!mod\n'],
      [
        '/example.com/inc/@v/v2.0.0+incompatible.info',
        200,
        'application/json',
        '{"Version":"v2.0.0+incompatible","Time":"2023-01-01T00:00:00Z"}\n',
      ],
      ['/example.com/a/@latest', 200, 'application/json', '{"Version":"v1.2.0","Time":"2023-01-01T00:00:00Z"}\n'],
      ['/example.com/pre/@latest', 200, 'application/json', '{"Version":"v1.0.0-rc.1","Time":"2023-01-01T00:00:00Z"}\n'],
      [
        '/example.com/pseudo/@latest',
        200,
        'application/json',
        '{"Version":"v0.0.0-20240101000000-abcdefabcdef","Time":"2023-01-01T00:00:00Z"}\n',
      ],
      ['/example.com/pseudo/@v/list', 200, 'text/plain; charset=utf-8', ''],
      ['/example.com/a/@v/v9.9.9.info', 404, 'text/plain; charset=utf-8', 'example.com/a@v9.9.9: version not in the served bundles\n'],
      ['/example.com/nope/@v/list', 404, 'text/plain; charset=utf-8', 'example.com/nope: module not in the served bundles\n'],
      ['/example.com/nope/@latest', 404, 'text/plain; charset=utf-8', 'example.com/nope@latest: no version in the served bundles\n'],
      ['/example.com/a/@v/v1.0.0.txt', 404, 'text/plain; charset=utf-8', 'example.com/a: no such file v1.0.0.txt\n'],
      ['/healthz', 200, 'text/plain; charset=utf-8', 'ok\n'],
      ['/readyz', 200, 'text/plain; charset=utf-8', 'ready\n'],
      ['/sumdb/fake.sum.test/supported', 200, 'text/plain; charset=utf-8', ''],
      [
        '/sumdb/fake.sum.test/lookup/x@v1.0.0',
        404,
        'text/plain; charset=utf-8',
        'checksum database fake.sum.test: lookup/x@v1.0.0: not in the served bundles\n',
      ],
      ['/sumdb/sum.test/supported', 404, 'text/plain; charset=utf-8', 'checksum database sum.test: supported: not in the served bundles\n'],
    ])('GET %s = %i %s', async (path, status, type, body) => {
      const r = await raw('GET', path);
      expect(r.status, `GET ${path} status`).toBe(status);
      expect(r.headers['content-type'], `GET ${path} content-type`).toBe(type);
      expect(r.body.toString('utf8'), `GET ${path} body`).toBe(body);
    });

    test('versioned files carry a strong ETag (sha256), immutable caching and Content-Length', async () => {
      const r = await raw('GET', '/example.com/a/@v/v1.2.0.zip');
      expect(r.headers.etag).toBe(`"${sha(bigZip)}"`);
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(r.headers['content-length']).toBe(String(bigZip.length));
      expect(r.body.equals(bigZip)).toBe(true);
      const list = await raw('GET', '/example.com/a/@v/list');
      expect(list.headers['cache-control']).toBe('public, max-age=60');
      const latest = await raw('GET', '/example.com/a/@latest');
      expect(latest.headers['cache-control']).toBe('public, max-age=60');
    });

    test('If-None-Match answers 304', async () => {
      const r = await raw('GET', '/example.com/a/@v/v1.2.0.zip', { 'If-None-Match': `"${sha(bigZip)}"` });
      expect(r.status).toBe(304);
      expect(r.body.length).toBe(0);
    });

    test.each([
      ['bytes=0-9', 206, 'bytes 0-9/300000', [0, 10]],
      ['bytes=299990-', 206, 'bytes 299990-299999/300000', [299990, 300000]],
      ['bytes=-5', 206, 'bytes 299995-299999/300000', [299995, 300000]],
      ['bytes=100-100000000', 206, 'bytes 100-299999/300000', [100, 300000]],
      ['bytes=300000-', 416, 'bytes */300000', undefined],
      ['bytes=0-1,5-6', 200, undefined, [0, 300000]],
      ['items=0-1', 200, undefined, [0, 300000]],
    ] as const)('Range %s = %i', async (range, status, contentRange, slice) => {
      const r = await raw('GET', '/example.com/a/@v/v1.2.0.zip', { Range: range });
      expect(r.status).toBe(status);
      expect(r.headers['content-range']).toBe(contentRange);
      if (slice !== undefined) expect(r.body.equals(bigZip.subarray(slice[0], slice[1]))).toBe(true);
    });

    test('Range on a small file', async () => {
      const r = await raw('GET', '/example.com/a/@v/v1.0.0.mod', { Range: 'bytes=0-5' });
      expect(r.status).toBe(206);
      expect(r.body.toString()).toBe('module');
    });

    test('partial sumdb tiles are cut from the full tile', async () => {
      const r = await raw('GET', '/sumdb/fake.sum.test/tile/8/0/000.p/3');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/octet-stream');
      expect(r.body.length).toBe(96);
    });

    test.each([
      '/example.com/a/@v/v1.0.0.zip',
      '/example.com/a/@v/list',
      '/example.com/a/@latest',
      '/healthz',
      '/example.com/nope/@v/list',
    ])('HEAD %s has GET headers and no body', async (path) => {
      const g = await raw('GET', path);
      const h = await raw('HEAD', path);
      expect(h.status).toBe(g.status);
      expect(h.headers['content-type']).toBe(g.headers['content-type']);
      expect(h.headers['content-length']).toBe(g.headers['content-length']);
      expect(h.headers.etag).toBe(g.headers.etag);
      expect(h.body.length).toBe(0);
    });
  });

  describe('read-only and safe', () => {
    test.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND'])('%s = 405', async (method) => {
      const r = await raw(method, '/example.com/a/@v/v1.0.0.zip');
      expect(r.status, `${method} status`).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
      const h = await raw(method, '/healthz');
      expect(h.status).toBe(405);
    });

    test.each([
      ['/../../etc/passwd', 400],
      ['/example.com/a/@v/../../../etc/passwd', 400],
      ['/example.com/a/@v/%2e%2e/%2e%2e/x', 400],
      ['/example.com%2F..%2F..%2Fetc/passwd', 400],
      ['/example.com/a/@v/%252e%252e/x', 400],
      ['/example.com/a/@v/v1.0.0.zip%00', 400],
      ['/example.com/a/@v/v1.0.0.zip%2500', 400],
      ['/example.com\\a/@v/list', 400],
      ['/example.com%5ca/@v/list', 400],
      ['/example.com/a/@v/%zz', 400],
      ['/example.com//a/@v/list', 400],
      ['/./example.com/a/@v/list', 400],
      ['/Example.com/a/@v/list', 400],
      ['/example.com/!!a/@v/list', 400],
      ['/example.com/a/@v/v1.0.0!.info', 400],
      ['/example.com/a/@v/V1.0.0.info', 400],
      ['/gobundle/manifest.json', 404],
      ['/example.com/a', 404],
      ['/sumdb/fake.sum.test/../../gobundle/manifest.json', 400],
      ['/sumdb/x', 404],
    ])('GET %s = %i', async (path, status) => {
      const r = await raw('GET', path);
      expect(r.status, `GET ${path}`).toBe(status);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body.toString().split('\n')).toHaveLength(2);
    });

    test('route names like __proto__ are just misses', async () => {
      for (const p of [
        '/__proto__/@v/list',
        '/example.com/__proto__/@v/list',
        '/example.com/a/@v/__proto__.info',
        '/constructor/@latest',
      ]) {
        const r = await raw('GET', p);
        expect([400, 404], `GET ${p}`).toContain(r.status);
      }
    });

    test('oversized headers are refused', async () => {
      const r = await raw('GET', '/healthz', { 'X-Big': 'a'.repeat(20_000) });
      expect(r.status).toBe(431);
    });
  });
});

describe('operations', () => {
  beforeAll(() => {
    base = bases.get('listener') as URL;
  });
  test('/metrics counts requests by route and status, bytes, latency, bundles', async () => {
    await raw('GET', '/example.com/a/@v/v1.0.0.mod');
    const r = await raw('GET', '/metrics');
    const text = r.body.toString();
    expect(r.headers['content-type']).toContain('text/plain');
    expect(text).toMatch(/gobundle_http_requests_total\{route="mod",status="200"\} \d+/);
    expect(text).toMatch(/gobundle_http_response_bytes_total\{route="mod"\} \d+/);
    expect(text).toMatch(/gobundle_http_request_duration_seconds_bucket\{route="mod",le="\+Inf"\} \d+/);
    expect(text).toContain('gobundle_bundles_loaded 2');
  });

  test('the access log has one entry per request', async () => {
    log.length = 0;
    await raw('GET', '/example.com/a/@v/v1.0.0.info');
    await new Promise((r) => setTimeout(r, 50));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ method: 'GET', path: '/example.com/a/@v/v1.0.0.info', status: 200, remote: '127.0.0.1', bytes: 51 });
  });
});

describe('a source that fails mid-body', () => {
  test('a large file that shrank on disk: the connection is cut, never a short "complete" body', async () => {
    const big = Buffer.alloc(6 << 20, 1);
    const w = mkdtempSync(join(tmpdir(), 'gobundle-serve-midbody-'));
    try {
      const file = writeBundleFile(join(w, 'b.tgz'), await buildTestBundle(moduleFiles('example.com/big', 'v1.0.0', { zip: big }), key));
      const b = await openBundle(file, { trust: [key.verifier], cacheRoot: join(w, 'cache') });
      truncateSync(join(b.dir as string, 'example.com/big/@v/v1.0.0.zip'), 1 << 20);
      const set = new BundleSet();
      await set.add([b]);
      const s = await listen(createServeApp({ bundles: set }).listener, { host: '127.0.0.1', port: 0 });
      try {
        const u = new URL(s.url);
        const outcome = await new Promise<string>((resolve) => {
          const req = request({ host: u.hostname, port: u.port, path: '/example.com/big/@v/v1.0.0.zip', timeout: 10_000 }, (res) => {
            let n = 0;
            res.on('data', (c: Buffer) => {
              n += c.length;
            });
            res.on('end', () => resolve(`complete after ${n} bytes`));
            res.on('error', (err) => resolve(`error: ${err.message}`));
            res.on('aborted', () => resolve('aborted'));
          });
          req.on('error', (err) => resolve(`error: ${err.message}`));
          req.on('timeout', () => resolve('timeout'));
          req.end();
        });
        expect(outcome).toMatch(/^(aborted|error: )/);
      } finally {
        await s.close(100);
      }
    } finally {
      rmSync(w, { recursive: true, force: true });
    }
  });
});
