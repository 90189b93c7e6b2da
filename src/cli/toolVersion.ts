import { readFileSync } from 'node:fs';

/** gobundle's own version, from package.json (read once). */
let cached: string | undefined;
export function toolVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
