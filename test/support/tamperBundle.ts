/** Changing a bundle after it was written, as an attacker or a bad disk would, for verify tests. */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

/** Flip one byte in the middle of a tar entry's data inside a .tgz (sizes unchanged, so only its sha256 differs). */
export function tamperBundleEntry(tgz: string, name: string): void {
  const tar = gunzipSync(readFileSync(tgz));
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (a: number, b: number): string => header.subarray(a, b).toString('latin1').replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 136).trim() || '0', 8);
    const prefix = field(345, 500);
    const entry = prefix === '' ? field(0, 100) : `${prefix}/${field(0, 100)}`;
    if (entry === name) {
      const at = off + 512 + Math.floor(size / 2);
      tar[at] = (tar[at] ?? 0) ^ 0xff;
      writeFileSync(tgz, gzipSync(tar));
      return;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} not in ${tgz}`);
}
