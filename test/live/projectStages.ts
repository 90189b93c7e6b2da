/**
 * One corpus project through every stage of `npm run live`:
 *
 * 1. its source from its module zip (go.mod/go.sum checked against the corpus);
 * 2. the oracle, Go itself through the mirror: `go mod download -json all`
 *    from a cold module cache (timed), `go list -m all`, `go mod tidy`;
 * 3. `gobundle plan` must print exactly what `go list -m all` printed;
 * 4. `gobundle pack` (cold gobundle cache, empty GOMODCACHE, real checksum
 *    database), every module's zip and go.mod h1 compared with go's;
 * 5. offline in a network namespace: serve, then the exported file:// tree;
 * 6. `gobundle sbom` (licences) and, with vulnerability data, `gobundle audit`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runOffline } from './airGap.js';
import { detectFeatures, parseBuildList } from './features.js';
import { type CorpusProject, corpusFiles, firstProxy, freshDir, gobundle, log, mustSucceed, onlineEnv, run, tail } from './liveEnv.js';
import { type OfflineGroup, type OfflineResult, type OfflineStep, type StepResult } from './offlineClient.js';
import { parseDownloadJson, projectSource } from './projectSource.js';

export interface LiveContext {
  goproxy: string;
  state: string;
  signKey: string;
  trust: string;
  /** file:// URL of the v1 vulnerability database built from golang.org/x/vulndb, or undefined for --no-vulndb. */
  vulndb: string | undefined;
  offline: boolean;
}

export interface LicenceCount {
  withFile: number;
  named: number;
  unnamed: { module: string; file: string }[];
}

export interface ProjectRow {
  name: string;
  module: string;
  version: string;
  buildList: number;
  features: string[];
  planMatches: boolean;
  hashes: { compared: number; mismatched: string[] };
  bundleBytes: number;
  packSeconds: number;
  goDownloadSeconds: number;
  offline?: { airGap: string; passed: number; total: number; failures: string[]; failOnlineToo: number };
  licences: LicenceCount;
  audit?: { path: string; version: string; id: string }[];
  problems: string[];
}

export function bundlePath(ctx: LiveContext, name: string): string {
  return join(ctx.state, 'bundles', `${name}.tgz`);
}

export function readManifest(bundle: string): {
  modules: { path: string; version: string; zipH1?: string; modH1?: string }[];
  sumdb?: { name: string; treeSize: number; consistentWith?: { treeSize: number }[] };
  files: { name: string; size: number }[];
} {
  return JSON.parse(execFileSync('tar', ['-xzOf', bundle, 'gobundle/manifest.json'], { maxBuffer: 1 << 30 }).toString('utf8'));
}

/** The offline steps every project must pass, in the order a developer runs them. */
export function offlineSteps(expectGoMod: string, expectGoSum: string | null): OfflineStep[] {
  return [
    { name: 'go mod download all', args: ['mod', 'download', 'all'] },
    { name: 'go build ./...', args: ['build', './...'] },
    { name: 'go vet ./...', args: ['vet', './...'] },
    { name: "go test -run '^$' ./...", args: ['test', '-count=1', '-run', '^$', './...'] },
    { name: 'go mod verify', args: ['mod', 'verify'] },
    { name: 'go mod tidy (unchanged)', args: ['mod', 'tidy'], expectGoMod, expectGoSum },
  ];
}

export function countLicences(sbomPath: string): LicenceCount {
  const doc = JSON.parse(readFileSync(sbomPath, 'utf8')) as {
    components?: { name: string; version: string; licenses?: unknown[] | null; properties?: { name: string; value: string }[] }[];
  };
  const out: LicenceCount = { withFile: 0, named: 0, unnamed: [] };
  for (const c of doc.components ?? []) {
    const files = (c.properties ?? []).filter((p) => p.name === 'gobundle:licenseFile');
    if (files.length === 0) continue;
    out.withFile++;
    if (c.licenses != null && c.licenses.length > 0) out.named++;
    else out.unnamed.push({ module: `${c.name}@${c.version}`, file: files.map((f) => f.value).join(', ') });
  }
  return out;
}

