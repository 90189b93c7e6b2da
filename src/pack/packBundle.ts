/**
 * `gobundle pack` as a library: resolve → fetch → verify → write.
 *
 *   resolve   plan every input (read once by src/inputs/, planned there
 *             through a fetcher pack gives it); each go.mod the
 *             resolver reads goes through the download cache. Like the go
 *             command, only files of the finished plan are downloaded;
 *             with `speculativeFetch` the .info and .zip of the highest
 *             version seen of each path start downloading while the graph
 *             is still being resolved (faster on a high-latency link, at
 *             the cost of zips the plan may not select);
 *   fetch     every planned file into the cache (bounded concurrency,
 *             streamed to disk, zips validated and hashed);
 *   verify    every .mod and .zip h1 against go.sum, then the optional
 *             checksum-database stage (which may add files to the bundle);
 *   write     manifest, signature, files — to a temp file renamed into place.
 *
 * Any failure before the rename leaves nothing at the output path.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buildManifest, chooseCreated, serializeManifest, type ManifestModule, type ManifestSumdb } from '../bundle/manifest.js';
import { type DeltaParent, deltaFiles, deltaModules, manifestParents } from './deltaStage.js';
import { writeBundle, type BundleFileSource, type WriteBundleArgs } from '../bundle/writer.js';
import type { CacheEntry, CacheKey, DownloadCache } from '../cache/downloadCache.js';
import { ChecksumMismatchError, FileSyntaxError, ModuleError } from '../errors.js';
import { moduleKey } from '../gomod/moduleVersion.js';
import { compare } from '../gomod/semver.js';
import type { ProxyChain } from '../proxy/proxyChain.js';
import type { GoSum } from '../gomod/gosum.js';
import type { ModMode } from '../resolve/types.js';
import { listFileBody, listFileName, versionFileName } from '../bundle/treeLayout.js';
import { ModuleFiles, type TrustedHashes } from './moduleFiles.js';
import { planInputs, type InputNote, type PlannedInputs } from '../inputs/planInputs.js';
import type { ReadInputs } from '../inputs/readInputs.js';
import type { ToolQuerier } from '../inputs/resolveTool.js';
import { formatBytes, silentProgress, type PackProgress } from './progress.js';
import { describeToolchains, planToolchains, withWantedToolchains, type ToolchainRequest } from '../inputs/toolchains.js';
import { TOOLCHAIN_MODULE } from '../toolchain/dlVersion.js';
import { SumdbError } from '../sumdb/client.js';

/** The module versions of a bundle with their hashes, as the verification stages see them. */
export interface ModuleHashes {
  path: string;
  version: string;
  modH1: string;
  /** null for versions whose go.mod alone is carried. */
  zipH1: string | null;
  /** A private module (never looked up in the checksum database); see ManifestModule.private. */
  private?: true;
}

/** Extra files a verification stage adds to the bundle (the checksum-database replay). */
export interface StageFile {
  name: string;
  data: Uint8Array;
}

/** The vulnerability-database stage (vulndbStage.ts): given the module paths a bundle carries, the vulndb/ files to carry. */
export type VulnDbStage = (modulePaths: readonly string[]) => Promise<VulnDbResult>;

export interface VulnDbResult {
  /** The database the entries came from (credentials removed). */
  url: string;
  entries: number;
  files: StageFile[];
  /** Set when an optional (default) database could not be read: why. The bundle then carries no vulnerability data. */
  unavailable?: string;
}

/**
 * The checksum-database stage: receives every module's hashes
 * after download and go.sum checks, throws (e.g. ChecksumMismatchError) to
 * stop the run, and returns what the bundle records about the database.
 */
export interface SumdbStage {
  (modules: readonly ModuleHashes[]): Promise<{ sumdb: ManifestSumdb; files: StageFile[] } | null>;
  /**
   * Told about each module version as soon as its go.mod is verified, long
   * before the stage runs, so it can start the module's lookup while the
   * rest downloads. `schedule` runs a request in pack's request slots
   * (behind go.mod fetches). Optional: the stage must not depend on it.
   */
  lookAhead?(m: { path: string; version: string }, schedule: <T>(request: () => Promise<T>) => Promise<T>): void;
  /**
   * Check one go.mod against the database now (throws ChecksumMismatchError
   * when it differs). Pack calls it when a downloaded go.mod breaks the
   * resolver, so that, as with the go command (which checks each go.mod
   * before reading it), a damaged file is reported as a checksum mismatch,
   * not as a go.mod that does not parse.
   */
  checkGoMod?(m: { path: string; version: string; modH1: string }): Promise<void>;
}

