/**
 * The pack bench as functions (bench/pack/run.ts is its command line, and
 * bench/all.ts calls it): `gobundle pack` against `go mod download all`
 * (Go 1.23, fresh GOMODCACHE each run) on the same graph, served by the test
 * upstream with a fixed latency per request, runs alternated so both see the
 * same machine load, and nothing removed until every run is timed. Besides
 * the times it reads the upstream's request log (zips downloaded,
 * checksum-database lookups) and pack's phase lines (download and write
 * seconds).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { goBinary, hermeticGoEnv, testCacheDir } from '../../test/support/gotool.js';
import { generateGraph } from '../../test/upstream/generate.js';
import { startUpstream } from '../../test/upstream/server.js';
import { realSourceGraph } from './realSourceGraph.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'gobundle');

export interface PackBenchOptions {
  graph: 'generated' | 'real';
  /** Generated graph only. */
  modules?: number;
  runs: number;
  latencyMs: number;
  concurrency: number;
  sumdb: 'off' | 'on';
  /** pack --speculative-fetch. */
  speculative?: boolean;
  /** Skip `go mod download all` (pack numbers only). */
  packOnly?: boolean;
  log?: (line: string) => void;
}

export interface PackBenchResult {
  graph: string;
  latencyMs: number;
  sumdb: 'off' | 'on';
  speculative: boolean;
  modules: number;
  files: number;
  bundleBytes: number;
  /** Bytes of the .zip files in the bundle. */
  zipBytesWritten: number;
  /** Sum of the sizes of every file the bundle carries (manifest), to compare with bundleBytes. */
  contentBytes: number;
  depth: number;
  packSeconds: number[];
  goSeconds: number[];
  packMedian: number;
  goMedian: number;
  /** (depth + 1 [+ 2 with the database]) × latency + bundle bytes ÷ 1 GB/s. */
  limitSeconds: number;
  /** From the request log of the last pack run. */
  zipsDownloaded: number;
  zipBytesDownloaded: number;
  zipsWritten: number;
  sumdbLookups: number;
  sumdbUniqueLookups: number;
  /** Median seconds of pack's download and write phases (its progress lines). */
  downloadSeconds: number;
  writeSeconds: number;
}

