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

/**
 * Problems found in the cache at `dir` (empty when every entry verifies), and how many entries were checked.
 * The entries are what the cache reads from its index log: the last whole line for each key. A line cut
 * short (a run killed mid-append, a full disk) is not an entry: the cache skips it, so it is counted
 * (`cutLines`), not a problem. Any other line that is not an entry is one.
 */
export function auditCache(dir: string): { problems: string[]; entries: number; contents: number; cutLines: number } {
  const problems: string[] = [];
  const log = cacheLayout.indexLog(dir);
  const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
  const byKey = new Map<string, { sha256: string; size: number; inline?: unknown; data?: unknown }>();
  let cutLines = 0;
  lines.forEach((line, i) => {
    if (line === '') return;
    let e: { key?: unknown; sha256?: unknown; size?: unknown; inline?: unknown; data?: unknown };
    try {
      e = JSON.parse(line) as typeof e;
    } catch (err) {
      // A cut line is the start of a record: "{" then a prefix of it.
      if (line.startsWith('{"key":')) cutLines++;
      else problems.push(`index line ${i + 1}: not JSON: ${String(err)}`);
      return;
    }
    if (typeof e.key !== 'string' || typeof e.sha256 !== 'string' || typeof e.size !== 'number') {
      problems.push(`index line ${i + 1}: missing key, sha256 or size`);
      return;
    }
    byKey.set(e.key, { sha256: e.sha256, size: e.size, inline: e.inline, data: e.data });
  });
  for (const [key, e] of byKey) {
    let bytes: Buffer;
    if (e.inline === true) {
      bytes = Buffer.from(typeof e.data === 'string' ? e.data : '', 'base64');
    } else {
      const content = cacheLayout.content(dir, e.sha256);
      if (!existsSync(content)) {
        problems.push(`${key}: content ${relative(dir, content)} missing`);
        continue;
      }
      bytes = readFileSync(content);
    }
    if (bytes.length !== e.size) problems.push(`${key}: ${bytes.length} bytes, recorded ${e.size}`);
    if (sha256(bytes) !== e.sha256) problems.push(`${key}: sha256 ${sha256(bytes)}, recorded ${e.sha256}`);
  }
  const contents = filesUnder(join(dir, 'content', 'sha256'));
  for (const c of contents) {
    const name = relative(join(dir, 'content', 'sha256'), c)
      .split(/[\\/]/)
      .join('');
    const got = sha256(readFileSync(c));
    if (got !== name) problems.push(`content ${relative(dir, c)}: bytes hash to ${got} (${statSync(c).size} bytes)`);
  }
  return { problems, entries: byKey.size, contents: contents.length, cutLines };
}

/** Files in the cache's tmp/ directory (writes in progress, or left by a killed run). */
export function cacheTemps(dir: string): string[] {
  return filesUnder(cacheLayout.tmp(dir)).map((f) => relative(dir, f));
}
