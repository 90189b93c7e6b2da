/**
 * bench/pack: `gobundle pack` against `go mod download all` (Go 1.23, fresh
 * GOMODCACHE each run) on the same generated graph, served by the test
 * upstream with a fixed latency per request. Runs alternate so both see
 * the same machine load. Prints each time, the ratio, the physical limit
 * (graph depth × latency + bytes ÷ bandwidth) and the ratio to it.
 *
 *   npx vite-node bench/pack/run.ts [--modules 300] [--runs 3] [--latency 20] [--concurrency 16]
 *                                   [--sumdb off|on|both] [--big] [--big-mb 1100]
 *
 * --sumdb says whether both sides verify against the upstream's checksum
 * database (default both: one table each). The project has no go.sum, so
 * with GOSUMDB on the go command looks every module up (and reads tiles),
 * and so does pack, which also carries the replay in the bundle; with it
 * off neither does. The two sides always run with the same setting.
 *
 * --big also packs a graph padded to ≥ 1 GB under /usr/bin/time -v and
 * prints gobundle's peak RSS (slow: minutes). Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { goBinary, hermeticGoEnv, testCacheDir } from '../../test/support/gotool.js';
import { generateGraph } from '../../test/upstream/generate.js';
import { startUpstream } from '../../test/upstream/server.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'gobundle');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v)) throw new Error(`--${name}: not a number`);
  return v;
}

const MODULES = flag('modules', 300);
const CONCURRENCY = flag('concurrency', 16);
const RUNS = flag('runs', 3);
const LATENCY_MS = flag('latency', 20);
const BIG = process.argv.includes('--big');
const BIG_MB = flag('big-mb', 1100);
const SUMDB_MODES = ((): ('off' | 'on')[] => {
  const i = process.argv.indexOf('--sumdb');
  const v = i >= 0 ? process.argv[i + 1] : 'both';
  if (v === 'both') return ['off', 'on'];
  if (v === 'on' || v === 'off') return [v];
  throw new Error('--sumdb: want off, on or both');
})();

function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { seconds: number; stdout: string; stderr: string } {
  const t0 = performance.now();
  const res = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 3_600_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status}):\n${res.stderr}${res.error ? String(res.error) : ''}`);
  return { seconds, stdout: res.stdout, stderr: res.stderr };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Longest requirement chain from main (in go.mod hops), from the generated fixtures' go.mod files. */