/** `gobundle sbom` of the project's bundle: which licence files it names. */
export async function sbomLicences(ctx: LiveContext, name: string): Promise<LicenceCount> {
  const work = join(ctx.state, 'work', name);
  const sbomPath = join(work, 'sbom.cdx.json');
  mustSucceed(
    `${name}: gobundle sbom`,
    await gobundle(['sbom', bundlePath(ctx, name), '--trust', ctx.trust, '-o', sbomPath], {
      cwd: work,
      env: process.env,
      timeoutMs: 600_000,
    }),
  );
  return countLicences(sbomPath);
}

/** Run a failed offline step again online (the same go command through the mirror) to tell the project's own failures from gobundle's. */
async function onlineControl(
  ctx: LiveContext,
  src: string,
  work: string,
  step: StepResult,
  steps: OfflineStep[],
  modCache: string,
): Promise<string> {
  const s = steps.find((x) => x.name === step.name);
  if (s === undefined) return step.detail;
  const dir = freshDir(join(work, 'control'));
  cpSync(src, dir, { recursive: true });
  const r = await run('go', s.args, {
    cwd: dir,
    env: onlineEnv(ctx.goproxy, { GOMODCACHE: modCache, GOPATH: join(work, 'gopath'), GOCACHE: join(ctx.state, 'gocache-online') }),
    timeoutMs: 1_800_000,
  });
  return r.status === 0
    ? `${step.detail} [passes online: a gobundle problem]`
    : `${step.detail} [fails online too (exit ${r.status}): the project's own]`;
}

