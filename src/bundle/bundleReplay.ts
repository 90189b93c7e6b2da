/**
 * Verification of a bundle's checksum-database replay, for serve (before
 * the port opens) and verify. The manifest's sha256 list already proves the
 * files are the ones the bundle key signed; this proves they are a correct
 * replay: the tree note is the one the signed manifest names, every lookup
 * carries that note and its record is included in the tree per the stored
 * tiles, the tiles fold to the root, and every older tree the manifest
 * lists is proven a prefix. When the database's verifier key is known
 * (--sumdb-key, or GOSUMDB as the go command reads it) the notes'
 * signatures are checked too; otherwise the signed manifest's tree stands
 * in for them (pack checked the note with the key).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustedSumdbKey } from '../config/sumdbKeyring.js';
import { ReplayError, verifyReplay, verifyReplayAgainstTree } from '../sumdb/replay.js';
import { formatHash, parseHash } from '../sumdb/tlog/hash.js';
import type { Tree } from '../sumdb/tlog/treeNote.js';
import { BundleError } from './bundleErrors.js';
import type { OpenedBundle } from './reader.js';
import { MANIFEST_NAME, SUMDB_PREFIX, sumdbDir } from './treeLayout.js';

export interface ReplayVerification {
  /** The bundle's source path. */
  bundle: string;
  name: string;
  tree: Tree;
  lookups: number;
  tiles: number;
  /** Older trees the tiles proved to be prefixes of `tree`. */
  consistentWith: Tree[];
  /** The key whose signature was checked; undefined when the signed manifest's tree was the reference. */
  key: TrustedSumdbKey | undefined;
}

/**
 * The names of the bundle's replay files (below sumdb/<name>/ for the
 * database its manifest names). Refuses sumdb/ files the signed manifest
 * does not account for: no database named, or another database's folder.
 */
export function replayFileNames(b: Pick<OpenedBundle, 'source' | 'manifest' | 'files'>): string[] {
  const db = b.manifest.sumdb;
  const prefix = db === null ? undefined : `${sumdbDir(db.name)}/`;
  const names: string[] = [];
  for (const name of b.files.keys()) {
    if (!name.startsWith(SUMDB_PREFIX)) continue;
    if (prefix === undefined)
      throw new BundleError(b.source, [`${name}: checksum database file, but the signed manifest names no checksum database`]);
    if (!name.startsWith(prefix)) throw new BundleError(b.source, [`${name}: not the manifest's checksum database ${db?.name}`]);
    names.push(name);
  }
  return names;
}

/** The tree the signed manifest names for its checksum database. */
export function manifestTree(b: Pick<OpenedBundle, 'source' | 'manifest'>): Tree | undefined {
  const db = b.manifest.sumdb;
  if (db === null) return undefined;
  try {
    return { n: db.treeSize, hash: parseHash(db.treeHash) };
  } catch (err) {
    throw new BundleError(b.source, [
      `${MANIFEST_NAME}: sumdb.treeHash ${JSON.stringify(db.treeHash)}: ${err instanceof Error ? err.message : String(err)}`,
    ]);
  }
}

/** The older trees the signed manifest says the bundle's tiles prove consistent with its tree. */
export function manifestOlderTrees(b: Pick<OpenedBundle, 'source' | 'manifest'>): Tree[] {
  return (b.manifest.sumdb?.consistentWith ?? []).map((t, i) => {
    try {
      return { n: t.treeSize, hash: parseHash(t.treeHash) };
    } catch (err) {
      throw new BundleError(b.source, [
        `${MANIFEST_NAME}: sumdb.consistentWith[${i}].treeHash ${JSON.stringify(t.treeHash)}: ${err instanceof Error ? err.message : String(err)}`,
      ]);
    }
  });
}

/** Read replay files from the bundle's verified tree, or from the bytes kept while it was only streamed. */
export async function readReplayFiles(
  b: Pick<OpenedBundle, 'source' | 'dir' | 'kept'>,
  names: readonly string[],
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of names) {
    const kept = b.kept?.get(name);
    if (kept !== undefined) files.set(name, kept);
    else if (b.dir !== undefined) files.set(name, await readFile(join(b.dir, name)));
    else throw new BundleError(b.source, [`${name}: not kept while verifying (internal error)`]);
  }
  return files;
}

/**
 * Verify the bundle's checksum-database replay; undefined when the bundle
 * carries none. Throws BundleError naming the bundle and the file.
 */
export async function verifyBundleReplay(
  b: OpenedBundle,
  keys: ReadonlyMap<string, TrustedSumdbKey>,
): Promise<ReplayVerification | undefined> {
  const names = replayFileNames(b);
  const db = b.manifest.sumdb;
  const want = manifestTree(b);
  if (db === null || want === undefined) return undefined;
  const files = await readReplayFiles(b, names);
  const key = keys.get(db.name);
  const consistentWith = manifestOlderTrees(b);
  try {
    const summary =
      key === undefined
        ? verifyReplayAgainstTree(files, db.name, want, { consistentWith })
        : verifyReplay(files, key.key, { consistentWith });
    if (summary.tree.n !== want.n || !summary.tree.hash.equals(want.hash)) {
      throw new ReplayError(
        `${sumdbDir(db.name)}/latest`,
        `has tree#${summary.tree.n} ${formatHash(summary.tree.hash)}, the signed manifest says tree#${want.n} ${formatHash(want.hash)}`,
      );
    }
    return { bundle: b.source, name: db.name, tree: summary.tree, lookups: summary.lookups, tiles: summary.tiles, consistentWith, key };
  } catch (err) {
    if (err instanceof ReplayError) throw new BundleError(b.source, [`checksum database ${db.name}: ${err.message}`], { cause: err });
    throw err;
  }
}

/** One line for the start-up log: what was checked and how. */
export function describeReplayVerification(v: ReplayVerification): string {
  const older = v.consistentWith.length === 0 ? '' : `, consistent with tree#${v.consistentWith.map((t) => t.n).join(', tree#')}`;
  const what = `checksum database ${v.name}: tree#${v.tree.n}, ${v.lookups} lookups, ${v.tiles} tiles verified${older}`;
  if (v.key !== undefined)
    return `${what}, tree note signature checked with key ${v.key.key.split('+').slice(0, 2).join('+')} (from ${v.key.from})`;
  return `${what} against the tree in the signed manifest (no key for ${v.name}: pass --sumdb-key or set GOSUMDB to also check the database's signature)`;
}
