/**
 * bench/sumdb: what the checksum-database replay costs in a bundle at the
 * database's real scale. The test upstream starts with --records synthetic
 * records (tiles on three levels at 1,000,000, as sum.golang.org has on
 * four), a generated graph of each --modules size is packed (week 1), the
 * database grows by --growth records, and the same graph is packed again
 * three ways: from a fresh cache (no consistency proof), from week 1's
 * cache (proof against the recorded head) and with --previous week 1 (proof
 * plus week 1's records provable in the new tree, for layered serving).
 * Prints, per size, the replay's bytes (lookups, tiles) and what the proof
 * and the layering add, uncompressed and as .tgz bytes.
 *
 *   npx vite-node bench/sumdb/run.ts [--records 1000000] [--growth 10000] [--modules 100,1000]
 *
 * The fixture modules a pack looks up are appended to the test database
 * together, so their records sit side by side and share tiles; on
 * sum.golang.org a project's modules were published years apart and their
 * records are scattered over the whole log. The first table therefore runs
 * the same client pack uses (verifyModules over HTTP) on --modules synthetic
 * records at seeded random ids across the tree — the real-world estimate —
 * and the second packs generated graphs end to end.
 *
 * Needs `npm run build`. Not a timing benchmark: sizes are deterministic
 * for a given --records, --growth and seed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HttpTransport } from '../../src/network/httpTransport.js';
import { type VerifiedSumdb, verifyModules } from '../../src/sumdb/client.js';
import { sumdbFetchOps } from '../../src/sumdb/fetchOps.js';
import { hermeticGoEnv } from '../../test/support/gotool.js';
import { generateGraph } from '../../test/upstream/generate.js';
import { startUpstream } from '../../test/upstream/server.js';
import { type ModuleVersion } from '../../src/gomod/moduleVersion.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'gobundle');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const RECORDS = Number(arg('records', '1000000'));
const GROWTH = Number(arg('growth', '10000'));
const SIZES = arg('modules', '100,1000').split(',').map(Number);
for (const n of [RECORDS, GROWTH, ...SIZES]) if (!Number.isInteger(n) || n < 0) throw new Error(`not a whole number: ${n}`);

interface Manifest {
  modules: unknown[];
  sumdb: { treeSize: number; consistentWith?: { treeSize: number }[] } | null;
  files: { name: string; size: number }[];
}

function pack(args: string[], env: NodeJS.ProcessEnv, cwd: string): void {
  const r = spawnSync(process.execPath, [bin, 'pack', ...args, '--unsigned', '--quiet'], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 3_600_000,
  });
  if (r.status !== 0) throw new Error(`gobundle pack ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
}

function manifestOf(bundle: string): Manifest {
  const r = spawnSync('tar', ['xzf', bundle, '-O', 'gobundle/manifest.json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
  return JSON.parse(r.stdout) as Manifest;
}

interface Sizes {
  modules: number;
  tree: number;
  lookups: number;
  lookupBytes: number;
  tiles: number;
  tileBytes: number;
  tgz: number;
}

function sizesOf(bundle: string): Sizes {
  const m = manifestOf(bundle);
  const sum = (pred: (n: string) => boolean): [number, number] => {
    const fs = m.files.filter((f) => pred(f.name));
    return [fs.length, fs.reduce((n, f) => n + f.size, 0)];
  };
  const [lookups, lookupBytes] = sum((n) => n.startsWith('sumdb/') && n.includes('/lookup/'));
  const [tiles, tileBytes] = sum((n) => n.startsWith('sumdb/') && n.includes('/tile/'));
  return { modules: m.modules.length, tree: m.sumdb?.treeSize ?? 0, lookups, lookupBytes, tiles, tileBytes, tgz: statSync(bundle).size };
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

/** Seeded ids spread over [0, n): records of modules published at different times. */
function scatteredIds(count: number, n: number, seed: number): number[] {
  let x = seed >>> 0;
  const ids = new Set<number>();
  while (ids.size < Math.min(count, n)) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x297a2d39) >>> 0;
    ids.add(x % n);
  }
  return [...ids];
}

const synthetic = (id: number): ModuleVersion => ({ path: `example.com/synthetic/m${id}`, version: 'v1.0.0' });

