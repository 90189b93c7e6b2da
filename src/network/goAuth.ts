/**
 * Which credentials a request carries, as the go command (Go ≥ 1.24,
 * cmd/go/internal/auth) decides: GOAUTH is a `;`-separated list of `off`,
 * `netrc`, `git <dir>` or a command; the default is `netrc`. Credentials
 * go only with https requests, to module proxies, the checksum database and
 * go-import pages alike.
 *
 * `netrc` stores each entry's Basic credentials under its `machine` (a
 * later entry for the same machine replaces an earlier one); a request
 * looks them up by its URL without `https://`, then by each parent path
 * (auth.loadCredential). So `machine mirror.corp` matches
 * https://mirror.corp/x but not https://mirror.corp:8443/x (golang/go#81253):
 * gobundle matches exactly as the go command does, and doctor says so.
 *
 * `git <dir>` and commands are not run by gobundle: they are listed in
 * `unsupported` (doctor and pack name them). Go also re-runs GOAUTH and
 * retries once after a 4xx; with netrc alone that resends the same
 * credentials, so gobundle does not. Pure.
 */
import type { NetrcLine } from './netrc.js';

export interface GoAuth {
  /** GOAUTH as given ('' when unset, read as netrc). */
  value: string;
  /** GOAUTH=off: no credentials at all. */
  off: boolean;
  /** netrc is one of the methods. */
  netrc: boolean;
  /** Methods gobundle does not run (git <dir>, commands). */
  unsupported: string[];
  /** Basic credentials by URL prefix (host[:port][/path]). Secret. */
  readonly store: ReadonlyMap<string, string>;
}

/** A malformed GOAUTH, with the go command's message. */
export class GoAuthSyntaxError extends Error {}

/** Parse GOAUTH (runGoAuth's checks) and build the credential store from the netrc entries. */
export function goAuth(value: string, netrc: readonly NetrcLine[]): GoAuth {
  const v = value === '' ? 'netrc' : value;
  const commands = v.split(';').map((c) => c.trim());
  let off = false;
  let useNetrc = false;
  const unsupported: string[] = [];
  for (const command of commands) {
    const words = command.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) throw new GoAuthSyntaxError(`GOAUTH encountered an empty command (GOAUTH=${v})`);
    if (words[0] === 'off') {
      if (commands.length !== 1)
        throw new GoAuthSyntaxError(`GOAUTH=off cannot be combined with other authentication commands (GOAUTH=${v})`);
      off = true;
    } else if (words[0] === 'netrc') {
      useNetrc = true;
    } else {
      unsupported.push(command);
    }
  }
  const store = new Map<string, string>();
  if (useNetrc) {
    for (const l of netrc) store.set(l.machine, `Basic ${Buffer.from(`${l.login}:${l.password}`).toString('base64')}`);
  }
  return { value: v, off, netrc: useNetrc, unsupported, store };
}

/** path.Dir for the slash-separated prefixes loadCredential walks. */
function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '.';
  const dir = p
    .slice(0, i)
    .replace(/\/+$/, '')
    .replace(/\/{2,}/g, '/');
  return dir === '' ? '/' : dir;
}

/** The Authorization value GOAUTH gives an https URL, or undefined (always for http). */
export function authorizationFor(auth: GoAuth, url: string): string | undefined {
  if (auth.off || !url.startsWith('https://')) return undefined;
  let prefix = url.slice('https://'.length);
  while (prefix !== '/' && prefix !== '.' && prefix !== '') {
    const header = auth.store.get(prefix);
    if (header !== undefined) return header;
    prefix = parentOf(prefix);
  }
  return undefined;
}
