/**
 * The weekly loop of issue 19, end to end with the real go command: inside,
 * `go get` of modules the served bundle lacks fails (404s, recorded by serve
 * running with --workers auto: one record, written by the primary); `gobundle
 * wants` turns the record into a list (from serve's URL and from its state
 * directory alike); on the connected side `gobundle pack --from-list` fetches
 * and verifies what exists and skips the module-path prefixes the go command
 * probed that exist nowhere; the new bundle served beside the old one makes
 * the same `go get` work, and the misses it answers leave the record. Go 1.23,
 * fresh caches, the test checksum database on. Needs dist/ (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv, runGoAsync, testCacheDir, type GoRun } from '../support/gotool.js';
import { startServeProcess, type ServeProcess } from '../support/serveProcess.js';
import { startUpstream, type Upstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-misses-e2e-'));
const stateDir = join(work, 'state');
const GO_TIMEOUT_MS = 120_000;

let upstream: Upstream;
let packEnv: NodeJS.ProcessEnv;
let serve: ServeProcess | undefined;

function gobundle(args: string[], env: NodeJS.ProcessEnv = packEnv) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
}

function mustGobundle(args: string[], env: NodeJS.ProcessEnv = packEnv) {
  const r = gobundle(args, env);
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

async function startServe(bundles: string[]): Promise<ServeProcess> {
  const s = await startServeProcess(
    [
      ...bundles,
      '--trust',
      'team.pub',
      '--sumdb-key',
      upstream.sumdbVerifierKey,
      '--listen',
      '127.0.0.1:0',
      '--cache-dir',
      join(work, 'serve-cache'),
      '--state-dir',
      stateDir,
      '--workers',
      'auto',
    ],
    { cwd: work, env: hermeticGoEnv({ HOME: work }), timeoutMs: 60_000 },
  );
  serve = s;
  return s;
}

async function stopServe(): Promise<void> {
  const s = serve;
  serve = undefined;
  if (s === undefined || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

/** The go command inside: serve is its only GOPROXY; fresh module cache per call. */
function go(project: string, args: string[], tag: string): Promise<GoRun> {
  const gopath = join(work, `gopath-${tag}`);
  mkdirSync(gopath, { recursive: true });
  return runGoAsync(goBinary('1.23'), args, {
    cwd: project,
    env: hermeticGoEnv({
      GOPROXY: (serve as ServeProcess).url,
      GOSUMDB: upstream.sumdbVerifierKey,
      GOFLAGS: '-mod=mod',
      GOPATH: gopath,
      GOMODCACHE: join(gopath, 'pkg', 'mod'),
      GOCACHE: join(testCacheDir(), 'gocache-misses'),
      HOME: work,
    }),
    timeoutMs: GO_TIMEOUT_MS,
  });
}

function project(name: string): string {
  const dir = join(work, name);
  cpSync(join(root, 'samples', 'hello'), dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
  packEnv = hermeticGoEnv({
    GOPROXY: upstream.url,
    GOSUMDB: upstream.sumdbVerifierKey,
    HOME: work,
    GOBUNDLE_CACHE: join(work, 'pack-cache'),
  });
  mustGobundle(['keygen', 'team', '--out-dir', work]);
  mustGobundle(['pack', join(root, 'samples', 'hello'), '-o', join(work, 'week1.tgz'), '--sign-key', join(work, 'team.key'), '--quiet']);
}, 300_000);

