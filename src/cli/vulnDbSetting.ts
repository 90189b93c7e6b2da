/**
 * Which vulnerability database pack carries entries from: `--no-vulndb`
 * turns it off, `--vulndb <url>` names one, else the GOVULNDB environment
 * variable (govulncheck's own setting: a URL, or "off"), else
 * https://vuln.go.dev. The URL must be http(s):// or file://, as
 * govulncheck's -db takes it.
 */
import { UsageError } from '../errors.js';
import { DEFAULT_GOVULNDB } from '../pack/vulndbStage.js';

/** The database URL, or undefined when vulnerability data is off. */
export function vulnDbSetting(flag: string | false | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag === false) return undefined;
  const from = flag !== undefined ? '--vulndb' : 'GOVULNDB';
  const value = flag ?? (env.GOVULNDB === undefined || env.GOVULNDB === '' ? DEFAULT_GOVULNDB : env.GOVULNDB);
  if (flag === undefined && value === 'off') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`pack: ${from} ${JSON.stringify(value)}: not a URL`, {
      hint: 'use https://host/path, http://host/path or file:///path, or --no-vulndb',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'file:') {
    throw new UsageError(`pack: ${from} ${JSON.stringify(value)}: want an http, https or file URL`, {
      hint: 'or pass --no-vulndb to pack without vulnerability data',
    });
  }
  return value;
}