function graphDepth(modulesDir: string, mainDir: string): number {
  const requires = new Map<string, string[]>();
  const reqRe = /^\s*(?:require\s+)?(\S+)\s+(v\S+)/;
  const parse = (text: string): string[] => {
    const out: string[] = [];
    let inBlock = false;
    for (const line of text.split('\n')) {
      if (/^require\s*\($/.test(line.trim())) { inBlock = true; continue; }
      if (inBlock && line.trim() === ')') { inBlock = false; continue; }
      if (inBlock || line.startsWith('require ')) {
        const m = reqRe.exec(line.replace(/^require\s+/, ''));
        if (m) out.push(`${m[1]}@${m[2]}`);
      }
    }
    return out;
  };
  for (const f of readdirSync(modulesDir)) {
    const text = spawnSync('cat', [join(modulesDir, f)], { encoding: 'utf8' }).stdout;
    const mod = /^module=(.*)$/m.exec(text)?.[1];
    const ver = /^version=(.*)$/m.exec(text)?.[1];
    const gomod = text.split('-- go.mod --\n')[1]?.split('\n-- ')[0] ?? '';
    if (mod && ver) requires.set(`${mod}@${ver}`, parse(gomod));
  }
  const memo = new Map<string, number>();
  const depth = (k: string): number => {
    const m = memo.get(k);
    if (m !== undefined) return m;
    memo.set(k, 0);
    const d = 1 + Math.max(0, ...(requires.get(k) ?? []).map(depth));
    memo.set(k, d);
    return d;
  };
  const mainReqs = parse(spawnSync('cat', [join(mainDir, 'go.mod')], { encoding: 'utf8' }).stdout);
  return Math.max(0, ...mainReqs.map(depth));
}

/** Loopback bandwidth, measured by pulling one large file through the same upstream. */
function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

async function compare(sumdb: 'off' | 'on'): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gobundle-bench-'));
  const graph = generateGraph({ dir: join(work, 'graph'), seed: 2024, modules: MODULES, pathPrefix: 'bench.test' });
  const upstream = await startUpstream({ modules: [graph.modulesDir], faults: { latencyMs: LATENCY_MS } });
  // Both sides reach the database through the proxy (<proxy>/sumdb/<name>/supported), as the go command does by default.
  const gosumdb = sumdb === 'on' ? upstream.sumdbVerifierKey : 'off';
  try {
    const packTimes: number[] = [];
    const goTimes: number[] = [];
    let bundleBytes = 0;
    let files = 0;
    let modules = 0;
    for (let run = 0; run < RUNS; run++) {
      const runDir = join(work, `run${run}`);
      mkdirSync(runDir, { recursive: true });
      // gobundle pack: fresh cache, nothing from any GOMODCACHE.
      const emptyModCache = join(runDir, 'empty-gomodcache');
      mkdirSync(emptyModCache, { recursive: true });
      const packEnv = {
        PATH: process.env.PATH ?? '',
        HOME: runDir,
        GOENV: 'off',
        GOPROXY: upstream.url,
        GOSUMDB: gosumdb,
        GOVULNDB: 'off',
        GOFLAGS: '-mod=mod',
        GOMODCACHE: emptyModCache,
      };
      const p = timed(process.execPath, [bin, 'pack', graph.mainDir, '-o', join(runDir, 'b.tgz'), '--unsigned', '--cache-dir', join(runDir, 'cache'), '--concurrency', String(CONCURRENCY), '--json', '--quiet'], runDir, packEnv);
      const summary = JSON.parse(p.stdout) as { modules: number; files: number; bytes: number };
      bundleBytes = summary.bytes;
      files = summary.files;
      modules = summary.modules;
      packTimes.push(p.seconds);

      // go mod download all: fresh GOMODCACHE, same upstream, same GOSUMDB as pack.
      const gopath = join(runDir, 'gopath');
      const project = join(runDir, 'project');
      spawnSync('cp', ['-r', graph.mainDir, project]);
      const goEnv = hermeticGoEnv({
        GOPROXY: upstream.url,
        GOSUMDB: gosumdb,
        GOPATH: gopath,
        GOMODCACHE: join(gopath, 'pkg', 'mod'),
        GOCACHE: join(testCacheDir(), 'gocache'),
        HOME: runDir,
      });
      goTimes.push(timed(goBinary('1.23'), ['mod', 'download', 'all'], project, goEnv).seconds);
      spawnSync('chmod', ['-R', 'u+w', gopath]);
      rmSync(runDir, { recursive: true, force: true });
      process.stderr.write(`GOSUMDB ${sumdb} run ${run + 1}/${RUNS}: pack ${packTimes[run]?.toFixed(2)}s, go ${goTimes[run]?.toFixed(2)}s\n`);
    }
    const depth = graphDepth(graph.modulesDir, graph.mainDir);
    const fixtureBytes = dirBytes(graph.modulesDir);
    // Bandwidth: loopback through the upstream; measure as bundle bytes over the time for one big request is
    // overkill here, so use a conservative 1 GB/s (loopback) and report the byte term separately.
    const bandwidth = 1e9;
    // The go command needs one round trip per graph level for go.mod files, then zips; pack the same, so:
    // With the database on, the last module's lookup and the tile reads after it add about two round trips.
    const trips = depth + 1 + (sumdb === 'on' ? 2 : 0);
    const limit = (trips * LATENCY_MS) / 1000 + bundleBytes / bandwidth;
    const pm = median(packTimes);
    const gm = median(goTimes);
    console.log(`\nGOSUMDB ${sumdb === 'on' ? 'on (both sides verify every module against the checksum database)' : 'off (neither side consults the checksum database)'}`);
    console.log(`graph: ${modules} module versions, ${files} files, bundle ${(bundleBytes / 1e6).toFixed(1)} MB, fixtures ${(fixtureBytes / 1e6).toFixed(1)} MB, depth ${depth}, latency ${LATENCY_MS} ms, pack --concurrency ${CONCURRENCY}`);
    console.log('| run | gobundle pack (s) | go mod download all (s) |');
    console.log('|---|---|---|');
    packTimes.forEach((t, i) => console.log(`| ${i + 1} | ${t.toFixed(2)} | ${goTimes[i]?.toFixed(2)} |`));
    console.log(`median: pack ${pm.toFixed(2)} s, go ${gm.toFixed(2)} s, ratio pack/go = ${(pm / gm).toFixed(3)} (target ≤ 0.2)`);
    console.log(`physical limit ≈ (depth ${depth} + 1${sumdb === 'on' ? ' + 2 for the database' : ''}) × ${LATENCY_MS} ms + ${(bundleBytes / 1e6).toFixed(1)} MB ÷ 1 GB/s = ${limit.toFixed(3)} s; pack/limit = ${(pm / limit).toFixed(1)}×`);
  } finally {
    await upstream.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function bigRss(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gobundle-bench-big-'));
  const modules = 100;
  // Not every generated module is in main's graph: pad for about 70% of them.
  const padBytes = Math.ceil((BIG_MB * 1e6) / (modules * 0.7));
  const graph = generateGraph({ dir: join(work, 'graph'), seed: 7, modules, pathPrefix: 'big.test', padBytes, versionsPerModule: 1 });
  const upstream = await startUpstream({ modules: [graph.modulesDir] });
  try {
    const emptyModCache = join(work, 'empty-gomodcache');
    mkdirSync(emptyModCache, { recursive: true });
    const env = { PATH: process.env.PATH ?? '', HOME: work, GOENV: 'off', GOPROXY: upstream.url, GOSUMDB: 'off', GOVULNDB: 'off', GOFLAGS: '-mod=mod', GOMODCACHE: emptyModCache };
    const r = timed('/usr/bin/time', ['-v', process.execPath, bin, 'pack', graph.mainDir, '-o', join(work, 'big.tgz'), '--unsigned', '--cache-dir', join(work, 'cache'), '--json', '--quiet'], work, env);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
    const summary = JSON.parse(r.stdout) as { bytes: number; files: number; seconds: number };
    console.log(`big graph: bundle ${(summary.bytes / 1e9).toFixed(2)} GB, ${summary.files} files, ${summary.seconds.toFixed(1)} s, peak RSS ${rss === undefined ? '?' : (Number(rss) / 1024).toFixed(0)} MiB (target ≤ 200 MB)`);
  } finally {
    await upstream.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

for (const mode of SUMDB_MODES) await compare(mode);
if (BIG) await bigRss();
