/**
 * gobundle pack when things go wrong: a flaky mirror, a dead first proxy, a
 * tampered zip against go.sum, and a run killed with SIGKILL that resumes
 * from the cache.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cacheLayout } from '../../src/cache/cacheLayout.js';
import { parseManifest } from '../../src/bundle/manifest.js';
import { runCli } from '../cli/runCli.js';
import { generateGraph } from '../upstream/generate.js';
import { parseRequestLog } from '../upstream/requestLog.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { extractBundle, fixtureModules, fixtureProjects, goAcceptsTree, packEnv, repoRoot, tempDir } from './packHarness.js';

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream({ modules: [fixtureModules] });
}, 120_000);
afterAll(async () => {
  await upstream?.stop();
});

/** A port nothing listens on: connections are refused at once. */
const DEAD_PROXY = 'http://127.0.0.1:9';

async function pack(project: string, dir: string, extraArgs: string[] = [], env: Record<string, string> = {}) {
  return runCli(['pack', project, '-o', join(dir, 'out.tgz'), '--unsigned', '--cache-dir', join(dir, 'cache'), ...extraArgs], {
    cwd: dir,
    env: packEnv(upstream.url, dir, env),
  });
}

describe('pack through faults', () => {
  test('a flaky upstream (20% 5xx) still packs, and go accepts the bundle', { timeout: 300_000 }, async () => {
    const dir = tempDir('flaky');
    await upstream.setFaults({ fail5xxRate: 0.2, seed: 7 });
    try {
      const res = await pack(join(fixtureProjects, 'pruning'), dir);
      expect(res.code, res.stderr).toBe(0);
      const log = await upstream.requestLog();
      expect(
        log.some((e) => e.fault === '5xx'),
        'no 5xx was injected',
      ).toBe(true);
    } finally {
      await upstream.setFaults({});
    }
    extractBundle(join(dir, 'out.tgz'), join(dir, 'tree'));
    expect(await goAcceptsTree(join(fixtureProjects, 'pruning'), join(dir, 'tree'), join(dir, 'go'))).toEqual([]);
  });

  test('a dead first proxy falls through with "|"', { timeout: 120_000 }, async () => {
    const dir = tempDir('pipe');
    const res = await pack(join(repoRoot, 'samples', 'hello'), dir, ['--proxy', `${DEAD_PROXY}|${upstream.url}`]);
    expect(res.code, res.stderr).toBe(0);
    expect(existsSync(join(dir, 'out.tgz'))).toBe(true);
  });

  test('a dead first proxy fails clearly with ","', { timeout: 120_000 }, async () => {
    const dir = tempDir('comma');
    const res = await pack(join(repoRoot, 'samples', 'hello'), dir, ['--proxy', `${DEAD_PROXY},${upstream.url}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^gobundle: example\.com\/(greeting|Upper\/Mod)@v1\.[01]\.0: reading http:\/\/127\.0\.0\.1:9\/example\.com\//,
    );
    expect(res.stderr).toContain(
      `hint: the proxy ${DEAD_PROXY} was named by --proxy; set GOPROXY (or pack --proxy) to a module proxy this machine can reach, such as a mirror or a gobundle serve; check that its host name resolves and that the network lets this machine connect to it (gobundle connected directly, as the go command would: HTTP_PROXY is not set); separate proxies with "|" instead of "," to fall through to the next one on any error\n`,
    );
    expect(existsSync(join(dir, 'out.tgz'))).toBe(false);
  });

  test('a go.sum that exists but cannot be read stops the pack, naming it, and nothing is written', { timeout: 120_000 }, async () => {
    const dir = tempDir('unreadable-gosum');
    const project = join(dir, 'project');
    cpSync(join(repoRoot, 'samples', 'hello'), project, { recursive: true });
    // A directory where go.sum should be: it exists, and reading it fails (EISDIR) even for root, whom permissions do not stop.
    mkdirSync(join(project, 'go.sum'));
    const res = await pack(project, dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `gobundle: ${join(project, 'go.sum')}: is a directory\n` +
        'hint: pack checks every download against go.sum, so a go.sum it cannot read stops it; fix its permissions, or move it aside to pack without it\n',
    );
    expect(existsSync(join(dir, 'out.tgz'))).toBe(false);
  });

  test('a tampered zip is refused against go.sum and nothing is written', { timeout: 300_000 }, async () => {
    const dir = tempDir('tamper');
    // The honest hashes: pack once without faults and write go.sum from the manifest.
    const project = join(dir, 'project');
    cpSync(join(fixtureProjects, 'basic'), project, { recursive: true });
    const honest = await pack(project, dir, [], {});
    expect(honest.code, honest.stderr).toBe(0);
    extractBundle(join(dir, 'out.tgz'), join(dir, 'raw'), { keepMetadata: true });
    const manifest = parseManifest(readFileSync(join(dir, 'raw', 'gobundle', 'manifest.json')));
    let gosum = '';
    for (const m of manifest.modules) {
      if (m.zipH1 !== null) gosum += `${m.path} ${m.version} ${m.zipH1}\n`;
      gosum += `${m.path} ${m.version}/go.mod ${m.modH1}\n`;
    }
    writeFileSync(join(project, 'go.sum'), gosum);
    const tamperH1 = manifest.modules.find((m) => m.path === 'example.com/tamper')?.zipH1;

    await upstream.setFaults({ tamper: ['example.com/tamper@v1.0.0'] });
    try {
      const target = join(dir, 'tampered.tgz');
      const res = await runCli(['pack', project, '-o', target, '--unsigned', '--cache-dir', join(dir, 'fresh-cache'), '--quiet'], {
        cwd: dir,
        env: packEnv(upstream.url, dir),
      });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(
        new RegExp(
          `^gobundle: verifying example\\.com/tamper@v1\\.0\\.0: checksum mismatch\n\tdownloaded: h1:\\S+\n\tgo\\.sum:     ${tamperH1?.replace(/[+/=]/g, (c) => `\\${c}`)}\n\nSECURITY ERROR\n`,
        ),
      );
      expect(existsSync(target), 'a bundle was written despite the mismatch').toBe(false);
      expect(readdirSync(dir).filter((f) => f.includes('tampered'))).toEqual([]);
    } finally {
      await upstream.setFaults({});
    }
  });
});

describe('a pack killed with SIGKILL resumes from the cache', () => {
  test('files cached by the killed run are not requested again', { timeout: 600_000 }, async () => {
    const bin = join(repoRoot, 'bin', 'gobundle');
    if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    const dir = tempDir('sigkill');
    const graph = generateGraph({ dir: join(dir, 'graph'), seed: 11, modules: 60, pathPrefix: 'kill.test', padBytes: 64 << 10 });
    const slow = await startUpstream({ modules: [graph.modulesDir], faults: { latencyMs: 40 } });
    try {
      const cache = join(dir, 'cache');
      const target = join(dir, 'out.tgz');
      const args = [bin, 'pack', graph.mainDir, '-o', target, '--unsigned', '--cache-dir', cache, '--concurrency', '4'];
      const child = spawn(process.execPath, args, {
        cwd: dir,
        env: { ...packEnv(slow.url, dir), PATH: process.env.PATH ?? '' },
        stdio: 'ignore',
      });
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      // Kill once some zips are in the cache and before the run can finish.
      const indexLog = cacheLayout.indexLog(cache);
      const cachedKeys = (): string[] => {
        if (!existsSync(indexLog)) return [];
        const keys: string[] = [];
        for (const line of readFileSync(indexLog, 'utf8').split('\n')) {
          // The line being appended when the run was killed may be cut short: not an entry.
          try {
            keys.push((JSON.parse(line) as { key: string }).key);
          } catch {
            continue;
          }
        }
        return keys;
      };
      const deadline = Date.now() + 120_000;
      while (cachedKeys().filter((k) => k.endsWith('.zip')).length < 10) {
        if (Date.now() > deadline) throw new Error('the pack did not cache 10 zips within 120 s');
        if (child.exitCode !== null) throw new Error(`the pack ended (exit ${child.exitCode}) before it could be killed`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await exited;
      expect(existsSync(target), 'the killed run left a bundle at the target').toBe(false);
      const before = new Set(cachedKeys());
      expect(before.size).toBeGreaterThan(10);

      await slow.resetLog();
      const res = await runCli(['pack', graph.mainDir, '-o', target, '--unsigned', '--cache-dir', cache, '--quiet'], {
        cwd: dir,
        env: packEnv(slow.url, dir),
      });
      expect(res.code, res.stderr).toBe(0);
      const again = parseRequestLog(await slow.requestLog())
        .filter((r) => r.version !== undefined)
        .map((r) => `${r.path}@${r.version}.${r.kind}`)
        .filter((k) => before.has(k));
      expect(again, 'files the killed run had cached were requested again').toEqual([]);
      // No temp bundle left beside the target either.
      expect(readdirSync(dir).filter((f) => f.startsWith('.out.tgz.tmp'))).toEqual([]);
    } finally {
      await slow.stop();
    }
  });
});
