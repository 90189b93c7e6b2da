/**
 * Tiles: how the checksum database serves its stored hashes
 * (x/mod sumdb/tlog tile.go).
 *
 * A tile of height H at level L holds 2^H consecutive hashes of tree level
 * H·L (a "data" tile, L = -1, holds record texts). Tile N at a level covers
 * positions N·2^H … N·2^H+W−1; a partial tile (W < 2^H, path suffix .p/W) is
 * a prefix of the eventual full tile, which is why a client may read a full
 * tile and truncate it.
 */
import { HASH_SIZE, type Hash, type HashReader, TlogError, TlogTileError, nodeHash, shl, shr } from './hash.js';
import type { Tree } from './treeNote.js';
import { checkCount, splitStoredHashIndex, storedHashIndex, subTreeIndex } from './storedHash.js';

/** The checksum database (and the go command) always use tiles of height 8. */
export const TILE_HEIGHT = 8;
/** Tile numbers are written in groups of three digits. */
const PATH_BASE = 1000;
/** x/mod limits tile heights to 1…30. */
const MAX_TILE_HEIGHT = 30;

export interface Tile {
  /** Height (1…30). */
  h: number;
  /** Level in the tiling; -1 for a data tile. */
  l: number;
  /** Number within the level. */
  n: number;
  /** Width: 1…2^h; 2^h is a complete tile. */
  w: number;
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

/** The tile's path below the database root, e.g. tile/8/0/x001/x234/067.p/5. */
export function tilePath(t: Tile): string {
  let n = t.n;
  let nStr = pad3(n % PATH_BASE);
  while (n >= PATH_BASE) {
    n = Math.floor(n / PATH_BASE);
    nStr = `x${pad3(n % PATH_BASE)}/${nStr}`;
  }
  const pStr = t.w !== 2 ** t.h ? `.p/${t.w}` : '';
  return `tile/${t.h}/${t.l === -1 ? 'data' : String(t.l)}/${nStr}${pStr}`;
}

/** Go's strconv.Atoi for our purposes: optional sign, decimal digits. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Parse a tile path; only the canonical spelling (the one tilePath prints) is accepted. */
export function parseTilePath(path: string): Tile {
  const bad = (): TlogError => new TlogError(`malformed tile path ${JSON.stringify(path)}`);
  let f = path.split('/');
  if (f.length < 4 || f[0] !== 'tile') throw bad();
  const h = atoi(f[1] as string);
  const isData = f[2] === 'data';
  let l = isData ? 0 : atoi(f[2] as string);
  if (h === undefined || l === undefined || h < 1 || l < 0 || h > MAX_TILE_HEIGHT) throw bad();
  let w = 2 ** h;
  const dotP = f[f.length - 2] as string;
  if (dotP.endsWith('.p')) {
    const ww = atoi(f[f.length - 1] as string);
    if (ww === undefined || ww <= 0 || ww >= w) throw bad();
    w = ww;
    f[f.length - 2] = dotP.slice(0, -2);
    f = f.slice(0, -1);
  }
  let n = 0;
  for (const s of f.slice(3)) {
    const nn = atoi(s.startsWith('x') ? s.slice(1) : s);
    if (nn === undefined || nn < 0 || nn >= PATH_BASE) throw bad();
    n = n * PATH_BASE + nn;
  }
  if (isData) l = -1;
  const t: Tile = { h, l, n, w };
  if (tilePath(t) !== path) throw bad();
  return t;
}

/** The tile holding stored hash `index`, with the byte range of that hash's subtree in it. */
function tileForIndexRange(h: number, index: number): [Tile, number, number] {
  let [level, n] = splitStoredHashIndex(index);
  const l = Math.floor(level / h);
  level -= l * h; // level within the tile
  const tn = shr(shl(n, level), h);
  n -= shr(shl(tn, h), level); // n within the tile at level
  const w = shl(n + 1, level);
  return [{ h, l, n: tn, w }, shl(n, level) * HASH_SIZE, shl(n + 1, level) * HASH_SIZE];
}

/** The smallest tile (of height h) from which stored hash `index` can be read. */
export function tileForIndex(h: number, index: number): Tile {
  if (h <= 0) throw new TlogError(`TileForIndex: invalid height ${h}`);
  return tileForIndexRange(h, index)[0];
}

/** The hash of a run of 2^k level hashes: fold pairwise like the tree does. */
export function tileHash(data: Uint8Array): Hash {
  if (data.length === 0) throw new TlogError('bad math in tileHash');
  if (data.length === HASH_SIZE) return Buffer.from(data);
  const n = data.length / 2;
  return nodeHash(tileHash(data.subarray(0, n)), tileHash(data.subarray(n)));
}

/** Read stored hash `index` out of tile t's data (x/mod HashFromTile). */
export function hashFromTile(t: Tile, data: Uint8Array, index: number): Hash {
  const [start, end] = hashRangeInTile(t, data, index);
  return tileHash(data.subarray(start, end));
}

/** The bytes of t's data that stored hash `index` is folded from, checked as HashFromTile checks them. */
function hashRangeInTile(t: Tile, data: Uint8Array, index: number): [number, number] {
  if (t.h < 1 || t.h > MAX_TILE_HEIGHT || t.l < 0 || t.l >= 64 || t.w < 1 || t.w > 2 ** t.h) {
    throw new TlogError(`invalid tile ${tilePath(t)}`);
  }
  if (data.length < t.w * HASH_SIZE) throw new TlogError(`data len ${data.length} too short for tile ${tilePath(t)}`);
  const [t1, start, end] = tileForIndexRange(t.h, index);
  if (t.l !== t1.l || t.n !== t1.n || t.w < t1.w) {
    throw new TlogError(`index ${index} is in ${tilePath(t1)} not ${tilePath(t)}`);
  }
  return [start, end];
}

/**
 * hashFromTile and tileHash with every aligned run of a tile's hashes
 * folded at most once. A verification reads the same few tiles for every
 * lookup it proves, and x/mod's reader (like hashFromTile) folds a run
 * again on each read: up to 255 SHA-256 calls per tile per lookup, which
 * for a few hundred lookups was most of a pack's checksum-database CPU.
 * Keyed by the data object, so the bytes of a tile must not change while
 * this is in use (the readers here keep each tile's verified bytes).
 */
export class TileHashes {
  readonly #memo = new WeakMap<Uint8Array, Map<number, Hash>>();

