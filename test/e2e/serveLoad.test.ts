/**
 * Load on `bin/gobundle serve` (a child process, loopback only, bounded):
 * autocannon at 200 concurrent connections cycling through a mix of list,
 * @latest, .info, .mod, .zip and checksum-database (lookup and tile)
 * requests for every file of a packed graph — zero errors, zero non-2xx;
 * p99 latency and the serve process's peak RSS printed, not asserted (no
 * timing assertions on a shared machine). Then 20 real `go mod download
 * all` clients at once, separate caches, GOSUMDB on, against
 * `serve --workers 2`, all succeeding, and that pool stopping cleanly on
 * SIGTERM. The request paths are the names `gobundle export` writes, which
 * the export e2e test checks equal serve's answers. Needs dist/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv, testCacheDir } from '../support/gotool.js';
import { startServeProcess, type ServeProcess } from '../support/serveProcess.js';
import { generateGraph, type GeneratedGraph } from '../upstream/generate.js';
import { startUpstream, testSumdbVerifierKey, type Upstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-load-'));
/** How long autocannon runs. */
const LOAD_SECONDS = 10;
const CONNECTIONS = 200;
/** Parallel go clients. */
const GO_CLIENTS = 20;
const GO_TIMEOUT_MS = 120_000;

let upstream: Upstream | undefined;
let graph: GeneratedGraph;
let sumdbKey = '';
const servers: ServeProcess[] = [];
let paths: string[] = [];

function mustGobundle(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

function serveArgs(): string[] {
  return [
    'graph.tgz',
    '--trust',
    'team.pub',
    '--sumdb-key',
    sumdbKey,
    '--listen',
    '127.0.0.1:0',
    '--cache-dir',
    join(work, 'serve-cache'),
    '--no-access-log',
  ];
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  graph = generateGraph({ dir: join(work, 'graph'), seed: 23, modules: 80, pathPrefix: 'gen.test/load' });
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules'), graph.modulesDir] });
  const env = hermeticGoEnv({
    GOPROXY: upstream.url,
    GOSUMDB: upstream.sumdbVerifierKey,
    HOME: work,
    GOBUNDLE_CACHE: join(work, 'pack-cache'),
  });
  mustGobundle(['keygen', 'team', '--out-dir', work], env);
  mustGobundle(['pack', graph.mainDir, '-o', join(work, 'graph.tgz'), '--sign-key', join(work, 'team.key'), '--quiet'], env);
  sumdbKey = upstream.sumdbVerifierKey;
  await upstream.stop();
  upstream = undefined;
  const exported = join(work, 'export');
  mustGobundle(
    ['export', 'graph.tgz', '--to', exported, '--trust', 'team.pub', '--sumdb-key', sumdbKey, '--cache-dir', join(work, 'serve-cache')],
    hermeticGoEnv({ HOME: work }),
  );
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [relative(exported, join(d, n))]));
  // As the go command sends them: `!` as %21 (url.PathEscape).
  paths = walk(exported)
    .filter((n) => !n.startsWith('vulndb/'))
    .sort()
    .map((n) => `/${n.replaceAll('!', '%21')}`);
}, 600_000);

afterAll(async () => {
  await upstream?.stop();
  for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  // Twenty module caches: removing them takes a while on a busy machine.
  rmSync(work, { recursive: true, force: true });
}, 120_000);

