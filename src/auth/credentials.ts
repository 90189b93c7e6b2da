/**
 * Password and token hashes for serve --auth, and checking them in constant
 * time. Passwords: scrypt (node:crypto) with a random 16-byte salt and the
 * cost parameters stored beside the hash, so they can be raised later
 * without breaking existing lines: `scrypt$N$r$p$<salt>$<key>` (base64).
 * Bearer tokens are long random strings, so a SHA-256 of the token is
 * enough: `sha256$<hex>`. Every comparison goes through timingSafeEqual, and
 * an unknown user costs the same scrypt as a known one (no user
 * enumeration by timing). Pure apart from node:crypto.
 */
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt's cost: N = 2^15, r = 8 (32 MiB, about 0.1 s a check); a verified password is then cached (authorizer.ts). */
export const SCRYPT_N = 1 << 15;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
export const SCRYPT_KEY_BYTES = 32;
export const SALT_BYTES = 16;
/** Bytes of a token `gobundle passwd --token` makes (base64url: 43 characters). */
export const TOKEN_BYTES = 32;
/** Largest scrypt N accepted from a file (a huge N would be a denial of service at every check). */
const MAX_SCRYPT_N = 1 << 20;

export interface ScryptHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

export function formatScryptHash(h: ScryptHash): string {
  return `scrypt$${h.n}$${h.r}$${h.p}$${h.salt.toString('base64')}$${h.key.toString('base64')}`;
}

/** The hash in a line, or why it is not one. */
export function parseScryptHash(s: string): ScryptHash | string {
  const f = s.split('$');
  if (f.length !== 6 || f[0] !== 'scrypt') return 'want scrypt$N$r$p$salt$key';
  const [n, r, p] = [Number(f[1]), Number(f[2]), Number(f[3])];
  if (!Number.isInteger(n) || n < 2 || n > MAX_SCRYPT_N || (n & (n - 1)) !== 0)
    return `scrypt N ${f[1]}: want a power of 2 up to ${MAX_SCRYPT_N}`;
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return 'scrypt r or p out of range';
  const salt = Buffer.from(f[4] ?? '', 'base64');
  const key = Buffer.from(f[5] ?? '', 'base64');
  if (salt.length < 8 || key.length < 16) return 'salt or key too short';
  return { n, r, p, salt, key };
}

function maxmem(n: number, r: number): number {
  return 128 * n * r * 2;
}

/** A new hash of `password` with a fresh salt. */
export function hashPassword(password: string): ScryptHash {
  const salt = randomBytes(SALT_BYTES);
  const key = scryptSync(password, salt, SCRYPT_KEY_BYTES, { N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P, maxmem: maxmem(SCRYPT_N, SCRYPT_R) });
  return { n: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P, salt, key };
}

/** Whether `password` hashes to `h` (scrypt on the thread pool; compared in constant time). */
export function checkPassword(password: string, h: ScryptHash): Promise<boolean> {
  return new Promise((resolveCheck, reject) => {
    scrypt(password, h.salt, h.key.length, { N: h.n, r: h.r, p: h.p, maxmem: maxmem(h.n, h.r) }, (err, key) => {
      if (err) reject(err);
      else resolveCheck(key.length === h.key.length && timingSafeEqual(key, h.key));
    });
  });
}

/** A stand-in hash checked for unknown users, so they cost what a known user costs. */
export const DECOY_HASH: ScryptHash = {
  n: SCRYPT_N,
  r: SCRYPT_R,
  p: SCRYPT_P,
  salt: Buffer.alloc(SALT_BYTES, 0x5a),
  key: Buffer.alloc(SCRYPT_KEY_BYTES, 0xa5),
};

/** A new bearer token (base64url). */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function formatTokenHash(digest: Buffer): string {
  return `sha256$${digest.toString('hex')}`;
}

export function parseTokenHash(s: string): Buffer | string {
  const m = /^sha256\$([0-9a-f]{64})$/.exec(s);
  return m === null ? 'want sha256$<64 hex digits>' : Buffer.from(m[1] as string, 'hex');
}

/** Constant-time equality of two digests of the same length. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
