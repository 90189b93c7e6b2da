/**
 * Replaying a checksum database from a bundle.
 *
 * A bundle carries, under sumdb/<name>/, what a go client asks a checksum
 * database for: `supported`, one `lookup/<path>@<version>` per module, the
 * tiles T(N, ids) and `latest`. Every lookup carries the same signed tree
 * head, so the client's requests are predictable (x/mod sumdb/client.go:
 * the tiles of one tree, src/bundle/FORMAT.md lists them). Extracted, the files work as a file:// GOPROXY; `serve`
 * answers the same requests through SumdbReplay.
 *
 * Nothing in a bundle is trusted for being there: verifyReplay re-checks the
 * signature, every tile against the signed root, and every record against
 * the tiles before serve starts.
 */
import { GobundleError } from '../errors.js';
import { unescapePath, unescapeVersion } from '../gomod/modulePath.js';
import { type VerifiedSumdb, lookupPath, recordHashes } from './client.js';
import { NoteError, UnverifiedNoteError, newVerifier, open } from './note.js';
import { HASH_SIZE, type Hash, formatHash, nodeHash, recordHash } from './tlog/hash.js';
import { storedHashIndex, subTreeHash, subTreeIndex } from './tlog/storedHash.js';
import { TILE_HEIGHT, type Tile, hashFromTile, parseTilePath, tileHash, tileParent, tilePath, tilesToRead } from './tlog/tile.js';
import { type Tree, formatRecord, parseRecord, parseTree } from './tlog/treeNote.js';
import { type ModuleVersion } from '../gomod/moduleVersion.js';
import { ErrorCode } from '../errorCodes.js';

/** The folder of a database's files in a bundle: "sumdb/<name>". */
export function replayDir(name: string): string {
  return `sumdb/${name}`;
}

/** A replay file that is missing, malformed or does not verify; the message names the file. */
export class ReplayError extends GobundleError {
  /** The code of this kind of failure; subclasses set their own. */
  static readonly errorCode: ErrorCode = ErrorCode.REPLAY;
  readonly file: string;
  constructor(file: string, message: string) {
    super((new.target as typeof ReplayError).errorCode, `${file}: ${message}`);
    this.file = file;
  }
}

/**
 * Verified tiles give an older tree a different hash than the one listed:
 * the two trees cannot both be the database's (a fork or a tampered head),
 * unlike tiles that are merely missing.
 */
export class TreeMismatchError extends ReplayError {
  static override readonly errorCode: ErrorCode = ErrorCode.TREEMISMATCH;
}

function splitKey(key: string): ModuleVersion {
  const at = key.indexOf('@');
  return { path: key.slice(0, at), version: key.slice(at + 1) };
}

/**
 * The files to store for a verified database, by bundle file name. Lookups
 * are rebuilt around the one tree note: the signature covers only the tree
 * text, so "id\ntext\n" + note is what the database would have answered.
 */
