/**
 * A proxy that cannot be reached: the error names the module, the URL and
 * what the network said; the hint names the proxy, the setting that chose
 * it and where that setting came from, and what to try.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadGoConfig } from '../../src/config/goConfig.js';
import { repoRoot } from '../pack/packHarness.js';
import { runCli } from '../cli/runCli.js';
import { closedPort, unresolvable } from '../support/netFaults.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-nethint-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hello = join(repoRoot, 'samples', 'hello');
const modPath = 'example.com/%21upper/%21mod/@v/v1.0.0.mod';

/** The hint for a proxy that failed; `route` says how gobundle got there (here: directly, no proxy variable set). */
export function hint(proxy: string, source: string, route = 'directly, as the go command would: HTTP_PROXY is not set'): string {
  return (
    `hint: the proxy ${proxy} was named by ${source}; set GOPROXY (or pack --proxy) to a module proxy this machine can reach, ` +
    'such as a mirror or a gobundle serve; check that its host name resolves and that the network lets this machine connect to it ' +
    `(gobundle connected ${route}); separate proxies with "|" instead of "," to fall through to the next one on any error\n`
  );
}

const baseEnv = { HOME: work, GOSUMDB: 'off', GOFLAGS: '-mod=mod', GONOPROXY: '', GOPRIVATE: '' };

describe('network failures name the proxy and its setting', () => {
  test('GOPROXY from the environment names a host that does not resolve', { timeout: 60_000 }, async () => {
    const res = await runCli(['plan', hello], { cwd: work, env: { ...baseEnv, GOENV: 'off', GOPROXY: 'http://nonexistent.invalid' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `gobundle: example.com/Upper/Mod@v1.0.0: reading http://nonexistent.invalid/${modPath}: ${await unresolvable('nonexistent.invalid')}\n` +
        hint('http://nonexistent.invalid', 'GOPROXY (from the environment)'),
    );
  });

  test('GOPROXY from the go env file names a closed 127.0.0.1 port', { timeout: 60_000 }, async () => {
    const port = await closedPort();
    const envFile = join(work, 'goenv');
    writeFileSync(envFile, `GOPROXY=http://127.0.0.1:${port}\n`);
    const res = await runCli(['plan', hello], { cwd: work, env: { ...baseEnv, GOENV: envFile } });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `gobundle: example.com/Upper/Mod@v1.0.0: reading http://127.0.0.1:${port}/${modPath}: connection refused (gave up after 4 attempts)\n` +
        hint(`http://127.0.0.1:${port}`, `GOPROXY (from the go env file ${envFile})`),
    );
  });

  test('pack --proxy names the flag', { timeout: 60_000 }, async () => {
    const res = await runCli(
      ['pack', hello, '-o', join(work, 'x.tgz'), '--unsigned', '--cache-dir', join(work, 'cache'), '--proxy', 'http://nonexistent.invalid'],
      {
        cwd: work,
        env: { ...baseEnv, GOENV: 'off', GOPROXY: 'http://elsewhere.invalid', GOVULNDB: 'off' },
      },
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `gobundle: example.com/Upper/Mod@v1.0.0: reading http://nonexistent.invalid/${modPath}: ${await unresolvable('nonexistent.invalid')}\n` +
        hint('http://nonexistent.invalid', '--proxy'),
    );
  });

  test.each<[string, Record<string, string>, (dir: string) => string]>([
    ['environment', { GOENV: 'off', GOPROXY: 'http://a.example' }, () => 'GOPROXY (from the environment)'],
    ['nothing set', { GOENV: 'off' }, () => 'GOPROXY (its default)'],
    ['env file', { GOENV: '$DIR/env' }, (dir) => `GOPROXY (from the go env file ${dir}/env)`],
    ['GOROOT go.env', { GOENV: 'off', GOROOT: '$DIR/goroot' }, (dir) => `GOPROXY (from ${dir}/goroot/go.env)`],
  ])('proxySource: %s', async (_name, vars, want) => {
    const dir = mkdtempSync(join(work, 'src-'));
    writeFileSync(join(dir, 'env'), 'GOPROXY=http://file.example\n');
    mkdirSync(join(dir, 'goroot'));
    writeFileSync(join(dir, 'goroot', 'go.env'), 'GOPROXY=http://goroot.example\n');
    const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.replace('$DIR', dir)]));
    const config = await loadGoConfig({ HOME: dir, ...env });
    expect(config.proxySource, `loadGoConfig(${JSON.stringify(vars)}).proxySource`).toBe(want(dir));
  });
});
