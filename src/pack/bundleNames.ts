/**
 * Names of the GOPROXY tree inside a bundle: `<escaped path>/@v/list` and
 * `<escaped path>/@v/<escaped version>.info|.mod|.zip` — the URL paths the
 * go command asks a proxy for, so the extracted tree works as file://.
 */
import { escapePath, escapeVersion } from '../gomod/modulePath.js';

export function proxyFileName(path: string, version: string, kind: 'info' | 'mod' | 'zip'): string {
  return `${escapePath(path)}/@v/${escapeVersion(version)}.${kind}`;
}

export function listFileName(path: string): string {
  return `${escapePath(path)}/@v/list`;
}

/** The body of `@v/list`: one version per line. */
export function listFileBody(versions: readonly string[]): Buffer {
  return Buffer.from(versions.map((v) => `${v}\n`).join(''), 'utf8');
}