export interface PackOptions {
  /** What to bundle, read from disk (src/inputs/readInputs.ts): go.mod and go.work files, tools, lists, go.sum hashes. */
  inputs: ReadInputs;
  output: string;
  chain: Pick<ProxyChain, 'mod' | 'infoBytes' | 'zipTo'> & ToolQuerier;
  /** Told what each tool and wants entry resolved to, and what a wants list skipped. */
  onNote?: (note: InputNote) => void;
  cache: DownloadCache;
  /** $GOMODCACHE to reuse verified files from, or ''. */
  goModCache: string;
  /** Requests in flight (the chain's transport is the hard bound; this shapes our own queues). */
  concurrency: number;
  mode?: ModMode;
  /** Sign the manifest bytes (returns the signed note); undefined writes an unsigned bundle. */
  sign: ((manifest: Uint8Array) => Uint8Array | Promise<Uint8Array>) | undefined;
  verifyAgainstSumdb?: SumdbStage;
  /** Go toolchains (golang.org/toolchain) to carry; they need verifyAgainstSumdb. */
  toolchains?: ToolchainRequest;
  /** Carry the vulnerability-database entries about the bundled modules (vulndb/); undefined carries none. */
  vulnDb?: VulnDbStage;
  sourceDateEpoch?: string;
  /** Which module paths are private (GONOSUMDB/GOPRIVATE): marked so in the manifest. */
  isPrivate?: (path: string) => boolean;
  toolVersion: string;
  progress?: PackProgress;
  /**
   * pack --since: the bundle is a delta on these earlier bundles, carrying
   * only the module versions and files they lack (deltaStage.ts). Pass them
   * as the checksum-database stage's previous bundles too, so the layered
   * set's replay stays provable.
   */
  since?: readonly DeltaParent[];
  /** pack --max-part-size: write numbered parts and a signed part list instead of one file (writer.ts). */
  split?: WriteBundleArgs['split'];
  /**
   * Start downloading the .info and .zip of the highest version seen of
   * each module path while resolving. Saves round trips at high latency but
   * downloads zips of versions the finished graph may not select. Default off.
   */
  speculativeFetch?: boolean;
  /**
   * Called once the bundle is in place, with the checksum-database tree head
   * it carries, so later bundles can prove their trees consistent with it.
   */
  recordTreeHead?: (sumdb: ManifestSumdb, bundle: string) => Promise<void>;
}

export interface PackResult {
  path: string;
  modules: number;
  files: number;
  /** Bytes of the bundle file. */
  bytes: number;
  seconds: number;
  bundleSha256: string;
  /** Every module version in the bundle with its verified hashes (for --write-gosum). */
  moduleHashes: ModuleHashes[];
  /** Set when the default vulnerability database could not be read: the bundle carries none, and says so. */
  vulnDbUnavailable?: { url: string; reason: string };
}

type PlanFile = PlannedInputs['files'][number];

function trustedFrom(sum: GoSum): TrustedHashes {
  return (key: CacheKey) =>
    key.kind === 'zip' ? sum.get(key.path, key.version) : key.kind === 'mod' ? sum.getMod(key.path, key.version) : [];
}

/** Check every module's hashes against go.sum (the files were checked as they arrived; this is the stage's own record). */
export function verifyAgainstGoSum(modules: readonly ModuleHashes[], trusted: TrustedHashes): void {
  for (const m of modules) {
    const checks: [CacheKey['kind'], string | null][] = [
      ['mod', m.modH1],
      ['zip', m.zipH1],
    ];
    for (const [kind, h1] of checks) {
      if (h1 === null) continue;
      const want = trusted({ path: m.path, version: m.version, kind });
      if (want.length > 0 && !want.includes(h1)) {
        throw new ChecksumMismatchError({
          path: m.path,
          version: m.version,
          file: kind,
          expected: want[0] ?? '',
          actual: h1,
          source: 'go.sum',
        });
      }
    }
  }
}

