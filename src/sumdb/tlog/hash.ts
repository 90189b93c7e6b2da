/**
 * RFC 6962 hashing for the checksum database's transparency log
 * (x/mod sumdb/tlog tlog.go): leaves are SHA-256(0x00 ‖ record), interior
 * nodes SHA-256(0x01 ‖ left ‖ right).
 */
import { createHash } from 'node:crypto';
import { GobundleError } from '../../errors.js';
import { ErrorCode } from '../../errorCodes.js';

/** A log hash is 32 bytes. */
export const HASH_SIZE = 32;

export type Hash = Buffer;

/** A malformed tile, proof, tree note or record, or a log that does not add up. */
export class TlogError extends GobundleError {
  /** The code of this kind of failure; subclasses set their own. */
  static readonly errorCode: ErrorCode = ErrorCode.TLOG;
  constructor(message: string) {
    super((new.target as typeof TlogError).errorCode, message);
  }
}

/** A proof that does not prove what it claims (x/mod tlog errProofFailed). */
export class TlogProofError extends TlogError {
  static override readonly errorCode: ErrorCode = ErrorCode.TLOGPROOF;
}

/** A downloaded tile that does not hash to the signed tree. */
export class TlogTileError extends TlogError {
  static override readonly errorCode: ErrorCode = ErrorCode.TLOGTILE;
}

/** The hash of a log record: SHA-256(0x00 ‖ data). */
export function recordHash(data: Uint8Array | string): Hash {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(data)
    .digest();
}

/** The hash of an interior node: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

/**
 * RFC 6962's hash of the empty tree, SHA-256(""). x/mod's TreeHash(0)
 * returns the zero hash instead; the database never signs size 0.
 */
export function emptyHash(): Hash {
  return createHash('sha256').digest();
}

/** Decode a base64 hash as in a tree note (x/mod ParseHash). */
export function parseHash(s: string): Hash {
  const data = /^[A-Za-z0-9+/]{43}=$/.test(s) ? Buffer.from(s, 'base64') : undefined;
  if (data === undefined || data.length !== HASH_SIZE) throw new TlogError('malformed hash');
  return data;
}

export function formatHash(h: Uint8Array): string {
  return Buffer.from(h).toString('base64');
}

/**
 * Reads stored hashes by storage index (see storedHashIndex). Async because
 * the real reader fetches tiles from a server.
 */
export interface HashReader {
  readHashes(indexes: readonly number[]): Promise<Hash[]>;
}

/**
 * Shifts on log sizes and indexes. JavaScript's >> and << work on 32 bits,
 * but log positions go past 2^32 in principle; these stay exact to 2^53.
 */
export function shr(n: number, k: number): number {
  return Math.floor(n / 2 ** k);
}

export function shl(n: number, k: number): number {
  return n * 2 ** k;
}

/** Number of trailing zero bits of n (n > 0). */
export function trailingZeros(n: number): number {
  let k = 0;
  while (n > 0 && n % 2 === 0) {
    n /= 2;
    k++;
  }
  return k;
}

/** The largest power of two k with k < n (n > 1), and its log2: x/mod maxpow2. */
export function maxpow2(n: number): [k: number, l: number] {
  let l = 0;
  while (2 ** (l + 1) < n) l++;
  return [2 ** l, l];
}
