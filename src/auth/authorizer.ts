/**
 * Deciding whether an Authorization header names someone in the --auth
 * file: Basic (a user and password, or a token's name and the token) or
 * Bearer (a token). A header that passed is remembered for
 * VERIFIED_TTL_MS under an HMAC with a key of this process (never the
 * header itself), so the go command's hundreds of requests cost one scrypt,
 * not one each. Pure apart from node:crypto; the clock is passed in.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AuthEntry } from './authFile.js';
import { DECOY_HASH, checkPassword, sameDigest, tokenDigest } from './credentials.js';

export const VERIFIED_TTL_MS = 10 * 60_000;
export const MAX_VERIFIED = 1000;

export type AuthResult = { ok: true; name: string } | { ok: false; reason: 'missing' | 'malformed' | 'rejected' };

export class Authorizer {
  readonly #users = new Map<string, Extract<AuthEntry, { kind: 'user' }>>();
  readonly #tokens: Extract<AuthEntry, { kind: 'token' }>[] = [];
  readonly #verified = new Map<string, { name: string; until: number }>();
  readonly #key = randomBytes(32);
  readonly #now: () => number;

  constructor(entries: readonly AuthEntry[], now: () => number = Date.now) {
    for (const e of entries) {
      if (e.kind === 'user') this.#users.set(e.name, e);
      else this.#tokens.push(e);
    }
    this.#now = now;
  }

  get size(): number {
    return this.#users.size + this.#tokens.length;
  }

  /** The result now when the header was verified recently (or is missing or malformed); else a promise of it. */
  check(header: string | undefined): AuthResult | Promise<AuthResult> {
    if (header === undefined || header === '') return { ok: false, reason: 'missing' };
    const mac = createHmac('sha256', this.#key).update(header).digest('base64');
    const hit = this.#verified.get(mac);
    if (hit !== undefined && hit.until > this.#now()) return { ok: true, name: hit.name };
    const sp = header.indexOf(' ');
    const scheme = (sp < 0 ? header : header.slice(0, sp)).toLowerCase();
    const value = sp < 0 ? '' : header.slice(sp + 1).trim();
    if (scheme === 'bearer' && value !== '') return this.#remember(mac, this.#token(value));
    if (scheme !== 'basic' || value === '') return { ok: false, reason: 'malformed' };
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return { ok: false, reason: 'malformed' };
    const name = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const user = this.#users.get(name);
    if (user === undefined) {
      // A token's name with the token as password (.netrc); else an unknown user, who costs a decoy scrypt.
      const t = this.#token(secret);
      if (t.ok && t.name === name) return this.#remember(mac, t);
      return checkPassword(secret, DECOY_HASH).then(() => ({ ok: false, reason: 'rejected' }) as const);
    }
    return this.#remember(
      mac,
      checkPassword(secret, user.hash).then((ok): AuthResult => (ok ? { ok: true, name } : { ok: false, reason: 'rejected' })),
    );
  }

  /** The token's entry, comparing the digest with every token's (no early exit). */
  #token(token: string): AuthResult {
    const d = tokenDigest(token);
    let name: string | undefined;
    for (const t of this.#tokens) if (sameDigest(d, t.digest) && name === undefined) name = t.name;
    return name === undefined ? { ok: false, reason: 'rejected' } : { ok: true, name };
  }

  #remember(mac: string, r: AuthResult | Promise<AuthResult>): AuthResult | Promise<AuthResult> {
    const keep = (res: AuthResult): AuthResult => {
      if (res.ok) {
        if (this.#verified.size >= MAX_VERIFIED) {
          const oldest = this.#verified.keys().next().value;
          if (oldest !== undefined) this.#verified.delete(oldest);
        }
        this.#verified.set(mac, { name: res.name, until: this.#now() + VERIFIED_TTL_MS });
      }
      return res;
    };
    return r instanceof Promise ? r.then(keep) : keep(r);
  }
}
