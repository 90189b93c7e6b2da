/**
 * Real performance: `gobundle pack` against `go mod download all` through
 * the mirror, both from cold caches (fresh gobundle cache and empty
 * GOMODCACHE; fresh GOPATH and GOMODCACHE for go), alternated, N runs each,
 * on a small, a medium and the largest corpus project, with the load
 * average before each run (others share the machine: re-run alone with
 * `npm run live -- --perf` for final numbers).
 *
 * Then the physical limit: the mirror's round trip (median of sequential
 * small requests on one connection) and bandwidth (the largest zips of the
 * project fetched 8 at a time), the graph's depth (longest requirement chain
 * from the main module in `go mod graph`), and
 *   limit = (depth + 3) × round trip + bytes ÷ bandwidth
 * (one round trip per graph level for go.mod files, then one each for the
 * zips, the checksum lookups and their tiles).
 */
import { cpSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type CorpusProject, firstProxy, freshDir, gobundle, loadAverage, log, mustSucceed, onlineEnv, run } from './liveEnv.js';
import { type LiveContext, readManifest } from './projectStages.js';
import { projectSource } from './projectSource.js';
import { type StageResult } from './toolchainStage.js';

export const PERF_PROJECTS = { small: 'cobra', medium: 'clientgo', largest: 'golangcilint' } as const;
/** The issue's target on the largest project. */
const TARGET_RATIO = 0.3;

interface Timing {
  run: number;
  first: 'pack' | 'go';
  packSeconds: number;
  goSeconds: number;
  loadBefore: string;
}

async function mirrorRoundTrip(proxy: string, path: string, n: number): Promise<{ firstMs: number; medianMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(`${proxy}/${path}`);
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`perf: ${path}: ${r.status}`);
    times.push(performance.now() - t);
  }
  const rest = times.slice(1).sort((a, b) => a - b);
  return { firstMs: times[0] ?? 0, medianMs: rest[Math.floor(rest.length / 2)] ?? 0 };
}

async function mirrorBandwidth(proxy: string, paths: string[]): Promise<{ bytes: number; seconds: number; bytesPerSecond: number }> {
  const t = performance.now();
  const sizes = await Promise.all(
    paths.map(async (p) => {
      const r = await fetch(`${proxy}/${p}`);
      if (!r.ok) throw new Error(`perf: ${p}: ${r.status}`);
      return (await r.arrayBuffer()).byteLength;
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  const bytes = sizes.reduce((a, b) => a + b, 0);
  return { bytes, seconds, bytesPerSecond: bytes / seconds };
}

/** Longest shortest-path depth from the main module in `go mod graph` (levels of go.mod files a resolver must fetch in sequence). */
function graphDepth(graph: string, main: string): number {
  const edges = new Map<string, string[]>();
  for (const line of graph.trim().split('\n')) {
    const [from = '', to = ''] = line.split(' ');
    if (!edges.has(from)) edges.set(from, []);
    edges.get(from)?.push(to);
  }
  const seen = new Set([main]);
  let frontier = [main];
  let depth = 0;
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const m of edges.get(n) ?? []) {
        if (seen.has(m) || m.startsWith('go@') || m.startsWith('toolchain@')) continue;
        seen.add(m);
        next.push(m);
      }
    }
    if (next.length > 0) depth++;
    frontier = next;
  }
  return depth;
}

