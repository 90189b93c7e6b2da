/**
 * The checksum-database keys serve and verify check bundle replays with:
 * every --sumdb-key, then GOSUMDB's key read like the go command reads it.
 */
import { loadGoConfig } from './goConfig.js';
import { UsageError } from '../errors.js';
import type { GoSumDB } from '../gomod/goenv.js';
import { newVerifier } from '../sumdb/note.js';

/** A checksum database's verifier key and where it came from (for the log). */
export interface TrustedSumdbKey {
  key: string;
  from: '--sumdb-key' | 'GOSUMDB';
}

/**
 * The database keys serve and verify check replays with, by database name:
 * every --sumdb-key, then GOSUMDB's key (a `name+hash+key` value, or
 * sum.golang.org's built-in key) unless a flag named the same database.
 */
export function sumdbKeyring(flagKeys: readonly string[], gosumdb: GoSumDB | undefined): Map<string, TrustedSumdbKey> {
  const keys = new Map<string, TrustedSumdbKey>();
  for (const key of flagKeys) {
    let name: string;
    try {
      name = newVerifier(key).name;
    } catch (err) {
      throw new UsageError(`--sumdb-key ${JSON.stringify(key)}: ${err instanceof Error ? err.message : String(err)}`, {
        hint: 'give the checksum database verifier key as GOSUMDB takes it: name+hash+key',
      });
    }
    const prev = keys.get(name);
    if (prev !== undefined && prev.key !== key) throw new UsageError(`--sumdb-key: two different keys for checksum database ${name}`);
    keys.set(name, { key, from: '--sumdb-key' });
  }
  if (gosumdb !== undefined && gosumdb.off !== true && !keys.has(gosumdb.name))
    keys.set(gosumdb.name, { key: gosumdb.key, from: 'GOSUMDB' });
  return keys;
}

/**
 * sumdbKeyring with GOSUMDB read like the go command reads it (environment,
 * `go env -w` file, GOROOT/go.env, sum.golang.org by default). A Go
 * configuration that does not parse only costs the signature check, so it
 * is reported through `warn` rather than fatal.
 */
export async function loadSumdbKeyring(
  flagKeys: readonly string[],
  env: NodeJS.ProcessEnv,
  warn: (msg: string) => void,
): Promise<Map<string, TrustedSumdbKey>> {
  let gosumdb: GoSumDB | undefined;
  try {
    gosumdb = (await loadGoConfig(env)).sumdb;
  } catch (err) {
    warn(`ignoring GOSUMDB: ${err instanceof Error ? err.message : String(err)}`);
  }
  return sumdbKeyring(flagKeys, gosumdb);
}
