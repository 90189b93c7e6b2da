/**
 * gobundle pack on a full disk: a 2 MiB tmpfs as the download cache, then
 * as the output directory. The error names the path and says what to do,
 * nothing partial is left, and the next run — after the file system grew —
 * works. Mounting needs root (CI runs as root); without it this test fails
 * rather than skip, because CI allows no skipped tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBundle } from '../../src/bundle/reader.js';
import { runCli } from '../cli/runCli.js';
import { packEnv, repoRoot, tempDir } from '../pack/packHarness.js';
import { generateGraph } from '../upstream/generate.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { auditCache, cacheTemps } from './cacheAudit.js';

const dir = tempDir('diskfull');
const graph = generateGraph({ dir: join(dir, 'graph'), seed: 9, modules: 20, pathPrefix: 'full.test', padBytes: 256 << 10 });
const mounts: string[] = [];
let upstream: Upstream;

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}${r.error ? String(r.error) : ''}`);
}

/** A tmpfs of `size` at a new directory (root only). */
function smallDisk(name: string, size: string): string {
  if (process.getuid?.() !== 0) throw new Error('the disk-full tests mount a tmpfs and must run as root (CI does); they are not skipped');
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  sh('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at]);
  mounts.push(at);
  return at;
}

const grow = (at: string): void => sh('mount', ['-o', 'remount,size=64m', at]);

beforeAll(async () => {
  upstream = await startUpstream({ modules: [graph.modulesDir] });
}, 120_000);
afterAll(async () => {
  // A lazy unmount when a file is still open (a download abandoned by a failed in-process run).
  for (const m of mounts.reverse()) if (spawnSync('umount', [m]).status !== 0) spawnSync('umount', ['-l', m]);
  await upstream?.stop();
});

const bin = join(repoRoot, 'bin', 'gobundle');

/** Run pack as its own process (as a user does): downloads still in flight when it fails end with it, and their temp files are the next run's to clean. */
function packProcess(cache: string, target: string): { code: number | null; stderr: string; pid: number | undefined } {
  const r = spawnSync(process.execPath, [bin, 'pack', graph.mainDir, '-o', target, '--unsigned', '--cache-dir', cache, '--quiet'], {
    cwd: dir,
    env: { ...packEnv(upstream.url, dir), PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stderr: r.stderr, pid: r.pid };
}

const pack = (cache: string, target: string) =>
  runCli(['pack', graph.mainDir, '-o', target, '--unsigned', '--cache-dir', cache, '--quiet'], {
    cwd: dir,
    env: packEnv(upstream.url, dir),
  });

describe('pack on a full disk', () => {
  test('the cache on a full file system', { timeout: 300_000 }, async () => {
    const cache = smallDisk('cache', '2m');
    const out = join(dir, 'out-a');
    const target = join(out, 'bundle.tgz');
    const res = packProcess(cache, target);
    expect(res.code, res.stderr).toBe(1);
    const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(res.stderr).toMatch(
      new RegExp(
        // The module being stored (and the requirement chain that led to it), then the cache and the path that ran out.
        `^gobundle: full\\.test/\\S+@v\\S+(: | requires\\n)[\\s\\S]*?cache ${esc(cache)}: no space left on device: ${esc(cache)}/\\S+\\n` +
          `hint: free space on the file system holding ${esc(cache)}, or point --cache-dir at one with room\\n$`,
      ),
    );
    expect(readdirSync(dir).includes('out-a') ? readdirSync(out) : [], 'output after a failed pack').toEqual([]);
    expect(auditCache(cache).problems).toEqual([]);
    // Temp files only of the failed process (downloads it abandoned when it exited), which the next run removes.
    expect(
      cacheTemps(cache).filter((f) => !f.startsWith(`tmp/${res.pid}-`)),
      'temp files of other processes',
    ).toEqual([]);

    grow(cache);
    const again = await pack(cache, target);
    expect(again.code, again.stderr).toBe(0);
    expect((await openBundle(target, { trust: [], allowUnsigned: true, extract: false })).modules).toBeGreaterThan(10);
    expect(auditCache(cache).problems).toEqual([]);
    expect(cacheTemps(cache), 'temp files left in the cache after a run that worked').toEqual([]);
  });

  test('the output directory on a full file system', { timeout: 300_000 }, async () => {
    const out = smallDisk('out-b', '2m');
    const cache = join(dir, 'cache-b');
    const target = join(out, 'bundle.tgz');
    const res = await pack(cache, target);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toBe(
      `gobundle: writing bundle ${target}: no space left on device: ${target}\n` +
        `hint: free space on the file system holding ${out}, or write the bundle elsewhere with -o\n`,
    );
    expect(readdirSync(out), 'files left in the output directory').toEqual([]);

    grow(out);
    const again = await pack(cache, target);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['bundle.tgz']);
    expect((await openBundle(target, { trust: [], allowUnsigned: true, extract: false })).modules).toBeGreaterThan(10);
  });
});