/** Peak resident set of a process (Linux /proc VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

describe('gobundle serve under load', () => {
  test(`autocannon, ${CONNECTIONS} connections, ${LOAD_SECONDS} s, list/@latest/.info/.mod/.zip/lookup/tile mix: zero errors, zero non-2xx`, async () => {
    const kinds = (re: RegExp): number => paths.filter((p) => re.test(p)).length;
    const mix = {
      list: kinds(/\/@v\/list$/),
      latest: kinds(/\/@latest$/),
      info: kinds(/\.info$/),
      mod: kinds(/\.mod$/),
      zip: kinds(/\.zip$/),
      lookup: kinds(/^\/sumdb\/[^/]+\/lookup\//),
      tile: kinds(/^\/sumdb\/[^/]+\/tile\//),
    };
    for (const [k, n] of Object.entries(mix)) expect(n, `requests of kind ${k}`).toBeGreaterThan(0);
    const s = await startServeProcess(serveArgs(), { cwd: work, env: hermeticGoEnv({ HOME: work }), timeoutMs: 60_000 });
    servers.push(s);
    const pid = s.child.pid as number;
    // Each connection walks the whole list from a different starting point, so every kind is in flight at once.
    let next = 0;
    const result = await autocannon({
      url: s.url,
      connections: CONNECTIONS,
      duration: LOAD_SECONDS,
      timeout: 20,
      requests: [
        {
          setupRequest: (req: autocannon.Request) => {
            const path = paths[next++ % paths.length] as string;
            return { ...req, method: 'GET', path };
          },
        },
      ],
    });
    const rss = peakRssMiB(pid);
    // The next test's serve takes the same state directory: this one must have let go of it.
    const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    console.log(
      `load: ${result.requests.total} requests (${Math.round(result.requests.average)} req/s, ${Math.round(result.throughput.average / 1024 / 1024)} MiB/s) over ${paths.length} paths ${JSON.stringify(mix)}; ` +
        `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; serve peak RSS ${rss.toFixed(0)} MiB; load average ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}`,
    );
    expect(result.errors, 'connection errors').toBe(0);
    expect(result.timeouts, 'timeouts').toBe(0);
    expect(result.non2xx, 'non-2xx responses').toBe(0);
    expect(result['2xx']).toBeGreaterThan(paths.length);
  }, 120_000);

  test(`${GO_CLIENTS} go mod download all clients at once against serve --workers 2, separate caches, GOSUMDB on: all succeed; SIGTERM stops the pool`, async () => {
    const s = await startServeProcess([...serveArgs(), '--workers', '2'], {
      cwd: work,
      env: hermeticGoEnv({ HOME: work }),
      timeoutMs: 60_000,
    });
    servers.push(s);
    expect(s.stderr()).toMatch(/gobundle: serve: 2 workers listening\n/);
    const runs = Array.from({ length: GO_CLIENTS }, (_, i) => {
      const project = join(work, `client-${i}`);
      cpSync(graph.mainDir, project, { recursive: true });
      const gopath = join(work, `gopath-${i}`);
      mkdirSync(gopath, { recursive: true });
      const child = spawn(goBinary('1.23'), ['mod', 'download', 'all'], {
        cwd: project,
        env: hermeticGoEnv({
          GOPROXY: s.url,
          GOSUMDB: testSumdbVerifierKey,
          GOFLAGS: '-mod=mod -modcacherw',
          GOPATH: gopath,
          GOMODCACHE: join(gopath, 'pkg', 'mod'),
          GOCACHE: join(testCacheDir(), 'gocache-load'),
          HOME: work,
        }),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      return new Promise<{ i: number; status: number | null; stderr: string }>((r) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), GO_TIMEOUT_MS);
        child.once('close', (status) => {
          clearTimeout(timer);
          r({ i, status, stderr });
        });
      });
    });
    const started = performance.now();
    const results = await Promise.all(runs);
    console.log(
      `${GO_CLIENTS} parallel go mod download all through serve --workers 2: ${((performance.now() - started) / 1000).toFixed(1)} s wall`,
    );
    for (const r of results) expect(r.status, `client ${r.i}:\n${r.stderr}\n${s.stderr().slice(-3000)}`).toBe(0);
    for (let i = 0; i < GO_CLIENTS; i++)
      expect(
        existsSync(join(work, `gopath-${i}`, 'pkg', 'sumdb', 'gobundle.test', 'latest')),
        `client ${i} verified against the checksum database`,
      ).toBe(true);
    const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
    expect(code).toBe(0);
    expect(s.stderr()).toMatch(/gobundle: serve: stopped\n$/);
  }, 300_000);
});
