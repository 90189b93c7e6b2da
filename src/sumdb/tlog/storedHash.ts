/**
 * The dense storage order of the log's hashes (x/mod sumdb/tlog tlog.go).
 *
 * When record n is appended, its leaf hash and the hashes of every subtree
 * it completes are stored, in that order. StoredHashIndex gives the position
 * of the hash of the n-th subtree at a level; tiles are slices of this order.
 */
import { HASH_SIZE, type Hash, type HashReader, TlogError, maxpow2, nodeHash, recordHash, shl, shr, trailingZeros } from './hash.js';

/** Storage index of the hash of subtree n at level (leaf n at level 0). */
export function storedHashIndex(level: number, n: number): number {
  for (let l = level; l > 0; l--) n = 2 * n + 1;
  let i = 0;
  for (; n > 0; n = shr(n, 1)) i += n;
  return i + level;
}

/** The inverse of storedHashIndex: [level, n]. */
export function splitStoredHashIndex(index: number): [level: number, n: number] {
  // Every record adds at least one hash, so n ≤ index/2; walk up from there.
  let n = Math.floor(index / 2);
  let indexN = storedHashIndex(0, n);
  if (indexN > index) throw new TlogError('bad math in splitStoredHashIndex');
  for (;;) {
    const x = indexN + 1 + trailingZeros(n + 1);
    if (x > index) break;
    n++;
    indexN = x;
  }
  const level = index - indexN;
  return [level, shr(n, level)];
}

/** How many hashes a log of n records stores. */
export function storedHashCount(n: number): number {
  if (n === 0) return 0;
  let numHash = storedHashIndex(0, n - 1) + 1;
  for (let i = n - 1; i % 2 === 1; i = shr(i, 1)) numHash++;
  return numHash;
}

/**
 * The hashes to store when appending record n with the given data: its leaf
 * hash, then each subtree hash it completes. Reads earlier hashes from r.
 */
export async function storedHashes(n: number, data: Uint8Array | string, r: HashReader): Promise<Hash[]> {
  return storedHashesForRecordHash(n, recordHash(data), r);
}

export async function storedHashesForRecordHash(n: number, h: Hash, r: HashReader): Promise<Hash[]> {
  const hashes = [h];
  const m = trailingZeros(n + 1);
  const indexes = new Array<number>(m);
  for (let i = 0; i < m; i++) indexes[m - 1 - i] = storedHashIndex(i, shr(n, i) - 1);
  const old = await r.readHashes(indexes);
  checkCount(indexes, old);
  for (let i = 0; i < m; i++) {
    h = nodeHash(old[m - 1 - i] as Hash, h);
    hashes.push(h);
  }
  return hashes;
}

export function checkCount(indexes: readonly number[], hashes: readonly Hash[]): void {
  if (hashes.length !== indexes.length) {
    throw new TlogError(`tlog: ReadHashes(${indexes.length} indexes) = ${hashes.length} hashes`);
  }
  for (const h of hashes) {
    if (h.length !== HASH_SIZE) throw new TlogError(`tlog: hash of ${h.length} bytes`);
  }
}

/**
 * Storage indexes of the complete subtrees covering records [lo, hi), left
 * to right: the aligned power-of-two pieces whose fold is the tree hash.
 */
export function subTreeIndex(lo: number, hi: number, need: number[] = []): number[] {
  while (lo < hi) {
    const [k, level] = maxpow2(hi - lo + 1);
    if (lo % k !== 0) throw new TlogError('tlog: bad math in subTreeIndex');
    need.push(storedHashIndex(level, shr(lo, level)));
    lo += k;
  }
  return need;
}

/** Folds the hashes of subTreeIndex(lo, hi) into the hash of [lo, hi); returns the rest. */
export function subTreeHash(lo: number, hi: number, hashes: readonly Hash[]): [Hash, Hash[]] {
  let numTree = 0;
  while (lo < hi) {
    const [k] = maxpow2(hi - lo + 1);
    if (lo % k !== 0 || lo >= hi) throw new TlogError('tlog: bad math in subTreeHash');
    numTree++;
    lo += k;
  }
  if (hashes.length < numTree) throw new TlogError('tlog: bad index math in subTreeHash');
  let h = hashes[numTree - 1] as Hash;
  for (let i = numTree - 2; i >= 0; i--) h = nodeHash(hashes[i] as Hash, h);
  return [h, hashes.slice(numTree)];
}

/**
 * The hash of the tree of the first n records. Like x/mod, size 0 gives the
 * all-zero hash (the database never publishes an empty tree).
 */
export async function treeHash(n: number, r: HashReader): Promise<Hash> {
  if (n === 0) return Buffer.alloc(HASH_SIZE);
  const indexes = subTreeIndex(0, n);
  const hashes = await r.readHashes(indexes);
  checkCount(indexes, hashes);
  const [hash, rest] = subTreeHash(0, n, hashes);
  if (rest.length !== 0) throw new TlogError('tlog: bad index math in TreeHash');
  return hash;
}

// Re-exported so callers can shift log positions without importing hash.ts.
export { shl, shr };
