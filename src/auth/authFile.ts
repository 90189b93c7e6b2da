/**
 * The file serve --auth reads and gobundle passwd writes: one entry a line,
 * `#` comments, blank lines ignored.
 *
 *   user alice scrypt$32768$8$1$<salt>$<key>
 *   token ci sha256$<hex of the token's SHA-256>
 *
 * A user authenticates with HTTP Basic (the go command's .netrc); a token
 * as `Authorization: Bearer <token>`, or as Basic with the token's name as
 * the login and the token as the password (so .netrc can carry it too).
 * Names are shared by users and tokens. Pure.
 */
import { FileSyntaxError } from '../errors.js';
import { type ScryptHash, formatScryptHash, formatTokenHash, parseScryptHash, parseTokenHash } from './credentials.js';

/** A user or token name: no colon (Basic splits at the first one), no spaces. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

export type AuthEntry = { kind: 'user'; name: string; hash: ScryptHash } | { kind: 'token'; name: string; digest: Buffer };

export const AUTH_FILE_HEADER =
  '# gobundle serve --auth: users (gobundle passwd FILE USER) and bearer tokens (gobundle passwd FILE NAME --token)\n';

export function parseAuthFile(file: string, text: string): AuthEntry[] {
  const out: AuthEntry[] = [];
  const names = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const f = t.split(/\s+/);
    const at = (k: number): number => line.indexOf(f[k] as string) + 1;
    if (f.length !== 3 || (f[0] !== 'user' && f[0] !== 'token'))
      throw new FileSyntaxError(file, i + 1, at(0), 'want "user NAME HASH" or "token NAME HASH"');
    const [kind, name, hash] = f as [string, string, string];
    if (!NAME.test(name)) throw new FileSyntaxError(file, i + 1, at(1), `malformed name ${JSON.stringify(name)}`);
    if (names.has(name)) throw new FileSyntaxError(file, i + 1, at(1), `${name}: listed twice`);
    names.add(name);
    if (kind === 'user') {
      const h = parseScryptHash(hash);
      if (typeof h === 'string') throw new FileSyntaxError(file, i + 1, at(2), `${name}: ${h}`);
      out.push({ kind: 'user', name, hash: h });
    } else {
      const d = parseTokenHash(hash);
      if (typeof d === 'string') throw new FileSyntaxError(file, i + 1, at(2), `${name}: ${d}`);
      out.push({ kind: 'token', name, digest: d });
    }
  });
  return out;
}

export function formatAuthEntry(e: AuthEntry): string {
  return e.kind === 'user' ? `user ${e.name} ${formatScryptHash(e.hash)}` : `token ${e.name} ${formatTokenHash(e.digest)}`;
}

/**
 * The file's text with `entry` added, or in place of the line that had its
 * name; every other line (comments included) kept as it was.
 */
export function withEntry(text: string, entry: AuthEntry): { text: string; replaced: boolean } {
  const lines = text === '' ? AUTH_FILE_HEADER.split('\n').slice(0, -1) : text.replace(/\n$/, '').split('\n');
  let replaced = false;
  const out: string[] = [];
  for (const l of lines) {
    const f = l.trim().split(/\s+/);
    if (!l.trim().startsWith('#') && f.length >= 2 && (f[0] === 'user' || f[0] === 'token') && f[1] === entry.name) {
      if (!replaced) out.push(formatAuthEntry(entry));
      replaced = true;
      continue;
    }
    out.push(l);
  }
  if (!replaced) out.push(formatAuthEntry(entry));
  return { text: `${out.join('\n')}\n`, replaced };
}
