/**
 * Verifying module hashes with a checksum database, the way the go command
 * does (x/mod sumdb/client.go), and keeping what a bundle needs to replay
 * that database offline.
 *
 * Every outside effect goes through SumdbOps (x/mod's ClientOps reduced to
 * the one call we need): this file does no I/O. For each module we fetch
 * its lookup, open the tree note with the trusted key, keep the largest
 * tree seen, prove every smaller tree is a prefix of it, and prove every
 * record is in it, reading hashes from tiles that are themselves verified
 * against the signed root before any of them is trusted.
 */
import { mapLimit } from '../concurrency/mapLimit.js';
import { GobundleError, ModuleError, NotFoundError } from '../errors.js';
import { escapePath, escapeVersion } from '../gomod/modulePath.js';
import { type ModuleVersion, moduleKey } from '../gomod/moduleVersion.js';
import { open, newVerifier } from './note.js';
import { HASH_SIZE, type Hash, formatHash, recordHash } from './tlog/hash.js';
import { storedHashIndex, subTreeIndex, treeHash } from './tlog/storedHash.js';
import { TILE_HEIGHT, type Tile, type TileReader, tileHashReader, tilePath, tilesToRead } from './tlog/tile.js';
import { type Tree, formatTree, parseRecord, parseTree } from './tlog/treeNote.js';
import { ErrorCode } from '../errorCodes.js';

/** Lookups in flight at once (the HTTP layer has its own, global bound). */
export const LOOKUP_CONCURRENCY = 16;

/** The database's outside world: GET a path below its root. */
export interface SumdbOps {
  /**
   * Read `path` (e.g. "/lookup/golang.org/x/text@v0.3.0", "/tile/8/0/001.p/5")
   * from the database. Throws NotFoundError for 404/410, anything else for
   * other failures.
   */
  readRemote(path: string): Promise<Uint8Array>;
}

export interface SumdbRecord {
  id: number;
  /** The record text: "path version h1:…\npath version/go.mod h1:…\n". */
  text: string;
}

export interface VerifiedSumdb {
  /** The database name (from the verifier key). */
  name: string;
  /** The newest signed tree note seen, verbatim. */
  treeNote: Buffer;
  tree: Tree;
  /** Verified records by "path@version". */
  records: Map<string, SumdbRecord>;
  /**
   * Verified tile bytes by path ("tile/8/0/001.p/5"): exactly the tiles a go
   * client asks for to check every record against `tree`, and to prove
   * `tree` consistent with each of `consistentWith`.
   */
  tiles: Map<string, Buffer>;
  /** Smaller trees proven to be prefixes of `tree` (the older heads asked about), by size. */
  consistentWith: Tree[];
}

/** An older tree head that clients may remember, and where gobundle learnt of it (for messages). */
export interface OlderTree {
  tree: Tree;
  from: string;
}

export interface VerifyModulesOptions {
  /**
   * Tree heads of earlier bundles: a client that verified against one of
   * them remembers it (GOPATH/pkg/sumdb/<name>/latest) and, shown a larger
   * tree, proves the two consistent (x/mod sumdb/client.go checkTrees).
   * Each must be a prefix of the newest tree; its proof's tiles are kept.
   */
  olderTrees?: readonly OlderTree[];
}

/**
 * The database disagrees with itself: two signed trees that cannot both be
 * true. Shaped like x/mod's checkTrees report.
 */
export class SumdbSecurityError extends GobundleError {
  constructor(detail: string) {
    super(ErrorCode.SUMDBSECURITY, `SECURITY ERROR\ngo.sum database server misbehavior detected!\n\n${detail}`);
  }
}

/** A checksum-database failure that is not one module's (a tree, a proof, the database's answers as a whole). */
export class SumdbError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.SUMDB, message, options);
  }
}

/** A module version the checksum database does not vouch for (lookup failed, no record, a record that does not check): `path@version: verifying module: …`. */
export class SumdbModuleError extends ModuleError {
  static override readonly errorCode: ErrorCode = ErrorCode.SUMDB;
}

/** The checksum database does not know this module version (its lookup answered 404/410): usually a private module. */
export class SumdbUnknownModuleError extends SumdbModuleError {
  static override readonly errorCode: ErrorCode = ErrorCode.NOTEXIST;
}

/** The lookup path for a module version: "/lookup/<escaped path>@<escaped version>". */
export function lookupPath(m: ModuleVersion): string {
  return `/lookup/${escapePath(m.path)}@${escapeVersion(m.version.replace(/\/go\.mod$/, ''))}`;
}

/**
 * The zip and go.mod hashes a record gives for path@version (the lines
 * Lookup returns in x/mod): undefined when the record has no such line.
 */
export function recordHashes(text: string, m: ModuleVersion): { zip: string | undefined; mod: string | undefined } {
  let zip: string | undefined;
  let mod: string | undefined;
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length !== 3 || f[0] !== m.path) continue;
    if (f[1] === m.version) zip = f[2];
    else if (f[1] === `${m.version}/go.mod`) mod = f[2];
  }
  return { zip, mod };
}

