/**
 * The second week, at the checksum database's real scale: a client that
 * verified its modules against bundle 1 remembers bundle 1's tree head
 * (GOPATH/pkg/sumdb/<name>/latest). Next week the database has grown and
 * bundle 2 carries a larger tree; the go command accepts it only after
 * proving it consistent with the remembered one (x/mod sumdb/client.go
 * checkTrees), from tiles along the old tree's right edge on every level.
 *
 * The database holds a million synthetic records, so its tiles reach three
 * levels with partial tiles on each, as sum.golang.org's do. Everything the
 * client sees comes from `bin/gobundle serve` with the upstream stopped;
 * the client is the real go command with GOSUMDB on, no go.sum, and the
 * same GOPATH week after week. Needs dist/ (npm test builds first).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tilePath } from '../../src/sumdb/tlog/tile.js';
import { goBinary, hermeticGoEnv, testCacheDir, runGoAsync, type GoRun } from '../support/gotool.js';
import { startServeProcess } from '../support/serveProcess.js';
import { startUpstream, testSumdbVerifierKey, type Upstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-weekly-e2e-'));
const DB = 'gobundle.test';
/** Records in the database before week 1: tiles on three levels (1,000,000 = 15·65536 + 16960). */
const PREFILL = 1_000_000;
/** How much the database grows between the two packs. */
const GROWTH = 10_000;
const SERVE_START_TIMEOUT_MS = 60_000;
const GO_TIMEOUT_MS = 300_000;

/** Week 1's project and week 2's (whose modules are new to the client). */
const week1 = join(root, 'samples', 'hello');
const week2 = join(root, 'test', 'fixtures', 'projects', 'v2');

let upstream: Upstream | undefined;
const servers: ChildProcess[] = [];
const trees: number[] = [];

function gobundle(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mustGobundle(args: string[], env: NodeJS.ProcessEnv): string {
  const r = gobundle(args, env);
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

interface Served {
  url: string;
  stderr: () => string;
  stop: () => void;
}

/** bin/gobundle serve on 127.0.0.1:0 with the team key and the database key. */
async function serve(bundles: string[]): Promise<Served> {
  const args = [
    ...bundles,
    '--trust',
    'team.pub',
    '--sumdb-key',
    testSumdbVerifierKey,
    '--listen',
    '127.0.0.1:0',
    '--cache-dir',
    join(work, 'serve-cache'),
  ];
  const s = await startServeProcess(args, { cwd: work, env: hermeticGoEnv({ HOME: work }), timeoutMs: SERVE_START_TIMEOUT_MS });
  servers.push(s.child);
  return { url: s.url, stderr: s.stderr, stop: () => s.child.kill('SIGKILL') };
}

/** The real go command (async, so serve's log keeps draining) as one client machine: its GOPATH is its memory. */
function runGo(project: string, args: string[], gopath: string, proxy: string): Promise<GoRun> {
  return runGoAsync(goBinary('1.23'), args, {
    cwd: project,
    env: hermeticGoEnv({
      GOPROXY: proxy,
      GOSUMDB: testSumdbVerifierKey,
      GOFLAGS: '-mod=mod',
      GOPATH: gopath,
      GOMODCACHE: join(gopath, 'pkg', 'mod'),
      GOCACHE: join(testCacheDir(), 'gocache-weekly'),
      HOME: work,
    }),
    timeoutMs: GO_TIMEOUT_MS,
  });
}

/** A fresh copy of a project without go.sum: every module is looked up in the checksum database. */
function project(src: string, name: string): string {
  const dir = join(work, name);
  cpSync(src, dir, { recursive: true });
  rmSync(join(dir, 'go.sum'), { force: true });
  return dir;
}

function latestSize(gopath: string): number {
  const text = readFileSync(join(gopath, 'pkg', 'sumdb', DB, 'latest'), 'utf8');
  return Number(text.split('\n')[1]);
}

/** Client machines that built week 1's project from bundle 1 (one per week-2 scenario, so each starts remembering bundle 1's tree). */
const clients = ['alone', 'layered', 'no-proof', 'retired-cache'].map((n) => join(work, `gopath-${n}`));

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')], sumdbPrefill: PREFILL });
  const env = hermeticGoEnv({
    GOPROXY: upstream.url,
    GOSUMDB: upstream.sumdbVerifierKey,
    HOME: work,
    GOBUNDLE_CACHE: join(work, 'pack-cache'),
  });
  mustGobundle(['keygen', 'team', '--out-dir', work], env);

  // Week 1: pack, serve, and every client builds week 1's project.
  mustGobundle(['pack', week1, '-o', 'week1.tgz', '--sign-key', 'team.key', '--quiet'], env);
  trees.push(await upstream.sumdbTreeSize());
  const s1 = await serve(['week1.tgz']);
  for (const gopath of clients) {
    mkdirSync(gopath, { recursive: true });
    const dir = project(week1, `week1-${gopath.split('-').pop()}`);
    const r = await runGo(dir, ['build', './...'], gopath, s1.url);
    if (r.status !== 0) throw new Error(`week 1 go build failed:\n${r.stderr}\n${s1.stderr().slice(-3000)}`);
  }
  s1.stop();

  // The database moves on, then week 2 is packed from another project.
  trees.push(await upstream.growSumdb(GROWTH));
  // The pack cache remembers week 1's head: bundle 2 proves its tree consistent with it.
  mustGobundle(['pack', week2, '-o', 'week2.tgz', '--sign-key', 'team.key', '--quiet'], env);
  // Packed to be served beside week 1: also carries week 1's records, provable in the new tree.
  mustGobundle(['pack', week2, '-o', 'week2-layered.tgz', '--previous', 'week1.tgz', '--sign-key', 'team.key', '--quiet'], env);
  // A pack that knows nothing of week 1 (fresh cache, no --previous): no consistency proof.
  mustGobundle(['pack', week2, '-o', 'week2-unproven.tgz', '--sign-key', 'team.key', '--quiet'], {
    ...env,
    GOBUNDLE_CACHE: join(work, 'fresh-cache'),
  });
  trees.push(await upstream.sumdbTreeSize());
  await upstream.stop();
  upstream = undefined;
}, 900_000);

