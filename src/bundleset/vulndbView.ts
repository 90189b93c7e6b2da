/**
 * The vulnerability database serve answers under /vulndb/: the vulndb/
 * folders of every served bundle merged into one database (entries by id,
 * the newest `modified` winning; the index rebuilt from the winners, see
 * src/vuln/mergeEntries.ts and dbIndex.ts), each file held as `.json` (what
 * govulncheck's file source reads) and `.json.gz` (what its HTTP source
 * reads). A single bundle's files are served byte for byte as carried.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { OpenedBundle } from '../bundle/reader.js';
import { buildIndex } from '../vuln/dbIndex.js';
import { DB_INDEX, MODULES_INDEX, VULNS_INDEX, entryPath } from '../vuln/dbLayout.js';
import { VULNDB_PREFIX } from '../bundle/treeLayout.js';
import { type CarriedEntry, mergeEntries } from '../vuln/mergeEntries.js';
import { parseOsvEntry } from '../vuln/osv.js';

export interface VulnDbFile {
  body: Buffer;
  sha256: string;
}

/** Database path (`index/db.json`, `ID/<id>.json`, and each with `.gz`) → bytes. */
export type VulnDbView = ReadonlyMap<string, VulnDbFile>;

export async function buildVulnDbView(bundles: readonly OpenedBundle[]): Promise<VulnDbView> {
  const lists: CarriedEntry[][] = [];
  const single = new Map<string, Buffer>();
  let carrying = 0;
  for (const b of bundles) {
    if (b.dir === undefined) continue;
    const list: CarriedEntry[] = [];
    let any = false;
    for (const f of b.files.values()) {
      if (!f.name.startsWith(VULNDB_PREFIX)) continue;
      any = true;
      const data = await readFile(join(b.dir, f.name));
      single.set(f.name.slice(VULNDB_PREFIX.length), data);
      if (f.name.startsWith(`${VULNDB_PREFIX}ID/`))
        list.push({ entry: parseOsvEntry(data, `${b.source}: ${f.name}`), data, from: b.source });
    }
    if (any) carrying++;
    lists.push(list);
  }
  const files = new Map<string, Buffer>();
  if (carrying === 1) {
    for (const [path, data] of single) files.set(path, data);
  } else if (carrying > 1) {
    const merged = mergeEntries(lists);
    const idx = buildIndex(merged.map((c) => c.entry));
    files.set(DB_INDEX, idx.db);
    files.set(MODULES_INDEX, idx.modules);
    files.set(VULNS_INDEX, idx.vulns);
    for (const c of merged) files.set(entryPath(c.entry.id), Buffer.from(c.data));
  }
  const view = new Map<string, VulnDbFile>();
  const add = (path: string, body: Buffer): void => {
    view.set(path, { body, sha256: createHash('sha256').update(body).digest('hex') });
  };
  for (const [path, body] of files) {
    add(path, body);
    add(`${path}.gz`, gzipSync(body, { level: 9 }));
  }
  return view;
}