  /** hashFromTile(t, data, index). */
  fromTile(t: Tile, data: Uint8Array, index: number): Hash {
    const [start, end] = hashRangeInTile(t, data, index);
    return this.#fold(data, start, end);
  }

  /** tileHash(data). */
  whole(data: Uint8Array): Hash {
    if (data.length === 0) throw new TlogError('bad math in tileHash');
    return this.#fold(data, 0, data.length);
  }

  #fold(data: Uint8Array, start: number, end: number): Hash {
    const count = (end - start) / HASH_SIZE;
    // A run that is not 2^k hashes has no tree hash (tileHash fails on it too).
    if (!Number.isInteger(count) || count < 1 || (count & (count - 1)) !== 0) throw new TlogError('bad math in tileHash');
    if (count === 1) return Buffer.from(data.subarray(start, end));
    let memo = this.#memo.get(data);
    if (memo === undefined) {
      memo = new Map();
      this.#memo.set(data, memo);
    }
    // Runs are aligned powers of two within one tile's data: start and length name one.
    const key = start * (data.length + 1) + (end - start);
    let h = memo.get(key);
    if (h === undefined) {
      const mid = start + (end - start) / 2;
      h = nodeHash(this.#fold(data, start, mid), this.#fold(data, mid, end));
      memo.set(key, h);
    }
    return h;
  }
}

/** The tiles that change when a log grows from oldTreeSize to newTreeSize (x/mod NewTiles). */
export function newTiles(h: number, oldTreeSize: number, newTreeSize: number): Tile[] {
  if (h <= 0) throw new TlogError(`NewTiles: invalid height ${h}`);
  const tiles: Tile[] = [];
  for (let level = 0; shr(newTreeSize, h * level) > 0; level++) {
    const oldN = shr(oldTreeSize, h * level);
    const newN = shr(newTreeSize, h * level);
    for (let n = shr(oldN, h); n < shr(newN, h); n++) tiles.push({ h, l: level, n, w: 2 ** h });
    const n = shr(newN, h);
    const maxW = newN - shl(n, h);
    const minW = oldN > shl(n, h) ? oldN - shl(n, h) : 1;
    for (let w = minW; w <= maxW; w++) tiles.push({ h, l: level, n, w });
  }
  return tiles;
}

/** The bytes of tile t, read from a hash store (x/mod ReadTileData). */
export async function readTileData(t: Tile, r: HashReader): Promise<Buffer> {
  const size = t.w === 0 ? 2 ** t.h : t.w;
  const start = shl(t.n, t.h);
  const indexes: number[] = [];
  for (let i = 0; i < size; i++) indexes.push(storedHashIndex(t.h * t.l, start + i));
  const hashes = await r.readHashes(indexes);
  checkCount(indexes, hashes);
  return Buffer.concat(hashes);
}

/**
 * The tile that holds tile t's hash k levels of tiles up, sized for a tree
 * of n records; undefined (x/mod's zero Tile) when it does not exist yet.
 */
export function tileParent(t: Tile, k: number, n: number): Tile | undefined {
  const p: Tile = { h: t.h, l: t.l + k, n: shr(t.n, k * t.h), w: 2 ** t.h };
  const max = shr(n, p.l * p.h);
  if (shl(p.n, p.h) + p.w >= max) {
    if (shl(p.n, p.h) >= max) return undefined;
    p.w = max - shl(p.n, p.h);
  }
  return p;
}

function tileKey(t: Tile): string {
  return `${t.h}/${t.l}/${t.n}/${t.w}`;
}

/**
 * The tiles TileHashReader(tree, h) asks for to read the given stored
 * hashes, in x/mod's order: first the right-edge tiles that fold to the
 * tree hash, then for each index the tile holding it and its full-width
 * ancestors up to the first tile already listed.
 *
 * This is what a go client fetches for one ReadHashes call, so replaying
 * a checksum database means storing the union of these lists.
 */
export function tilesToRead(
  treeSize: number,
  indexes: readonly number[],
  h = TILE_HEIGHT,
): {
  tiles: Tile[];
  /** For each stored hash of subTreeIndex(0, N): the position of its tile in `tiles`. */
  stx: number[];
  stxTile: number[];
  /** For each index: the position of its tile in `tiles`. */
  indexTile: number[];
} {
  const order = new Map<string, number>();
  const tiles: Tile[] = [];
  const stx = subTreeIndex(0, treeSize);
  const stxTile = stx.map((x) => {
    const tile = tileParent(tileForIndex(h, x), 0, treeSize) as Tile;
    const j = order.get(tileKey(tile));
    if (j !== undefined) return j;
    order.set(tileKey(tile), tiles.length);
    tiles.push(tile);
    return tiles.length - 1;
  });
  const end = storedHashIndex(0, treeSize);
  const indexTile = indexes.map((x) => {
    if (x >= end) throw new TlogError('indexes not in tree');
    const tile = tileForIndex(h, x);
    let at = -1;
    let k = 0;
    for (; ; k++) {
      const p = tileParent(tile, k, treeSize);
      const j = p === undefined ? undefined : order.get(tileKey(p));
      if (j !== undefined) {
        if (k === 0) at = j;
        break;
      }
      if (p === undefined) throw new TlogError(`bad math in tileHashReader: ${treeSize} ${x}`);
    }
    for (k--; k >= 0; k--) {
      const p = tileParent(tile, k, treeSize) as Tile;
      if (p.w !== 2 ** p.h) throw new TlogError(`bad math in tileHashReader: ${treeSize} ${x} ${tilePath(p)}`);
      order.set(tileKey(p), tiles.length);
      if (k === 0) at = tiles.length;
      tiles.push(p);
    }
    return at;
  });
  return { tiles, stx, stxTile, indexTile };
}

/** Fetches tiles for a TileHashReader; data[i] must be tiles[i]'s bytes (exactly w·32 bytes). */
export interface TileReader {
  readonly height: number;
  readTiles(tiles: readonly Tile[]): Promise<Uint8Array[]>;
  /** Called with tiles only after they were verified against the tree hash. */
  saveTiles(tiles: readonly Tile[], data: readonly Uint8Array[]): void;
}

/**
 * A HashReader for a signed tree that reads hashes from tiles and trusts
 * none of them until they check out (x/mod TileHashReader): the right-edge
 * tiles must fold to the tree hash, and every other tile must hash to the
 * entry for it in its parent tile.
 */
export function tileHashReader(tree: Tree, tr: TileReader): HashReader {
  const hashes = new TileHashes();
  const hashFromTile = (t: Tile, data: Uint8Array, index: number): Hash => hashes.fromTile(t, data, index);
  return {
    async readHashes(indexes: readonly number[]): Promise<Hash[]> {
      const h = tr.height;
      const { tiles, stx, stxTile, indexTile } = tilesToRead(tree.n, indexes, h);
      const data = await tr.readTiles(tiles);
      if (data.length !== tiles.length) {
        throw new TlogError(`TileReader returned bad result slice (len=${data.length}, want ${tiles.length})`);
      }
      tiles.forEach((tile, i) => {
        const got = (data[i] as Uint8Array).length;
        if (got !== tile.w * HASH_SIZE) {
          throw new TlogError(`TileReader returned bad result slice (${tilePath(tile)} len=${got}, want ${tile.w * HASH_SIZE})`);
        }
      });
      const at = (j: number): [Tile, Uint8Array] => [tiles[j] as Tile, data[j] as Uint8Array];

      const last = stx.length - 1;
      let th = hashFromTile(...at(stxTile[last] as number), stx[last] as number);
      for (let i = last - 1; i >= 0; i--) th = nodeHash(hashFromTile(...at(stxTile[i] as number), stx[i] as number), th);
      if (!th.equals(tree.hash)) throw new TlogTileError('downloaded inconsistent tile');

      const order = new Map(tiles.map((t, i) => [tileKey(t), i]));
      for (let i = new Set(stxTile).size; i < tiles.length; i++) {
        const tile = tiles[i] as Tile;
        const p = tileParent(tile, 1, tree.n);
        const j = p === undefined ? undefined : order.get(tileKey(p));
        if (p === undefined || j === undefined) {
          throw new TlogError(`bad math in tileHashReader ${tree.n}: lost parent of ${tilePath(tile)}`);
        }
        const want = hashFromTile(p, data[j] as Uint8Array, storedHashIndex(p.l * p.h, tile.n));
        if (!want.equals(hashes.whole(data[i] as Uint8Array))) throw new TlogTileError('downloaded inconsistent tile');
      }
      tr.saveTiles(tiles, data);
      return indexes.map((x, i) => hashFromTile(...at(indexTile[i] as number), x));
    },
  };
}
