/**
 * The README's nginx equivalent of `serve --auth`, tested: an export served
 * by Debian's nginx over TLS (a test CA the go command trusts through
 * SSL_CERT_FILE) with auth_basic and an htpasswd file made by
 * `openssl passwd -apr1`. Go 1.26 (GOAUTH=netrc, the default) with the
 * right .netrc builds offline with GOSUMDB on; without credentials, or
 * with a wrong password, nginx answers 401 and the go command says so in
 * its own words; the health path stays open. Needs dist/ and nginx.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv, runGoAsync, testCacheDir, type GoRun } from '../support/gotool.js';
import { startNginx, type NginxProcess } from '../support/nginxProcess.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';
import { startUpstream, type Upstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-nginx-auth-'));

let upstream: Upstream | undefined;
let nginx: NginxProcess | undefined;
let ca: TestCa;
let sumdbKey = '';

function mustGobundle(args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
  const env = hermeticGoEnv({ GOPROXY: upstream.url, GOSUMDB: upstream.sumdbVerifierKey, HOME: work, GOBUNDLE_CACHE: join(work, 'cache') });
  mustGobundle(['keygen', 'team', '--out-dir', work], env);
  mustGobundle(
    ['pack', join(root, 'samples', 'hello'), '-o', join(work, 'hello.tgz'), '--sign-key', join(work, 'team.key'), '--quiet'],
    env,
  );
  sumdbKey = upstream.sumdbVerifierKey;
  await upstream.stop();
  upstream = undefined;
  mustGobundle(
    ['export', 'hello.tgz', '--to', join(work, 'export'), '--trust', 'team.pub', '--sumdb-key', sumdbKey, '--cache-dir', join(work, 'x')],
    hermeticGoEnv({ HOME: work }),
  );
  ca = makeTestCa(join(work, 'ca'));
  const leaf = ca.leaf('nginx', { san: 'IP:127.0.0.1' });
  // The README's way to make the hashes.
  const hash = execFileSync('openssl', ['passwd', '-apr1', 's3cret'], { encoding: 'utf8' }).trim();
  writeFileSync(join(work, 'goproxy.htpasswd'), `alice:${hash}\n`);
  nginx = await startNginx(join(work, 'export'), join(work, 'nginx'), {
    timeoutMs: 20_000,
    auth: { cert: leaf.cert, key: leaf.key, htpasswd: join(work, 'goproxy.htpasswd') },
  });
}, 300_000);

afterAll(async () => {
  await upstream?.stop();
  await nginx?.stop();
  rmSync(work, { recursive: true, force: true });
});

function go(args: string[], netrc: string | undefined, tag: string): Promise<GoRun> {
  const project = join(work, `project-${tag}`);
  if (!existsSync(project)) cpSync(join(root, 'samples', 'hello'), project, { recursive: true });
  rmSync(join(project, 'go.sum'), { force: true });
  const gopath = join(work, `gopath-${tag}`);
  mkdirSync(gopath, { recursive: true });
  const netrcFile = join(work, `netrc-${tag}`);
  writeFileSync(netrcFile, netrc ?? '');
  return runGoAsync(goBinary('1.26'), args, {
    cwd: project,
    env: hermeticGoEnv({
      GOPROXY: (nginx as NginxProcess).url,
      GOSUMDB: sumdbKey,
      SSL_CERT_FILE: ca.caCert,
      NETRC: netrcFile,
      GOPATH: gopath,
      GOMODCACHE: join(gopath, 'pkg', 'mod'),
      GOCACHE: join(testCacheDir(), 'gocache-nginx-auth'),
      HOME: work,
    }),
    timeoutMs: 120_000,
  });
}

/** The .netrc line: the machine names host and port, as Go 1.24+ matches it. */
const netrc = (password: string): string => `machine ${new URL((nginx as NginxProcess).url).host} login alice password ${password}\n`;

describe('nginx auth_basic in front of an export, with the real go command', () => {
  test('the right .netrc: go mod download all, go build and go mod verify offline, GOSUMDB on', async () => {
    for (const args of [
      ['mod', 'download', 'all'],
      ['build', './...'],
      ['mod', 'verify'],
    ]) {
      const r = await go(args, netrc('s3cret'), 'good');
      expect(r.status, `go ${args.join(' ')}:\n${r.stderr}`).toBe(0);
    }
  }, 300_000);

  test.each([
    ['no credentials', undefined],
    ['a wrong password', 'wrong'],
  ])(
    '%s: the go command reports the 401',
    async (_name, password) => {
      const r = await go(['mod', 'download', 'all'], password === undefined ? undefined : netrc(password), password ?? 'none');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/401 Unauthorized/);
    },
    120_000,
  );

  test('/healthz stays open', async () => {
    const body = await new Promise<{ status: number; text: string }>((ok, fail) => {
      const req = request(`${(nginx as NginxProcess).url}/healthz`, { ca: readFileSync(ca.caCert) }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
      });
      req.once('error', fail);
      req.end();
    });
    expect(body).toEqual({ status: 200, text: 'ok\n' });
  });
});
