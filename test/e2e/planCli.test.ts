/**
 * `gobundle plan` as a user runs it: the installed bin/gobundle, GOPROXY
 * from the environment, on the bundled sample. Its text output must be
 * byte-for-byte what `go list -m all` prints.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv } from '../support/gotool.js';
import { startUpstream, upstreamGoEnv, type Upstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const sample = join(root, 'samples', 'hello');

let upstream: Upstream;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
}, 180_000);

afterAll(async () => {
  await upstream?.stop();
});

function gobundle(args: string[], env: NodeJS.ProcessEnv, cwd = root) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

describe('bin/gobundle plan on samples/hello', () => {
  test('prints exactly what go list -m all prints', () => {
    const work = mkdtempSync(join(tmpdir(), 'gobundle-plan-e2e-'));
    cpSync(sample, join(work, 'hello'), { recursive: true });
    const goEnv = upstreamGoEnv(upstream, { workDir: work });
    const go = spawnSync(goBinary('1.23'), ['list', '-m', 'all'], {
      cwd: join(work, 'hello'),
      env: goEnv,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(go.status, go.stderr).toBe(0);

    const env = hermeticGoEnv({ GOPROXY: upstream.url, HOME: work });
    const ours = gobundle(['plan', sample], env);
    expect(ours.stderr).toBe('');
    expect(ours.status).toBe(0);
    expect(ours.stdout).toBe(go.stdout);
    expect(ours.stdout).toBe('example.com/hello\nexample.com/Upper/Mod v1.0.0\nexample.com/greeting v1.1.0\n');
  });

  test('--json lists the build list and every file a bundle carries; the default dir is the working directory', () => {
    const env = hermeticGoEnv({ GOPROXY: upstream.url });
    const r = gobundle(['plan', '--json'], env, sample);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout) as { buildList: unknown[]; files: { path: string; version: string; kind: string }[] };
    expect(plan.buildList).toEqual([
      { path: 'example.com/hello', version: '' },
      { path: 'example.com/Upper/Mod', version: 'v1.0.0' },
      { path: 'example.com/greeting', version: 'v1.1.0' },
    ]);
    expect(plan.files).toEqual([
      { path: 'example.com/Upper/Mod', version: 'v1.0.0', kind: 'info' },
      { path: 'example.com/Upper/Mod', version: 'v1.0.0', kind: 'mod' },
      { path: 'example.com/Upper/Mod', version: 'v1.0.0', kind: 'zip' },
      { path: 'example.com/greeting', version: 'v1.1.0', kind: 'info' },
      { path: 'example.com/greeting', version: 'v1.1.0', kind: 'mod' },
      { path: 'example.com/greeting', version: 'v1.1.0', kind: 'zip' },
    ]);
  });

  test('a proxy that does not have a module: exit 1, naming the module, the proxy URL and what it answered', () => {
    const env = hermeticGoEnv({ GOPROXY: `${upstream.url}/nothing-here` });
    const r = gobundle(['plan', sample], env);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('example.com/');
    expect(r.stderr).toContain(`${upstream.url}/nothing-here/`);
    expect(r.stderr).toMatch(/404|not found/i);
  });

  test('a local directory replacement is read from disk and reported, never bundled', () => {
    const env = hermeticGoEnv({ GOPROXY: upstream.url });
    const project = join(root, 'test', 'fixtures', 'projects', 'replace-local');
    const r = gobundle(['plan', '--json', project], env);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      'gobundle: note: example.com/locallib v0.0.0 => ./local/lib is a local directory replacement: read from disk, not bundled\n',
    );
    const plan = JSON.parse(r.stdout) as { files: { path: string }[] };
    expect(plan.files.filter((f) => f.path === 'example.com/locallib')).toEqual([]);
  });

  test('a usage error exits 2', () => {
    const r = gobundle(['plan', '--bogus'], hermeticGoEnv());
    expect(r.status).toBe(2);
  });
});
