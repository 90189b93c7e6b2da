/**
 * The default pack behind a firewall: with no --vulndb and no GOVULNDB,
 * pack tries https://vuln.go.dev; here every https request goes through a
 * company proxy (a real one on 127.0.0.1) that cannot reach it, as on a
 * machine whose only way out is such a proxy. The bundle is written anyway,
 * with a warning and a signed record of why it carries no vulnerability
 * data; ls shows it; audit refuses to say "nothing known". A database the
 * user named that cannot be read still stops the pack with nothing written.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readBundleHead } from '../../src/bundle/manifestFile.js';
import { runCli } from '../cli/runCli.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { fixtureModules, packEnv, repoRoot, signerKeyFile, signerPubFile, tempDir } from './packHarness.js';

let upstream: Upstream;
let proxy: ForwardProxy;
let dir: string;
beforeAll(async () => {
  upstream = await startUpstream({ modules: [fixtureModules] });
  proxy = await startForwardProxy();
  dir = tempDir('vulndb-default');
}, 120_000);
afterAll(async () => {
  await Promise.all([upstream?.stop(), proxy?.close()]);
});

const hello = join(repoRoot, 'samples', 'hello');

/** pack's environment with GOVULNDB unset (empty counts as unset) and https going out through the proxy. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return packEnv(upstream.url, dir, { GOVULNDB: '', HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '', ...extra });
}

const unreachable = () =>
  `reading https://vuln.go.dev/index/db.json: the outbound proxy ${proxy.url} (from HTTPS_PROXY) refused CONNECT vuln.go.dev:443: 502 Bad Gateway; ` +
  'proxy response: cannot resolve vuln.go.dev';

describe('the default vulnerability database cannot be reached', () => {
  test('pack writes the bundle, warns, and records why', { timeout: 120_000 }, async () => {
    const out = join(dir, 'default.tgz');
    const r = await runCli(['pack', hello, '-o', out, '--sign-key', signerKeyFile, '--cache-dir', join(dir, 'cache'), '--quiet'], {
      cwd: dir,
      env: env(),
    });
    expect(r.stderr).toBe(
      `gobundle: pack: warning: the bundle carries no vulnerability data: the default database https://vuln.go.dev could not be read (${unreachable()}); ` +
        'its manifest says so, and audit will report it\n' +
        'hint: to carry the data, pass --vulndb <url> (or set GOVULNDB) to a copy this machine can reach: a mirror, or file:///path to a copy of the database; ' +
        '--no-vulndb packs without asking\n',
    );
    expect(r.code).toBe(0);
    // A refusal is an answer, not a transient failure: asked once.
    expect(proxy.log.map((e) => `${e.method} ${e.target} ${e.status}`)).toEqual(['CONNECT vuln.go.dev:443 502']);
    const { manifest } = await readBundleHead(out);
    expect(manifest.vulndb).toEqual({ url: 'https://vuln.go.dev', carried: false, reason: unreachable() });
    expect(manifest.files.filter((f) => f.name.startsWith('vulndb/'))).toEqual([]);

    const ls = await runCli(['ls', out], { cwd: dir, env: env() });
    expect(ls.stdout.split('\n').find((l) => l.startsWith('vulndb:'))).toBe(
      `vulndb:   none: https://vuln.go.dev could not be read when packing (${unreachable()})`,
    );
    const audit = await runCli(['audit', out, '--trust', signerPubFile], { cwd: dir, env: env() });
    expect(audit).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `gobundle: audit: ${out} carries no vulnerability data: https://vuln.go.dev could not be read when it was packed (${unreachable()}), so nothing is known either way\n` +
        'hint: pack it again where the database is reachable, or with --vulndb <url> of a copy this machine can reach (a mirror, or file:///path)\n',
    });
    const verify = await runCli(['verify', out, '--trust', signerPubFile], { cwd: dir, env: env() });
    expect(verify.code, verify.stderr).toBe(0);
  });

  test.each([
    ['--vulndb', ['--vulndb', 'https://vuln.go.dev'], {}, '--vulndb'],
    ['GOVULNDB', [], { GOVULNDB: 'https://vuln.go.dev' }, 'GOVULNDB (from the environment)'],
  ])('named with %s it stops the pack, nothing written', { timeout: 120_000 }, async (_name, flags, extra, namedBy) => {
    const out = join(dir, `named-${_name}.tgz`);
    const r = await runCli(['pack', hello, '-o', out, '--unsigned', '--cache-dir', join(dir, 'cache'), '--quiet', ...flags], {
      cwd: dir,
      env: env(extra),
    });
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `gobundle: vulnerability database https://vuln.go.dev: ${unreachable().replace('; proxy response', '\n\tproxy response')}\n` +
        `hint: ${namedBy} names it; the proxy could not reach vuln.go.dev:443 itself: check the host name, or ask the proxy's operators whether it may connect there; ` +
        'point GOVULNDB or --vulndb <url> at a reachable copy of the Go vulnerability database, or pass --no-vulndb to pack without vulnerability data\n',
    });
    expect(existsSync(out)).toBe(false);
  });
});
