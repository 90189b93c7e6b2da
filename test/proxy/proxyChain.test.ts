import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GobundleError } from '../../src/errors.js';
import { parseGoProxy } from '../../src/gomod/goenv.js';
import { HttpTransport } from '../../src/network/httpTransport.js';
import { ProxyChain } from '../../src/proxy/proxyChain.js';
import { ProxyClient } from '../../src/proxy/proxyClient.js';
import { goBinary, hermeticGoEnv } from '../support/gotool.js';
import { ok, resetMidBody, startServer, status, type ScriptedServer } from './scriptedServer.js';

const execFileAsync = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'gobundle-proxychain-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let a: ScriptedServer;
let b: ScriptedServer;
let transport: HttpTransport;
beforeEach(async () => {
  [a, b] = await Promise.all([startServer(), startServer()]);
  transport = new HttpTransport({ retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 }, headersTimeoutMs: 500, bodyTimeoutMs: 500 });
});
afterEach(async () => {
  await transport.close();
  await Promise.all([a.close(), b.close()]);
});

const MOD = 'module example.com/m\n';
const MOD_PATH = '/example.com/m/@v/v1.0.0.mod';

/** A chain over GOPROXY with `A`/`B` standing for the two servers' URLs. */
function chain(goproxy: string, gonoproxy = '', source: 'GONOPROXY' | 'GOPRIVATE' = 'GONOPROXY'): ProxyChain {
  // Only whole entries "A" and "B" stand for the servers (a temp dir name may contain those letters).
  const value = goproxy.replace(/(?<=^|[,|])[AB](?=$|[,|])/g, (x) => (x === 'A' ? a.url : b.url));
  return new ProxyChain({ specs: parseGoProxy(value, gonoproxy), gonoproxy, gonoproxySource: source, transport });
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GobundleError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('ProxyChain fallback', () => {
  test('404 with "," falls through to the next proxy', async () => {
    a.route(MOD_PATH, status(404, 'not here'));
    b.route(MOD_PATH, ok(MOD));
    expect((await chain('A,B').mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
    expect([a.requests, b.requests]).toEqual([[MOD_PATH], [MOD_PATH]]);
  });

  test('410 with "," falls through too', async () => {
    a.route(MOD_PATH, status(410));
    b.route(MOD_PATH, ok(MOD));
    expect((await chain('A,B').mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
  });

  test('500 with "|" falls through to the next proxy (after retries)', async () => {
    a.route(MOD_PATH, status(500, 'boom'));
    b.route(MOD_PATH, ok(MOD));
    expect((await chain('A|B').mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
    expect([a.requests.length, b.requests.length]).toEqual([2, 1]);
  });

  test('a reset with "|" falls through', async () => {
    a.route(MOD_PATH, resetMidBody(100, 10));
    b.route(MOD_PATH, ok(MOD));
    expect((await chain('A|B').mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
  });

  test('500 with "," is terminal', async () => {
    a.route(MOD_PATH, status(500, 'boom'));
    b.route(MOD_PATH, ok(MOD));
    expect(await failure(chain('A,B').mod('example.com/m', 'v1.0.0'))).toEqual({
      code: 'ENETWORK',
      message: `example.com/m@v1.0.0: reading ${a.url}${MOD_PATH}: 500 Internal Server Error (gave up after 2 attempts)\n\tserver response: boom`,
    });
    expect(b.requests).toEqual([]);
  });

  test('all not found: the last not-found is reported', async () => {
    a.route(MOD_PATH, status(404, 'not on a'));
    b.route(MOD_PATH, status(404, 'not on b'));
    expect(await failure(chain('A,B').mod('example.com/m', 'v1.0.0'))).toEqual({
      code: 'ENOTEXIST',
      message: `example.com/m@v1.0.0: reading ${b.url}${MOD_PATH}: 404 Not Found\n\tserver response: not on b`,
    });
  });

  test('a real error beats a later not-found', async () => {
    a.route(MOD_PATH, status(403, 'denied'));
    b.route(MOD_PATH, status(404, 'not on b'));
    expect(await failure(chain('A|B').mod('example.com/m', 'v1.0.0'))).toEqual({
      code: 'ENETWORK',
      message: `example.com/m@v1.0.0: reading ${a.url}${MOD_PATH}: 403 Forbidden\n\tserver response: denied`,
    });
  });

  test('a real error beats an earlier not-found', async () => {
    a.route(MOD_PATH, status(404, 'not on a'));
    b.route(MOD_PATH, status(403, 'denied'));
    expect(await failure(chain('A,B').mod('example.com/m', 'v1.0.0'))).toEqual({
      code: 'ENETWORK',
      message: `example.com/m@v1.0.0: reading ${b.url}${MOD_PATH}: 403 Forbidden\n\tserver response: denied`,
    });
  });

  test('off is not-found: a later entry is never reached', async () => {
    expect(await failure(chain('off').mod('example.com/m', 'v1.0.0'))).toEqual({
      code: 'ENOTEXIST',
      message: 'example.com/m@v1.0.0: module lookup disabled by GOPROXY=off',
    });
  });

  test('not-found then off reports the last not-found: off', async () => {
    a.route(MOD_PATH, status(404));
    expect(await failure(chain('A,off').list('example.com/m'))).toEqual({
      code: 'ENOTEXIST',
      message: 'example.com/m: module lookup disabled by GOPROXY=off',
    });
  });

  test('a zip is rewritten from scratch when falling through', async () => {
    a.route('/example.com/m/@v/v1.0.0.zip', resetMidBody(5000, 3000));
    b.route('/example.com/m/@v/v1.0.0.zip', ok('the real zip'));
    const file = join(tmp, 'fallthrough.zip');
    expect(await chain('A|B').zipTo('example.com/m', 'v1.0.0', file)).toEqual({ size: 12 });
    expect(readFileSync(file, 'utf8')).toBe('the real zip');
  });

  test('file:// then http', async () => {
    const dir = join(tmp, 'files');
    mkdirSync(join(dir, 'example.com', 'm', '@v'), { recursive: true });
    writeFileSync(join(dir, 'example.com', 'm', '@v', 'list'), 'v1.0.0\n');
    b.route(MOD_PATH, ok(MOD));
    const value = `${pathToFileURL(dir).toString()},B`;
    const c = chain(value);
    expect(await c.list('example.com/m')).toEqual([{ version: 'v1.0.0' }]);
    expect((await c.mod('example.com/m', 'v1.0.0')).toString()).toBe(MOD);
    expect(b.requests).toEqual([MOD_PATH]);
  });
});

describe('ProxyChain direct', () => {
  const cases: Array<{
    name: string;
    goproxy: string;
    gonoproxy?: string;
    source?: 'GONOPROXY' | 'GOPRIVATE';
    path: string;
    want: string;
    hint: string;
  }> = [
    {
      name: 'GOPROXY ends in direct',
      goproxy: 'A,direct',
      path: 'example.com/m',
      want: 'example.com/m@v1.0.0: direct VCS fetches are not supported yet (GOPROXY routes this module to "direct")',
      hint: 'make the module available from a proxy listed in GOPROXY before "direct"',
    },
    {
      name: 'GOPROXY=direct',
      goproxy: 'direct',
      path: 'example.com/m',
      want: 'example.com/m@v1.0.0: direct VCS fetches are not supported yet (GOPROXY routes this module to "direct")',
      hint: 'make the module available from a proxy listed in GOPROXY before "direct"',
    },
    {
      name: 'GONOPROXY match',
      goproxy: 'A,direct',
      gonoproxy: 'example.com',
      path: 'example.com/m',
      want: 'example.com/m@v1.0.0: direct VCS fetches are not supported yet (GONOPROXY matches this module, so it must be fetched directly)',
      hint: 'serve the module from a proxy and remove it from GONOPROXY',
    },
    {
      name: 'GOPRIVATE match, even with GOPROXY without direct',
      goproxy: 'A',
      gonoproxy: '*.example.com,example.com',
      source: 'GOPRIVATE',
      path: 'example.com/m',
      want: 'example.com/m@v1.0.0: direct VCS fetches are not supported yet (GOPRIVATE matches this module (and GONOPROXY defaults to it), so it must be fetched directly)',
      hint: 'serve the module from a proxy and set GONOPROXY to patterns that do not match it (GONOPROXY overrides GOPRIVATE)',
    },
  ];
  test.each(cases)('$name', async ({ goproxy, gonoproxy, source, path, want, hint }) => {
    a.route(MOD_PATH, status(404));
    const err = await chain(goproxy, gonoproxy, source)
      .mod(path, 'v1.0.0')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GobundleError);
    const g = err as GobundleError;
    expect({ code: g.code, message: g.message, hint: g.hint }).toEqual({ code: 'EDIRECT', message: want, hint });
    if (gonoproxy !== undefined) expect(a.requests, 'a private module never goes to a proxy').toEqual([]);
  });

  test('GONOPROXY does not affect other modules', async () => {
    a.route('/other.example/x/@v/v1.0.0.mod', ok('module other.example/x\n'));
    expect((await chain('A,direct', 'example.com').mod('other.example/x', 'v1.0.0')).toString()).toBe('module other.example/x\n');
  });

  test('go and toolchain are golang.org/toolchain', async () => {
    a.route('/golang.org/toolchain/@v/list', ok('v0.0.1-go1.22.1.linux-amd64\n'));
    expect(await chain('A').list('go')).toEqual([{ version: 'v0.0.1-go1.22.1.linux-amd64' }]);
  });

  test('fromConfig takes GONOPROXY and its source from the config', async () => {
    const c = ProxyChain.fromConfig(
      { proxies: parseGoProxy(`${a.url},direct`, 'example.com'), env: { GONOPROXY: 'example.com', GONOPROXYFromGOPRIVATE: true } },
      { transport },
    );
    expect((await failure(c.mod('example.com/m', 'v1.0.0'))).message).toBe(
      'example.com/m@v1.0.0: direct VCS fetches are not supported yet (GOPRIVATE matches this module (and GONOPROXY defaults to it), so it must be fetched directly)',
    );
  });
});

describe('ProxyChain.sumdbBase', () => {
  const SUPPORTED = '/sumdb/sum.golang.org/supported';
  const db = { name: 'sum.golang.org', url: 'https://sum.golang.org', urlExplicit: false };
  const cases: Array<{ name: string; goproxy: string; gonoproxy?: string; a?: number; b?: number; want: string }> = [
    { name: 'first proxy supports it', goproxy: 'A,B', a: 200, b: 200, want: 'A/sumdb/sum.golang.org' },
    { name: 'second proxy after a 404', goproxy: 'A,B', a: 404, b: 200, want: 'B/sumdb/sum.golang.org' },
    { name: 'second proxy after a 410', goproxy: 'A,B', a: 410, b: 200, want: 'B/sumdb/sum.golang.org' },
    { name: 'no proxy supports it', goproxy: 'A,B', a: 404, b: 404, want: 'https://sum.golang.org' },
    { name: 'direct ends the search', goproxy: 'A,direct', a: 404, want: 'https://sum.golang.org' },
    { name: 'off ends the search', goproxy: 'off', want: 'https://sum.golang.org' },
    { name: 'a real error then direct', goproxy: 'A|direct', a: 500, want: 'https://sum.golang.org' },
    { name: 'noproxy is skipped', goproxy: 'A', gonoproxy: 'corp.example.com', a: 200, want: 'A/sumdb/sum.golang.org' },
  ];
  test.each(cases)('$name', async ({ goproxy, gonoproxy, a: sa, b: sb, want }) => {
    if (sa !== undefined) a.route(SUPPORTED, sa === 200 ? ok('') : status(sa));
    if (sb !== undefined) b.route(SUPPORTED, sb === 200 ? ok('') : status(sb));
    const c = chain(goproxy, gonoproxy);
    expect(await c.sumdbBase(db)).toBe(want.replace('A', a.url).replace('B', b.url));
  });

  test('decided once per database', async () => {
    a.route(SUPPORTED, ok(''));
    const c = chain('A');
    await Promise.all([c.sumdbBase(db), c.sumdbBase(db)]);
    await c.sumdbBase(db);
    expect(a.requests).toEqual([SUPPORTED]);
  });

  test('an explicit URL bypasses the proxies', async () => {
    expect(await chain('A').sumdbBase({ ...db, url: 'https://mirror.example/sumdb', urlExplicit: true })).toBe(
      'https://mirror.example/sumdb',
    );
    expect(a.requests).toEqual([]);
  });

  test('a real error after "," fails', async () => {
    a.route(SUPPORTED, status(500, 'down'));
    expect(await failure(chain('A,B').sumdbBase(db))).toEqual({
      code: 'ENETWORK',
      message: `reading ${a.url}${SUPPORTED}: 500 Internal Server Error (gave up after 2 attempts)\n\tserver response: down`,
    });
  });

  test('a real error after "|" outranks a later not-found', async () => {
    a.route(SUPPORTED, status(500, 'down'));
    b.route(SUPPORTED, status(404));
    expect((await failure(chain('A|B').sumdbBase(db))).message).toBe(
      `reading ${a.url}${SUPPORTED}: 500 Internal Server Error (gave up after 2 attempts)\n\tserver response: down`,
    );
  });
});

describe('ProxyChain concurrency', () => {
  test('the shared limiter bounds requests in flight across proxies', async () => {
    const limited = new HttpTransport({ concurrency: 2 });
    for (let i = 0; i < 6; i++) {
      a.route(`/example.com/m${i}/@v/v1.0.0.mod`, ok(`module example.com/m${i}\n`, { delayMs: 40 }));
      b.route(`/example.com/n${i}/@v/v1.0.0.mod`, ok(`module example.com/n${i}\n`, { delayMs: 40 }));
    }
    const c = new ProxyChain({ specs: parseGoProxy(`${a.url},${b.url}`), transport: limited });
    const got = await Promise.all(
      Array.from({ length: 6 }, (_, i) => [c.mod(`example.com/m${i}`, 'v1.0.0'), c.mod(`example.com/n${i}`, 'v1.0.0')]).flat(),
    );
    expect(got.map((x) => x.toString().trim())).toHaveLength(12);
    // The n modules hit a first (404) and then b: every request counts against the limit.
    expect(a.maxInFlight() + b.maxInFlight()).toBeLessThanOrEqual(4);
    expect(Math.max(a.maxInFlight(), b.maxInFlight())).toBeLessThanOrEqual(2);
    expect(limited.limiter.active).toBe(0);
    await limited.close();
  });
});

describe('request URLs agree with the go command', () => {
  // The real go command asks a logging proxy for a module with an uppercase
  // path and a +incompatible version; ProxyClient must build the same URL.
  test('go mod download requests what ProxyClient requests', async () => {
    const path = 'github.com/Azure/Go-Autorest';
    const version = 'v14.2.0+incompatible';
    const dir = join(tmp, 'gomod');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'go.mod'), 'module example.com/t\n\ngo 1.21\n');
    // Asynchronously: a synchronous spawn would block the event loop serving the proxy.
    // go exits non-zero (everything is 404), which is expected.
    await execFileAsync(goBinary('1.23'), ['mod', 'download', '-json', `${path}@${version}`], {
      cwd: dir,
      env: hermeticGoEnv({ GOPROXY: a.url, GOMODCACHE: join(tmp, 'modcache') }),
      timeout: 50_000,
    }).catch((err: unknown) => err);
    const goRequest = a.requests[0];
    expect(goRequest, "the go command's first request").toBe('/github.com/%21azure/%21go-%21autorest/@v/v14.2.0+incompatible.info');
    await new ProxyClient(a.url, transport).info(path, version).catch((err: unknown) => err);
    expect(a.requests.at(-1), 'ProxyClient.info').toBe(goRequest);
  }, 60_000);
});
