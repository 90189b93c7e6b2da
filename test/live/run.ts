/**
 * `npm run live`: gobundle against the real Go ecosystem — the machine's
 * module mirror (its GOPROXY) and the real checksum database — on the corpus
 * in test/live/corpus.json. Not part of `npm test`.
 *
 *   npm run live                        everything below, in order
 *   npm run live -- --corpus            the corpus table only
 *   npm run live -- --only cobra,gin    those projects (the corpus stage; with --vuln or --sbom, that stage)
 *   npm run live -- --no-offline        skip the network-namespace checks
 *   npm run live -- --sbom              only the licence column again, from the bundles already packed
 *   npm run live -- --toolchain         pack --toolchain go1.27.3, switched to offline
 *   npm run live -- --vuln              govulncheck v1.9.0 against gobundle audit
 *   npm run live -- --week1 | --week2   the second week (week 2 an hour or more after week 1)
 *   npm run live -- --perf [--runs N]   pack against go mod download all, cold, alternated
 *   --state-dir DIR                     bundles, caches, earlier results (default node_modules/.cache/gobundle-live)
 *
 * Needs root (unshare -n), the go command on PATH and `npm run build`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildVulnDb } from '../support/vulnDbFromModule.js';
import { firstProxy, gobundle, loadAverage, log, machineGoproxy, mustSucceed, onlineEnv, readCorpus, run, stateDir } from './liveEnv.js';
import { type LiveContext, bundlePath, checkProject, sbomLicences } from './projectStages.js';
import { type Section, readResults, renderTable, saveRow, saveSection, writeResults } from './report.js';
import { toolchainStage } from './toolchainStage.js';
import { vulnStage } from './vulnStage.js';
import { weekStage } from './weekStage.js';
import { perfStage } from './perfStage.js';

/** The x/vulndb version the mirror serves (its data/osv entries are the vulnerability data). */
export const VULNDB_VERSION = 'v0.0.0-20261105234957-e22db6528018';

const { values } = parseArgs({
  options: {
    corpus: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-offline': { type: 'boolean', default: false },
    toolchain: { type: 'boolean', default: false },
    vuln: { type: 'boolean', default: false },
    week1: { type: 'boolean', default: false },
    week2: { type: 'boolean', default: false },
    perf: { type: 'boolean', default: false },
    sbom: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    'state-dir': { type: 'string' },
  },
});

const state = stateDir(values['state-dir']);
const goproxy = machineGoproxy();
const host = new URL(firstProxy(goproxy)).host;
const corpus = readCorpus();
const order = corpus.projects.map((p) => p.name);
const only = values.only?.split(',').filter((s) => s !== '');
for (const n of only ?? []) if (!order.includes(n)) throw new Error(`--only: no corpus project named ${n} (have ${order.join(', ')})`);
const otherStage = values.perf || values.sbom || values.toolchain || values.vuln || values.week1 || values.week2 || values.perf;
const anyStage = otherStage || values.corpus || only !== undefined;
const all = !anyStage;

/** Nothing written may name the mirror: its host is replaced wherever a go error quoted a URL. */
function scrub<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll(host, '<GOPROXY host>')) as T;
}

async function context(): Promise<LiveContext> {
  const keyDir = join(state, 'keys');
  mkdirSync(keyDir, { recursive: true });
  if (!existsSync(join(keyDir, 'live.key'))) {
    mustSucceed(
      'gobundle keygen',
      await gobundle(['keygen', 'live', '--out-dir', keyDir], { cwd: state, env: process.env, timeoutMs: 60_000 }),
    );
  }
  const vulnDir = join(state, 'vulndb');
  log(`vulnerability database from golang.org/x/vulndb@${VULNDB_VERSION} (its cmd/indexdb)`);
  await buildVulnDb(
    VULNDB_VERSION,
    vulnDir,
    onlineEnv(goproxy, { GOMODCACHE: join(state, 'online-modcache'), GOCACHE: join(state, 'gocache-online'), GOFLAGS: '-mod=mod' }),
  );
  return {
    goproxy,
    state,
    signKey: join(keyDir, 'live.key'),
    trust: join(keyDir, 'live.pub'),
    vulndb: `file://${vulnDir}`,
    offline: !values['no-offline'],
  };
}

const goVersion = (await run('go', ['version'], { cwd: state, env: process.env, timeoutMs: 60_000 })).stdout.trim();

/** Render everything saved so far (this run's and earlier runs'). */
function publish(): string {
  return writeResults(readResults(state, goVersion, corpus.notServed), order);
}

function section(key: string, title: string, lines: string[], data: unknown): void {
  const s: Section = { title, lines, data, loadAverage: loadAverage(), finished: new Date().toISOString() };
  const clean = scrub(s);
  saveSection(state, key, clean);
  process.stdout.write(`\n## ${title}\n\n${clean.lines.join('\n')}\n`);
  publish();
}

const ctx = await context();
log(`state in ${state}; load average ${loadAverage()}`);

if (all || values.corpus || (only !== undefined && !otherStage)) {
  for (const p of corpus.projects) {
    if (only !== undefined && !only.includes(p.name)) continue;
    log(`${p.name}: ${p.module}@${p.version} (load average ${loadAverage()})`);
    try {
      const row = await checkProject(p, ctx);
      saveRow(state, scrub({ ...row, loadAverage: loadAverage(), finished: new Date().toISOString() }));
    } catch (err) {
      log(`${p.name}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
    publish();
  }
  process.stdout.write(`\n${goVersion}\n\n${renderTable(readResults(state, goVersion, corpus.notServed), order).join('\n')}\n`);
}
if (values.sbom) {
  for (const name of order) {
    if (only !== undefined && !only.includes(name)) continue;
    const row = readResults(state, goVersion, corpus.notServed).rows[name];
    if (row === undefined || !existsSync(bundlePath(ctx, name))) continue;
    row.licences = scrub(await sbomLicences(ctx, name));
    saveRow(state, row);
    log(`${name}: licences ${row.licences.named} / ${row.licences.withFile}`);
  }
  process.stdout.write(`\n${renderTable(readResults(state, goVersion, corpus.notServed), order).join('\n')}\n`);
  publish();
}
if (all || values.toolchain) {
  const t = await toolchainStage(ctx);
  section('toolchain', 'A real toolchain: pack --toolchain go1.27.3', t.lines, t.data);
  if (!t.ok) process.exitCode = 1;
}
if (all || values.vuln) {
  const v = await vulnStage(
    ctx,
    corpus.projects.filter((p) => p.vulnerable === true && (only === undefined || only.includes(p.name))),
  );
  section('vuln', 'Real vulnerability data: govulncheck v1.9.0 against gobundle audit', v.lines, v.data);
  if (!v.ok) process.exitCode = 1;
}
if (all || values.week1 || values.week2) {
  const w = await weekStage(ctx, { week1: all || values.week1, week2: all || values.week2 });
  section('week', 'The second week against the real checksum database', w.lines, w.data);
  if (!w.ok) process.exitCode = 1;
}
if (all || values.perf) {
  const f = await perfStage(ctx, corpus.projects, Number(values.runs), only);
  section('perf', 'Real performance: pack against go mod download all', f.lines, f.data);
}
log(`results: bench/results/live.md and live.json (load average ${loadAverage()})`);
