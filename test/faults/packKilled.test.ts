/**
 * gobundle pack killed with SIGKILL at random moments (seeded: the seed is
 * printed, GOBUNDLE_KILL_SEED reproduces a run). After every kill: no file
 * under the output name unless it is a complete bundle, and every cache
 * entry verifies. Then a run completes, and leaves no temp files behind —
 * neither its own nor the killed runs'.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBundle } from '../../src/bundle/reader.js';
import { runCli } from '../cli/runCli.js';
import { packEnv, repoRoot, tempDir } from '../pack/packHarness.js';
import { generateGraph, mulberry32 } from '../upstream/generate.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { auditCache, cacheTemps } from './cacheAudit.js';

const SEED = Number(process.env.GOBUNDLE_KILL_SEED ?? 1202);
const TRIALS = 12;
/** Attempts allowed to reach TRIALS kills. */
const MAX_ATTEMPTS = 40;
/** The longest a killed run is let go: past it the trial kills anyway (most runs are killed far sooner). */
const MAX_DELAY_MS = 4_000;

const dir = tempDir('killed');
const graph = generateGraph({ dir: join(dir, 'graph'), seed: 5, modules: 40, pathPrefix: 'killed.test', padBytes: 256 << 10 });
let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream({ modules: [graph.modulesDir], faults: { latencyMs: 15 } });
}, 120_000);
afterAll(async () => {
  await upstream?.stop();
});

const bin = join(repoRoot, 'bin', 'gobundle');
const cache = join(dir, 'cache');
const out = join(dir, 'out');
const target = join(out, 'bundle.tgz');

/** Run pack as a child and SIGKILL it after `delayMs` (or when it prints its `lineToKill`th progress line); resolves with how it ended. */
function killedPack(delayMs: number, lineToKill: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [bin, 'pack', graph.mainDir, '-o', target, '--unsigned', '--cache-dir', cache, '--concurrency', '4'],
      {
        cwd: dir,
        env: { ...packEnv(upstream.url, dir), PATH: process.env.PATH ?? '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let lines = 0;
    let how = '';
    let stderr = '';
    const kill = (why: string): void => {
      if (child.exitCode === null && how === '') {
        how = why;
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => kill(`killed after ${delayMs} ms`), delayMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      lines += chunk.toString('utf8').split('\n').length - 1;
      if (lines >= lineToKill) kill(`killed at progress line ${lines}`);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(
        how !== '' && signal === 'SIGKILL' ? how : `exited ${code ?? signal} before the kill${code === 0 ? '' : `: ${stderr.trim()}`}`,
      );
    });
  });
}

describe('pack killed with SIGKILL', () => {
  test(`${TRIALS} seeded kills, then a run that completes (seed ${SEED})`, { timeout: 600_000 }, async () => {
    if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    console.log(`pack SIGKILL trials: seed ${SEED} (set GOBUNDLE_KILL_SEED to reproduce)`);
    const rand = mulberry32(SEED);
    const outcomes: string[] = [];
    // Three kinds of trial in turn: a cold cache killed at a random time
    // (mostly while downloading); a warm cache killed at a random progress
    // line (fetching, verifying or writing); a warm cache killed at a random
    // fraction of how long a warm run took (mostly while writing).
    let warmMs = 1_500;
    // A run that finishes before its kill (a warm cache on a fast moment)
    // still has its invariants checked, and shortens the next delays; the
    // trials go on until TRIALS runs were really killed (bounded attempts).
    let kills = 0;
    for (let trial = 0; kills < TRIALS && trial < MAX_ATTEMPTS; trial++) {
      const kind = trial % 3;
      if (kind === 0 && trial > 0) rmSync(cache, { recursive: true, force: true });
      const delay = Math.floor(rand() * (kind === 0 ? MAX_DELAY_MS : warmMs));
      const line = kind === 1 ? 1 + Math.floor(rand() * 3) : Number.POSITIVE_INFINITY;
      const started = Date.now();
      const how = await killedPack(kind === 1 ? MAX_DELAY_MS : delay, line);
      if (how.startsWith('exited 0')) warmMs = Math.max(50, Math.floor((Date.now() - started) * 0.8));
      if (how.startsWith('killed')) kills++;
      outcomes.push(how);
      const context = `seed ${SEED} trial ${trial} (${how})`;
      // The output name holds nothing, or a whole bundle.
      if (existsSync(target)) {
        const opened = await openBundle(target, { trust: [], allowUnsigned: true, extract: false });
        expect(opened.files.size, context).toBeGreaterThan(0);
      }
      expect(auditCache(cache).problems, `cache entries failing verification after ${context}`).toEqual([]);
      expect(how.startsWith('killed') || how.startsWith('exited 0'), context).toBe(true);
    }
    console.log(`pack SIGKILL trials (seed ${SEED}): ${outcomes.join('; ')}`);
    expect(kills, `runs really killed in ${outcomes.length} attempts`).toBe(TRIALS);

    const res = await runCli(['pack', graph.mainDir, '-o', target, '--unsigned', '--cache-dir', cache, '--quiet'], {
      cwd: dir,
      env: packEnv(upstream.url, dir),
    });
    expect(res.code, res.stderr).toBe(0);
    const opened = await openBundle(target, { trust: [], allowUnsigned: true, extract: false });
    expect(opened.modules).toBeGreaterThan(0);
    const audit = auditCache(cache);
    expect(audit.problems).toEqual([]);
    expect(audit.entries).toBeGreaterThan(40);
    expect(
      readdirSync(out).filter((f) => f !== 'bundle.tgz'),
      'temp files left beside the bundle',
    ).toEqual([]);
    expect(cacheTemps(cache), 'temp files left in the cache').toEqual([]);
  });
});
