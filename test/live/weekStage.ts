/**
 * The second week against the real checksum database, in two runs at least
 * an hour apart (the real log may grow in between):
 *
 * - week 1 (`--week1`): pack one corpus project; offline, a client with a
 *   GOPATH kept in the state directory builds from it alone, so its
 *   pkg/sumdb/sum.golang.org/latest remembers week 1's tree.
 * - week 2 (`--week2`, refused before the hour is up): pack another corpus
 *   project with `--previous week1.tgz` (and once without, to measure what
 *   the consistency proof adds); offline, the same client builds from week 2
 *   served alone, then from both bundles layered.
 *
 * Week 1's bundle, time and client GOPATH stay in <state>/week/.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOffline } from './airGap.js';
import { type CorpusProject, firstProxy, freshDir, gobundle, log, mustSucceed, onlineEnv, readCorpus } from './liveEnv.js';
import { type LiveContext, readManifest } from './projectStages.js';
import { type OfflineGroup, type OfflineStep } from './offlineClient.js';
import { projectSource } from './projectSource.js';
import { type StageResult } from './toolchainStage.js';

/** Week 1 and week 2 pack different corpus projects. */
const WEEK1_PROJECT = 'cobra';
const WEEK2_PROJECT = 'viper';
/** The issue asks for packs at least an hour apart. */
const MIN_GAP_SECONDS = 3600;

interface Week1Record {
  packedAt: string;
  bundle: string;
  treeSize: number;
  clientLatest: string;
}

const steps: OfflineStep[] = [
  { name: 'go mod download all', args: ['mod', 'download', 'all'] },
  { name: 'go build ./...', args: ['build', './...'] },
  { name: 'go mod verify', args: ['mod', 'verify'] },
];

function project(name: string): CorpusProject {
  const p = readCorpus().projects.find((x) => x.name === name);
  if (p === undefined) throw new Error(`week: corpus project ${name} is gone from corpus.json`);
  return p;
}

function clientLatest(gopath: string): string {
  const p = join(gopath, 'pkg', 'sumdb', 'sum.golang.org', 'latest');
  return existsSync(p) ? (readFileSync(p, 'utf8').split('\n')[1] ?? '?') : 'none';
}

async function pack(
  ctx: LiveContext,
  dir: string,
  p: CorpusProject,
  out: string,
  extra: string[],
): Promise<{ src: string; seconds: number }> {
  const src = await projectSource(p, ctx.goproxy, join(ctx.state, 'online-modcache'), join(dir, `${p.name}-src`));
  const env = onlineEnv(ctx.goproxy, { GOPATH: freshDir(join(dir, 'pack-gopath')), GOBUNDLE_CACHE: freshDir(join(dir, 'pack-cache')) });
  const r = mustSucceed(
    `week: gobundle pack ${p.name}`,
    await gobundle(['pack', src, '-o', out, '--sign-key', ctx.signKey, '--no-vulndb', '--quiet', ...extra], {
      cwd: src,
      env,
      timeoutMs: 1_800_000,
    }),
  );
  return { src, seconds: r.seconds };
}

function sumdbBytes(bundle: string): { tiles: number; tileBytes: number; lookups: number; lookupBytes: number } {
  const out = { tiles: 0, tileBytes: 0, lookups: 0, lookupBytes: 0 };
  for (const f of readManifest(bundle).files) {
    if (/^sumdb\/[^/]+\/tile\//.test(f.name)) {
      out.tiles++;
      out.tileBytes += f.size;
    } else if (/^sumdb\/[^/]+\/lookup\//.test(f.name)) {
      out.lookups++;
      out.lookupBytes += f.size;
    }
  }
  return out;
}

function group(ctx: LiveContext, dir: string, label: string, bundles: string[], src: string, gopath: string): OfflineGroup {
  return {
    label,
    source: { kind: 'serve', bundles, trust: ctx.trust },
    srcDir: src,
    workDir: join(dir, `offline-${label}`),
    gopath,
    keepGopath: true,
    modCache: join(dir, `offline-${label}-modcache`),
    goCache: join(ctx.state, 'gocache-offline'),
    // Without go.sum every module is looked up in the (replayed) checksum database, so the client remembers its tree.
    dropGoSum: true,
    steps,
  };
}