afterAll(async () => {
  await stopServe();
  await upstream?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The wants list's entries, comments left out. */
function entries(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '');
}

describe('misses → wants → pack --from-list → the same go get works', () => {
  let wantsText = '';

  test('inside: go get of modules the bundle lacks fails with serve 404s, and serve records them once', async () => {
    await startServe(['week1.tgz']);
    const p = project('inside-1');
    const byVersion = await go(p, ['get', 'example.com/vtwo@v1.0.0'], 'get-1');
    expect(byVersion.status).toBe(1);
    expect(byVersion.stderr).toContain('example.com/vtwo: module not in the served bundles');
    const latest = await go(p, ['get', 'example.com/incompat'], 'get-2');
    expect(latest.status).toBe(1);
    expect(latest.stderr).toContain('example.com/incompat: module not in the served bundles');
    // One record file, written by the primary; no worker wrote one of its own.
    expect(readdirSync(stateDir).sort()).toEqual(['misses.jsonl', 'misses.lock']);
    const fromUrl = mustGobundle(['wants', (serve as ServeProcess).url], hermeticGoEnv({ HOME: work }));
    const fromDir = mustGobundle(['wants', stateDir], hermeticGoEnv({ HOME: work }));
    // The go command probed module-path prefixes too: example.com exists nowhere, but it asked.
    expect(entries(fromUrl.stdout)).toEqual([
      'example.com@v1.0.0',
      'example.com@latest',
      'example.com/incompat@latest',
      'example.com/vtwo@v1.0.0',
    ]);
    expect(entries(fromDir.stdout)).toEqual(entries(fromUrl.stdout));
    expect(fromUrl.stdout.split('\n')[0]).toBe('# gobundle wants');
    expect(fromUrl.stdout).toMatch(/^example\.com\/vtwo@v1\.0\.0\s+# 1 request \(info\), at \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    // Counts in the record match the 404s serve answered for those paths (every worker's went to the one record).
    const json = JSON.parse(mustGobundle(['wants', stateDir, '--json'], hermeticGoEnv({ HOME: work })).stdout) as {
      misses: { kind: string; path: string; version: string; count: number }[];
    };
    const logged404 = (): number =>
      serve!
        .stderr()
        .split('\n')
        .filter((l) => / 404 /.test(l) && /"GET \/example\.com\//.test(l)).length;
    // A miss is recorded before its 404 is sent; a worker's access-log line reaches serve's stderr after: give the log a moment.
    const recorded = json.misses.reduce((n, m) => n + m.count, 0);
    for (let i = 0; i < 50 && logged404() < recorded; i++) await new Promise((r) => setTimeout(r, 100));
    expect(recorded).toBe(logged404());
    mustGobundle(['wants', (serve as ServeProcess).url, '-o', join(work, 'wants.txt')], hermeticGoEnv({ HOME: work }));
    wantsText = readFileSync(join(work, 'wants.txt'), 'utf8');
    expect(entries(wantsText)).toEqual(entries(fromUrl.stdout));
    await stopServe();
  }, 300_000);

  test('outside: pack --from-list wants.txt fetches and verifies what exists, skips what exists nowhere', () => {
    const r = mustGobundle([
      'pack',
      '--from-list',
      'wants.txt',
      '-o',
      join(work, 'week2.tgz'),
      '--sign-key',
      join(work, 'team.key'),
      '--previous',
      join(work, 'week1.tgz'),
    ]);
    expect(r.stderr).toContain('gobundle: pack: wants.txt: skipped example.com@v1.0.0: no such version on any proxy (404/410)\n');
    expect(r.stderr).toContain('gobundle: pack: wants.txt: skipped example.com@latest: no such module on any proxy (404/410)\n');
    expect(r.stderr).toContain('gobundle: pack: wants.txt: example.com/incompat@latest: v1.0.0\n');
    const ls = mustGobundle(['ls', join(work, 'week2.tgz'), '--json']);
    const listing = JSON.parse(ls.stdout) as {
      inputs: { kind?: string; module: string; goMod: string }[];
      modules: { path: string; version: string }[];
    };
    expect(listing.inputs.map((i) => `${i.kind} ${i.module} ${i.goMod}`)).toEqual(['list gobundle wants wants.txt']);
    expect(listing.modules.map((m) => `${m.path}@${m.version}`).sort()).toEqual(['example.com/incompat@v1.0.0', 'example.com/vtwo@v1.0.0']);
  }, 300_000);

  test('inside again: the same go get works, and what the new bundle answers leaves the record', async () => {
    await startServe(['week1.tgz', 'week2.tgz']);
    expect(serve!.stderr()).toContain('misses: 2 answered by the served bundles now, no longer recorded');
    const p = project('inside-2');
    for (const args of [
      ['get', 'example.com/vtwo@v1.0.0'],
      ['get', 'example.com/incompat'],
      ['build', './...'],
    ]) {
      const r = await go(p, args, 'get-3');
      expect(r.status, `go ${args.join(' ')}:\n${r.stderr}`).toBe(0);
    }
    expect(readFileSync(join(p, 'go.mod'), 'utf8')).toMatch(/example\.com\/vtwo v1\.0\.0/);
    const left = mustGobundle(['wants', (serve as ServeProcess).url], hermeticGoEnv({ HOME: work }));
    expect(entries(left.stdout)).toEqual(['example.com@v1.0.0', 'example.com@latest']);
    await stopServe();
  }, 300_000);
});