function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { seconds: number; stdout: string; stderr: string } {
  const t0 = performance.now();
  const res = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 3_600_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status}):\n${res.stderr}${res.error ? String(res.error) : ''}`);
  return { seconds, stdout: res.stdout, stderr: res.stderr };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Longest requirement chain from main (in go.mod hops), from the fixtures' go.mod files. */
function graphDepth(modulesDir: string, mainDir: string): number {
  const requires = new Map<string, string[]>();
  const reqRe = /^\s*(?:require\s+)?(\S+)\s+(v\S+)/;
  const parse = (text: string): string[] => {
    const out: string[] = [];
    let inBlock = false;
    for (const line of text.split('\n')) {
      if (/^require\s*\($/.test(line.trim())) {
        inBlock = true;
        continue;
      }
      if (inBlock && line.trim() === ')') {
        inBlock = false;
        continue;
      }
      if (inBlock || line.startsWith('require ')) {
        const m = reqRe.exec(line.replace(/^require\s+/, ''));
        if (m) out.push(`${m[1]}@${m[2]}`);
      }
    }
    return out;
  };
  for (const f of readdirSync(modulesDir)) {
    const text = readFileSync(join(modulesDir, f), 'utf8');
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
  const mainReqs = parse(readFileSync(join(mainDir, 'go.mod'), 'utf8'));
  return Math.max(0, ...mainReqs.map(depth));
}

/** Seconds in a progress line `gobundle: <what> … (1.2s)`. */
function phaseSeconds(stderr: string, what: RegExp): number {
  for (const line of stderr.split('\n')) {
    if (!what.test(line)) continue;
    const m = /\((\d+(?:\.\d+)?)s\)$/.exec(line);
    if (m) return Number(m[1]);
  }
  return NaN;
}

export async function comparePack(opts: PackBenchOptions): Promise<PackBenchResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const work = mkdtempSync(join(tmpdir(), 'gobundle-bench-'));
  const graph =
    opts.graph === 'real'
      ? realSourceGraph({ cacheDir: join(testCacheDir(), 'bench') })
      : generateGraph({ dir: join(work, 'graph'), seed: 2024, modules: opts.modules ?? 300, pathPrefix: 'bench.test' });
  const logFile = join(work, 'requests.jsonl');
  const upstream = await startUpstream({ modules: [graph.modulesDir], logFile });
  const gosumdb = opts.sumdb === 'on' ? upstream.sumdbVerifierKey : 'off';
  try {
    // Warm the upstream (it builds each zip once, on first request) outside the timings.
    {
      const warm = join(work, 'warm');
      mkdirSync(warm, { recursive: true });
      timed(
        process.execPath,
        [bin, 'pack', graph.mainDir, '-o', join(warm, 'b.tgz'), '--unsigned', '--cache-dir', join(warm, 'cache'), '--quiet'],
        warm,
        {
          PATH: process.env.PATH ?? '',
          HOME: warm,
          GOENV: 'off',
          GOPROXY: upstream.url,
          GOSUMDB: 'off',
          GOVULNDB: 'off',
          GOFLAGS: '-mod=mod',
          GOMODCACHE: join(warm, 'empty'),
        },
      );
      rmSync(warm, { recursive: true, force: true });
    }
    await upstream.setFaults({ latencyMs: opts.latencyMs });
    const packTimes: number[] = [];
    const goTimes: number[] = [];
    const downloads: number[] = [];
    const writes: number[] = [];
    let summary = { modules: 0, files: 0, bytes: 0 };
    let requests: { path: string; bytes: number; status: number }[] = [];
    let zipBytesWritten = 0;
    let contentBytes = 0;
    let zipsWritten = 0;
    for (let run = 0; run < opts.runs; run++) {
      const runDir = join(work, `run${run}`);
      mkdirSync(runDir, { recursive: true });
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
      const runPack = async (): Promise<void> => {
        await upstream.resetLog();
        const args = [
          bin,
          'pack',
          graph.mainDir,
          '-o',
          join(runDir, 'b.tgz'),
          '--unsigned',
          '--cache-dir',
          join(runDir, 'cache'),
          '--concurrency',
          String(opts.concurrency),
          '--json',
        ];
        if (opts.speculative === true) args.push('--speculative-fetch');
        const p = timed(process.execPath, args, runDir, packEnv);
        summary = JSON.parse(p.stdout) as typeof summary;
        packTimes.push(p.seconds);
        downloads.push(phaseSeconds(p.stderr, /^gobundle: fetched /));
        writes.push(phaseSeconds(p.stderr, /^gobundle: wrote /));
        requests = await upstream.requestLog();
        const manifest = spawnSync('tar', ['-xzOf', join(runDir, 'b.tgz'), 'gobundle/manifest.json'], {
          encoding: 'utf8',
          maxBuffer: 256 << 20,
        }).stdout;
        const all = (JSON.parse(manifest) as { files: { name: string; size: number }[] }).files;
        contentBytes = all.reduce((n, f) => n + f.size, 0);
        const files = all.filter((f) => f.name.endsWith('.zip'));
        zipsWritten = files.length;
        zipBytesWritten = files.reduce((n, f) => n + f.size, 0);
      };
      const runGo = (): void => {
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
      };
      // Alternated: pack first on even runs, go first on odd ones, so neither always runs on the other's leftovers.
      if (opts.packOnly === true) await runPack();
      else if (run % 2 === 0) {
        await runPack();
        runGo();
      } else {
        runGo();
        await runPack();
      }
      // The run's trees stay until every run is timed: the go command's module cache is thousands of
      // files (read-only ones too), and removing it between runs (on this machine's ext4, mounted with
      // discard) slowed whichever run came next: go mod download all took 0.44-0.47 s run after run
      // when nothing was removed in between, and crept from 0.55 to 0.71 s when the last tree was.
      log(
        `${opts.graph} graph, ${opts.latencyMs} ms, GOSUMDB ${opts.sumdb}${opts.speculative ? ', speculative' : ''}, run ${run + 1}/${opts.runs}: pack ${packTimes[run]?.toFixed(2)} s${goTimes[run] === undefined ? '' : `, go ${goTimes[run]?.toFixed(2)} s`}`,
      );
    }
    const zipReqs = requests.filter((r) => r.path.endsWith('.zip') && r.status === 200);
    const lookups = requests.filter((r) => r.path.includes('/lookup/'));
    const depth = graphDepth(graph.modulesDir, graph.mainDir);
    const trips = depth + 1 + (opts.sumdb === 'on' ? 2 : 0);
    return {
      graph: opts.graph === 'real' ? `real-source (${graph.moduleVersions} fixtures)` : `generated (${opts.modules ?? 300} modules)`,
      latencyMs: opts.latencyMs,
      sumdb: opts.sumdb,
      speculative: opts.speculative === true,
      modules: summary.modules,
      files: summary.files,
      bundleBytes: summary.bytes,
      zipBytesWritten,
      contentBytes,
      depth,
      packSeconds: packTimes,
      goSeconds: goTimes,
      packMedian: median(packTimes),
      goMedian: goTimes.length > 0 ? median(goTimes) : NaN,
      limitSeconds: (trips * opts.latencyMs) / 1000 + summary.bytes / 1e9,
      zipsDownloaded: zipReqs.length,
      zipBytesDownloaded: zipReqs.reduce((n, r) => n + r.bytes, 0),
      zipsWritten,
      sumdbLookups: lookups.length,
      sumdbUniqueLookups: new Set(lookups.map((r) => r.path)).size,
      downloadSeconds: median(downloads),
      writeSeconds: median(writes),
    };
  } finally {
    await upstream.stop();
    spawnSync('chmod', ['-R', 'u+w', work]);
    rmSync(work, { recursive: true, force: true });
    // Let the removal reach the disk before whatever is measured next.
    spawnSync('sync');
  }
}

export function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

export interface BigPackResult {
  bundleBytes: number;
  files: number;
  seconds: number;
  peakRssMiB: number;
}

/** Pack a generated graph padded to about `mb` MB under /usr/bin/time -v: gobundle's peak RSS. */
export async function bigPackRss(mb: number): Promise<BigPackResult> {
  const work = mkdtempSync(join(tmpdir(), 'gobundle-bench-big-'));
  const modules = 100;
  // Not every generated module is in main's graph: pad for about 70% of them.
  const padBytes = Math.ceil((mb * 1e6) / (modules * 0.7));
  const graph = generateGraph({ dir: join(work, 'graph'), seed: 7, modules, pathPrefix: 'big.test', padBytes, versionsPerModule: 1 });
  const upstream = await startUpstream({ modules: [graph.modulesDir] });
  try {
    const emptyModCache = join(work, 'empty-gomodcache');
    mkdirSync(emptyModCache, { recursive: true });
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: work,
      GOENV: 'off',
      GOPROXY: upstream.url,
      GOSUMDB: 'off',
      GOVULNDB: 'off',
      GOFLAGS: '-mod=mod',
      GOMODCACHE: emptyModCache,
    };
    const r = timed(
      '/usr/bin/time',
      [
        '-v',
        process.execPath,
        bin,
        'pack',
        graph.mainDir,
        '-o',
        join(work, 'big.tgz'),
        '--unsigned',
        '--cache-dir',
        join(work, 'cache'),
        '--json',
        '--quiet',
      ],
      work,
      env,
    );
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
    const summary = JSON.parse(r.stdout) as { bytes: number; files: number; seconds: number };
    return {
      bundleBytes: summary.bytes,
      files: summary.files,
      seconds: summary.seconds,
      peakRssMiB: rss === undefined ? NaN : Number(rss) / 1024,
    };
  } finally {
    await upstream.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Issue 20's targets for pack / go mod download all: on the generated graph
 * 1.0 at 0 ms and 0.15 at 20 ms, on the real-source graph 0.4 at 0 ms, and
 * never slower than the go command at any latency.
 */
export function packTarget(r: PackBenchResult): number {
  if (r.graph.startsWith('real')) return r.latencyMs === 0 ? 0.4 : 1;
  return r.latencyMs === 20 ? 0.15 : 1;
}
