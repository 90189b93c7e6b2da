/**
 * Reading `--trust <file.pub>` files for serve and verify: each holds one or
 * more verifier keys (`name+hash+key`), one per line, as keygen writes them.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { newVerifier } from '../sumdb/note.js';

export async function readTrustFiles(files: readonly string[], cwd: string): Promise<string[]> {
  const keys: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(resolve(cwd, f), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(
        `--trust ${f}: cannot read: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err)}`,
        {
          hint: 'pass the .pub file gobundle keygen wrote beside the signer key',
        },
      );
    }
    const lines = text
      .split('\n')
      .map((l, i) => ({ key: l.trim(), line: i + 1 }))
      .filter((l) => l.key !== '' && !l.key.startsWith('#'));
    if (lines.length === 0) throw new UsageError(`--trust ${f}: no verifier key in the file`);
    for (const { key, line } of lines) {
      if (key.startsWith('PRIVATE+KEY+')) throw new UsageError(`--trust ${f}: this is a signer (private) key; pass the .pub file`);
      // A key that does not parse would only show up later as "not verified by any trusted key" for every bundle.
      try {
        newVerifier(key);
      } catch (err) {
        throw new UsageError(`--trust ${f}:${line}: not a verifier key: ${err instanceof Error ? err.message : String(err)}`, {
          hint: 'a .pub file holds lines of the form name+hash+base64key, as gobundle keygen writes them',
        });
      }
      keys.push(key);
    }
  }
  return keys;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
