/**
 * The checksum-database stage of pack: every module version the
 * bundle carries is looked up in the checksum database the go command would
 * use, the database's signed tree and inclusion proofs are verified, and its
 * hashes must equal the downloaded ones. The database is then the source of
 * truth even for projects without go.sum; what was verified goes into the
 * bundle as a replay under sumdb/<name>/ so offline clients keep GOSUMDB on.
 *
 * Which modules and which database follow cmd/go (modfetch/sumdb.go,
 * modfetch/fetch.go useSumDB): GOSUMDB=off turns the stage off; modules
 * matching GONOSUMDB (default GOPRIVATE) are not looked up, except
 * golang.org/toolchain, which always is; the database is
 * reached at GOSUMDB's explicit URL, else through the first proxy answering
 * <proxy>/sumdb/<name>/supported, else at https://<name>.
 */
import type { Manifest, ManifestSumdb, ManifestTree } from '../bundle/manifest.js';
import type { RecordedHead } from '../cache/treeHeads.js';
import { ChecksumMismatchError, NetworkError } from '../errors.js';
import { TOOLCHAIN_MODULE, redactUrl, sumdbApplies, type GoEnv, type GoSumDB } from '../gomod/goenv.js';
import type { HttpTransport } from '../network/httpTransport.js';
import type { ProxyChain } from '../proxy/proxyChain.js';
import {
  type OlderTree,
  type SumdbOps,
  type VerifiedSumdb,
  SumdbError,
  SumdbModuleError,
  SumdbUnknownModuleError,
  lookupPath,
  recordHashes,
  verifyModules,
} from '../sumdb/client.js';
import { sumdbFetchOps } from '../sumdb/fetchOps.js';
import { replayFiles, verifyReplay } from '../sumdb/replay.js';
import { formatHash, parseHash } from '../sumdb/tlog/hash.js';
import type { ModuleHashes, StageFile, SumdbStage } from './packBundle.js';
import { moduleKey } from '../gomod/moduleVersion.js';
import { ErrorCode } from '../errorCodes.js';

/** A database as GOSUMDB names it (the `on` form of GoSumDB). */
export interface SumdbTarget {
  name: string;
  /** The verifier key `name+hash+key` the tree heads must be signed with. */
  key: string;
  url: string;
  urlExplicit: boolean;
}

/** An earlier bundle the new one must stay consistent with (pack --previous). */
export interface PreviousBundle {
  /** Where it was read from, for messages. */
  from: string;
  manifest: Pick<Manifest, 'sumdb' | 'modules'>;
}

export interface SumdbStageOptions {
  /** GOSUMDB parsed (GoConfig.sumdb). */
  sumdb: GoSumDB;
  /** The variables that decide which modules the database vouches for. */
  env: Pick<GoEnv, 'GOSUMDB' | 'GONOSUMDB' | 'GOPROXY'>;
  /** Reach the database; called at most once, and only when some module needs it. */
  connect: (db: SumdbTarget) => Promise<SumdbOps>;
  /**
   * Earlier bundles to be served beside this one or before it: the new tree
   * is proven consistent with each one's tree, and each one's module versions
   * are looked up again so their records are provable in the new tree
   * (serve answers every lookup under the newest tree head).
   */
  previous?: readonly PreviousBundle[];
  /** Tree heads of database `name` written into earlier bundles (the pack cache's record): the new tree is proven consistent with each. */
  recordedHeads?: (name: string) => Promise<readonly RecordedHead[]>;
  /** Where the database was reached and why, in words, once connected (for hints). */
  where?: () => string | undefined;
}

/**
 * The older trees to prove the new one consistent with: the recorded heads
 * and the previous bundles' heads of the same database. A head that does
 * not parse is an error naming where it came from.
 */
export function olderTreesFor(name: string, previous: readonly PreviousBundle[], recorded: readonly RecordedHead[]): OlderTree[] {
  const out: OlderTree[] = [];
  const add = (t: ManifestTree, from: string): void => {
    let hash: Buffer;
    try {
      hash = parseHash(t.treeHash);
    } catch (err) {
      throw new SumdbError(`${from}: checksum database ${name} tree#${t.treeSize}: ${err instanceof Error ? err.message : String(err)}`);
    }
    out.push({ tree: { n: t.treeSize, hash }, from });
  };
  for (const r of recorded) add(r, `bundle ${r.bundle} (recorded in the pack cache)`);
  for (const p of previous) {
    const db = p.manifest.sumdb;
    if (db === null || db.name !== name) continue;
    add(db, p.from);
    for (const t of db.consistentWith ?? []) add(t, `${p.from} (an older tree it was proven consistent with)`);
  }
  return out;
}