afterAll(async () => {
  await upstream?.stop();
  for (const s of servers) if (s.exitCode === null) s.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function manifestOf(bundle: string): {
  sumdb: { treeSize: number; consistentWith: { treeSize: number }[] };
  files: { name: string; size: number }[];
} {
  const r = spawnSync('tar', ['xzf', join(work, bundle), '-O', 'gobundle/manifest.json'], { encoding: 'utf8' });
  return JSON.parse(r.stdout) as ReturnType<typeof manifestOf>;
}

describe('weekly bundles against a checksum database of a million records', () => {
  test('the database is at real scale and grew between the packs', () => {
    expect(trees[0]).toBeGreaterThan(PREFILL);
    expect(trees[1]).toBe((trees[0] as number) + GROWTH);
    const m1 = manifestOf('week1.tgz');
    const m2 = manifestOf('week2.tgz');
    expect(m1.sumdb.treeSize).toBe(trees[0]);
    expect(m2.sumdb.treeSize).toBeGreaterThan(trees[1] as number);
    // Week 2's manifest lists week 1's head, and carries tiles on all three levels.
    expect(m2.sumdb.consistentWith.map((t) => t.treeSize)).toEqual([m1.sumdb.treeSize]);
    expect(manifestOf('week2-unproven.tgz').sumdb.consistentWith).toEqual([]);
    const tiles = m2.files.filter((f) => f.name.startsWith(`sumdb/${DB}/tile/`)).map((f) => f.name);
    for (const level of [0, 1, 2])
      expect(
        tiles.some((t) => t.startsWith(`sumdb/${DB}/tile/8/${level}/`)),
        `level ${level} tile in ${tiles.join(' ')}`,
      ).toBe(true);
    const bytes = (m: ReturnType<typeof manifestOf>): number =>
      m.files.filter((f) => f.name.startsWith('sumdb/')).reduce((n, f) => n + f.size, 0);
    console.log(
      `weekly e2e: tree#${m1.sumdb.treeSize} -> tree#${m2.sumdb.treeSize}; checksum-database files in week 2: ${bytes(manifestOf('week2-unproven.tgz'))} bytes without proof, ${bytes(m2)} with the consistency proof, ${bytes(manifestOf('week2-layered.tgz'))} with week 1's records too`,
    );
  });

  test("week 2 served alone: the client that remembers week 1's tree proves the new one and builds", async () => {
    const gopath = clients[0] as string;
    expect(latestSize(gopath)).toBe(trees[0]);
    const s = await serve(['week2.tgz']);
    try {
      const dir = project(week2, 'week2-alone');
      for (const args of [
        ['build', './...'],
        ['mod', 'verify'],
      ]) {
        const r = await runGo(dir, args, gopath, s.url);
        expect(r.status, `go ${args.join(' ')}:\n${r.stderr}\n${s.stderr().slice(-3000)}`).toBe(0);
      }
      expect(latestSize(gopath)).toBe(manifestOf('week2.tgz').sumdb.treeSize);
      // It asked for the consistency proof: week 1's last level-0 tile, full in the new tree, which no lookup of week 2 reads.
      const edge = tilePath({ h: 8, l: 0, n: Math.floor((trees[0] as number) / 256), w: 256 });
      expect(s.stderr()).toContain(`"GET /sumdb/gobundle.test/${edge}" 200`);
    } finally {
      s.stop();
    }
  }, 600_000);

  test("weeks 1 and 2 served layered: week 2's project builds, and week 1's again from a cleaned module cache", async () => {
    const gopath = clients[1] as string;
    const s = await serve(['week1.tgz', 'week2-layered.tgz']);
    try {
      expect(s.stderr()).toMatch(
        /checksum database gobundle\.test: serving tree#\d+ of \S+week2-layered\.tgz for 2 bundles \(\d+ lookups, proven consistent with tree#\d+\)/,
      );
      const dir2 = project(week2, 'week2-layered');
      const r2 = await runGo(dir2, ['build', './...'], gopath, s.url);
      expect(r2.status, `week 2 go build:\n${r2.stderr}\n${s.stderr().slice(-3000)}`).toBe(0);
      // Week 1's modules, looked up afresh (module cache cleaned, pkg/sumdb kept), are proven in the new tree.
      const clean = await runGo(dir2, ['clean', '-modcache'], gopath, s.url);
      expect(clean.status, clean.stderr).toBe(0);
      const dir1 = project(week1, 'week1-again');
      const r1 = await runGo(dir1, ['build', './...'], gopath, s.url);
      expect(r1.status, `week 1 again:\n${r1.stderr}\n${s.stderr().slice(-3000)}`).toBe(0);
      expect(latestSize(gopath)).toBe(manifestOf('week2-layered.tgz').sumdb.treeSize);
    } finally {
      s.stop();
    }
  }, 600_000);

  test("a client whose module cache was cleaned still proves the new tree (its old tree's right edge comes from the bundle)", async () => {
    const gopath = clients[3] as string;
    const s = await serve(['week2.tgz']);
    try {
      const dir = project(week2, 'week2-cleaned');
      expect((await runGo(dir, ['clean', '-modcache'], gopath, s.url)).status).toBe(0);
      expect(latestSize(gopath)).toBe(trees[0]);
      const r = await runGo(dir, ['build', './...'], gopath, s.url);
      expect(r.status, `go build:\n${r.stderr}\n${s.stderr().slice(-3000)}`).toBe(0);
      // Re-checking its remembered tree, it read that tree's own right-edge tile from the bundle.
      const n1 = trees[0] as number;
      const oldEdge = tilePath({ h: 8, l: 0, n: Math.floor(n1 / 256), w: n1 % 256 });
      expect(s.stderr()).toContain(`"GET /sumdb/gobundle.test/${oldEdge}" 200`);
    } finally {
      s.stop();
    }
  }, 600_000);

  test("without the consistency tiles the same client fails with the go command's own error", async () => {
    const gopath = clients[2] as string;
    const s = await serve(['week2-unproven.tgz']);
    try {
      const dir = project(week2, 'week2-unproven');
      const r = await runGo(dir, ['build', './...'], gopath, s.url);
      expect(r.status).not.toBe(0);
      // x/mod checkTrees: "checking tree#N1 against tree#N2: ..." — the tile it needed was 404.
      expect(r.stderr).toMatch(new RegExp(`checking tree#${trees[0]} against tree#\\d+`));
      expect(s.stderr()).toMatch(/"GET \/sumdb\/gobundle\.test\/tile\/8\/\d\/[^"]+" 404/);
      // The client still remembers week 1's tree: nothing was accepted.
      expect(latestSize(gopath)).toBe(trees[0]);
    } finally {
      s.stop();
    }
  }, 600_000);
});
