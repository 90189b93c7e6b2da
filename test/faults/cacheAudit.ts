/**
 * Walk a download cache (src/cache/downloadCache.ts layout) and list every
 * entry that fails verification: index entries whose bytes (inline or in
 * the content store) do not match their recorded sha256 and size, and
 * content files whose bytes do not hash to their name. Used by the fault
 * suites after a pack was killed or ran out of space.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheLayout } from '../../src/cache/downloadCache.js';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Problems found in the cache at `dir` (empty when every entry verifies), and how many entries were checked. */
export function auditCache(dir: string): { problems: string[]; entries: number; contents: number } {
  const problems: string[] = [];
  const indexFiles = filesUnder(join(dir, 'index')).filter((f) => f.endsWith('.json'));
  for (const f of indexFiles) {
    const where = relative(dir, f);
    let e: { key?: unknown; sha256?: unknown; size?: unknown; inline?: unknown; data?: unknown };
    try {
      e = JSON.parse(readFileSync(f, 'utf8')) as typeof e;
    } catch (err) {
      problems.push(`${where}: not JSON: ${String(err)}`);
      continue;
    }
    if (typeof e.key !== 'string' || typeof e.sha256 !== 'string' || typeof e.size !== 'number') {
      problems.push(`${where}: missing key, sha256 or size`);
      continue;
    }
    if (cacheLayout.index(dir, e.key) !== f) problems.push(`${where}: key ${e.key} belongs elsewhere`);
    let bytes: Buffer;
    if (e.inline === true) {
      bytes = Buffer.from(typeof e.data === 'string' ? e.data : '', 'base64');
    } else {
      const content = cacheLayout.content(dir, e.sha256);
      if (!existsSync(content)) {
        problems.push(`${e.key}: content ${relative(dir, content)} missing`);
        continue;
      }
      bytes = readFileSync(content);
    }
    if (bytes.length !== e.size) problems.push(`${e.key}: ${bytes.length} bytes, recorded ${e.size}`);
    if (sha256(bytes) !== e.sha256) problems.push(`${e.key}: sha256 ${sha256(bytes)}, recorded ${e.sha256}`);
  }
  const contents = filesUnder(join(dir, 'content', 'sha256'));
  for (const c of contents) {
    const name = relative(join(dir, 'content', 'sha256'), c)
      .split(/[\\/]/)
      .join('');
    const got = sha256(readFileSync(c));
    if (got !== name) problems.push(`content ${relative(dir, c)}: bytes hash to ${got} (${statSync(c).size} bytes)`);
  }
  return { problems, entries: indexFiles.length, contents: contents.length };
}

/** Files in the cache's tmp/ directory (writes in progress, or left by a killed run). */
export function cacheTemps(dir: string): string[] {
  return filesUnder(cacheLayout.tmp(dir)).map((f) => relative(dir, f));
}