/**
 * The module versions the database must vouch for: those GONOSUMDB/GOPRIVATE
 * do not exclude, and golang.org/toolchain always (the go command checks a
 * toolchain against the database whatever GONOSUMDB says; its one exception,
 * a lone file:// GOPROXY, is about the client, and a bundle may be served
 * over HTTP).
 */
export function modulesForSumdb(modules: readonly ModuleHashes[], env: SumdbStageOptions['env']): ModuleHashes[] {
  return modules.filter((m) => m.path === TOOLCHAIN_MODULE || sumdbApplies(m.path, env));
}

/**
 * Compare downloaded hashes with the verified records: a difference is a
 * ChecksumMismatchError in cmd/go's shape, with the database name where
 * go.sum would be. The go.mod is compared first (the go command downloads
 * and checks it first); go.mod-only versions compare only the go.mod.
 */
export function checkAgainstDatabase(modules: readonly ModuleHashes[], db: VerifiedSumdb): void {
  for (const m of modules) {
    const record = db.records.get(moduleKey(m));
    if (record === undefined) throw new SumdbModuleError(m.path, m.version, `verifying module: no record from ${db.name}`);
    const want = recordHashes(record.text, m);
    const checks: ['mod' | 'zip', string | null, string | undefined][] = [
      ['mod', m.modH1, want.mod],
      ['zip', m.zipH1, want.zip],
    ];
    for (const [file, actual, expected] of checks) {
      if (actual === null) continue;
      if (expected === undefined) {
        throw new SumdbModuleError(
          m.path,
          m.version,
          `verifying module: ${db.name} record has no ${file === 'mod' ? 'go.mod' : 'zip'} hash`,
        );
      }
      if (actual !== expected)
        throw new ChecksumMismatchError({ path: m.path, version: m.version, file, expected, actual, source: db.name });
    }
  }
}

/**
 * The stage packBundle runs after download and the go.sum check. Returns
 * null (no database in the bundle) with GOSUMDB=off or when GONOSUMDB
 * excludes every module.
 */
export function createSumdbStage(opts: SumdbStageOptions): SumdbStage {
  if (opts.sumdb.off === true) return async () => null;
  const target: SumdbTarget = { name: opts.sumdb.name, key: opts.sumdb.key, url: opts.sumdb.url, urlExplicit: opts.sumdb.urlExplicit };
  // One connection, made by the first look-ahead or by the stage (again if it failed).
  let connected: Promise<SumdbOps> | undefined;
  const connect = (): Promise<SumdbOps> => {
    if (connected === undefined) {
      const p = opts.connect(target);
      connected = p;
      p.catch(() => {
        if (connected === p) connected = undefined;
      });
    }
    return connected;
  };
  // Lookups started early, by lookup path; verifyModules takes them instead of asking again.
  // A failed one is forgotten, so the stage asks afresh exactly as it would have without look-ahead.
  const early = new Map<string, Promise<Uint8Array>>();

  const stage: SumdbStage = async (modules) => {
    const checked = modulesForSumdb(modules, opts.env);
    if (checked.length === 0) return null;
    // Earlier bundles' versions of this database, looked up again so they are provable in the new tree.
    const own = new Set(checked.map(moduleKey));
    const previous = (opts.previous ?? []).filter((p) => p.manifest.sumdb?.name === target.name);
    const carried: ModuleHashes[] = [];
    for (const m of modulesForSumdb(
      previous.flatMap((p) => p.manifest.modules),
      opts.env,
    )) {
      if (own.has(moduleKey(m))) continue;
      own.add(moduleKey(m));
      carried.push(m);
    }
    const olderTrees = olderTreesFor(target.name, previous, (await opts.recordedHeads?.(target.name)) ?? []);
    const remote = await connect();
    const ops: SumdbOps = {
      readRemote: (path) => {
        const p = early.get(path);
        early.delete(path);
        return p?.catch(() => remote.readRemote(path)) ?? remote.readRemote(path);
      },
    };
    let db: VerifiedSumdb;
    try {
      db = await verifyModules(ops, target.key, [...checked, ...carried], { olderTrees });
    } catch (err) {
      throw withHint(err, target, opts.where?.());
    }
    checkAgainstDatabase(checked, db);
    checkAgainstDatabase(carried, db);
    const consistentWith = db.consistentWith.map((t) => ({ treeSize: t.n, treeHash: formatHash(t.hash) }));
    const sumdb: ManifestSumdb = { name: db.name, treeSize: db.tree.n, treeHash: formatHash(db.tree.hash), consistentWith };
    const replay = replayFiles(db);
    // Check the replay the way serve's start-up will, so a bundle we write is never one serve refuses.
    verifyReplay(replay, target.key, { consistentWith: db.consistentWith });
    const files: StageFile[] = [...replay].map(([name, data]) => ({ name, data }));
    return { sumdb, files };
  };
  stage.checkGoMod = async (m) => {
    if (!sumdbApplies(m.path, opts.env)) return;
    const remote = await connect();
    const ops: SumdbOps = { readRemote: (path) => early.get(path)?.catch(() => remote.readRemote(path)) ?? remote.readRemote(path) };
    const one: ModuleHashes = { path: m.path, version: m.version, modH1: m.modH1, zipH1: null };
    checkAgainstDatabase([one], await verifyModules(ops, target.key, [one]));
  };
  stage.lookAhead = (m, schedule) => {
    if (!sumdbApplies(m.path, opts.env)) return;
    const path = lookupPath(m);
    if (early.has(path)) return;
    const p = connect().then((remote) => schedule(() => remote.readRemote(path)));
    p.catch(() => undefined);
    early.set(path, p);
  };
  return stage;
}