export async function packBundle(opts: PackOptions): Promise<PackResult> {
  const t0 = performance.now();
  const progress = opts.progress ?? silentProgress;
  const trusted = trustedFrom(opts.inputs.sums);

  const files = new ModuleFiles({
    cache: opts.cache,
    chain: opts.chain,
    goModCache: opts.goModCache,
    trusted,
    concurrency: opts.concurrency,
    onReady: (_key, entry) => progress.fileReady(entry.size),
  });

  // Speculative prefetch (opt-in): the highest version seen so far of each
  // path is the likeliest to be selected, so its .info and .zip start
  // downloading while the resolver is still reading go.mod files.
  const highest = new Map<string, string>();
  const speculate = opts.speculativeFetch === true;
  const fetcher = {
    async mod(path: string, version: string): Promise<Uint8Array> {
      const prev = highest.get(path);
      if (prev === undefined) progress.moduleDiscovered();
      if (prev === undefined || compare(version, prev) > 0) {
        highest.set(path, version);
        if (speculate) {
          files.prefetch({ path, version, kind: 'info' });
          files.prefetch({ path, version, kind: 'zip' });
        }
      }
      const data = await files.readMod({ path, version, kind: 'mod' });
      // Every go.mod read goes into the bundle, so the database will be asked about this version.
      opts.verifyAgainstSumdb?.lookAhead?.({ path, version }, (request) => files.inBulkSlot(request));
      return data;
    },
  };

  progress.phaseStarted('resolve');
  let plan: PlannedInputs;
  try {
    plan = await planInputs(opts.inputs, {
      fetcher,
      querier: opts.chain,
      mode: opts.mode ?? 'mod',
      concurrency: opts.concurrency,
      onNote: opts.onNote,
    });
  } catch (err) {
    await checksumFirst(err, files, opts.verifyAgainstSumdb);
    throw err;
  }
  const moduleCount = new Set(plan.files.map((f) => moduleKey(f))).size;
  // Toolchains named on the command line, and those a wants list asks for (an offline client's switch that found none).
  const toolchainRequest = withWantedToolchains(opts.toolchains, plan.wantedToolchains);
  const toolchains =
    toolchainRequest === undefined
      ? undefined
      : planToolchains(
          toolchainRequest,
          plan.inputs.map((i) => i.plan),
        );
  const lists = new Map(plan.lists);
  if (toolchains !== undefined && toolchains.files.length > 0) lists.set(TOOLCHAIN_MODULE, toolchains.list);
  const planned: PlanFile[] = [...plan.files, ...(toolchains?.files ?? [])];
  progress.phaseDone(
    'resolve',
    `resolved ${moduleCount} module versions for ${plan.inputs.map((i) => (i.input.version === undefined ? i.input.module : `${i.input.module}@${i.input.version}`)).join(', ')}${toolchains === undefined ? '' : `; ${describeToolchains(toolchains)}`}`,
  );

  // Vulnerability data needs only the module paths: fetched while the files download.
  const vulnDb: Promise<VulnDbResult | undefined> =
    opts.vulnDb === undefined ? Promise.resolve(undefined) : opts.vulnDb([...new Set(plan.files.map((f) => f.path))]);
  vulnDb.catch(() => undefined);

  progress.phaseStarted('download');
  progress.filesPlanned(planned.length);
  const entries = await Promise.all(planned.map(async (f) => ({ file: f, entry: await files.get(f) })));
  const downloaded = entries.reduce((n, e) => n + e.entry.size, 0);
  progress.phaseDone('download', `fetched ${entries.length} files, ${formatBytes(downloaded)}`);

  progress.phaseStarted('verify');
  const modules = moduleHashes(entries, opts.isPrivate ?? (() => false));
  verifyAgainstGoSum(modules, trusted);
  const sumdb = opts.verifyAgainstSumdb === undefined ? null : await opts.verifyAgainstSumdb(modules);
  if (sumdb === null && modules.some((m) => m.path === TOOLCHAIN_MODULE)) {
    // The go command verifies every toolchain download against the database (modfetch/sumdb.go useSumDB).
    throw new SumdbError(
      `${TOOLCHAIN_MODULE}: toolchains are carried only with their checksum-database records, and no database was checked`,
    );
  }
  const vulns = await vulnDb;
  progress.phaseDone(
    'verify',
    `verified ${modules.length} module versions${sumdb === null ? ' against go.sum' : ` against go.sum and ${sumdb.sumdb.name}`}` +
      (vulns === undefined
        ? ''
        : vulns.unavailable === undefined
          ? `; ${vulns.entries} vulnerability entries from ${vulns.url}`
          : `; no vulnerability data (${vulns.url} could not be read)`),
  );

  progress.phaseStarted('write');
  const sources: (BundleFileSource & { sha256: string })[] = [];
  const infoTimes: (string | undefined)[] = [];
  for (const { file, entry } of entries) sources.push(cacheSource(opts.cache, versionFileName(file.path, file.version, file.kind), entry));
  // Read concurrently: one at a time, a few hundred .info files cost a thread-pool round trip each.
  for (const t of await Promise.all(
    entries.filter((e) => e.file.kind === 'info').map(async (e) => infoTime(await opts.cache.read(e.entry))),
  )) {
    infoTimes.push(t);
  }
  for (const [path, versions] of lists) sources.push(bytesSource(listFileName(path), listFileBody(versions)));
  for (const f of sumdb?.files ?? []) sources.push(bytesSource(f.name, f.data));
  for (const f of vulns?.files ?? []) sources.push(bytesSource(f.name, f.data));

  const since = opts.since ?? [];
  const carried = since.length === 0 ? sources : deltaFiles(sources, since);
  const manifest = buildManifest({
    tool: `gobundle ${opts.toolVersion}`,
    created: chooseCreated(opts.sourceDateEpoch, infoTimes),
    inputs: plan.inputs.map((i) => i.input),
    modules: since.length === 0 ? modules : deltaModules(modules, since),
    sumdb: sumdb?.sumdb ?? null,
    parents: manifestParents(since),
    ...(vulns?.unavailable === undefined ? {} : { vulndb: { url: vulns.url, carried: false as const, reason: vulns.unavailable } }),
    files: carried.map((s) => ({ name: s.name, size: s.size, sha256: s.sha256 })),
  });
  const manifestBytes = serializeManifest(manifest);
  const signature = opts.sign === undefined ? undefined : await opts.sign(manifestBytes);
  const written = await writeBundle(opts.output, {
    manifest: manifestBytes,
    signature,
    files: carried,
    mtime: new Date(Date.parse(manifest.created)),
    ...(opts.split === undefined ? {} : { split: opts.split }),
  });
  const delta =
    since.length === 0 ? '' : ` (a delta on ${since.map((p) => p.from).join(', ')}: ${carried.length} of ${sources.length} files)`;
  const parts = written.parts === undefined ? '' : ` as ${written.parts.length} parts listed in ${written.path}`;
  progress.phaseDone(
    'write',
    `wrote ${opts.output}${parts}: ${carried.length} files, ${formatBytes(written.size)}, sha256 ${written.sha256}${delta}`,
  );
  if (sumdb !== null) await opts.recordTreeHead?.(sumdb.sumdb, written.path);
  progress.close();

  return {
    path: written.path,
    modules: manifest.modules.length,
    files: carried.length,
    bytes: written.size,
    seconds: (performance.now() - t0) / 1000,
    bundleSha256: written.sha256,
    moduleHashes: modules,
    ...(vulns?.unavailable === undefined ? {} : { vulnDbUnavailable: { url: vulns.url, reason: vulns.unavailable } }),
  };
}

