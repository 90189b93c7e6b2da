/**
 * Who may fetch, with the real go command (Go 1.26: GOAUTH=netrc by
 * default): serve over TLS with a certificate from a test CA the client
 * trusts through SSL_CERT_FILE, and --auth. Good credentials build offline
 * with GOSUMDB on; missing and wrong ones get 401 and the go command's own
 * error; an expired and a wrong-host certificate (swapped in with SIGHUP) are
 * refused by the client with its own x509 error, while a connection opened
 * before the swap keeps working. Needs dist/ (npm test builds first), openssl.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv, runGoAsync, testCacheDir, type GoRun } from '../support/gotool.js';
import { startServeProcess, type ServeProcess } from '../support/serveProcess.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';
import { startUpstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-tls-e2e-'));
const PASSWORD = 'correct-horse-battery-staple';
let ca: TestCa;
let serve: ServeProcess;
let sumdbKey = '';
const served = { cert: join(work, 'served.pem'), key: join(work, 'served.key') };
let good: { cert: string; key: string };

function gobundle(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000, input });
}

function mustGobundle(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  const r = gobundle(args, env, input);
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

function go(args: string[], netrc: string, tag: string): Promise<GoRun> {
  const project = join(work, `project-${tag}`);
  cpSync(join(root, 'samples', 'hello'), project, { recursive: true });
  const gopath = join(work, `gopath-${tag}`);
  mkdirSync(gopath, { recursive: true });
  writeFileSync(join(work, `netrc-${tag}`), netrc);
  return runGoAsync(goBinary('1.26'), args, {
    cwd: project,
    env: hermeticGoEnv({
      GOPROXY: serve.url,
      GOSUMDB: sumdbKey,
      SSL_CERT_FILE: ca.caCert,
      NETRC: join(work, `netrc-${tag}`),
      GOPATH: gopath,
      GOMODCACHE: join(gopath, 'pkg', 'mod'),
      GOCACHE: join(testCacheDir(), 'gocache-tls'),
      HOME: work,
    }),
    timeoutMs: 120_000,
  });
}

/**
 * A .netrc line for serve. The machine names host and port: Go 1.24+ (GOAUTH=netrc) looks credentials up by URL
 * prefix, host:port included (golang/go#81253: a host-only line does not match a URL with a port).
 */
function netrc(login: string, password: string): string {
  return `machine ${new URL(serve.url).host} login ${login} password ${password}\n`;
}

