/**
 * bench/pack: `gobundle pack` against `go mod download all` (Go 1.23, fresh
 * GOMODCACHE each run) on the same graph, served by the test upstream with
 * a fixed latency per request (bench/pack/packBench.ts does the work; npm
 * run bench calls it too). Prints each time, the ratio, the physical limit
 * (graph depth × latency + bytes ÷ bandwidth), the ratio to it, zips
 * downloaded against zips written and checksum-database lookups.
 *
 *   npx vite-node bench/pack/run.ts [--modules 300] [--runs 3] [--latency 20] [--concurrency 64]
 *                                   [--sumdb off|on|both] [--real] [--speculative] [--big] [--big-mb 1100]
 *
 * --sumdb says whether both sides verify against the upstream's checksum
 * database (default both: one table each). --real uses the real-source
 * graph (bench/pack/realSourceGraph.ts) instead of the generated one.
 * --speculative passes pack --speculative-fetch.
 *
 * --big also packs a graph padded to ≥ 1 GB under /usr/bin/time -v and
 * prints gobundle's peak RSS (slow: minutes). Needs `npm run build`.
 */
import { bigPackRss, comparePack, packTarget } from './packBench.js';
import { DEFAULT_CONCURRENCY } from '../../src/concurrency/semaphore.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v)) throw new Error(`--${name}: not a number`);
  return v;
}

const MODULES = flag('modules', 300);
const CONCURRENCY = flag('concurrency', DEFAULT_CONCURRENCY);
const RUNS = flag('runs', 3);
const LATENCY_MS = flag('latency', 20);
const BIG = process.argv.includes('--big');
const BIG_MB = flag('big-mb', 1100);
const REAL = process.argv.includes('--real');
const SPECULATIVE = process.argv.includes('--speculative');
const SUMDB_MODES = ((): ('off' | 'on')[] => {
  const i = process.argv.indexOf('--sumdb');
  const v = i >= 0 ? process.argv[i + 1] : 'both';
  if (v === 'both') return ['off', 'on'];
  if (v === 'on' || v === 'off') return [v];
  throw new Error('--sumdb: want off, on or both');
})();

for (const sumdb of SUMDB_MODES) {
  const r = await comparePack({
    graph: REAL ? 'real' : 'generated',
    modules: MODULES,
    runs: RUNS,
    latencyMs: LATENCY_MS,
    concurrency: CONCURRENCY,
    sumdb,
    speculative: SPECULATIVE,
  });
  console.log(
    `\nGOSUMDB ${sumdb === 'on' ? 'on (both sides verify every module against the checksum database)' : 'off (neither side consults the checksum database)'}`,
  );
  console.log(
    `graph: ${r.graph}, ${r.modules} module versions, ${r.files} files, bundle ${(r.bundleBytes / 1e6).toFixed(1)} MB, depth ${r.depth}, latency ${LATENCY_MS} ms, pack --concurrency ${CONCURRENCY}${SPECULATIVE ? ' --speculative-fetch' : ''}`,
  );
  console.log('| run | gobundle pack (s) | go mod download all (s) |');
  console.log('|---|---|---|');
  r.packSeconds.forEach((t, i) => console.log(`| ${i + 1} | ${t.toFixed(2)} | ${r.goSeconds[i]?.toFixed(2)} |`));
  console.log(
    `median: pack ${r.packMedian.toFixed(2)} s (download phase ${r.downloadSeconds} s, write phase ${r.writeSeconds} s), go ${r.goMedian.toFixed(2)} s, ratio pack/go = ${(r.packMedian / r.goMedian).toFixed(3)} (target ≤ ${packTarget(r)})`,
  );
  console.log(
    `physical limit ≈ (depth ${r.depth} + 1${sumdb === 'on' ? ' + 2 for the database' : ''}) × ${LATENCY_MS} ms + ${(r.bundleBytes / 1e6).toFixed(1)} MB ÷ 1 GB/s = ${r.limitSeconds.toFixed(3)} s; pack/limit = ${(r.packMedian / r.limitSeconds).toFixed(1)}×`,
  );
  console.log(
    `zips downloaded / written: ${r.zipsDownloaded} / ${r.zipsWritten} (${(r.zipBytesDownloaded / 1e6).toFixed(1)} MB / ${(r.zipBytesWritten / 1e6).toFixed(1)} MB); checksum-database lookups ${r.sumdbLookups} (${r.sumdbUniqueLookups} distinct) for ${r.modules} module versions`,
  );
}
if (BIG) {
  const big = await bigPackRss(BIG_MB);
  console.log(
    `big graph: bundle ${(big.bundleBytes / 1e9).toFixed(2)} GB, ${big.files} files, ${big.seconds.toFixed(1)} s, peak RSS ${big.peakRssMiB.toFixed(0)} MiB (target ≤ 200 MB)`,
  );
}
