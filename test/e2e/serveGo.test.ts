/**
 * `gobundle serve` as an operator runs it, with the real go command as the
 * client: bundles are made by the real `bin/gobundle pack` from the test
 * upstream, the upstream is stopped, then `bin/gobundle serve` (a child
 * process) is the only GOPROXY for go 1.23 and go 1.19 with fresh caches.
 * Needs dist/ (npm test builds first).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv, testCacheDir, type GoVersion, runGoAsync, type GoRun } from '../support/gotool.js';
import { startServeProcess } from '../support/serveProcess.js';
import { generateGraph, type GeneratedGraph } from '../upstream/generate.js';
import { startUpstream, testSumdbVerifierKey, type Upstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-serve-e2e-'));
/** How long `serve` may take to verify the bundles and print its listening line. */
const SERVE_START_TIMEOUT_MS = 60_000;
/** Bound on one go command. */
const GO_TIMEOUT_MS = 300_000;

let upstream: Upstream | undefined;
let graph: GeneratedGraph;
let serve: ChildProcess | undefined;
let serveUrl = '';
let serveStderr: () => string = () => '';

function gobundle(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  graph = generateGraph({ dir: join(work, 'graph'), seed: 7, modules: 100, pathPrefix: 'gen.test/serve' });
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules'), graph.modulesDir] });
  const env = hermeticGoEnv({
    GOPROXY: upstream.url,
    GOSUMDB: upstream.sumdbVerifierKey,
    HOME: work,
    GOBUNDLE_CACHE: join(work, 'pack-cache'),
  });
  gobundle(['keygen', 'team', '--out-dir', work], env);
  gobundle(['pack', join(root, 'samples', 'hello'), '-o', join(work, 'hello.tgz'), '--sign-key', join(work, 'team.key'), '--quiet'], env);
  gobundle(['pack', graph.mainDir, '-o', join(work, 'graph.tgz'), '--sign-key', join(work, 'team.key'), '--quiet'], env);
  // Upstream stopped: from here on the served bundles are the only source.
  const sumdbKey = upstream.sumdbVerifierKey;
  await upstream.stop();
  upstream = undefined;
  const s = await startServeProcess(
    [
      'hello.tgz',
      'graph.tgz',
      '--trust',
      'team.pub',
      '--sumdb-key',
      sumdbKey,
      '--listen',
      '127.0.0.1:0',
      '--cache-dir',
      join(work, 'serve-cache'),
    ],
    { cwd: work, env: hermeticGoEnv({ HOME: work }), timeoutMs: SERVE_START_TIMEOUT_MS },
  );
  serve = s.child;
  serveUrl = s.url;
  serveStderr = s.stderr;
}, 600_000);