function tileBytes(v: VerifiedSumdb): [number, number] {
  return [v.tiles.size, [...v.tiles.values()].reduce((n, t) => n + t.length, 0)];
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gobundle-bench-sumdb-'));
  const load0 = loadavg()[0]?.toFixed(2);
  const graphs = SIZES.map((n) => ({
    n,
    g: generateGraph({ dir: join(work, `graph-${n}`), seed: 11, modules: n, pathPrefix: `gen.test/tiles${n}` }),
  }));
  const upstream = await startUpstream({ modules: graphs.map((x) => x.g.modulesDir), sumdbPrefill: RECORDS });
  const rows: string[] = [];
  const scattered: string[] = [];
  const transport = new HttpTransport({ concurrency: 16, connectionsPerOrigin: 16 });
  try {
    const ops = sumdbFetchOps(transport, `${upstream.url}/sumdb/${upstream.sumdbName}`);
    for (const [i, k] of SIZES.entries()) {
      const n1 = await upstream.sumdbTreeSize();
      const week1 = await verifyModules(ops, upstream.sumdbVerifierKey, scatteredIds(k, n1, 2 * i + 1).map(synthetic));
      const n2 = await upstream.growSumdb(GROWTH);
      const mods2 = scatteredIds(k, n2, 2 * i + 2).map(synthetic);
      const older = [{ tree: week1.tree, from: 'week 1' }];
      const fresh = await verifyModules(ops, upstream.sumdbVerifierKey, mods2);
      const proven = await verifyModules(ops, upstream.sumdbVerifierKey, mods2, { olderTrees: older });
      const layered = await verifyModules(
        ops,
        upstream.sumdbVerifierKey,
        [...mods2, ...[...week1.records.keys()].map((key) => ({ path: key.slice(0, key.indexOf('@')), version: 'v1.0.0' }))],
        { olderTrees: older },
      );
      const [t1, b1] = tileBytes(week1);
      const [tf, bf] = tileBytes(fresh);
      const [tp, bp] = tileBytes(proven);
      const [tl, bl] = tileBytes(layered);
      scattered.push(
        `| ${k} | tree#${week1.tree.n} → tree#${fresh.tree.n} | ${t1} tiles, ${kib(b1)} | ${tf} tiles, ${kib(bf)} | +${tp - tf} tiles, +${kib(bp - bf)} | +${tl - tf} tiles, +${kib(bl - bf)} |`,
      );
    }
    for (const { n, g } of graphs) {
      const env = (cache: string): NodeJS.ProcessEnv =>
        hermeticGoEnv({ GOPROXY: upstream.url, GOSUMDB: upstream.sumdbVerifierKey, HOME: work, GOBUNDLE_CACHE: join(work, cache) });
      const week1 = join(work, `week1-${n}.tgz`);
      pack([g.mainDir, '-o', week1], env(`cache-${n}`), work);
      await upstream.growSumdb(GROWTH);
      const fresh = join(work, `week2-fresh-${n}.tgz`);
      const proven = join(work, `week2-proven-${n}.tgz`);
      const layered = join(work, `week2-layered-${n}.tgz`);
      pack([g.mainDir, '-o', fresh], env(`fresh-${n}`), work);
      pack([g.mainDir, '-o', proven], env(`cache-${n}`), work);
      pack([g.mainDir, '-o', layered, '--previous', week1], env(`layered-${n}`), work);
      const [w1, f, p, l] = [week1, fresh, proven, layered].map(sizesOf) as [Sizes, Sizes, Sizes, Sizes];
      rows.push(
        `| ${f.modules} | tree#${w1.tree} → tree#${f.tree} | ${f.lookups} lookups ${kib(f.lookupBytes)}, ${f.tiles} tiles ${kib(f.tileBytes)} | ` +
          `+${p.tiles - f.tiles} tiles, +${kib(p.tileBytes - f.tileBytes)} (.tgz +${kib(p.tgz - f.tgz)}) | ` +
          `+${l.tiles - f.tiles} tiles, +${kib(l.tileBytes - f.tileBytes)} (.tgz +${kib(l.tgz - f.tgz)}) | ${kib(f.tgz)} |`,
      );
      console.error(`done: ${n} modules`);
    }
  } finally {
    await transport.close();
    await upstream.stop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(
    `\nchecksum database of ${RECORDS} prefilled records, grown by ${GROWTH} between week 1 and week 2; load average ${load0} -> ${loadavg()[0]?.toFixed(2)}\n`,
  );
  console.log('records scattered over the log (as on sum.golang.org), tiles a replay carries:\n');
  console.log(
    "| module versions | trees (week 1 → week 2) | week 1 | week 2 without proof | consistency proof adds | week 1's records too (layered) add |",
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of scattered) console.log(r);
  console.log('\ngenerated graphs packed end to end (their records side by side at the end of the log):\n');
  console.log(
    '| module versions | trees (week 1 → week 2) | replay without proof (week 2) | consistency proof adds (from the pack cache) | --previous week 1 adds (layered) | week 2 .tgz without proof |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

await main();
