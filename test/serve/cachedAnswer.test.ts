/**
 * The in-memory hot path (cachedAnswer.ts) must answer exactly like the
 * general path: the first GET of a file is read from disk by sendFile, the
 * next ones come from memory, and a client cannot tell them apart. Requests
 * that ask for more than the bytes (HEAD, If-None-Match, Range) still get
 * the general path's answers after the file is cached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
import { rawRequest, type RawResponse } from './rawRequest.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-serve-cached-'));
const key = testKey('team');
const zip = Buffer.alloc(70_000, 3);
const files = [
  ...moduleFiles('example.com/c', 'v1.0.0', { time: '2023-01-01T00:00:00Z', zip }),
  ...moduleFiles('example.com/!cap', 'v1.0.0'),
];
const sha = (d: Buffer | string): string => createHash('sha256').update(d).digest('hex');
const log: AccessLogEntry[] = [];
let server: RunningServer;
let base: URL;
let metricsText: () => string;

beforeAll(async () => {
  const file = writeBundleFile(join(work, 'b.tgz'), await buildTestBundle(files, key));
  const b = await openBundle(file, { trust: [key.verifier], cacheRoot: join(work, 'cache') });
  const set = new BundleSet();
  await set.add([b]);
  const { listener, metrics } = createServeApp({ bundles: set, accessLog: (e) => log.push(e) });
  metricsText = () => metrics.render();
  server = await listen(listener, { host: '127.0.0.1', port: 0 });
  base = new URL(server.url);
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

type Res = RawResponse;

function get(method: string, path: string, headers: Record<string, string> = {}): Promise<Res> {
  return rawRequest(base, method, path, headers);
}

/** Everything but Date, which changes every second. */
function comparable(r: Res): unknown {
  const { date: _date, ...headers } = r.headers;
  return { status: r.status, headers, body: r.body.toString('base64') };
}

const names = files.filter((f) => /\.(info|mod|zip)$/.test(f.name)).map((f) => [f.name, f.data] as const);

describe('answers from memory equal answers from disk', () => {
  test.each(names)('GET /%s twice', async (name, data) => {
    const first = await get('GET', `/${name}`);
    const second = await get('GET', `/${name}`);
    expect(first.status, `GET /${name} (from disk) status = ${first.status}, want 200`).toBe(200);
    expect(first.body.equals(Buffer.from(data)), `GET /${name} (from disk) body differs from the bundle's file`).toBe(true);
    expect(first.headers.etag).toBe(`"${sha(data)}"`);
    expect(comparable(second), `GET /${name} from memory differs from disk`).toEqual(comparable(first));
  });

  test.each([
    ['HEAD', {}, 200, 0, zip.length],
    ['GET', { 'If-None-Match': '"other"' }, 200, zip.length, zip.length],
    ['GET', { Range: 'bytes=0-9' }, 206, 10, 10],
  ] as const)('a cached zip, %s %j: status %d, %d body bytes', async (method, headers, status, bodyLength, contentLength) => {
    const name = 'example.com/c/@v/v1.0.0.zip';
    await get('GET', `/${name}`);
    const r = await get(method, `/${name}`, headers);
    expect(r.status, `${method} ${JSON.stringify(headers)} status = ${r.status}, want ${status}`).toBe(status);
    expect(r.body.length, `${method} ${JSON.stringify(headers)} body length = ${r.body.length}, want ${bodyLength}`).toBe(bodyLength);
    expect(r.headers['content-length']).toBe(String(contentLength));
  });

  // The go command escapes the `!` of a capital letter as %21.
  test.each([
    ['example.com/%21cap/@v/v1.0.0.mod', 200],
    ['example.com/%21cap/@v/v1.0.0.info', 200],
    ['example.com/%2521cap/@v/v1.0.0.mod', 400],
    ['example.com/%21cap/@v/v1.0.0.mod%21', 404],
  ] as const)('GET /%s twice: status %d, as the decoded name', async (path, status) => {
    const decoded = await get('GET', `/${decodeURIComponent(path)}`);
    const first = await get('GET', `/${path}`);
    const second = await get('GET', `/${path}`);
    expect(first.status, `GET /${path} status = ${first.status}, want ${status}`).toBe(status);
    expect(comparable(second), `GET /${path} from memory differs from disk`).toEqual(comparable(first));
    if (status === 200) expect(comparable(first), `GET /${path} differs from GET of the decoded name`).toEqual(comparable(decoded));
  });

  test('If-None-Match with the ETag of a cached file: 304', async () => {
    const name = 'example.com/c/@v/v1.0.0.mod';
    const first = await get('GET', `/${name}`);
    const r = await get('GET', `/${name}`, { 'If-None-Match': first.headers.etag as string });
    expect(r.status).toBe(304);
    expect(r.body.length).toBe(0);
  });
});

test('answers from memory are counted and logged', async () => {
  const name = 'example.com/c/@v/v1.0.0.info';
  await get('GET', `/${name}`);
  const before = Number(/gobundle_http_requests_total\{route="info",status="200"\} (\d+)/.exec(metricsText())?.[1] ?? 0);
  log.length = 0;
  await get('GET', `/${name}`);
  const after = Number(/gobundle_http_requests_total\{route="info",status="200"\} (\d+)/.exec(metricsText())?.[1] ?? 0);
  expect(after, `info 200 count after one more cached GET = ${after}, want ${before + 1}`).toBe(before + 1);
  expect(log).toHaveLength(1);
  expect(log[0]).toMatchObject({ method: 'GET', path: `/${name}`, status: 200, remote: '127.0.0.1', bytes: 51 });
});