afterAll(async () => {
  await upstream?.stop();
  if (serve !== undefined && serve.exitCode === null) {
    serve.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
});

/**
 * Run the go command without blocking the event loop: serve's stderr (its
 * access log) must keep draining while go runs, or a full pipe would stall
 * serve and with it the go command.
 */
function runGo(version: GoVersion, project: string, args: string[], gopath: string, gosumdb = 'off'): Promise<GoRun> {
  return runGoAsync(goBinary(version), args, {
    cwd: project,
    env: hermeticGoEnv({
      GOPROXY: serveUrl,
      GOSUMDB: gosumdb,
      GONOSUMDB: '',
      GOPRIVATE: '',
      GOFLAGS: '-mod=mod',
      GOPATH: gopath,
      GOMODCACHE: join(gopath, 'pkg', 'mod'),
      GOCACHE: join(testCacheDir(), `gocache-serve-${version}`),
      HOME: work,
    }),
    timeoutMs: GO_TIMEOUT_MS,
  });
}

describe.each<GoVersion>(['1.23', '1.19'])('go %s through bin/gobundle serve, upstream stopped', (version) => {
  test.each(['hello', 'graph'])(
    '%s: go mod download all, go build ./..., go list -m all, go mod verify',
    async (which) => {
      const project = join(work, `${which}-${version}`);
      cpSync(which === 'hello' ? join(root, 'samples', 'hello') : graph.mainDir, project, { recursive: true });
      rmSync(join(project, 'go.sum'), { force: true });
      const gopath = join(work, `gopath-${which}-${version}`);
      mkdirSync(gopath, { recursive: true });
      for (const args of [
        ['mod', 'download', 'all'],
        ['build', './...'],
        ['list', '-m', 'all'],
        ['mod', 'verify'],
      ]) {
        const r = await runGo(version, project, args, gopath);
        expect(r.status, `go ${version} ${args.join(' ')} in ${which}:\n${r.stderr}\n${serveStderr().slice(-4000)}`).toBe(0);
        if (args[0] === 'list') {
          const lines = r.stdout.trim().split('\n');
          expect(lines.length).toBeGreaterThan(which === 'hello' ? 2 : 50);
          if (which === 'hello') expect(r.stdout).toBe('example.com/hello\nexample.com/Upper/Mod v1.0.0\nexample.com/greeting v1.1.0\n');
        }
        if (args[1] === 'verify') expect(r.stdout).toBe('all modules verified\n');
      }
      // The go.sum the go command wrote matches what the upstream's checksum database signed when pack verified it.
      expect(readFileSync(join(project, 'go.sum'), 'utf8')).toMatch(/h1:/);
    },
    600_000,
  );
});

describe('serve start-up', () => {
  test('both replays were verified with the database key, and one tree head is served', () => {
    const log = serveStderr();
    expect(log).toMatch(
      /loaded \S+hello\.tgz: .*; checksum database gobundle\.test: tree#\d+, \d+ lookups, \d+ tiles verified, tree note signature checked with key gobundle\.test\+[0-9a-f]{8} \(from --sumdb-key\)/,
    );
    // graph.tgz was packed after hello.tgz with the same pack cache: it proves its tree consistent with hello's.
    expect(log).toMatch(
      /loaded \S+graph\.tgz: .*; checksum database gobundle\.test: tree#\d+, \d+ lookups, \d+ tiles verified, consistent with tree#\d+, tree note signature checked/,
    );
    expect(log).toMatch(/checksum database gobundle\.test: serving tree#\d+ of \S+\.tgz for 2 bundles/);
    console.log(
      log
        .split('\n')
        .filter((l) => l.includes('checksum database'))
        .map((l) => l.replace(/^.*?(\S+\.tgz): .*; /, '$1: '))
        .join('\n'),
    );
  });
});

/** Checksum-database requests in a slice of serve's access log: lookups and tiles answered 200. */
function sumdbRequests(log: string): { lookups: number; tiles: number; other: string[] } {
  const lines = log.split('\n').filter((l) => l.includes('"GET /sumdb/'));
  return {
    lookups: lines.filter((l) => /"GET \/sumdb\/[^/]+\/lookup\/\S+" 200 /.test(l)).length,
    tiles: lines.filter((l) => /"GET \/sumdb\/[^/]+\/tile\/\S+" 200 /.test(l)).length,
    other: lines.filter((l) => !/"GET \/sumdb\/[^/]+\/(lookup|tile)\/\S+" 200 /.test(l)),
  };
}

describe.each<GoVersion>(['1.23', '1.19'])('go %s verifies every module against the checksum database replayed by serve', (version) => {
  test.each(['hello', 'graph'])(
    '%s: GOSUMDB=<test database key> (found through GOPROXY), no go.sum, empty pkg/sumdb',
    async (which) => {
      const project = join(work, `sumdb-${which}-${version}`);
      cpSync(which === 'hello' ? join(root, 'samples', 'hello') : graph.mainDir, project, { recursive: true });
      rmSync(join(project, 'go.sum'), { force: true });
      const gopath = join(work, `gopath-sumdb-${which}-${version}`);
      mkdirSync(gopath, { recursive: true });
      const logStart = serveStderr().length;
      // go 1.19's tidy refuses a go.mod newer than itself ("maximum version supported by tidy is 1.19"), with or
      // without a checksum database; -go=1.19 lets it tidy the same requirements (still a pruned graph, ≥ 1.17).
      const tidy = version === '1.19' ? ['mod', 'tidy', '-go=1.19'] : ['mod', 'tidy'];
      for (const args of [tidy, ['mod', 'download', 'all'], ['build', './...'], ['mod', 'verify']]) {
        const r = await runGo(version, project, args, gopath, testSumdbVerifierKey);
        expect(r.status, `go ${version} ${args.join(' ')} in ${which}:\n${r.stderr}\n${serveStderr().slice(-4000)}`).toBe(0);
      }
      // The go command fetched and verified lookups and tiles through /sumdb/<name>/.
      // serve writes each access-log line when its response ends: poll (bounded) until the tiles' lines are in.
      for (const deadline = Date.now() + 5_000; sumdbRequests(serveStderr().slice(logStart)).tiles === 0 && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const counts = sumdbRequests(serveStderr().slice(logStart));
      // For the closing note: what a fresh go client asked the replay for.
      console.log(
        `go ${version} ${which} (fresh caches, no go.sum; tidy, download all, build, verify): ${counts.lookups} lookups, ${counts.tiles} tiles, other sumdb requests: ${JSON.stringify(counts.other.map((l) => l.replace(/^.*"GET (\S+)" (\d+).*$/, '$1 $2')))}`,
      );
      expect(counts.lookups).toBeGreaterThan(0);
      expect(counts.tiles).toBeGreaterThan(0);
      expect(serveStderr()).toMatch(/"GET \/sumdb\/gobundle\.test\/lookup\/[^"]+" 200/);
      expect(serveStderr()).toMatch(/"GET \/sumdb\/gobundle\.test\/tile\/8\/0\/[^"]+" 200/);
      expect(existsSync(join(gopath, 'pkg', 'sumdb', 'gobundle.test', 'latest'))).toBe(true);
    },
    600_000,
  );
});

describe('shutdown', () => {
  test('SIGTERM: stops accepting, drains, exits 0', async () => {
    const child = serve as ChildProcess;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
    expect(code).toBe(0);
  }, 30_000);
});