/**
 * Reads tiles through ops like the go command (x/mod Client.readTile):
 * each tile fetched once; a partial tile that fails is read as the full
 * tile and truncated. Verified tiles are kept for the replay.
 */
class RemoteTiles implements TileReader {
  readonly height = TILE_HEIGHT;
  readonly verified = new Map<string, Buffer>();
  readonly #pending = new Map<string, Promise<Buffer>>();

  constructor(private readonly ops: SumdbOps) {}

  readTiles(tiles: readonly Tile[]): Promise<Uint8Array[]> {
    return Promise.all(tiles.map((t) => this.#readTile(t)));
  }

  saveTiles(tiles: readonly Tile[], data: readonly Uint8Array[]): void {
    tiles.forEach((t, i) => this.verified.set(tilePath(t), Buffer.from(data[i] as Uint8Array)));
  }

  #readTile(tile: Tile): Promise<Buffer> {
    const path = tilePath(tile);
    let p = this.#pending.get(path);
    if (p === undefined) {
      p = this.#fetch(tile);
      this.#pending.set(path, p);
    }
    return p;
  }

  async #fetch(tile: Tile): Promise<Buffer> {
    const full: Tile = { ...tile, w: 2 ** tile.h };
    try {
      return Buffer.from(await this.ops.readRemote(`/${tilePath(tile)}`));
    } catch (err) {
      if (tile.w === full.w) throw err;
      let data: Buffer;
      try {
        data = Buffer.from(await this.ops.readRemote(`/${tilePath(full)}`));
      } catch {
        throw err;
      }
      // A short full tile is left for tileHashReader's length check to refuse.
      return data.subarray(0, Math.min(data.length, tile.w * HASH_SIZE));
    }
  }
}

interface Lookup {
  module: ModuleVersion;
  record: SumdbRecord;
  tree: Tree;
  note: Buffer;
}

/**
 * Look up and verify every module's checksums. Throws ModuleError naming
 * the module for a missing or malformed lookup, SumdbSecurityError when
 * signed trees disagree or a record is not in the log.
 */
