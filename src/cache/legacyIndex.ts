/**
 * The download cache's index as it was before index.jsonl: one JSON file
 * per entry, `index/<aa>/<sha256 of key>.json`. A cache made by an earlier
 * gobundle has its entries copied into the log once, the first time a
 * cache without a log is read, so an upgrade does not download again what
 * the cache already holds. The old files are left alone (an older gobundle
 * may still share the cache); the log is read from then on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheLayout } from './cacheLayout.js';
import { parseRecord } from './indexLog.js';

/** Every whole entry of the old index in cache `dir`, as index.jsonl lines (empty when there is none). */
export function legacyIndexLines(dir: string): string {
  const root = cacheLayout.legacyIndex(dir);
  let subdirs: string[];
  try {
    subdirs = readdirSync(root).sort();
  } catch {
    return '';
  }
  const lines: string[] = [];
  for (const sub of subdirs) {
    let names: string[];
    try {
      names = readdirSync(join(root, sub)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      let text: string;
      try {
        text = readFileSync(join(root, sub, name), 'utf8');
      } catch {
        continue;
      }
      // The same checks as a line of the log: what would not be read from there is not copied.
      const record = parseRecord(text.trim());
      if (record !== undefined) lines.push(JSON.stringify(record));
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