/**
 * A go.mod that broke the resolver (does not parse, declares another path)
 * is checked against the checksum database first, as the go command checks
 * every go.mod before parsing it: a damaged download is then the checksum
 * mismatch it is. Throws that mismatch; returns when there is none (or the
 * check itself cannot be made), leaving the resolver's error to be thrown.
 */
async function checksumFirst(err: unknown, files: ModuleFiles, sumdb: SumdbStage | undefined): Promise<void> {
  if (sumdb?.checkGoMod === undefined) return;
  let m: { path: string; version: string } | undefined;
  // Only what the resolver says of a go.mod it read (so the file is in the cache), not a failed download.
  if (err instanceof ModuleError && err.version !== '' && err.message.includes(': parsing go.mod'))
    m = { path: err.path, version: err.version };
  else if (err instanceof FileSyntaxError) {
    const match = /^(.+)@([^@/]+)\/go\.mod$/.exec(err.file);
    if (match !== null) m = { path: match[1] ?? '', version: match[2] ?? '' };
  }
  if (m === undefined) return;
  try {
    const entry = await files.get({ ...m, kind: 'mod' });
    if (entry.h1 !== undefined) await sumdb.checkGoMod({ ...m, modH1: entry.h1 });
  } catch (check) {
    if (check instanceof ChecksumMismatchError) throw check;
  }
}

function moduleHashes(entries: readonly { file: PlanFile; entry: CacheEntry }[], isPrivate: (path: string) => boolean): ModuleHashes[] {
  const byModule = new Map<string, ModuleHashes>();
  for (const { file, entry } of entries) {
    if (file.kind === 'info') continue;
    const key = moduleKey(file);
    const m: ModuleHashes = byModule.get(key) ?? {
      path: file.path,
      version: file.version,
      modH1: '',
      zipH1: null,
      ...(file.path !== TOOLCHAIN_MODULE && isPrivate(file.path) ? { private: true as const } : {}),
    };
    if (file.kind === 'mod') m.modH1 = entry.h1 ?? '';
    else m.zipH1 = entry.h1 ?? null;
    byModule.set(key, m);
  }
  return [...byModule.values()] satisfies ManifestModule[];
}

function infoTime(data: Buffer): string | undefined {
  try {
    const t = (JSON.parse(data.toString('utf8')) as { Time?: unknown }).Time;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Files up to this size go into the bundle read whole (and verified) ahead of the tar; larger ones are streamed. */
export const SMALL_FILE_BYTES = 256 << 10;

function cacheSource(cache: DownloadCache, name: string, entry: CacheEntry): BundleFileSource & { sha256: string } {
  return {
    name,
    size: entry.size,
    sha256: entry.sha256,
    open: () => cache.openVerified(entry),
    ...(entry.size <= SMALL_FILE_BYTES ? { read: () => cache.read(entry) } : {}),
  };
}

function bytesSource(name: string, data: Uint8Array): BundleFileSource & { sha256: string } {
  return {
    name,
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    open: () => Readable.from([Buffer.from(data)]),
  };
}