export async function verifyModules(
  ops: SumdbOps,
  dbVerifierKey: string,
  modules: readonly ModuleVersion[],
  opts: VerifyModulesOptions = {},
): Promise<VerifiedSumdb> {
  const verifier = newVerifier(dbVerifierKey);
  const unique = new Map<string, ModuleVersion>();
  for (const m of modules) {
    const v = { path: m.path, version: m.version.replace(/\/go\.mod$/, '') };
    unique.set(moduleKey(v), v);
  }
  if (unique.size === 0) throw new SumdbError('verifyModules: no modules to look up');

  const lookups = await mapLimit([...unique.values()], LOOKUP_CONCURRENCY, async (m): Promise<Lookup> => {
    const fail = (msg: string, cause?: unknown): SumdbModuleError =>
      new (cause instanceof NotFoundError ? SumdbUnknownModuleError : SumdbModuleError)(m.path, m.version, `verifying module: ${msg}`, {
        cause,
      });
    let data: Uint8Array;
    try {
      data = await ops.readRemote(lookupPath(m));
    } catch (err) {
      throw fail(`checksum database lookup failed: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    let parsed: ReturnType<typeof parseRecord>;
    let tree: Tree;
    try {
      parsed = parseRecord(data);
      const note = open(parsed.rest, [verifier]);
      tree = parseTree(note.text);
    } catch (err) {
      throw fail(`reading checksum database lookup: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    if (parsed.id < 0 || parsed.id >= tree.n) throw fail(`record id ${parsed.id} is not in tree of size ${tree.n}`);
    const hashes = recordHashes(parsed.text, m);
    if (hashes.mod === undefined) throw fail(`checksum database record has no go.mod hash:\n${parsed.text}`);
    return { module: m, record: { id: parsed.id, text: parsed.text }, tree, note: Buffer.from(parsed.rest) };
  });

  // The largest tree wins; every other tree must be a prefix of it.
  let newest = lookups[0] as Lookup;
  for (const l of lookups) if (l.tree.n > newest.tree.n) newest = l;
  const tree = newest.tree;
  const tiles = new RemoteTiles(ops);
  const reader = tileHashReader(tree, tiles);

  const indent = (text: string): string => text.replace(/\n/g, '\n\t');
  const checkPrefix = async (older: Tree, describe: () => string): Promise<void> => {
    let h: Hash;
    try {
      h = await treeHash(older.n, reader);
    } catch (err) {
      const what = older.n === tree.n ? `checking tree#${tree.n}` : `checking tree#${older.n} against tree#${tree.n}`;
      throw new SumdbError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (!h.equals(older.hash)) {
      throw new SumdbSecurityError(
        `old database:\n\t${indent(describe())}\nnew database:\n\t${indent(newest.note.toString('utf8'))}\nproof of misbehavior:\n\t${formatHash(h)}`,
      );
    }
  };
  const lookupTrees = new Map<string, Lookup>();
  for (const l of lookups) lookupTrees.set(`${l.tree.n} ${formatHash(l.tree.hash)}`, l);
  for (const l of lookupTrees.values()) {
    if (l.tree.n === tree.n && l.tree.hash.equals(tree.hash)) continue;
    await checkPrefix(l.tree, () => l.note.toString('utf8'));
  }

  // Older heads of earlier bundles: each must be a prefix of the newest tree.
  const consistentWith = new Map<string, Tree>();
  for (const o of opts.olderTrees ?? []) {
    if (o.tree.n > tree.n) {
      throw new SumdbError(
        `tree#${o.tree.n} of ${o.from} is larger than tree#${tree.n}, the newest the checksum database ${verifier.name} answered with: clients that verified against it cannot accept this tree`,
        { hint: `pack again when the database has caught up, or check that GOSUMDB names the same database as when ${o.from} was packed` },
      );
    }
    if (o.tree.n === 0 || (o.tree.n === tree.n && o.tree.hash.equals(tree.hash))) continue;
    await checkPrefix(o.tree, () => `${formatTree(o.tree)}(tree head of ${o.from})`);
    if (o.tree.n === tree.n) continue;
    // A client starting up re-reads its remembered tree's own right edge
    // (x/mod Client.mergeLatest checks the config's tree against itself);
    // fetched and folded to that tree's hash like the client does.
    try {
      await treeHash(o.tree.n, tileHashReader(o.tree, tiles));
    } catch (err) {
      throw new SumdbError(`checking tree#${o.tree.n} of ${o.from}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    consistentWith.set(`${o.tree.n} ${formatHash(o.tree.hash)}`, o.tree);
  }

  // Every record must be the leaf at its id in the newest tree.
  await Promise.all(
    lookups.map(async (l) => {
      let leaf: Hash;
      try {
        [leaf] = (await reader.readHashes([storedHashIndex(0, l.record.id)])) as [Hash];
      } catch (err) {
        throw new SumdbModuleError(
          l.module.path,
          l.module.version,
          `verifying module: checking record ${l.record.id} in tree#${tree.n}: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      if (!leaf.equals(recordHash(l.record.text))) {
        throw new SumdbSecurityError(
          `record ${l.record.id} for ${moduleKey(l.module)} is not in tree#${tree.n}:\n\t${l.record.text.replace(/\n/g, '\n\t')}`,
        );
      }
    }),
  );

  const records = new Map<string, SumdbRecord>();
  for (const l of lookups) records.set(moduleKey(l.module), l.record);
  const older = [...consistentWith.values()].sort((a, b) => a.n - b.n);
  const kept = replayTiles(
    tree.n,
    [...records.values()].map((r) => r.id),
    tiles.verified,
    older.map((t) => t.n),
  );
  return { name: verifier.name, treeNote: newest.note, tree, records, tiles: kept, consistentWith: older };
}

/**
 * The tiles a go client asks for when every lookup carries the tree of size
 * N: per record, the tiles one tileHashReader call reads (x/mod
 * sumdb/client.go checkRecord), and per older tree size it may remember,
 * the tiles that prove it a prefix of N (checkTrees: TreeHash(older.N) read
 * through the newer tree's tiles). Taken from already verified tile bytes.
 */
export function replayTiles(
  n: number,
  ids: readonly number[],
  verified: ReadonlyMap<string, Buffer>,
  olderSizes: readonly number[] = [],
): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const path of replayTilePaths(n, ids, olderSizes)) {
    const data = verified.get(path);
    if (data === undefined) throw new SumdbError(`internal error: tile ${path} was not verified`);
    out.set(path, data);
  }
  return out;
}

/** The paths of the tiles replayTiles keeps, sorted. */
export function replayTilePaths(n: number, ids: readonly number[], olderSizes: readonly number[] = []): string[] {
  const paths = new Set<string>();
  for (const id of ids) for (const t of tilesToRead(n, [storedHashIndex(0, id)]).tiles) paths.add(tilePath(t));
  for (const path of consistencyTilePaths(n, olderSizes)) paths.add(path);
  return [...paths].sort();
}

/**
 * The tiles a client remembering the tree of an older size asks for before
 * it accepts the tree of size n (x/mod sumdb/client.go): at start-up it
 * re-checks its remembered tree against that tree's own right-edge tiles,
 * then checkTrees reads TreeHash(older) through the tiles of tree n. Both
 * lie along the older tree's right edge, a few per level, and follow from
 * the two sizes alone.
 */
export function consistencyTilePaths(n: number, olderSizes: readonly number[]): string[] {
  const paths = new Set<string>();
  for (const m of olderSizes) {
    if (m <= 0 || m >= n) continue;
    for (const t of tilesToRead(m, []).tiles) paths.add(tilePath(t));
    for (const t of tilesToRead(n, subTreeIndex(0, m)).tiles) paths.add(tilePath(t));
  }
  return [...paths].sort();
}
