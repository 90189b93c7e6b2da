/**
 * Reuse of the go command's own download cache
 * ($GOMODCACHE/cache/download/<escaped path>/@v/<escaped version>.{info,mod,zip}),
 * so people who built online do not download twice. Nothing is taken on
 * faith: a zip is validated and hashed (and compared with the .ziphash the go
 * command wrote beside it), a go.mod is hashed, and both must agree with the
 * trusted hashes (go.sum) when there are any. What passes is copied into our
 * content-addressed cache; anything else is ignored and downloaded.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashGoMod } from '../gomod/dirhash.js';
import { escapePath, escapeVersion } from '../gomod/modulePath.js';
import { validateZip } from '../modzip/validateZip.js';
import { INLINE_MAX_BYTES, type CacheEntry, type CacheKey, type DownloadCache } from './downloadCache.js';

/** The file the go command keeps for path@version.kind. */
export function goModCacheFile(goModCache: string, key: CacheKey): string {
  return join(goModCache, 'cache', 'download', escapePath(key.path), '@v', `${escapeVersion(key.version)}.${key.kind}`);
}

/**
 * Copy path@version.kind from GOMODCACHE into `cache` if it is there and
 * verifies; `trusted` are the hashes it must match when non-empty (go.sum
 * lines). Returns the new cache entry, or undefined when the go command's
 * cache has nothing usable.
 */
export async function reuseFromGoModCache(
  cache: DownloadCache,
  goModCache: string,
  key: CacheKey,
  trusted: readonly string[],
): Promise<CacheEntry | undefined> {
  if (goModCache === '') return undefined;
  let file: string;
  try {
    file = goModCacheFile(goModCache, key);
    // Blocking: asked once per file of a run, and mostly answered ENOENT at once (see downloadCache.ts on
    // small calls); without an exception for that answer (an Error and its stack per file).
    if (statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return undefined;
  } catch {
    return undefined;
  }
  try {
    if (key.kind === 'zip') {
      // Validate the copy, not the original: the go command may rewrite its
      // cache while we read it.
      const pending = await cache.putFile(file);
      try {
        const { h1 } = await validateZip(pending.tmpPath, key, undefined, pending.small());
        if (trusted.length > 0 && !trusted.includes(h1)) throw new Error('go.sum disagrees');
        const zipHash = await readFile(`${file.slice(0, -'.zip'.length)}.ziphash`, 'utf8').catch(() => undefined);
        if (zipHash !== undefined && zipHash.trim() !== h1) throw new Error('.ziphash disagrees');
        return await cache.record(key, pending, h1);
      } catch (err) {
        await pending.discard();
        throw err;
      }
    }
    const data = await readFile(file);
    let h1: string | undefined;
    if (key.kind === 'mod') {
      h1 = hashGoMod(data);
      if (trusted.length > 0 && !trusted.includes(h1)) return undefined;
    } else {
      // An .info must at least be JSON naming this version.
      const info = JSON.parse(data.toString('utf8')) as { Version?: unknown };
      if (info.Version !== key.version) return undefined;
    }
    return data.length <= INLINE_MAX_BYTES
      ? await cache.putSmall(key, data, h1)
      : await cache.setIndex(key, await cache.putBytes(data), h1);
  } catch {
    // A broken file in someone else's cache is not our error: download instead.
    return undefined;
  }
}
