/**
 * gobundle doctor against real servers on 127.0.0.1, whole output asserted
 * against golden files (test/doctor/golden/, timings, ports, dates and tree
 * sizes masked): a good proxy, a slow one, one answering 502, one resetting
 * connections, one hanging mid-body, an unresolvable host, TLS with an
 * untrusted certificate, a mirror whose checksum database is signed by
 * another key, GO111MODULE=off, settings from each source, a company proxy,
 * and --probe with its suggestion. GOBUNDLE_UPDATE_GOLDEN=1 rewrites the
 * golden files (review the diff); a missing one fails.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKey } from '../../src/sumdb/note.js';
import { runCli } from '../cli/runCli.js';
import { repoRoot } from '../pack/packHarness.js';
import { hang, ok, stallBody, startServer, status, type Handler, type ScriptedServer } from '../proxy/scriptedServer.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { unresolvable } from '../support/netFaults.js';
import { testCerts } from '../support/testCerts.js';
import { startTlsFront, type TlsFront } from '../support/tlsFront.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { startVulnDbServer, type VulnDbServer } from '../upstream/vulndbServer.js';

const goldenDir = join(import.meta.dirname, 'golden');
const work = mkdtempSync(join(tmpdir(), 'gobundle-doctor-'));
const hello = join(repoRoot, 'samples', 'hello');
const LIST = '/example.com/%21upper/%21mod/@v/list';
const INFO = '/example.com/%21upper/%21mod/@v/v1.0.0.info';

let good: Upstream;
let otherKey: Upstream;
let vulndb: VulnDbServer;
let tls: TlsFront;
let company: ForwardProxy;
const scripted = new Map<string, ScriptedServer>();

async function scriptedProxy(name: string, handler: () => Handler): Promise<void> {
  const s = await startServer();
  s.route(LIST, handler());
  s.route(INFO, handler());
  scripted.set(name, s);
}

beforeAll(async () => {
  const modules = [join(repoRoot, 'test', 'fixtures', 'modules')];
  // Another key with the same name, fixed so the report is too.
  const other = generateKey('gobundle.test', (n) => Buffer.alloc(n, 7));
  const otherKeyFile = join(work, 'other-sumdb.key');
  writeFileSync(otherKeyFile, `${other.signerKey}\n`);
  [good, otherKey, vulndb] = await Promise.all([
    startUpstream({ modules }),
    startUpstream({ modules, sumdbKeyFile: otherKeyFile }),
    startVulnDbServer(),
  ]);
  tls = await startTlsFront(Number(new URL(good.url).port), testCerts().selfSigned);
  company = await startForwardProxy();
  company.hosts.set('mirror.test', { host: '127.0.0.1', port: Number(new URL(good.url).port) });
  await scriptedProxy('slow', () => ok('v1.0.0\n', { delayMs: 1300 }));
  scripted.get('slow')?.route(INFO, ok('{"Version":"v1.0.0","Time":"2023-03-04T05:06:07Z"}', { delayMs: 1300 }));
  await scriptedProxy('bad502', () => status(502, 'upstream connect error'));
  await scriptedProxy('reset', () => (_req, res) => res.socket?.destroy());
  await scriptedProxy('stall', () => stallBody(1000, 10));
  await scriptedProxy('hang', () => hang());
  await scriptedProxy('html', () => (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!DOCTYPE html><html><body>Please log in</body></html>');
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([
    good?.stop(),
    otherKey?.stop(),
    vulndb?.stop(),
    tls?.close(),
    company?.close(),
    ...[...scripted.values()].map((s) => s.close()),
  ]);
});

/** The doctor's environment: nothing from the machine; `extra` on top. */
function env(dir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { HOME: dir, GOENV: 'off', NETRC: join(dir, 'netrc'), GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', ...extra };
}

/** The sumdb of the good upstream named with its URL: the checks of a proxy stay about the proxy. */
const explicitSumdb = (): string => `${good.sumdbVerifierKey} ${good.url}/sumdb/${good.sumdbName}`;

async function mask(text: string, dir: string): Promise<string> {
  let out = text
    .replaceAll(dir, '$DIR')
    .replace(/\d+(\.\d+)? ms/g, 'N ms')
    .replace(/expires \d{4}-\d{2}-\d{2}/g, 'expires YYYY-MM-DD')
    .replace(/tree#\d+/g, 'tree#N')
    .replace(/record \d+/g, 'record N')
    .replace(/of 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'of TIME')
    .replaceAll(await unresolvable('proxy.invalid', 1), '$DNS_FAILURE')
    .replaceAll(await unresolvable('gobundle.test', 1), '$DNS_FAILURE')
    .replaceAll(await unresolvable('example.com', 1), '$DNS_FAILURE');
  const names: [string, string][] = [
    [good.url, '$GOOD'],
    [otherKey.url, '$OTHERKEY'],
    [vulndb.url, '$VULNDB'],
    [company.url, '$COMPANY'],
    [`https://127.0.0.1:${tls.port}`, '$TLS'],
    [`127.0.0.1:${tls.port}`, '$TLSHOST'],
    [new URL(good.url).host, '$GOODHOST'],
    ...[...scripted].map(([k, s]): [string, string] => [s.url, `$${k.toUpperCase()}`]),
  ];
  for (const [from, to] of names) out = out.replaceAll(from, to);
  // Ports of servers not named above; then column padding, which masked text no longer fills alike.
  return out.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(/(\S) {2,}/g, '$1  ');
}

async function golden(name: string, actual: string): Promise<void> {
  const file = join(goldenDir, `${name}.txt`);
  if (process.env.GOBUNDLE_UPDATE_GOLDEN === '1') {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, actual);
  }
  if (!existsSync(file)) throw new Error(`${file} is missing: run with GOBUNDLE_UPDATE_GOLDEN=1 and review it`);
  expect(actual, `doctor output vs ${file}`).toBe(readFileSync(file, 'utf8'));
}

interface Scenario {
  name: string;
  env: () => Record<string, string>;
  args?: () => string[];
  /** Files to write under the scenario directory first. */
  files?: () => Record<string, string>;
  code: number;
}

const scenarios: Scenario[] = [
  {
    name: 'good',
    env: () => ({ GOPROXY: good.url, GOSUMDB: good.sumdbVerifierKey, GOVULNDB: vulndb.url }),
    code: 0,
  },
  { name: 'slow', env: () => ({ GOPROXY: scripted.get('slow')?.url ?? '', GOSUMDB: explicitSumdb(), GOVULNDB: 'off' }), code: 0 },
  { name: '502', env: () => ({ GOPROXY: scripted.get('bad502')?.url ?? '', GOSUMDB: explicitSumdb(), GOVULNDB: 'off' }), code: 1 },
  {
    name: 'reset-then-fallback',
    env: () => ({ GOPROXY: `${scripted.get('reset')?.url ?? ''},${good.url}`, GOSUMDB: explicitSumdb(), GOVULNDB: 'off' }),
    code: 1,
  },
  {
    name: 'stall',
    env: () => ({ GOPROXY: scripted.get('stall')?.url ?? '', GOSUMDB: explicitSumdb(), GOVULNDB: 'off' }),
    args: () => [hello, '--timeout', '1s'],
    code: 1,
  },
  {
    name: 'html-then-fallback',
    env: () => ({ GOPROXY: `${scripted.get('html')?.url ?? ''}|${good.url}`, GOSUMDB: explicitSumdb(), GOVULNDB: 'off' }),
    code: 0,
  },
  {
    name: 'unresolvable',
    env: () => ({ GOPROXY: 'http://proxy.invalid,direct', GOSUMDB: explicitSumdb(), GOVULNDB: 'off' }),
    args: () => [hello, '--timeout', '2s'],
    code: 1,
  },
  { name: 'tls-untrusted', env: () => ({ GOPROXY: `https://127.0.0.1:${tls.port}`, GOSUMDB: explicitSumdb(), GOVULNDB: 'off' }), code: 1 },
  { name: 'sumdb-other-key', env: () => ({ GOPROXY: otherKey.url, GOSUMDB: good.sumdbVerifierKey, GOVULNDB: 'off' }), code: 1 },
  {
    name: 'go111module-off',
    env: () => ({ GOPROXY: good.url, GOSUMDB: explicitSumdb(), GOVULNDB: 'off', GO111MODULE: 'off' }),
    code: 0,
  },
  {
    name: 'settings-from-each-source',
    env: () => ({
      GOENV: '$DIR/go-env',
      GOROOT: '$DIR/goroot',
      GOPROXY: good.url,
      GOVULNDB: 'https://vulndb.invalid',
      GOPRIVATE: 'corp.example',
      GOFLAGS: '',
    }),
    files: () => ({
      'go-env': `GOSUMDB=${explicitSumdb()}\nGOFLAGS=-insecure\n`,
      'goroot/go.env': 'GOTOOLCHAIN=auto\nGOAUTH=netrc\n',
      netrc: `machine 127.0.0.1 login alice password s3cret\nmachine ${new URL(good.url).host} login bob password hunter2\n`,
      'app/go.mod': 'module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/greeting v1.1.0\n\tcorp.example/secret v1.0.0\n)\n',
    }),
    args: () => ['app'],
    code: 1,
  },
  {
    name: 'company-proxy',
    env: () => ({
      GOPROXY: 'http://mirror.test',
      GOSUMDB: good.sumdbVerifierKey,
      GOVULNDB: 'off',
      HTTP_PROXY: company.url,
      https_proxy: 'http://127.0.0.1:9\r',
      ALL_PROXY: company.url,
    }),
    code: 0,
  },
  {
    name: 'probe',
    env: () => ({
      GOPROXY: `${scripted.get('bad502')?.url ?? ''}|${scripted.get('slow')?.url ?? ''}|${good.url},direct`,
      GOSUMDB: explicitSumdb(),
      GOVULNDB: 'off',
    }),
    args: () => [hello, '--probe', '4', '--timeout', '3s'],
    code: 0,
  },
];

describe('gobundle doctor', () => {
  test.each(scenarios)('$name', { timeout: 120_000 }, async (s) => {
    const dir = join(work, s.name);
    mkdirSync(dir, { recursive: true });
    for (const [rel, text] of Object.entries(s.files?.() ?? {})) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    const vars = Object.fromEntries(Object.entries(s.env()).map(([k, v]) => [k, v.replaceAll('$DIR', dir)]));
    const args = s.args?.() ?? [hello];
    const r = await runCli(['doctor', ...args], { cwd: dir, env: env(dir, vars) });
    await golden(s.name, await mask(`exit ${r.code}\n${r.stdout}--- stderr\n${r.stderr}`, dir));
    expect(r.code).toBe(s.code);
  });

  test('--json carries the same report', async () => {
    const dir = join(work, 'json');
    mkdirSync(dir, { recursive: true });
    const r = await runCli(['doctor', hello, '--json'], {
      cwd: dir,
      env: env(dir, { GOPROXY: good.url, GOSUMDB: explicitSumdb(), GOVULNDB: 'off' }),
    });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      packWouldWork: boolean;
      checks: { kind: string; target: string; verdict: string }[];
      routing: { lines: { path: string }[] };
    };
    expect(report.packWouldWork).toBe(true);
    expect(report.checks.map((c) => [c.kind, c.target.replace(good.url, '$GOOD'), c.verdict])).toEqual([
      ['proxy', '$GOOD', 'ok'],
      ['sumdb', 'gobundle.test at $GOOD/sumdb/gobundle.test', 'ok'],
    ]);
    expect(report.routing.lines.map((l) => l.path)).toEqual(['example.com/Upper/Mod', 'example.com/greeting']);
  });

  test('usage errors exit 2', async () => {
    expect(await runCli(['doctor', '--probe', 'many'], { env: { GOENV: 'off' } })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'gobundle: doctor: --probe "many": want a number of requests from 1 to 10000\n',
    });
  });
});