function escapePath(p: string): string {
  return p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

export async function perfStage(ctx: LiveContext, projects: CorpusProject[], runs: number, only?: string[]): Promise<StageResult> {
  const lines: string[] = [];
  const data: unknown[] = [];
  const proxy = firstProxy(ctx.goproxy);
  for (const [size, name] of Object.entries(PERF_PROJECTS)) {
    if (only !== undefined && !only.includes(name)) continue;
    const p = projects.find((x) => x.name === name);
    if (p === undefined) throw new Error(`perf: corpus project ${name} is gone from corpus.json`);
    const dir = join(ctx.state, 'perf', name);
    const src = await projectSource(p, ctx.goproxy, join(ctx.state, 'online-modcache'), join(dir, 'src'));
    const timings: Timing[] = [];
    const bundle = join(dir, 'perf.tgz');
    for (let i = 0; i < runs; i++) {
      const first = i % 2 === 0 ? 'pack' : 'go';
      const loadBefore = loadAverage();
      let packSeconds = 0;
      let goSeconds = 0;
      for (const side of first === 'pack' ? ['pack', 'go'] : ['go', 'pack']) {
        if (side === 'pack') {
          const env = onlineEnv(ctx.goproxy, {
            GOPATH: freshDir(join(dir, 'pack-gopath')),
            GOBUNDLE_CACHE: freshDir(join(dir, 'pack-cache')),
          });
          packSeconds = mustSucceed(
            `perf: ${name}: gobundle pack`,
            await gobundle(['pack', src, '-o', bundle, '--sign-key', ctx.signKey, '--no-vulndb', '--quiet'], {
              cwd: src,
              env,
              timeoutMs: 1_800_000,
            }),
          ).seconds;
        } else {
          const gopath = freshDir(join(dir, 'go-gopath'));
          const work = freshDir(join(dir, 'go-src'));
          cpSync(src, work, { recursive: true });
          const env = onlineEnv(ctx.goproxy, { GOPATH: gopath, GOMODCACHE: join(gopath, 'pkg', 'mod'), GOCACHE: join(dir, 'go-gocache') });
          goSeconds = mustSucceed(
            `perf: ${name}: go mod download all`,
            await run('go', ['mod', 'download', 'all'], { cwd: work, env, timeoutMs: 1_800_000 }),
          ).seconds;
        }
      }
      log(`perf: ${name} run ${i + 1}: pack ${packSeconds.toFixed(1)} s, go ${goSeconds.toFixed(1)} s (load ${loadBefore})`);
      timings.push({ run: i + 1, first, packSeconds, goSeconds, loadBefore });
    }
    // The physical limit for this project.
    const manifest = readManifest(bundle);
    const bytes = manifest.files.reduce((a, f) => a + f.size, 0);
    const zips = manifest.files
      .filter((f) => f.name.endsWith('.zip') && !f.name.startsWith('golang.org/toolchain/'))
      .sort((a, b) => b.size - a.size)
      .slice(0, 8)
      .map((f) => f.name);
    const mod = `${escapePath(p.module)}/@v/${p.version}.mod`;
    const rtt = await mirrorRoundTrip(proxy, mod, 21);
    const bw = await mirrorBandwidth(proxy, zips);
    const goEnv = onlineEnv(ctx.goproxy, { GOPATH: join(dir, 'go-gopath'), GOMODCACHE: join(dir, 'go-gopath', 'pkg', 'mod') });
    const graph = mustSucceed(
      `perf: ${name}: go mod graph`,
      await run('go', ['mod', 'graph'], { cwd: join(dir, 'go-src'), env: goEnv, timeoutMs: 600_000 }),
    ).stdout;
    const depth = graphDepth(graph, p.module);
    const limit = ((depth + 3) * rtt.medianMs) / 1000 + bytes / bw.bytesPerSecond;
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const packMed = med(timings.map((t) => t.packSeconds));
    const goMed = med(timings.map((t) => t.goSeconds));
    const ratio = packMed / goMed;
    lines.push(
      `- ${size}: ${p.module}@${p.version} (${manifest.modules.length} module versions, ${(bytes / 1e6).toFixed(1)} MB, graph depth ${depth}): ` +
        timings
          .map(
            (t) =>
              `run ${t.run} (${t.first} first, load ${t.loadBefore}): pack ${t.packSeconds.toFixed(1)} s, go ${t.goSeconds.toFixed(1)} s`,
          )
          .join('; ') +
        `. Median pack ${packMed.toFixed(1)} s / go ${goMed.toFixed(1)} s = ${ratio.toFixed(2)}×${size === 'largest' ? ` (target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'})` : ''}`,
      `  mirror: round trip ${rtt.medianMs.toFixed(0)} ms (median of 20 on one connection; first, with the TLS handshake, ${rtt.firstMs.toFixed(0)} ms), ${(bw.bytesPerSecond / 1e6).toFixed(1)} MB/s (${zips.length} largest zips, ${(bw.bytes / 1e6).toFixed(1)} MB, in parallel); physical limit (${depth} + 3) × ${rtt.medianMs.toFixed(0)} ms + ${(bytes / 1e6).toFixed(1)} MB ÷ ${(bw.bytesPerSecond / 1e6).toFixed(1)} MB/s = ${limit.toFixed(1)} s; pack ${(packMed / limit).toFixed(1)}× the limit`,
    );
    data.push({
      size,
      project: name,
      modules: manifest.modules.length,
      bytes,
      bundleBytes: statSync(bundle).size,
      depth,
      rtt,
      bandwidth: bw,
      limitSeconds: limit,
      timings,
      ratio,
    });
  }
  return { ok: true, lines, data };
}