export async function checkProject(p: CorpusProject, ctx: LiveContext): Promise<ProjectRow> {
  const work = join(ctx.state, 'work', p.name);
  const problems: string[] = [];
  const src = await projectSource(p, ctx.goproxy, join(ctx.state, 'online-modcache'), join(work, 'src'));
  const { goMod, goSum } = corpusFiles(p.name);

  // The oracle: the go command itself, through the mirror, cold.
  const gopath = freshDir(join(work, 'gopath'));
  const modCache = join(gopath, 'pkg', 'mod');
  const goEnv = onlineEnv(ctx.goproxy, { GOPATH: gopath, GOMODCACHE: modCache, GOCACHE: join(ctx.state, 'gocache-online') });
  const oracleDir = freshDir(join(work, 'oracle'));
  cpSync(src, oracleDir, { recursive: true });
  log(`${p.name}: go mod download -json all (cold)`);
  const dl = mustSucceed(
    `${p.name}: go mod download -json all`,
    await run('go', ['mod', 'download', '-json', 'all'], { cwd: oracleDir, env: goEnv, timeoutMs: 1_800_000 }),
  );
  const downloaded = parseDownloadJson(dl.stdout);
  const failed = downloaded.filter((m) => m.Error !== undefined);
  if (failed.length > 0)
    throw new Error(
      `${p.name}: the mirror cannot serve it completely: ${failed.map((m) => `${m.Path}@${m.Version}: ${m.Error}`).join('; ')}`,
    );
  const list = mustSucceed(
    `${p.name}: go list -m all`,
    await run('go', ['list', '-m', 'all'], { cwd: oracleDir, env: goEnv, timeoutMs: 600_000 }),
  );
  const tidyDir = freshDir(join(work, 'tidy'));
  cpSync(src, tidyDir, { recursive: true });
  mustSucceed(`${p.name}: go mod tidy`, await run('go', ['mod', 'tidy'], { cwd: tidyDir, env: goEnv, timeoutMs: 1_800_000 }));
  const tidyGoSum = existsSync(join(tidyDir, 'go.sum')) ? join(tidyDir, 'go.sum') : null;
  if (
    !readFileSync(join(tidyDir, 'go.mod')).equals(goMod) ||
    (tidyGoSum !== null && goSum !== undefined && !readFileSync(tidyGoSum).equals(goSum))
  ) {
    problems.push('online, go mod tidy changes go.mod or go.sum: offline tidy is compared with that result');
  }
  const buildList = parseBuildList(list.stdout);
  const features = detectFeatures(goMod.toString('utf8'), goSum, list.stdout);
  for (const f of p.features) if (!features.includes(f)) problems.push(`corpus.json claims "${f}", not detected`);

  // gobundle plan: byte for byte what go list -m all printed.
  const planEnv = onlineEnv(ctx.goproxy, {
    GOPATH: freshDir(join(work, 'plan-gopath')),
    GOBUNDLE_CACHE: freshDir(join(work, 'plan-cache')),
  });
  const plan = mustSucceed(`${p.name}: gobundle plan`, await gobundle(['plan', src], { cwd: src, env: planEnv, timeoutMs: 1_800_000 }));
  const planMatches = plan.stdout === list.stdout;
  if (!planMatches) problems.push(`gobundle plan differs from go list -m all:\n${lineDiff(list.stdout, plan.stdout)}`);

  // gobundle pack: cold cache, nothing to reuse in GOMODCACHE.
  const bundle = bundlePath(ctx, p.name);
  const packEnv = onlineEnv(ctx.goproxy, {
    GOPATH: freshDir(join(work, 'pack-gopath')),
    GOBUNDLE_CACHE: freshDir(join(work, 'pack-cache')),
  });
  log(`${p.name}: gobundle pack`);
  const vulnArgs = ctx.vulndb !== undefined ? ['--vulndb', ctx.vulndb] : ['--no-vulndb'];
  const pack = mustSucceed(
    `${p.name}: gobundle pack`,
    await gobundle(['pack', src, '-o', bundle, '--sign-key', ctx.signKey, '--quiet', ...vulnArgs], {
      cwd: src,
      env: packEnv,
      timeoutMs: 1_800_000,
    }),
  );
  const manifest = readManifest(bundle);
  const byKey = new Map(manifest.modules.map((m) => [`${m.path}@${m.version}`, m]));
  const mismatched: string[] = [];
  let compared = 0;
  for (const d of downloaded) {
    if (d.Path === undefined || d.Sum === undefined) continue;
    const m = byKey.get(`${d.Path}@${d.Version}`);
    compared++;
    if (m === undefined) mismatched.push(`${d.Path}@${d.Version}: not in the bundle`);
    else if (m.zipH1 !== d.Sum || m.modH1 !== d.GoModSum)
      mismatched.push(`${d.Path}@${d.Version}: bundle ${m.zipH1} ${m.modH1}, go ${d.Sum} ${d.GoModSum}`);
  }
  if (compared !== buildList.filter((l) => !l.version.startsWith('=>') && l.version !== '').length) {
    problems.push(`go mod download -json all named ${compared} modules with hashes, go list -m all ${buildList.length}`);
  }
  // go.mod-only versions: their go.mod h1 against the project's go.sum where it has the line.
  const sumLines = new Set((goSum?.toString('utf8') ?? '').split('\n'));
  for (const m of manifest.modules) {
    if (m.zipH1 === undefined && m.modH1 !== undefined) {
      const line = `${m.path} ${m.version}/go.mod ${m.modH1}`;
      const other = [...sumLines].find((l) => l.startsWith(`${m.path} ${m.version}/go.mod `));
      if (other !== undefined && other !== line) mismatched.push(`${m.path}@${m.version}/go.mod: bundle ${m.modH1}, go.sum ${other}`);
    }
  }
  if (mismatched.length > 0) problems.push(`h1 mismatches: ${mismatched.slice(0, 5).join('; ')}`);

  let offline: ProjectRow['offline'];
  if (ctx.offline) {
    const exportDir = join(work, 'export');
    freshDir(exportDir);
    mustSucceed(
      `${p.name}: gobundle export`,
      await gobundle(
        ['export', bundle, '--trust', ctx.trust, '--to', join(exportDir, 'tree'), '--cache-dir', join(ctx.state, 'export-cache')],
        {
          cwd: work,
          env: { PATH: process.env.PATH, HOME: process.env.HOME },
          timeoutMs: 1_800_000,
        },
      ),
    );
    const steps = offlineSteps(join(tidyDir, 'go.mod'), tidyGoSum);
    const group = (label: string, source: OfflineGroup['source']): OfflineGroup => ({
      label,
      source,
      srcDir: src,
      // One directory for both groups: the second compiles the project's own packages from GOCACHE.
      workDir: join(work, 'offline-work'),
      gopath: join(work, `offline-${label}-gopath`),
      modCache: join(work, `offline-${label}-gopath`, 'pkg', 'mod'),
      goCache: join(ctx.state, 'gocache-offline'),
      steps,
    });
    log(`${p.name}: offline (serve, then the exported file:// tree)`);
    const res: OfflineResult = await runOffline(
      {
        outsideUrl: firstProxy(ctx.goproxy),
        serveCache: join(ctx.state, 'serve-cache'),
        groups: [
          group('serve', { kind: 'serve', bundles: [bundle], trust: ctx.trust }),
          group('file', { kind: 'file', dir: join(exportDir, 'tree') }),
        ],
      },
      join(work, 'offline-spec.json'),
    );
    const all = res.groups.flatMap((g) => g.steps.map((s) => ({ ...s, name: `${g.label}: ${s.name}` })));
    const failures: string[] = [];
    let failOnlineToo = 0;
    for (const g of res.groups) {
      for (const s of g.steps) {
        if (s.ok) continue;
        const verdict = await onlineControl(ctx, src, work, s, steps, modCache);
        if (verdict.endsWith("the project's own]")) failOnlineToo++;
        failures.push(`${g.label}: ${s.name}: ${verdict}`);
      }
    }
    offline = { airGap: res.airGap, passed: all.filter((s) => s.ok).length, total: all.length, failures, failOnlineToo };
  }

  const sbomPath = join(work, 'sbom.cdx.json');
  mustSucceed(
    `${p.name}: gobundle sbom`,
    await gobundle(['sbom', bundle, '--trust', ctx.trust, '-o', sbomPath], { cwd: work, env: process.env, timeoutMs: 600_000 }),
  );
  const licences = countLicences(sbomPath);

  let audit: ProjectRow['audit'];
  if (ctx.vulndb !== undefined) {
    const a = await gobundle(['audit', bundle, '--trust', ctx.trust, '--json'], { cwd: work, env: process.env, timeoutMs: 600_000 });
    if (a.status !== 0 && a.status !== 1) throw new Error(`${p.name}: gobundle audit failed (exit ${a.status}): ${tail(a.stderr, 10)}`);
    audit = (JSON.parse(a.stdout) as { findings: { path: string; version: string; id: string }[] }).findings.map((f) => ({
      path: f.path,
      version: f.version,
      id: f.id,
    }));
  }

  return {
    name: p.name,
    module: p.module,
    version: p.version,
    buildList: buildList.length + 1,
    features,
    planMatches,
    hashes: { compared, mismatched },
    bundleBytes: statSync(bundle).size,
    packSeconds: pack.seconds,
    goDownloadSeconds: dl.seconds,
    ...(offline !== undefined ? { offline } : {}),
    licences,
    ...(audit !== undefined ? { audit } : {}),
    problems,
  };
}

/** The first differing lines of two texts, for a readable failure. */
function lineDiff(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 10; i++) {
    if (a[i] !== b[i]) out.push(`line ${i + 1}: go ${JSON.stringify(a[i] ?? '')}, gobundle ${JSON.stringify(b[i] ?? '')}`);
  }
  return out.join('\n');
}
