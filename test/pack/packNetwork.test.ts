/**
 * pack on a bad network, whole output asserted (timings masked): a body
 * that stops mid-stream and a server that never answers finish in seconds
 * with --timeout, and a pack through a company proxy ends by telling where
 * its requests, retries, failures, bytes and time went, per server.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../cli/runCli.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { closedPort } from '../support/netFaults.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { fixtureModules, packEnv, repoRoot, tempDir } from './packHarness.js';

let upstream: Upstream;
let proxy: ForwardProxy;
beforeAll(async () => {
  upstream = await startUpstream({ modules: [fixtureModules] });
  proxy = await startForwardProxy();
  proxy.hosts.set('mirror.test', { host: '127.0.0.1', port: Number(new URL(upstream.url).port) });
}, 120_000);
afterAll(async () => {
  await Promise.all([upstream?.stop(), proxy?.close()]);
});

const hello = join(repoRoot, 'samples', 'hello');
const G = 'example.com/greeting/@v/v1.1.0';

function hint(url: string): string {
  return (
    `hint: the proxy ${url} was named by GOPROXY (from the environment); set GOPROXY (or pack --proxy) to a module proxy this machine can reach, ` +
    'such as a mirror or a gobundle serve; check that its host name resolves and that the network lets this machine connect to it ' +
    '(gobundle connected directly, as the go command would: HTTP_PROXY is not set); separate proxies with "|" instead of "," to fall through to the next one on any error\n'
  );
}

describe('--timeout', () => {
  test.each([
    ['a body that stops mid-stream', { stall: [`${G}.zip`] }, 'zip', 'response body stalled for 1000ms'],
    ['a server that never answers', { hang: [`${G}.mod`] }, 'mod', 'no response headers within 1000ms'],
  ])('%s: pack gives up in seconds', { timeout: 60_000 }, async (_name, faults, file, reason) => {
    const dir = tempDir('timeout');
    await upstream.setFaults(faults);
    const started = Date.now();
    try {
      const r = await runCli(
        ['pack', hello, '-o', join(dir, 'b.tgz'), '--unsigned', '--quiet', '--cache-dir', join(dir, 'cache'), '--timeout', '1s'],
        { cwd: dir, env: packEnv(upstream.url, dir) },
      );
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr: `gobundle: example.com/greeting@v1.1.0: reading ${upstream.url}/${G}.${file}: ${reason} (gave up after 4 attempts)\n${hint(upstream.url)}`,
      });
    } finally {
      await upstream.setFaults({});
    }
    const seconds = (Date.now() - started) / 1000;
    expect(seconds, `pack took ${seconds}s`).toBeLessThan(20);
  });

  test('a duration that is not one is a usage error', async () => {
    const r = await runCli(['pack', hello, '-o', 'x.tgz', '--unsigned', '--timeout', 'soon'], { env: { GOENV: 'off' } });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'gobundle: pack: --timeout "soon": want a duration such as 30s, 2m or 500ms\n' });
  });
});

describe('checksum-database failures say where the database was reached and why', () => {
  test('GOSUMDB names a URL where nothing listens', { timeout: 60_000 }, async () => {
    const dir = tempDir('sumdb-down');
    // One requirement, so one lookup fails (which of several fails first is a race).
    writeFileSync(join(dir, 'go.mod'), 'module example.com/one\n\ngo 1.21\n\nrequire example.com/greeting v1.1.0\n');
    const port = await closedPort();
    const r = await runCli(['pack', dir, '-o', join(dir, 'b.tgz'), '--unsigned', '--quiet', '--cache-dir', join(dir, 'cache')], {
      cwd: dir,
      env: packEnv(upstream.url, dir, { GOSUMDB: `${upstream.sumdbVerifierKey} http://127.0.0.1:${port}/sumdb/gobundle.test` }),
    });
    const base = `http://127.0.0.1:${port}/sumdb/gobundle.test`;
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `gobundle: example.com/greeting@v1.1.0: verifying module: checksum database lookup failed: reading ${base}/lookup/example.com/greeting@v1.1.0: connection refused (gave up after 4 attempts)\n` +
        `hint: the checksum database is reached at ${base} (the URL GOSUMDB (from the environment) names), connected directly, as the go command would: HTTP_PROXY is not set: ` +
        'check GOSUMDB and GOPROXY, or set GOSUMDB=off to pack without it (offline clients then need GOSUMDB=off or a complete go.sum)\n',
    });
  });
});

describe('where the time and failures went', () => {
  test('per server: the mirror through the company proxy, its checksum database, and the default vulnerability database it cannot reach', async () => {
    const dir = tempDir('netstats');
    const r = await runCli(['pack', hello, '-o', join(dir, 'b.tgz'), '--unsigned', '--cache-dir', join(dir, 'cache')], {
      cwd: dir,
      env: packEnv('http://mirror.test', dir, {
        GOSUMDB: upstream.sumdbVerifierKey,
        GOVULNDB: '',
        HTTP_PROXY: proxy.url,
        HTTPS_PROXY: proxy.url,
      }),
    });
    expect(r.code, r.stderr).toBe(0);
    const masked = r.stderr
      .replaceAll(dir, '$DIR')
      .replace(/\(\d+\.\d+s\)/g, '(…s)')
      .replace(/median \d+ ms/g, 'median … ms')
      .replace(/sha256 [0-9a-f]{64}/, 'sha256 …');
    const unreachable =
      `reading https://vuln.go.dev/index/db.json: the outbound proxy ${proxy.url} (from HTTPS_PROXY) refused CONNECT vuln.go.dev:443: 502 Bad Gateway; ` +
      'proxy response: cannot resolve vuln.go.dev';
    expect(masked).toBe(
      [
        'gobundle: resolved 2 module versions for example.com/hello (…s)',
        'gobundle: fetched 6 files, 1.4 KiB (…s)',
        'gobundle: verified 2 module versions against go.sum and gobundle.test; no vulnerability data (https://vuln.go.dev could not be read) (…s)',
        'gobundle: wrote $DIR/b.tgz: 13 files, 18.0 KiB, sha256 … (…s)',
        `gobundle: pack: warning: the bundle carries no vulnerability data: the default database https://vuln.go.dev could not be read (${unreachable}); its manifest says so, and audit will report it`,
        'hint: to carry the data, pass --vulndb <url> (or set GOVULNDB) to a copy this machine can reach: a mirror, or file:///path to a copy of the database; --no-vulndb packs without asking',
        'gobundle: pack: network: proxy http://mirror.test: 6 requests, 0 retries, 0 failed, 1.4 KiB, median … ms',
        'gobundle: pack: network: sumdb http://mirror.test/sumdb/gobundle.test: 4 requests, 0 retries, 0 failed, 750 B, median … ms',
        'gobundle: pack: network: vulndb https://vuln.go.dev: 1 request, 0 retries, 1 failed (proxy 1), 0 B, median -',
        '',
      ].join('\n'),
    );
  });
});
