/**
 * One consistent checksum database per name when several bundles carry a
 * replay of it. A go client remembers the largest tree it has verified and
 * demands a consistency proof when it sees another one, so serve must never
 * answer one lookup with tree A and the next with tree B: every lookup is
 * answered with the tree note of one head bundle.
 *
 * The head is the bundle with the largest tree. A lookup from another
 * (older) bundle is rebuilt around the head's note — the note signature
 * covers only the tree text, so "id\ntext\n" + note is what the database
 * would have answered at the head's size — and is served only if its
 * record is provably included in the head's tree with tiles stored in the
 * served bundles (the union of their tiles: same path, same bytes, since a
 * tile of an append-only log never changes). pack stores exactly T(N, ids)
 * for its own ids, so an older bundle's partial right-edge tiles usually do
 * not prove its records in a larger tree; a newer bundle packed from a
 * superset of the older one's modules carries T(N, ids) for all of them and
 * proves them. Anything else is refused at start, naming both bundles,
 * rather than served unprovable: the client would fail on it anyway, with a
 * far less helpful message. Two bundles with different trees of the same
 * size (a forked or tampered database) are refused too.
 */
import { join } from 'node:path';
import type { OpenedBundle } from '../bundle/reader.js';
import { GobundleError } from '../errors.js';
import { ReplayError, TreeMismatchError, replayDir, verifyReplayAgainstTree } from '../sumdb/replay.js';
import { formatHash } from '../sumdb/tlog/hash.js';
import { type Tree, formatRecord, parseRecord } from '../sumdb/tlog/treeNote.js';
import { manifestOlderTrees, manifestTree, readReplayFiles, replayFileNames } from '../bundle/bundleReplay.js';
import { ErrorCode } from '../errorCodes.js';

/** A served file of a bundle's verified tree (same shape as ModuleIndex's ServedFile). */
export interface SumdbTileFile {
  file: string;
  size: number;
  sha256: string;
  bundle: string;
}

/** What serve answers for one checksum database. */
export interface SumdbView {
  name: string;
  /** Source of the bundle whose tree is served. */
  head: string;
  tree: Tree;
  /** supported, latest and every lookup (rebuilt around the head's note), by bundle file name. */
  small: ReadonlyMap<string, Buffer>;
  /** The tiles the lookups' proofs read, by bundle file name. */
  tiles: ReadonlyMap<string, SumdbTileFile>;
  /** Bundles whose records are served under the head's tree. */
  bundles: string[];
  /** Older trees the served tiles prove to be prefixes of `tree` (clients remembering one of them accept it). */
  consistentWith: Tree[];
  /**
   * What an operator should know: served bundles whose own tree the served
   * tiles do not prove consistent with `tree` (a client that verified
   * against such a bundle fails until it forgets that tree).
   */
  warnings: string[];
}

/** Bundles whose checksum-database replays cannot be served as one tree. */
export class SumdbMergeError extends GobundleError {
  constructor(message: string, hint?: string) {
    super(ErrorCode.SUMDBMERGE, message, { hint });
  }
}

type MergeBundle = Pick<OpenedBundle, 'source' | 'manifest' | 'files' | 'dir' | 'kept'>;

interface Member {
  b: MergeBundle;
  tree: Tree;
  /** Older trees its signed manifest says its tiles prove. */
  older: Tree[];
  names: string[];
}

/** Build the served view of every checksum database the bundles carry. */
export async function mergeSumdbReplays(bundles: readonly MergeBundle[]): Promise<Map<string, SumdbView>> {
  const byName = new Map<string, Member[]>();
  for (const b of bundles) {
    const names = replayFileNames(b);
    const tree = manifestTree(b);
    if (b.manifest.sumdb === null || tree === undefined) continue;
    let members = byName.get(b.manifest.sumdb.name);
    if (members === undefined) byName.set(b.manifest.sumdb.name, (members = []));
    members.push({ b, tree, older: manifestOlderTrees(b), names });
  }
  const views = new Map<string, SumdbView>();
  for (const [name, members] of byName) views.set(name, await mergeOne(name, members));
  return views;
}