export async function weekStage(ctx: LiveContext, which: { week1: boolean; week2: boolean }): Promise<StageResult> {
  const dir = join(ctx.state, 'week');
  const recordPath = join(dir, 'week1.json');
  const gopath = join(dir, 'client-gopath');
  const lines: string[] = [];
  let record: Week1Record | undefined = existsSync(recordPath) ? (JSON.parse(readFileSync(recordPath, 'utf8')) as Week1Record) : undefined;
  let ok = true;

  if (which.week1 && (record === undefined || !which.week2)) {
    freshDir(dir);
    const bundle = join(dir, 'week1.tgz');
    log(`week 1: pack ${WEEK1_PROJECT}`);
    const { src } = await pack(ctx, dir, project(WEEK1_PROJECT), bundle, []);
    rmSync(gopath, { recursive: true, force: true });
    const res = await runOffline(
      {
        outsideUrl: firstProxy(ctx.goproxy),
        serveCache: join(ctx.state, 'serve-cache'),
        groups: [group(ctx, dir, 'week1', [bundle], src, gopath)],
      },
      join(dir, 'week1-spec.json'),
    );
    const s = res.groups[0]?.steps ?? [];
    ok &&= s.every((x) => x.ok);
    record = {
      packedAt: new Date().toISOString(),
      bundle,
      treeSize: readManifest(bundle).sumdb?.treeSize ?? 0,
      clientLatest: clientLatest(gopath),
    };
    writeFileSync(recordPath, JSON.stringify(record, null, 2));
    lines.push(
      `week 1 (${record.packedAt}): ${project(WEEK1_PROJECT).module}, tree#${record.treeSize}; offline client: ${s.map((x) => `${x.name} ${x.ok ? 'ok' : `FAILED ${x.detail}`}`).join(', ')}; the client remembers tree#${record.clientLatest}`,
    );
    if (which.week2)
      lines.push(
        `week 2 is due at ${new Date(Date.parse(record.packedAt) + MIN_GAP_SECONDS * 1000).toISOString()}: run \`npm run live -- --week2\` then`,
      );
    return { ok, lines, data: { week1: record } };
  }
  if (!which.week2) return { ok, lines, data: {} };
  if (record === undefined)
    throw new Error('week 2: no week 1 in the state directory: run `npm run live -- --week1` first, then --week2 an hour later');
  const gap = (Date.now() - Date.parse(record.packedAt)) / 1000;
  if (gap < MIN_GAP_SECONDS) {
    const due = `week 2: week 1 was packed ${Math.round(gap / 60)} minutes ago; run --week2 after ${new Date(Date.parse(record.packedAt) + MIN_GAP_SECONDS * 1000).toISOString()}`;
    if (which.week1) return { ok, lines: [due], data: { week1: record } };
    throw new Error(due);
  }
  const week1 = record.bundle;
  const week2 = join(dir, 'week2.tgz');
  const plain = join(dir, 'week2-without-previous.tgz');
  log(`week 2: pack ${WEEK2_PROJECT} --previous week1.tgz (${Math.round(gap / 60)} minutes after week 1)`);
  const { src: src2, seconds } = await pack(ctx, dir, project(WEEK2_PROJECT), week2, ['--previous', week1]);
  await pack(ctx, dir, project(WEEK2_PROJECT), plain, []);
  const src1 = await projectSource(
    project(WEEK1_PROJECT),
    ctx.goproxy,
    join(ctx.state, 'online-modcache'),
    join(dir, `${WEEK1_PROJECT}-src`),
  );
  const m2 = readManifest(week2);
  const withPrev = sumdbBytes(week2);
  const without = sumdbBytes(plain);
  const before = clientLatest(gopath);
  const res = await runOffline(
    {
      outsideUrl: firstProxy(ctx.goproxy),
      serveCache: join(ctx.state, 'serve-cache'),
      groups: [
        group(ctx, dir, 'week2-alone', [week2], src2, gopath),
        group(ctx, dir, 'layered-week1-project', [week1, week2], src1, gopath),
        group(ctx, dir, 'layered-week2-project', [week1, week2], src2, gopath),
      ],
    },
    join(dir, 'week2-spec.json'),
  );
  for (const g of res.groups) ok &&= g.steps.every((x) => x.ok);
  const grew = m2.sumdb !== undefined && m2.sumdb.treeSize > record.treeSize;
  lines.push(
    `week 1 (${record.packedAt}): ${project(WEEK1_PROJECT).module}, tree#${record.treeSize}`,
    `week 2 (${Math.round(gap / 60)} minutes later): ${project(WEEK2_PROJECT).module} packed with --previous week1.tgz in ${seconds.toFixed(1)} s, tree#${m2.sumdb?.treeSize}, proven consistent with ${(m2.sumdb?.consistentWith ?? []).map((t) => `tree#${t.treeSize}`).join(', ') || 'nothing'}${grew ? '' : ' (the tree did not grow between the two packs)'}`,
    `checksum-database files in week 2: ${withPrev.tiles} tiles (${withPrev.tileBytes} B) and ${withPrev.lookups} lookups (${withPrev.lookupBytes} B) with --previous; ${without.tiles} tiles (${without.tileBytes} B) and ${without.lookups} lookups (${without.lookupBytes} B) without: the proof and the re-looked-up week-1 records add ${withPrev.tileBytes - without.tileBytes} B of tiles and ${withPrev.lookupBytes - without.lookupBytes} B of lookups`,
    `offline client (remembers tree#${before} from week 1; ${res.airGap}):`,
    ...res.groups.map(
      (g) => `- ${g.label}: ${g.steps.map((x) => `${x.name} ${x.ok ? 'ok' : `FAILED ${x.detail.replaceAll('\n', ' ')}`}`).join(', ')}`,
    ),
    `the client now remembers tree#${clientLatest(gopath)}`,
  );
  return {
    ok,
    lines,
    data: {
      week1: record,
      week2: { treeSize: m2.sumdb?.treeSize, consistentWith: m2.sumdb?.consistentWith, withPrevious: withPrev, withoutPrevious: without },
      groups: res.groups,
    },
  };
}
