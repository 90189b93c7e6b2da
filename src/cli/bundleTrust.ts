/**
 * Reading `--trust <file.pub>` files for serve and verify: each holds one or
 * more verifier keys (`name+hash+key`), one per line, as keygen writes them.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

export async function readTrustFiles(files: readonly string[], cwd: string): Promise<string[]> {
  const keys: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(resolve(cwd, f), 'utf8');
    } catch (err) {
      throw new UsageError(`--trust ${f}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (lines.length === 0) throw new UsageError(`--trust ${f}: no verifier key in the file`);
    for (const l of lines) {
      if (l.startsWith('PRIVATE+KEY+')) throw new UsageError(`--trust ${f}: this is a signer (private) key; pass the .pub file`);
      keys.push(l);
    }
  }
  return keys;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
