/**
 * Behind a company's outbound proxy, gobundle works exactly where the go
 * command works: the same environment (HTTP_PROXY or https_proxy, NO_PROXY,
 * credentials in the proxy URL, SSL_CERT_FILE), the same mirror, the same
 * result. The mirror is the test upstream under a name only the proxy can
 * resolve (`mirror.test`, and `secure.mirror.test` behind a TLS front), so
 * anything that connects directly fails. For each environment the go
 * command (Go 1.26) runs `go list -m all` and `go mod download all`, and
 * gobundle runs plan (whose output must equal go list's), pack and doctor
 * (exit 0 exactly where they work).
 */
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../cli/runCli.js';
import { repoRoot, tempDir } from '../pack/packHarness.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { goBinary, hermeticGoEnv, runGoAsync, testCacheDir } from '../support/gotool.js';
import { testCerts } from '../support/testCerts.js';
import { startTlsFront, type TlsFront } from '../support/tlsFront.js';
import { startUpstream, type Upstream } from '../upstream/server.js';

let upstream: Upstream;
let tls: TlsFront;
let open: ForwardProxy;
let guarded: ForwardProxy;
let work: string;

beforeAll(async () => {
  upstream = await startUpstream({ modules: [join(repoRoot, 'test', 'fixtures', 'modules')] });
  const port = Number(new URL(upstream.url).port);
  tls = await startTlsFront(port, testCerts().mirror);
  open = await startForwardProxy();
  guarded = await startForwardProxy({ credentials: { user: 'alice', password: 's3cret' } });
  for (const p of [open, guarded]) {
    p.hosts.set('mirror.test', { host: '127.0.0.1', port });
    p.hosts.set('secure.mirror.test', { host: '127.0.0.1', port: tls.port });
  }
  work = tempDir('outbound-go');
}, 180_000);
afterAll(async () => {
  await Promise.all([upstream?.stop(), tls?.close(), open?.close(), guarded?.close()]);
});

interface Scenario {
  name: string;
  /** The proxy and mirror settings, on top of a hermetic Go environment. */
  env: () => Record<string, string>;
  /** Whether the go command (and so gobundle) gets through. */
  works: boolean;
}

const withCreds = (p: ForwardProxy): string => p.url.replace('http://', 'http://alice:s3cret@');

const scenarios: Scenario[] = [
  { name: 'HTTP_PROXY, http mirror', env: () => ({ HTTP_PROXY: open.url, GOPROXY: 'http://mirror.test' }), works: true },
  {
    name: 'https_proxy, https mirror through CONNECT',
    env: () => ({ https_proxy: open.url, GOPROXY: 'https://secure.mirror.test', SSL_CERT_FILE: testCerts().caFile }),
    works: true,
  },
  {
    name: 'NO_PROXY covers the mirror: direct, unresolvable',
    env: () => ({ HTTP_PROXY: open.url, NO_PROXY: '.test', GOPROXY: 'http://mirror.test' }),
    works: false,
  },
  { name: 'no proxy variable at all', env: () => ({ GOPROXY: 'http://mirror.test' }), works: false },
  {
    name: 'a proxy that wants credentials, given in the URL',
    env: () => ({ HTTPS_PROXY: withCreds(guarded), GOPROXY: 'https://secure.mirror.test', SSL_CERT_FILE: testCerts().caFile }),
    works: true,
  },
  {
    name: 'a proxy that wants credentials, none given',
    env: () => ({ HTTPS_PROXY: guarded.url, GOPROXY: 'https://secure.mirror.test', SSL_CERT_FILE: testCerts().caFile }),
    works: false,
  },
  {
    name: 'the mirror certificate not trusted (no SSL_CERT_FILE)',
    env: () => ({ HTTPS_PROXY: open.url, GOPROXY: 'https://secure.mirror.test' }),
    works: false,
  },
];

describe('through an outbound proxy, where the go command works', () => {
  test.each(scenarios)('$name', { timeout: 300_000 }, async ({ name, env, works }) => {
    const dir = join(work, name.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    cpSync(join(repoRoot, 'samples', 'hello'), join(dir, 'hello'), { recursive: true });
    const common = {
      HOME: dir,
      NETRC: join(dir, 'no-netrc'),
      GOSUMDB: upstream.sumdbVerifierKey,
      GOMODCACHE: join(dir, 'gomodcache'),
      GOPATH: join(dir, 'gopath'),
      ...env(),
    };
    const goEnv = hermeticGoEnv({ ...common, GOCACHE: join(testCacheDir(), 'gocache') });
    const go = async (args: string[]) => runGoAsync(goBinary('1.26'), args, { cwd: join(dir, 'hello'), env: goEnv, timeoutMs: 180_000 });
    const list = await go(['list', '-m', 'all']);
    const download = await go(['mod', 'download', 'all']);
    expect([list.status === 0, download.status === 0], `go list: ${list.stderr}\ngo mod download: ${download.stderr}`).toEqual([
      works,
      works,
    ]);

    const ours = { ...common, GOENV: 'off', GOFLAGS: '-mod=mod', GOVULNDB: 'off', GOMODCACHE: join(dir, 'empty-gomodcache') };
    const plan = await runCli(['plan', join(dir, 'hello')], { cwd: dir, env: ours });
    expect(plan.code === 0, plan.stderr).toBe(works);
    if (works) expect(plan.stdout).toBe(list.stdout);
    const pack = await runCli(
      ['pack', join(dir, 'hello'), '-o', join(dir, 'b.tgz'), '--unsigned', '--quiet', '--cache-dir', join(dir, 'cache')],
      {
        cwd: dir,
        env: ours,
      },
    );
    expect(pack.code === 0, pack.stderr).toBe(works);
    const doctor = await runCli(['doctor', join(dir, 'hello'), '--timeout', '5s'], { cwd: dir, env: ours });
    expect(doctor.code === 0, doctor.stdout).toBe(works);
  });

  test('what both sent went through the proxy', () => {
    const targets = new Set(open.log.map((e) => (e.method === 'CONNECT' ? `CONNECT ${e.target}` : new URL(e.target).host)));
    // doctor also asks the checksum database's own host (https://gobundle.test), through the proxy as the go command would.
    expect([...targets].sort()).toEqual(['CONNECT gobundle.test:443', 'CONNECT secure.mirror.test:443', 'mirror.test']);
    expect(guarded.log.filter((e) => e.auth === 'ok').length).toBeGreaterThan(0);
    expect(guarded.log.filter((e) => e.auth === 'none').every((e) => e.status === 407)).toBe(true);
  });
});