export function replayFiles(db: VerifiedSumdb): Map<string, Buffer> {
  const dir = replayDir(db.name);
  const files = new Map<string, Buffer>();
  files.set(`${dir}/supported`, Buffer.alloc(0));
  files.set(`${dir}/latest`, db.treeNote);
  for (const [key, record] of db.records) {
    files.set(
      `${dir}${lookupPath(splitKey(key))}`,
      Buffer.concat([Buffer.from(formatRecord(record.id, record.text), 'utf8'), db.treeNote]),
    );
  }
  for (const [path, data] of db.tiles) files.set(`${dir}/${path}`, data);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export type ReadReplayFile = (name: string) => Promise<Buffer | undefined>;

/**
 * Answers checksum-database requests for one database from bundle files.
 * `answer` takes the request path below /sumdb/<name>/ and returns the
 * body, or undefined for 404.
 */
export class SumdbReplay {
  readonly name: string;
  readonly #read: ReadReplayFile;

  constructor(name: string, readFile: ReadReplayFile) {
    this.name = name;
    this.#read = readFile;
  }

  async answer(requestPath: string): Promise<Buffer | undefined> {
    const dir = replayDir(this.name);
    if (requestPath === 'supported' || requestPath === 'latest') return this.#read(`${dir}/${requestPath}`);
    if (requestPath.startsWith('lookup/')) {
      const rest = requestPath.slice('lookup/'.length);
      const at = rest.lastIndexOf('@');
      if (at <= 0) return undefined;
      // Only the canonical escaped spelling names a stored file.
      try {
        unescapePath(rest.slice(0, at));
        unescapeVersion(rest.slice(at + 1));
      } catch {
        return undefined;
      }
      return this.#read(`${dir}/${requestPath}`);
    }
    if (requestPath.startsWith('tile/')) {
      let tile: Tile;
      try {
        tile = parseTilePath(requestPath);
      } catch {
        return undefined;
      }
      if (tile.h !== TILE_HEIGHT || tile.l < 0) return undefined;
      const exact = await this.#read(`${dir}/${requestPath}`);
      if (exact !== undefined || tile.w === 2 ** tile.h) return exact;
      // A partial tile is a prefix of the full one.
      const full = await this.#read(`${dir}/${tilePath({ ...tile, w: 2 ** tile.h })}`);
      if (full === undefined || full.length < tile.w * HASH_SIZE) return undefined;
      return full.subarray(0, tile.w * HASH_SIZE);
    }
    return undefined;
  }
}

export interface ReplaySummary {
  name: string;
  tree: Tree;
  lookups: number;
  tiles: number;
  /** The stored tiles (paths below sumdb/<name>/, e.g. "tile/8/0/003") that the lookups' and consistency proofs read. */
  usedTiles: string[];
  /** How many older trees the tiles proved to be prefixes of `tree`. */
  consistencyProofs: number;
}

/**
 * Check a database replay before serving it: `latest` verifies with the
 * trusted key; every lookup carries that same tree and a record for the
 * module its name says, included at its id; every tile needed for that is
 * present and consistent with the signed root; no other tile is stored
 * (except a full tile standing in for a needed partial one). `files` holds
 * bundle files by name; files outside sumdb/<name>/ are ignored.
 */
export function verifyReplay(files: ReadonlyMap<string, Uint8Array>, dbVerifierKey: string, opts: ReplayOptions = {}): ReplaySummary {
  const verifier = newVerifier(dbVerifierKey);
  return verifyReplayFiles(files, {
    name: verifier.name,
    readTree: (note) => parseTree(open(note, [verifier]).text),
    latestFailure: `tree note does not verify with ${verifier.name}`,
    consistentWith: opts.consistentWith,
  });
}

export interface ReplayOptions {
  /**
   * Older trees (the signed manifest's sumdb.consistentWith) that the stored
   * tiles must prove to be prefixes of the bundle's tree, as a client
   * remembering one of them checks (x/mod sumdb/client.go checkTrees).
   */
  consistentWith?: readonly Tree[];
}

export interface AgainstTreeOptions extends ReplayOptions {
  /**
   * Tiles no lookup needs are ignored instead of refused (serve merging
   * several bundles' tiles, where an older bundle's partial tiles are not
   * part of the newest tree's proofs). Default false.
   */
  ignoreUnneededTiles?: boolean;
}

/**
 * verifyReplay for when the database's verifier key is not known: the tree
 * head must be exactly `tree` (the one the bundle's signed manifest names,
 * checked with the key when the bundle was packed), the notes are parsed
 * without checking their signature, and everything else — lookups carrying
 * that tree, records included per the tiles, tiles folding to the root — is
 * checked as verifyReplay does.
 */
export function verifyReplayAgainstTree(
  files: ReadonlyMap<string, Uint8Array>,
  name: string,
  tree: Tree,
  opts: AgainstTreeOptions = {},
): ReplaySummary {
  const latestName = `${replayDir(name)}/latest`;
  return verifyReplayFiles(files, {
    name,
    readTree: (note) => parseTree(unverifiedNoteText(note, name)),
    latestFailure: 'malformed tree note',
    checkLatest: (got) => {
      if (got.n !== tree.n || !got.hash.equals(tree.hash)) {
        throw new ReplayError(
          latestName,
          `has tree#${got.n} ${formatHash(got.hash)}, the signed manifest says tree#${tree.n} ${formatHash(tree.hash)}`,
        );
      }
    },
    ignoreUnneededTiles: opts.ignoreUnneededTiles ?? false,
    consistentWith: opts.consistentWith,
  });
}

/** The text of a note signed by `name`, signature not checked (no key to check it with). */
function unverifiedNoteText(note: Uint8Array, name: string): string {
  try {
    open(note, []);
  } catch (err) {
    if (!(err instanceof UnverifiedNoteError)) throw err;
    if (!err.note.unverifiedSigs.some((s) => s.name === name)) throw new NoteError(`note has no signature by ${name}`);
    return err.note.text;
  }
  // open with no verifiers never returns: a note it accepts needs a verified signature.
  throw new NoteError('internal error: note verified without a key');
}

interface ReplayCheck {
  name: string;
  /** The tree a note states; throws when the note is unacceptable. */
  readTree: (note: Buffer) => Tree;
  /** How a bad `latest` is described. */
  latestFailure: string;
  checkLatest?: (tree: Tree) => void;
  ignoreUnneededTiles?: boolean;
  /** Older trees the stored tiles must prove to be prefixes of the bundle's tree. */
  consistentWith?: readonly Tree[];
}

function verifyReplayFiles(files: ReadonlyMap<string, Uint8Array>, check: ReplayCheck): ReplaySummary {
  const dir = replayDir(check.name);
  const prefix = `${dir}/`;
  const fail = (file: string, msg: string): ReplayError => new ReplayError(file, msg);
  const why = (err: unknown): string => (err instanceof Error ? err.message : String(err));

  const latestName = `${dir}/latest`;
  const latest = files.get(latestName);
  if (latest === undefined) throw fail(latestName, 'missing');
  if (!files.has(`${dir}/supported`)) throw fail(`${dir}/supported`, 'missing');
  let tree: Tree;
  try {
    tree = check.readTree(Buffer.from(latest));
  } catch (err) {
    throw fail(latestName, `${check.latestFailure}: ${why(err)}`);
  }
  check.checkLatest?.(tree);

  const lookups: { file: string; id: number; text: string }[] = [];
  const storedTiles = new Map<string, Buffer>();
  for (const [name, data] of files) {
    if (!name.startsWith(prefix)) continue;
    const rel = name.slice(prefix.length);
    if (rel === 'latest' || rel === 'supported') continue;
    if (rel.startsWith('lookup/')) {
      lookups.push({
        file: name,
        ...checkLookup(name, rel.slice('lookup/'.length), Buffer.from(data), check.readTree, tree, Buffer.from(latest)),
      });
    } else if (rel.startsWith('tile/')) {
      storedTiles.set(rel, Buffer.from(data));
    } else {
      throw fail(name, 'unexpected file in checksum database replay');
    }
  }

  // Verify tiles in the order a client reads them: the right edge folds to
  // the root, then each path top-down against its already verified parent,
  // so the first failure names the tile that is wrong.
  const verified = new Map<string, Buffer>();
  const tileData = (t: Tile): Buffer => {
    const path = tilePath(t);
    const exact = storedTiles.get(path);
    if (exact !== undefined) {
      if (exact.length !== t.w * HASH_SIZE) throw fail(`${dir}/${path}`, `has ${exact.length} bytes, want ${t.w * HASH_SIZE}`);
      return exact;
    }
    const fullPath = tilePath({ ...t, w: 2 ** t.h });
    const full = storedTiles.get(fullPath);
    if (full === undefined || t.w === 2 ** t.h) throw fail(`${dir}/${path}`, 'missing');
    if (full.length !== 2 ** t.h * HASH_SIZE) throw fail(`${dir}/${fullPath}`, `has ${full.length} bytes, want ${2 ** t.h * HASH_SIZE}`);
    return full.subarray(0, t.w * HASH_SIZE);
  };
  const needed = new Set<string>();
  let rootChecked = false;
  /** Hashes at these stored indexes, read as a client's tileHashReader reads them: every tile checked first. */
  const readHashes = (indexes: readonly number[]): Hash[] => {
    const plan = tilesToRead(tree.n, indexes);
    plan.tiles.forEach((t) => needed.add(tilePath(t)));
    if (!rootChecked) {
      const last = plan.stx.length - 1;
      const at = (i: number): [Tile, Buffer] => {
        const t = plan.tiles[plan.stxTile[i] as number] as Tile;
        return [t, tileData(t)];
      };
      let th: Hash = hashFromTile(...at(last), plan.stx[last] as number);
      for (let i = last - 1; i >= 0; i--) th = nodeHash(hashFromTile(...at(i), plan.stx[i] as number), th);
      const edge = [...new Set(plan.stxTile)].map((j) => `${dir}/${tilePath(plan.tiles[j] as Tile)}`);
      if (!th.equals(tree.hash))
        throw fail(edge.join(', '), `right-edge tiles do not fold to the signed tree hash ${formatHash(tree.hash)}`);
      for (const j of new Set(plan.stxTile)) {
        const t = plan.tiles[j] as Tile;
        verified.set(tilePath(t), tileData(t));
      }
      rootChecked = true;
    }
    for (const t of plan.tiles) {
      const path = tilePath(t);
      if (verified.has(path)) continue;
      const p = tileParent(t, 1, tree.n) as Tile;
      const parentData = verified.get(tilePath(p));
      if (parentData === undefined) throw new ReplayError(path, 'internal error: its parent tile was not verified');
      const data = tileData(t);
      if (!tileHash(data).equals(hashFromTile(p, parentData, storedHashIndex(p.l * p.h, t.n)))) {
        throw fail(`${dir}/${storedTiles.has(path) ? path : tilePath({ ...t, w: 2 ** t.h })}`, 'tile does not match the signed tree');
      }
      verified.set(path, data);
    }
    return indexes.map((x, i) => {
      const t = plan.tiles[plan.indexTile[i] as number] as Tile;
      return hashFromTile(t, verified.get(tilePath(t)) as Buffer, x);
    });
  };
  for (const l of lookups) {
    const [leaf] = readHashes([storedHashIndex(0, l.id)]) as [Hash];
    if (!leaf.equals(recordHash(l.text))) throw fail(l.file, `record ${l.id} is not in the signed tree of size ${tree.n}`);
  }
  // Each older tree a client may remember must be a prefix of this one, per the stored tiles (x/mod checkTrees).
  for (const older of check.consistentWith ?? []) {
    if (older.n <= 0 || older.n >= tree.n) {
      if (older.n === tree.n && older.hash.equals(tree.hash)) continue;
      throw fail(latestName, `the signed manifest lists tree#${older.n} as an older tree of tree#${tree.n}`);
    }
    const indexes = subTreeIndex(0, older.n);
    let h: Hash;
    try {
      [h] = subTreeHash(0, older.n, readHashes(indexes));
    } catch (err) {
      if (err instanceof ReplayError)
        throw new ReplayError(
          err.file,
          `proving tree#${older.n} consistent with tree#${tree.n}: ${err.message.slice(err.file.length + 2)}`,
        );
      throw err;
    }
    if (!h.equals(older.hash)) {
      const tiles = [...new Set(tilesToRead(tree.n, indexes).tiles.map((t) => `${dir}/${tilePath(t)}`))];
      throw new TreeMismatchError(tiles.join(', '), `tiles prove tree#${older.n} has hash ${formatHash(h)}, not ${formatHash(older.hash)}`);
    }
    // The older tree's own right edge, which a client remembering it reads at start-up, folds to its hash.
    const edge = tilesToRead(older.n, []);
    edge.tiles.forEach((t) => needed.add(tilePath(t)));
    const edgeHash = (i: number): Hash => {
      const t = edge.tiles[edge.stxTile[i] as number] as Tile;
      return hashFromTile(t, tileData(t), edge.stx[i] as number);
    };
    const last = edge.stx.length - 1;
    let eh = edgeHash(last);
    for (let i = last - 1; i >= 0; i--) eh = nodeHash(edgeHash(i), eh);
    if (!eh.equals(older.hash)) {
      throw fail(
        edge.tiles.map((t) => `${dir}/${tilePath(t)}`).join(', '),
        `right-edge tiles of tree#${older.n} do not fold to its hash ${formatHash(older.hash)}`,
      );
    }
  }

  for (const path of storedTiles.keys()) {
    if (needed.has(path)) continue;
    const t = parseTilePathOr(path);
    const standsIn = t !== undefined && t.w === 2 ** t.h && [...needed].some((n) => n.startsWith(`${path}.p/`));
    if (!standsIn && !check.ignoreUnneededTiles) throw fail(`${dir}/${path}`, 'unexpected tile: no lookup or consistency proof needs it');
  }
  const usedTiles = [...needed].map((p) => (storedTiles.has(p) ? p : tilePath({ ...(parseTilePath(p) as Tile), w: 2 ** TILE_HEIGHT })));
  return {
    name: check.name,
    tree,
    lookups: lookups.length,
    tiles: storedTiles.size,
    usedTiles: [...new Set(usedTiles)].sort(),
    consistencyProofs: (check.consistentWith ?? []).length,
  };
}

function parseTilePathOr(path: string): Tile | undefined {
  try {
    return parseTilePath(path);
  } catch {
    return undefined;
  }
}

function checkLookup(
  file: string,
  escaped: string,
  data: Buffer,
  readTree: (note: Buffer) => Tree,
  tree: Tree,
  latestNote: Buffer,
): { id: number; text: string } {
  const at = escaped.lastIndexOf('@');
  let m: ModuleVersion;
  try {
    m = { path: unescapePath(escaped.slice(0, at)), version: unescapeVersion(escaped.slice(at + 1)) };
  } catch (err) {
    throw new ReplayError(file, `malformed lookup name: ${err instanceof Error ? err.message : String(err)}`);
  }
  let rec: ReturnType<typeof parseRecord>;
  let lookupTree: Tree;
  try {
    rec = parseRecord(data);
    lookupTree = readTree(rec.rest);
  } catch (err) {
    throw new ReplayError(file, err instanceof Error ? err.message : String(err));
  }
  if (lookupTree.n !== tree.n || !lookupTree.hash.equals(tree.hash)) {
    throw new ReplayError(file, `carries tree#${lookupTree.n}, not the bundle's tree#${tree.n}`);
  }
  // The same note byte for byte, signatures included: a client that checks
  // them must see exactly what latest carries.
  if (!rec.rest.equals(latestNote)) throw new ReplayError(file, 'carries a different note for the same tree than latest');
  if (rec.id < 0 || rec.id >= tree.n) throw new ReplayError(file, `record id ${rec.id} is not in tree of size ${tree.n}`);
  const hashes = recordHashes(rec.text, m);
  if (hashes.mod === undefined) throw new ReplayError(file, `record has no go.mod hash for ${m.path}@${m.version}`);
  return { id: rec.id, text: rec.text };
}