/** Swap the served certificate files and tell serve (SIGHUP); resolves once serve logged the reload. */
async function swapCertificate(to: { cert: string; key: string }): Promise<void> {
  copyFileSync(to.cert, served.cert);
  copyFileSync(to.key, served.key);
  const n = serve.stderr().split('reloaded the certificate').length;
  serve.child.kill('SIGHUP');
  for (const deadline = Date.now() + 10_000; serve.stderr().split('reloaded the certificate').length === n;) {
    if (Date.now() > deadline) throw new Error(`serve did not reload:\n${serve.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  ca = makeTestCa(join(work, 'ca'));
  good = ca.leaf('good', { san: 'IP:127.0.0.1,DNS:localhost' });
  copyFileSync(good.cert, served.cert);
  copyFileSync(good.key, served.key);
  const upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
  sumdbKey = upstream.sumdbVerifierKey;
  const env = hermeticGoEnv({ GOPROXY: upstream.url, GOSUMDB: sumdbKey, HOME: work, GOBUNDLE_CACHE: join(work, 'pack-cache') });
  mustGobundle(['keygen', 'team', '--out-dir', work], env);
  mustGobundle(
    ['pack', join(root, 'samples', 'hello'), '-o', join(work, 'hello.tgz'), '--sign-key', join(work, 'team.key'), '--quiet'],
    env,
  );
  await upstream.stop();
  mustGobundle(['passwd', 'users.auth', 'alice'], hermeticGoEnv({ HOME: work }), `${PASSWORD}\n`);
  serve = await startServeProcess(
    ['hello.tgz', '--trust', 'team.pub', '--sumdb-key', sumdbKey, '--listen', '127.0.0.1:0', '--cache-dir', join(work, 'cache')].concat([
      '--tls-cert',
      served.cert,
      '--tls-key',
      served.key,
      '--auth',
      'users.auth',
      '--auth-throttle',
      '1000',
    ]),
    { cwd: work, env: hermeticGoEnv({ HOME: work }), timeoutMs: 60_000 },
  );
}, 300_000);

afterAll(() => {
  if (serve !== undefined && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('serve --tls-cert --auth with the go command', () => {
  test('good credentials in .netrc: go mod download and go build, offline, GOSUMDB on', async () => {
    expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await go(['mod', 'download', 'all'], netrc('alice', PASSWORD), 'good');
    expect(r.status, r.stderr).toBe(0);
    const b = await go(['build', './...'], netrc('alice', PASSWORD), 'good');
    expect(b.status, b.stderr).toBe(0);
    expect(readFileSync(join(work, 'project-good', 'go.sum'), 'utf8')).toMatch(/^example\.com\/greeting v1\.1\.0 h1:/m);
  }, 300_000);

  test.each([
    ['no credentials', () => ''],
    ['a wrong password', () => netrc('alice', 'wrong-password')],
    ['an unknown user', () => netrc('mallory', PASSWORD)],
  ])(
    '%s: 401, and the go command says so',
    async (name, lines) => {
      const r = await go(['mod', 'download', 'all'], lines(), `bad-${name.replaceAll(' ', '-')}`);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/reading https:\/\/127\.0\.0\.1:\d+\/example\.com\/\S+: 401 Unauthorized/);
      expect(r.stderr).toContain(
        name === 'no credentials'
          ? 'server response: authentication required: this server needs a user and password (.netrc) or a bearer token'
          : 'server response: authentication failed: user, password or token not accepted',
      );
    },
    300_000,
  );

  test('health stays open, metrics and the misses do not; failures are counted, and no credential reaches the log', async () => {
    const basic = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;
    const ask = (path: string, auth?: string): Promise<{ status: number; body: string; wwwAuth: string | string[] | undefined }> =>
      new Promise((resolveAsk, reject) => {
        get(`${serve.url}${path}`, { ca: readFileSync(ca.caCert), headers: auth ? { authorization: auth } : {} }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c));
          res.on('end', () => resolveAsk({ status: res.statusCode ?? 0, body, wwwAuth: res.headers['www-authenticate'] }));
        }).on('error', reject);
      });
    expect((await ask('/healthz')).status).toBe(200);
    expect((await ask('/readyz')).status).toBe(200);
    for (const path of ['/metrics', '/-/misses.json', '/-/wants.txt', '/', '/example.com/greeting/@v/list']) {
      const r = await ask(path);
      expect(`${path} ${r.status}`).toBe(`${path} 401`);
      // Two WWW-Authenticate headers (Basic and Bearer), as node:http joins them.
      expect(r.wwwAuth).toBe('Basic realm="gobundle", charset="UTF-8", Bearer realm="gobundle"');
    }
    const m = await ask('/metrics', basic);
    expect(m.status).toBe(200);
    expect(Number(/^gobundle_auth_failures_total (\d+)$/m.exec(m.body)?.[1])).toBeGreaterThanOrEqual(3);
    expect(serve.stderr()).not.toContain(PASSWORD);
    expect(serve.stderr()).not.toContain('wrong-password');
  }, 60_000);

  test('certificates: expired and wrong-host ones are refused by the client with its own error; SIGHUP drops no connection', async () => {
    const lines = netrc('alice', PASSWORD);
    // A keep-alive connection opened before the swap.
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: readFileSync(ca.caCert) });
    const once = (): Promise<{ reused: boolean; serial: string }> =>
      new Promise((resolveGet, reject) => {
        const req = get(`${serve.url}/healthz`, { agent }, (res) => {
          const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
          res.resume();
          res.on('end', () => resolveGet({ reused: req.reusedSocket, serial }));
        });
        req.on('error', reject);
      });
    const before = await once();
    const expired = ca.leaf('expired', { san: 'IP:127.0.0.1', startDate: '20200101000000Z', endDate: '20200102000000Z' });
    await swapCertificate(expired);
    const kept = await once();
    expect(kept).toEqual({ reused: true, serial: before.serial });
    agent.destroy();
    const e = await go(['mod', 'download', 'all'], lines, 'expired');
    expect(e.status).toBe(1);
    expect(e.stderr).toMatch(/tls: failed to verify certificate: x509: certificate has expired or is not yet valid/);
    await swapCertificate(ca.leaf('elsewhere', { san: 'DNS:goproxy.elsewhere.test' }));
    const w = await go(['mod', 'download', 'all'], lines, 'wrong-host');
    expect(w.status).toBe(1);
    expect(w.stderr).toMatch(
      /tls: failed to verify certificate: x509: cannot validate certificate for 127\.0\.0\.1 because it doesn't contain any IP SANs/,
    );
    await swapCertificate(good);
    const again = await go(['mod', 'download', 'all'], lines, 'again');
    expect(again.status, again.stderr).toBe(0);
  }, 300_000);
});

describe('throttling, plain http behind a proxy', () => {
  test('--allow-insecure-auth serves http; a client that fails too often gets 429 with Retry-After, even with good credentials', async () => {
    const s = await startServeProcess(
      [
        'hello.tgz',
        '--trust',
        'team.pub',
        '--listen',
        '127.0.0.1:0',
        '--cache-dir',
        join(work, 'cache'),
        '--state-dir',
        join(work, 'state-2'),
      ].concat(['--auth', 'users.auth', '--allow-insecure-auth', '--auth-throttle', '3']),
      { cwd: work, env: hermeticGoEnv({ HOME: work }), timeoutMs: 60_000 },
    );
    try {
      const ask = async (login: string, password: string): Promise<[number, string | null]> => {
        const r = await fetch(`${s.url}/example.com/greeting/@v/list`, {
          headers: { authorization: `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}` },
        });
        await r.arrayBuffer();
        return [r.status, r.headers.get('retry-after')];
      };
      expect(await ask('alice', PASSWORD)).toEqual([200, null]);
      for (let i = 0; i < 3; i++) expect(await ask('alice', 'guess')).toEqual([401, null]);
      expect(await ask('alice', 'guess')).toEqual([429, '20']);
      expect(await ask('alice', PASSWORD)).toEqual([429, '20']);
      const m = await fetch(`${s.url}/healthz`);
      expect(m.status).toBe(200);
    } finally {
      s.child.kill('SIGTERM');
    }
  }, 60_000);
});

describe('refusals before serving', () => {
  test('--auth over plain http is refused unless --allow-insecure-auth', () => {
    const r = gobundle(
      ['serve', 'hello.tgz', '--trust', 'team.pub', '--auth', 'users.auth', '--listen', '127.0.0.1:0'],
      hermeticGoEnv({ HOME: work }),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'gobundle: serve: --auth over plain http would send passwords and tokens in the clear\nhint: give --tls-cert and --tls-key (the go command sends credentials over https only), or --allow-insecure-auth behind a TLS-terminating proxy\n',
    );
  });
});
