/**
 * Which vulnerability database pack carries entries from: `--no-vulndb`
 * turns it off, `--vulndb <url>` names one, else the GOVULNDB environment
 * variable (govulncheck's own setting: a URL, or "off"), else
 * https://vuln.go.dev. The URL must be http(s):// or file://, as
 * govulncheck's -db takes it.
 *
 * A database the user named (the flag or GOVULNDB) must be read or the
 * pack fails; the default one is an extra the user did not ask for, so a
 * pack behind a firewall that cannot reach it still writes its bundle
 * (recording why no vulnerability data came with it).
 */
import { UsageError } from '../errors.js';
import { DEFAULT_GOVULNDB } from '../pack/vulndbStage.js';

export interface VulnDbSetting {
  url: string;
  /** Where the URL came from: '--vulndb', 'GOVULNDB', or the default. */
  from: '--vulndb' | 'GOVULNDB' | 'default';
}

/** The database to read, or undefined when vulnerability data is off. */
export function vulnDbSetting(flag: string | false | undefined, env: NodeJS.ProcessEnv, command = 'pack'): VulnDbSetting | undefined {
  if (flag === false) return undefined;
  const fromEnv = env.GOVULNDB === undefined || env.GOVULNDB === '' ? undefined : env.GOVULNDB;
  const from = flag !== undefined ? '--vulndb' : fromEnv !== undefined ? 'GOVULNDB' : 'default';
  const value = flag ?? fromEnv ?? DEFAULT_GOVULNDB;
  if (flag === undefined && value === 'off') return undefined;
  const shownFrom = from === 'default' ? 'GOVULNDB' : from;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${command}: ${shownFrom} ${JSON.stringify(value)}: not a URL`, {
      hint: 'use https://host/path, http://host/path or file:///path, or --no-vulndb',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'file:') {
    throw new UsageError(`${command}: ${shownFrom} ${JSON.stringify(value)}: want an http, https or file URL`, {
      hint: 'or pass --no-vulndb to pack without vulnerability data',
    });
  }
  return { url: value, from };
}