/**
 * What to try when a lookup fails: a module the database does not know is
 * usually private (the go command needs GONOSUMDB/GOPRIVATE for it too);
 * a failure of the outbound proxy or of TLS keeps its own advice; otherwise
 * the database was not reachable where the go command would look. Each says
 * where the database was reached and why.
 */
function withHint(err: unknown, db: SumdbTarget, reached: string | undefined): unknown {
  if (!(err instanceof SumdbModuleError) || err.hint !== undefined) return err;
  const where =
    reached ??
    (db.urlExplicit ? `${db.url}, the URL GOSUMDB names` : `the first GOPROXY entry serving /sumdb/${db.name}/supported, else ${db.url}`);
  const cause = err.cause;
  let hint: string | undefined;
  if (err instanceof SumdbUnknownModuleError) {
    hint =
      `${db.name} (reached at ${where}) does not know this module version: if it is private, list it in GONOSUMDB or GOPRIVATE ` +
      '(the go command needs that too); if it is public, the server may not really serve this checksum database';
  } else if (cause instanceof NetworkError && cause.constructor !== NetworkError && cause.hint !== undefined) {
    hint = `the checksum database is reached at ${where}; ${cause.hint}`;
  } else if (err.code === ErrorCode.SUMDB && /lookup failed/.test(err.message)) {
    hint = `the checksum database is reached at ${where}: check GOSUMDB and GOPROXY, or set GOSUMDB=off to pack without it (offline clients then need GOSUMDB=off or a complete go.sum)`;
  }
  if (hint === undefined) return err;
  const prefix = `${err.path}@${err.version}: `;
  const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  const Kind = err instanceof SumdbUnknownModuleError ? SumdbUnknownModuleError : SumdbModuleError;
  return new Kind(err.path, err.version, message, { hint, cause: err });
}

/**
 * Where `base` is, in words: the URL GOSUMDB names, the proxy that answered
 * /sumdb/<name>/supported, or the database's own host; and how it is
 * reached (directly or through the outbound proxy).
 */
export function describeSumdbBase(db: SumdbTarget, base: string, gosumdbSource: string, route: string): string {
  const shown = redactUrl(base);
  const why = db.urlExplicit
    ? `the URL ${gosumdbSource} names`
    : base === db.url
      ? `its own host, since no GOPROXY entry answers /sumdb/${db.name}/supported`
      : `the first GOPROXY entry that answered /sumdb/${db.name}/supported, as the go command chooses`;
  return `${shown} (${why}), connected ${route}`;
}

/** The stage for a loaded Go configuration, reaching the database like the go command through `chain`. */
export function sumdbStageForConfig(
  config: { sumdb: GoSumDB; env: SumdbStageOptions['env']; gosumdbSource?: string },
  chain: Pick<ProxyChain, 'sumdbBase'>,
  transport: HttpTransport,
  consistency: Pick<SumdbStageOptions, 'previous' | 'recordedHeads'> = {},
): SumdbStage {
  let reached: string | undefined;
  return createSumdbStage({
    sumdb: config.sumdb,
    env: config.env,
    connect: async (db) => {
      const base = await chain.sumdbBase(db);
      reached = describeSumdbBase(db, base, config.gosumdbSource ?? 'GOSUMDB', transport.describeRoute(base));
      return sumdbFetchOps(transport, base);
    },
    where: () => reached,
    ...consistency,
  });
}
