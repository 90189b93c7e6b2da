/**
 * The checksum-database tree heads pack has written into bundles, kept in
 * the download cache so the next bundle can prove its newer tree
 * consistent with every one of them (a client remembers the last tree it
 * verified, GOPATH/pkg/sumdb/<name>/latest, and checks any larger tree
 * against it: x/mod sumdb/client.go checkTrees).
 *
 *   <cache>/sumdb-heads/<encoded db name>/<size>-<hex hash>.json
 *       { "treeSize", "treeHash", "bundle", "recorded" }
 *
 * One file per head, written to a temp name and renamed, so concurrent packs
 * and a pack killed mid-write leave whole records or none. A record that
 * does not parse is skipped (it only ever costs a consistency proof).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestTree } from '../bundle/manifest.js';
import { cacheLayout } from './cacheLayout.js';

export interface RecordedHead extends ManifestTree {
  /** The bundle it was written into (as pack named it). */
  bundle: string;
}

export class TreeHeadStore {
  readonly dir: string;
  readonly #cacheDir: string;

  constructor(cacheDir: string) {
    this.#cacheDir = cacheDir;
    this.dir = cacheLayout.sumdbHeads(cacheDir);
  }

  #dbDir(name: string): string {
    return cacheLayout.sumdbHeadsOf(this.#cacheDir, name);
  }

  /** Every head recorded for database `name`, smallest first. */
  async list(name: string): Promise<RecordedHead[]> {
    let names: string[];
    try {
      names = await readdir(this.#dbDir(name));
    } catch {
      return [];
    }
    const heads: RecordedHead[] = [];
    for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
      try {
        const r = JSON.parse(await readFile(join(this.#dbDir(name), n), 'utf8')) as Partial<RecordedHead>;
        if (Number.isSafeInteger(r.treeSize) && typeof r.treeHash === 'string' && typeof r.bundle === 'string') {
          heads.push({ treeSize: r.treeSize as number, treeHash: r.treeHash, bundle: r.bundle });
        }
      } catch {
        // A damaged record only costs its consistency proof.
      }
    }
    return heads.sort((a, b) => a.treeSize - b.treeSize);
  }

  /** Remember that `head` of database `name` went into `bundle`. */
  async record(name: string, head: ManifestTree, bundle: string): Promise<void> {
    const dir = this.#dbDir(name);
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${head.treeSize}-${Buffer.from(head.treeHash, 'base64').toString('hex')}.json`);
    const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
    const body = { treeSize: head.treeSize, treeHash: head.treeHash, bundle, recorded: new Date().toISOString() };
    await writeFile(tmp, `${JSON.stringify(body)}\n`);
    await rename(tmp, file);
  }
}
