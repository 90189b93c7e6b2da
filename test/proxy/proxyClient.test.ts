import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GobundleError, NetworkError, NotFoundError } from '../../src/errors.js';
import { HttpTransport } from '../../src/network/httpTransport.js';
import { ProxyClient, type ProxyLimits } from '../../src/proxy/proxyClient.js';
import { hang, ok, resetMidBody, stallBody, startServer, status, type ScriptedServer } from './scriptedServer.js';

const tmp = mkdtempSync(join(tmpdir(), 'gobundle-proxyclient-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let server: ScriptedServer;
let transport: HttpTransport;
beforeEach(async () => {
  server = await startServer();
  transport = new HttpTransport({
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    headersTimeoutMs: 300,
    bodyTimeoutMs: 300,
  });
});
afterEach(async () => {
  await transport.close();
  await server.close();
});

/** The code and message of a rejected promise. */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; kind: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GobundleError) return { code: err.code, message: err.message, kind: err.constructor.name };
    throw err;
  }
  throw new Error('expected a rejection');
}

const INFO = '{"Version":"v1.0.0","Time":"2023-01-02T03:04:05Z"}';
const MOD = 'module example.com/m\n\ngo 1.21\n';

describe('ProxyClient requests', () => {
  test('list, info, mod, latest and zip', async () => {
    server.route('/example.com/m/@v/list', ok('v1.0.0\nv1.1.0 2023-01-02T03:04:05Z\n\n  v0.9.0  \n'));
    server.route('/example.com/m/@v/v1.0.0.info', ok(INFO));
    server.route('/example.com/m/@v/v1.0.0.mod', ok(MOD));
    server.route('/example.com/m/@latest', ok('{"Version":"v1.1.0"}'));
    server.route('/example.com/m/@v/v1.0.0.zip', ok(Buffer.alloc(100_000, 7), { chunked: true }));
    const client = new ProxyClient(server.url, transport);

    expect(await client.list('example.com/m')).toEqual([
      { version: 'v1.0.0' },
      { version: 'v1.1.0', time: '2023-01-02T03:04:05Z' },
      { version: 'v0.9.0' },
    ]);
    expect(await client.info('example.com/m', 'v1.0.0')).toEqual({ Version: 'v1.0.0', Time: '2023-01-02T03:04:05Z' });
    expect((await client.infoBytes('example.com/m', 'v1.0.0')).toString()).toBe(INFO);
    expect((await client.mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
    expect(await client.latest('example.com/m')).toEqual({ Version: 'v1.1.0' });
    const file = join(tmp, 'm.zip');
    expect(await client.zipTo('example.com/m', 'v1.0.0', file)).toEqual({ size: 100_000 });
    expect(readFileSync(file).equals(Buffer.alloc(100_000, 7))).toBe(true);
  });

  // Case-escaping (x/mod EscapePath/EscapeVersion) then Go's url.PathEscape.
  const urls: Array<{ path: string; version: string; want: string }> = [
    {
      path: 'github.com/Azure/azure-sdk-for-go',
      version: 'v2.0.0+incompatible',
      want: '/github.com/%21azure/azure-sdk-for-go/@v/v2.0.0+incompatible.info',
    },
    { path: 'example.com/m', version: 'v1.0.0-RC1', want: '/example.com/m/@v/v1.0.0-%21r%21c1.info' },
    { path: 'gopkg.in/yaml.v3', version: 'v3.0.1', want: '/gopkg.in/yaml.v3/@v/v3.0.1.info' },
    {
      path: 'example.com/~user/m',
      version: 'v0.0.0-20230102030405-abcdefabcdef',
      want: '/example.com/~user/m/@v/v0.0.0-20230102030405-abcdefabcdef.info',
    },
  ];
  test.each(urls)('info($path, $version) requests $want', async ({ path, version, want }) => {
    server.route(want, ok(JSON.stringify({ Version: version })));
    const client = new ProxyClient(`${server.url}/`, transport);
    expect(await client.info(path, version)).toEqual({ Version: version });
    expect(server.requests).toEqual([want]);
  });

  test('a base URL with a path keeps it', async () => {
    server.route('/sub/dir/example.com/m/@v/v1.0.0.mod', ok(MOD));
    const client = new ProxyClient(`${server.url}/sub/dir/`, transport);
    expect((await client.mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
  });

  test('credentials become Basic auth and never show in errors', async () => {
    let auth: string | undefined;
    server.route('/example.com/m/@v/v1.0.0.mod', (req, res) => {
      auth = req.headers.authorization;
      status(500, 'boom')(req, res);
    });
    const base = server.url.replace('http://', 'http://us%40er:s3cret@');
    const client = new ProxyClient(base, new HttpTransport({ retry: { attempts: 1 } }));
    expect(await failure(client.mod('example.com/m', 'v1.0.0'))).toEqual({
      kind: 'NetworkError',
      code: 'ENETWORK',
      message: `example.com/m@v1.0.0: reading ${server.url}/example.com/m/@v/v1.0.0.mod: 500 Internal Server Error\n\tserver response: boom`,
    });
    expect(auth).toBe(`Basic ${Buffer.from('us@er:s3cret').toString('base64')}`);
  });

  test('redirects are followed', async () => {
    server.route('/example.com/m/@v/v1.0.0.mod', (_req, res) => {
      res.writeHead(302, { location: '/moved/go.mod' });
      res.end();
    });
    server.route('/moved/go.mod', ok(MOD));
    const client = new ProxyClient(server.url, transport);
    expect((await client.mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
  });

  test('a redirect loop stops after 10', async () => {
    server.route('/example.com/m/@v/v1.0.0.mod', (_req, res) => {
      res.writeHead(302, { location: '/example.com/m/@v/v1.0.0.mod' });
      res.end();
    });
    const client = new ProxyClient(server.url, transport);
    expect(await failure(client.mod('example.com/m', 'v1.0.0'))).toEqual({
      kind: 'NetworkError',
      code: 'ENETWORK',
      message: `example.com/m@v1.0.0: reading ${server.url}/example.com/m/@v/v1.0.0.mod: stopped after 10 redirects`,
    });
    expect(server.requests.length).toBe(11);
  });
});

describe('ProxyClient errors', () => {
  const u = (file: string): string => `${server.url}/example.com/m/@v/${file}`;

  test.each([
    {
      name: '404 with a text/plain reason',
      handler: () => status(404, 'not found: example.com/m@v1.0.0: invalid version: unknown revision v1.0.0\nsecond line'),
      want: () => ({
        kind: 'NotFoundError',
        code: 'ENOTEXIST',
        message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: 404 Not Found\n\tserver response: not found: example.com/m@v1.0.0: invalid version: unknown revision v1.0.0`,
      }),
      requests: 1,
    },
    {
      name: '410 without a text body',
      handler: () => status(410, '<html>gone</html>', { 'content-type': 'text/html' }),
      want: () => ({ kind: 'NotFoundError', code: 'ENOTEXIST', message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: 410 Gone` }),
      requests: 1,
    },
    {
      name: 'a reason with control characters is not shown',
      handler: () => status(404, 'evil \u001b[31mred'),
      want: () => ({
        kind: 'NotFoundError',
        code: 'ENOTEXIST',
        message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: 404 Not Found`,
      }),
      requests: 1,
    },
    {
      name: 'a text/plain body in another charset is not shown',
      handler: () => status(404, 'latin', { 'content-type': 'text/plain; charset=iso-8859-1' }),
      want: () => ({
        kind: 'NotFoundError',
        code: 'ENOTEXIST',
        message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: 404 Not Found`,
      }),
      requests: 1,
    },
    {
      name: '403 is not retried',
      handler: () => status(403, 'forbidden by policy'),
      want: () => ({
        kind: 'NetworkError',
        code: 'ENETWORK',
        message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: 403 Forbidden\n\tserver response: forbidden by policy`,
      }),
      requests: 1,
    },
    {
      name: '500 is retried, then reported',
      handler: () => status(500, 'database unavailable'),
      want: () => ({
        kind: 'NetworkError',
        code: 'ENETWORK',
        message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: 500 Internal Server Error (gave up after 3 attempts)\n\tserver response: database unavailable`,
      }),
      requests: 3,
    },
    {
      name: 'a hung response hits the headers timeout',
      handler: () => hang(),
      want: () => ({
        kind: 'NetworkError',
        code: 'ENETWORK',
        message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: no response headers within 300ms (gave up after 3 attempts)`,
      }),
      requests: 3,
    },
    {
      name: 'a stalled body hits the body timeout',
      handler: () => stallBody(1000, 10),
      want: () => ({
        kind: 'NetworkError',
        code: 'ENETWORK',
        message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: response body stalled for 300ms (gave up after 3 attempts)`,
      }),
      requests: 3,
    },
    {
      name: 'a connection reset mid-body, every time',
      handler: () => resetMidBody(1000, 100),
      want: () => ({
        kind: 'NetworkError',
        code: 'ENETWORK',
        message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: connection closed by the server (gave up after 3 attempts)`,
      }),
      requests: 3,
    },
  ])('mod: $name', async ({ handler, want, requests }) => {
    server.route('/example.com/m/@v/v1.0.0.mod', handler());
    const client = new ProxyClient(server.url, transport);
    const started = Date.now();
    expect(await failure(client.mod('example.com/m', 'v1.0.0'))).toEqual(want());
    expect(server.requests.length).toBe(requests);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('an error body over 64 KiB: its first line is shown, the rest dropped with the connection, and the next request is answered', async () => {
    server.route('/example.com/m/@v/v1.0.0.mod', status(404, `not found: gone\n${'x'.repeat(300_000)}`));
    server.route('/example.com/m/@v/v1.0.1.mod', ok(MOD));
    const client = new ProxyClient(server.url, transport);
    expect(await failure(client.mod('example.com/m', 'v1.0.0'))).toEqual({
      kind: 'NotFoundError',
      code: 'ENOTEXIST',
      message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: 404 Not Found\n\tserver response: not found: gone`,
    });
    expect((await client.mod('example.com/m', 'v1.0.1')).toString()).toBe(MOD);
  });

  test('a refused connection', async () => {
    await server.close();
    const client = new ProxyClient(server.url, transport);
    expect(await failure(client.mod('example.com/m', 'v1.0.0'))).toEqual({
      kind: 'NetworkError',
      code: 'ENETWORK',
      message: `example.com/m@v1.0.0: reading ${u('v1.0.0.mod')}: connection refused (gave up after 3 attempts)`,
    });
    server = await startServer();
  });

  test('errors carry the URL, status and a hint', async () => {
    server.route('/example.com/m/@v/list', status(502, 'upstream down'));
    const client = new ProxyClient(server.url, new HttpTransport({ retry: { attempts: 1 } }));
    const err = await client.list('example.com/m').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    const n = err as NetworkError;
    expect([n.message, n.url, n.status, n.hint]).toEqual([
      `example.com/m: reading ${server.url}/example.com/m/@v/list: 502 Bad Gateway\n\tserver response: upstream down`,
      `${server.url}/example.com/m/@v/list`,
      502,
      'check GOPROXY and your network connection; separate proxies with "|" instead of "," to fall through to the next one on any error',
    ]);
  });

  test('info for another version than requested', async () => {
    server.route('/example.com/m/@v/v1.0.0.info', ok('{"Version":"v1.0.1"}'));
    const client = new ProxyClient(server.url, transport);
    expect(await failure(client.info('example.com/m', 'v1.0.0'))).toEqual({
      kind: 'ProxyResponseError',
      code: 'EPROXYRESPONSE',
      message: 'example.com/m@v1.0.0: proxy returned info for version v1.0.1 instead of requested version',
    });
  });

  test('info for a query names the resolved version', async () => {
    server.route('/example.com/m/@v/master.info', ok('{"Version":"v0.0.0-20230102030405-abcdefabcdef"}'));
    const client = new ProxyClient(server.url, transport);
    expect(await client.info('example.com/m', 'master')).toEqual({ Version: 'v0.0.0-20230102030405-abcdefabcdef' });
  });

  test('malformed info JSON', async () => {
    server.route('/example.com/m/@v/v1.0.0.info', ok('{"Version":'));
    server.route('/example.com/m/@latest', ok('[]'));
    const client = new ProxyClient(server.url, transport);
    expect((await failure(client.info('example.com/m', 'v1.0.0'))).message).toMatch(
      new RegExp(`^example\\.com/m@v1\\.0\\.0: invalid response from proxy "${server.url.replaceAll('.', '\\.')}": `),
    );
    expect(await failure(client.latest('example.com/m'))).toEqual({
      kind: 'ProxyResponseError',
      code: 'EPROXYRESPONSE',
      message: `example.com/m: invalid response from proxy "${server.url}": missing "Version"`,
    });
  });

  test('an invalid version is refused before any request', async () => {
    const client = new ProxyClient(server.url, transport);
    expect(await failure(client.mod('example.com/m', 'v1.0.0!'))).toEqual({
      kind: 'RequestedVersionError',
      code: 'EINVALIDVERSION',
      message: 'example.com/m@v1.0.0!: invalid version: disallowed version string',
    });
    expect(server.requests).toEqual([]);
  });
});

describe('ProxyClient retries', () => {
  test('succeeds after two 503s', async () => {
    server.route('/example.com/m/@v/v1.0.0.mod', status(503), status(503), ok(MOD));
    const client = new ProxyClient(server.url, transport);
    expect((await client.mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
    expect(server.requests.length).toBe(3);
  });

  test('succeeds after a 429 and a reset mid-body', async () => {
    server.route('/example.com/m/@v/v1.0.0.mod', status(429), resetMidBody(1000, 100), ok(MOD));
    const client = new ProxyClient(server.url, transport);
    expect((await client.mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
    expect(server.requests.length).toBe(3);
  });

  test('honours Retry-After', async () => {
    server.route('/example.com/m/@v/v1.0.0.mod', status(503, '', { 'retry-after': '1' }), ok(MOD));
    const client = new ProxyClient(server.url, transport);
    const started = Date.now();
    expect((await client.mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
    const elapsed = Date.now() - started;
    expect(elapsed, `waited ${elapsed}ms, want about 1000ms`).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3_000);
  });

  test('caps Retry-After at maxRetryAfterMs', async () => {
    server.route('/example.com/m/@v/v1.0.0.mod', status(503, '', { 'retry-after': '3600' }), ok(MOD));
    const capped = new HttpTransport({ retry: { attempts: 2, baseDelayMs: 5, maxRetryAfterMs: 50 } });
    const started = Date.now();
    expect((await new ProxyClient(server.url, capped).mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
    expect(Date.now() - started).toBeLessThan(1_000);
    await capped.close();
  });

  test('a zip reset mid-body is downloaded again into a fresh sink', async () => {
    const zip = Buffer.alloc(50_000, 9);
    server.route('/example.com/m/@v/v1.0.0.zip', resetMidBody(50_000, 20_000), ok(zip));
    const client = new ProxyClient(server.url, transport);
    const sinks: Buffer[][] = [];
    const result = await client.zipTo('example.com/m', 'v1.0.0', () => {
      const chunks: Buffer[] = [];
      sinks.push(chunks);
      return new Writable({
        write(chunk: Buffer, _e, cb) {
          chunks.push(chunk);
          cb();
        },
      });
    });
    expect(result).toEqual({ size: 50_000 });
    expect(sinks.length).toBe(2);
    expect(Buffer.concat(sinks[1] ?? []).equals(zip)).toBe(true);
  });

  test('a sink that fails (a full disk) fails the download once, naming the module; the body and the sink are dropped', async () => {
    server.route('/example.com/m/@v/v1.0.0.zip', ok(Buffer.alloc(200_000, 7), { chunked: true }));
    server.route('/example.com/m/@v/v1.0.0.mod', ok(MOD));
    const client = new ProxyClient(server.url, transport);
    let sink: Writable | undefined;
    const err = await client
      .zipTo('example.com/m', 'v1.0.0', () => {
        sink = new Writable({
          write(_chunk: Buffer, _e, cb) {
            cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
          },
        });
        return sink;
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GobundleError);
    expect((err as Error).message).toBe('example.com/m@v1.0.0: ENOSPC: no space left on device, write');
    expect(server.requests.length, 'a full disk is not retried').toBe(1);
    expect(sink?.destroyed).toBe(true);
    expect((await client.mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
  });
});

describe('ProxyClient size caps', () => {
  const small: ProxyLimits = { zip: 1000, mod: 100, metadata: 100 };
  const cases = [
    { name: 'zip with Content-Length', file: 'v1.0.0.zip', body: 1001, chunked: false, what: 'zip file' },
    { name: 'zip streamed', file: 'v1.0.0.zip', body: 1001, chunked: true, what: 'zip file' },
    { name: 'go.mod with Content-Length', file: 'v1.0.0.mod', body: 101, chunked: false, what: 'go.mod file' },
    { name: 'go.mod streamed', file: 'v1.0.0.mod', body: 101, chunked: true, what: 'go.mod file' },
    { name: 'info streamed', file: 'v1.0.0.info', body: 101, chunked: true, what: 'info file' },
  ];
  test.each(cases)('$name over the limit', async ({ file, body, chunked, what }) => {
    server.route(`/example.com/m/@v/${file}`, ok(Buffer.alloc(body, 0x20), { chunked }));
    const client = new ProxyClient(server.url, transport, small);
    const op = file.endsWith('.zip')
      ? client.zipTo('example.com/m', 'v1.0.0', join(tmp, 'big.zip'))
      : file.endsWith('.mod')
        ? client.mod('example.com/m', 'v1.0.0')
        : client.info('example.com/m', 'v1.0.0');
    expect(await failure(op)).toEqual({
      kind: 'TooLargeError',
      code: 'ETOOLARGE',
      message: `example.com/m@v1.0.0: downloaded ${what} too large`,
    });
    expect(server.requests.length, 'too large is not retried').toBe(1);
    // The refused body's connection is dropped, not handed back half-read: the next request is answered whole.
    server.route('/example.com/m/@v/v1.0.1.mod', ok(MOD));
    expect((await client.mod('example.com/m', 'v1.0.1')).toString()).toBe(MOD);
  });

  test('exactly at the limit is fine', async () => {
    server.route('/example.com/m/@v/v1.0.0.zip', ok(Buffer.alloc(1000, 1), { chunked: true }));
    const client = new ProxyClient(server.url, transport, small);
    expect(await client.zipTo('example.com/m', 'v1.0.0', join(tmp, 'exact.zip'))).toEqual({ size: 1000 });
  });

  test('the real go.mod limit is 16 MiB', async () => {
    server.route('/example.com/m/@v/v1.0.0.mod', ok(Buffer.alloc(16 * 1024 * 1024 + 1, 0x20), { chunked: true }));
    const client = new ProxyClient(server.url, transport);
    expect(await failure(client.mod('example.com/m', 'v1.0.0'))).toEqual({
      kind: 'TooLargeError',
      code: 'ETOOLARGE',
      message: 'example.com/m@v1.0.0: downloaded go.mod file too large',
    });
  });

  test('the real zip limit is 500 MiB (refused by Content-Length)', async () => {
    server.route('/example.com/m/@v/v1.0.0.zip', (_req, res) => {
      res.writeHead(200, { 'content-length': 500 * 1024 * 1024 + 1 });
      res.write(Buffer.alloc(1024));
    });
    const client = new ProxyClient(server.url, transport);
    expect(await failure(client.zipTo('example.com/m', 'v1.0.0', join(tmp, 'huge.zip')))).toEqual({
      kind: 'TooLargeError',
      code: 'ETOOLARGE',
      message: 'example.com/m@v1.0.0: downloaded zip file too large',
    });
  });
});

describe('file:// proxies', () => {
  const root = join(tmp, 'fileproxy');
  mkdirSync(join(root, 'github.com', '!azure', 'x', '@v'), { recursive: true });
  writeFileSync(join(root, 'github.com', '!azure', 'x', '@v', 'list'), 'v2.0.0+incompatible\n');
  writeFileSync(join(root, 'github.com', '!azure', 'x', '@v', 'v2.0.0+incompatible.info'), '{"Version":"v2.0.0+incompatible"}');
  writeFileSync(join(root, 'github.com', '!azure', 'x', '@v', 'v2.0.0+incompatible.mod'), 'module github.com/Azure/x\n');
  writeFileSync(join(root, 'github.com', '!azure', 'x', '@v', 'v2.0.0+incompatible.zip'), 'PK-zip-bytes');
  const base = pathToFileURL(root).toString();

  test('serves the proxy layout', async () => {
    const client = new ProxyClient(base, transport);
    expect(await client.list('github.com/Azure/x')).toEqual([{ version: 'v2.0.0+incompatible' }]);
    expect(await client.info('github.com/Azure/x', 'v2.0.0+incompatible')).toEqual({ Version: 'v2.0.0+incompatible' });
    expect((await client.mod('github.com/Azure/x', 'v2.0.0+incompatible')).toString()).toBe('module github.com/Azure/x\n');
    const file = join(tmp, 'file.zip');
    expect(await client.zipTo('github.com/Azure/x', 'v2.0.0+incompatible', file)).toEqual({ size: 12 });
    expect(readFileSync(file, 'utf8')).toBe('PK-zip-bytes');
  });

  test('a missing file is not found', async () => {
    const client = new ProxyClient(base, transport);
    const err = await client.mod('github.com/Azure/x', 'v9.0.0+incompatible').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toBe(
      `github.com/Azure/x@v9.0.0+incompatible: reading ${base}/github.com/%21azure/x/@v/v9.0.0+incompatible.mod: no such file or directory`,
    );
  });

  test('the file size limit applies', async () => {
    const client = new ProxyClient(base, transport, { zip: 5, mod: 5, metadata: 5 });
    expect(await failure(client.mod('github.com/Azure/x', 'v2.0.0+incompatible'))).toEqual({
      kind: 'TooLargeError',
      code: 'ETOOLARGE',
      message: 'github.com/Azure/x@v2.0.0+incompatible: downloaded go.mod file too large',
    });
  });
});