async function mergeOne(name: string, members: Member[]): Promise<SumdbView> {
  const dir = replayDir(name);
  let head = members[0] as Member;
  for (const m of members) {
    for (const other of members) {
      if (other !== m && other.tree.n === m.tree.n && !other.tree.hash.equals(m.tree.hash)) {
        throw new SumdbMergeError(
          `checksum database ${name}: bundles ${m.b.source} and ${other.b.source} carry different trees of size ${m.tree.n} (${formatHash(m.tree.hash)} and ${formatHash(other.tree.hash)})`,
          'the database forked or a bundle was made from a tampered one: serve only one of them',
        );
      }
    }
    if (m.tree.n > head.tree.n) head = m;
  }

  // The union of stored tiles; a tile path names immutable content.
  const tileFiles = new Map<string, SumdbTileFile>();
  for (const m of members) {
    for (const n of m.names) {
      if (!n.startsWith(`${dir}/tile/`)) continue;
      const f = m.b.files.get(n);
      if (f === undefined || m.b.dir === undefined) continue;
      const prev = tileFiles.get(n);
      if (prev !== undefined && prev.sha256 !== f.sha256) {
        throw new SumdbMergeError(
          `checksum database ${name}: ${n} differs between bundles ${prev.bundle} and ${m.b.source} (a tile of the log never changes)`,
        );
      }
      if (prev === undefined) tileFiles.set(n, { file: join(m.b.dir, n), size: f.size, sha256: f.sha256, bundle: m.b.source });
    }
  }
  const tiles = new Map<string, Buffer>();
  for (const m of members) {
    const mine = m.names.filter((n) => n.startsWith(`${dir}/tile/`) && tileFiles.get(n)?.bundle === m.b.source);
    for (const [n, data] of await readReplayFiles(m.b, mine)) tiles.set(n, data);
  }

  const headFiles = await readReplayFiles(head.b, [`${dir}/latest`]);
  const note = headFiles.get(`${dir}/latest`) as Buffer;
  const small = new Map<string, Buffer>([
    [`${dir}/supported`, Buffer.alloc(0)],
    [`${dir}/latest`, note],
  ]);
  const lookupFrom = new Map<string, { bundle: string; record: string }>();
  const used = new Set<string>();
  // Head first: its own replay must hold on its own before others lean on it.
  for (const m of [head, ...members.filter((x) => x !== head)]) {
    const lookups = await readReplayFiles(
      m.b,
      m.names.filter((n) => n.startsWith(`${dir}/lookup/`)),
    );
    const files = new Map<string, Buffer>([...small.entries()].filter(([n]) => !n.startsWith(`${dir}/lookup/`)));
    for (const [n, data] of lookups) {
      let record: string;
      try {
        const r = parseRecord(data);
        record = formatRecord(r.id, r.text);
      } catch (err) {
        throw new SumdbMergeError(
          `bundle ${m.b.source}: checksum database ${name}: ${n}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      const prev = lookupFrom.get(n);
      if (prev !== undefined && prev.record !== record) {
        throw new SumdbMergeError(
          `checksum database ${name}: ${n} differs between bundles ${prev.bundle} and ${m.b.source} (a record of the log never changes)`,
        );
      }
      files.set(n, Buffer.concat([Buffer.from(record, 'utf8'), note]));
    }
    for (const [n, data] of tiles) files.set(n, data);
    let used1: string[];
    try {
      // The head's own consistency proofs hold on its tiles, as verify checked.
      const consistentWith = m === head ? head.older : [];
      used1 = verifyReplayAgainstTree(files, name, head.tree, { ignoreUnneededTiles: true, consistentWith }).usedTiles;
    } catch (err) {
      if (!(err instanceof ReplayError)) throw err;
      if (m === head) throw new SumdbMergeError(`bundle ${m.b.source}: checksum database ${name}: ${err.message}`);
      throw new SumdbMergeError(
        `checksum database ${name}: the records of bundle ${m.b.source} (tree#${m.tree.n}) are not provably included in tree#${head.tree.n} of bundle ${head.b.source}, the newest one served: ${err.message}`,
        `pack a new bundle from a superset of both bundles' modules (its tiles prove every record in one tree), or serve ${m.b.source} alone`,
      );
    }
    for (const t of used1) used.add(`${dir}/${t}`);
    for (const [n, data] of files) {
      if (!n.startsWith(`${dir}/lookup/`) || small.has(n)) continue;
      small.set(n, data);
      lookupFrom.set(n, { bundle: m.b.source, record: data.subarray(0, data.length - note.length).toString('utf8') });
    }
  }
  // Every other served tree: a client that verified against it must be able to move to the head's.
  const proven = new Map<number, Tree>(head.older.map((t) => [t.n, t]));
  const warnings: string[] = [];
  const withTiles = new Map<string, Buffer>([...small].filter(([n]) => !n.startsWith(`${dir}/lookup/`)));
  for (const [n, data] of tiles) withTiles.set(n, data);
  for (const m of members) {
    const olderTrees = [m.tree, ...m.older].filter((t) => t.n < head.tree.n && !proven.has(t.n));
    for (const t of olderTrees) {
      try {
        for (const u of verifyReplayAgainstTree(withTiles, name, head.tree, { ignoreUnneededTiles: true, consistentWith: [t] }).usedTiles)
          used.add(`${dir}/${u}`);
        proven.set(t.n, t);
      } catch (err) {
        if (err instanceof TreeMismatchError) {
          throw new SumdbMergeError(
            `checksum database ${name}: tree#${t.n} of bundle ${m.b.source} is not a prefix of tree#${head.tree.n} of bundle ${head.b.source}: ${err.message}`,
            'the database forked or a bundle was made from a tampered one: serve only one of them',
          );
        }
        if (!(err instanceof ReplayError)) throw err;
        if (t === m.tree) {
          warnings.push(
            `checksum database ${name}: no served tiles prove tree#${t.n} of bundle ${m.b.source} consistent with tree#${head.tree.n} of bundle ${head.b.source}: clients that verified against tree#${t.n} will fail (pack the newer bundle with --previous ${m.b.source})`,
          );
        }
      }
    }
  }
  const servedTiles = new Map<string, SumdbTileFile>();
  for (const n of [...used].sort()) {
    const f = tileFiles.get(n);
    if (f !== undefined) servedTiles.set(n, f);
  }
  return {
    name,
    head: head.b.source,
    tree: head.tree,
    small,
    tiles: servedTiles,
    bundles: members.map((m) => m.b.source),
    consistentWith: [...proven.values()].sort((a, b) => a.n - b.n),
    warnings,
  };
}
