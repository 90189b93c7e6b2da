/**
 * Reading the small metadata files (.mod, .info) of a new index into the
 * small-file cache before anyone asks. A go command with an empty module
 * cache loads the module graph by fetching go.mod files a few at a time,
 * each one waiting on the last; a first request that must open and read a
 * file costs four thread-pool round trips, an in-memory one none.
 */
import { mapLimit } from '../concurrency/mapLimit.js';
import type { ModuleIndex } from '../bundleset/moduleIndex.js';
import type { SmallFileCache } from './smallFileCache.js';
import { isMetadataFileName } from '../bundle/treeLayout.js';

/** Metadata bytes read ahead per index: far more than the .mod and .info files of thousands of modules. */
export const WARM_BYTES = 16 << 20;
/** Files read at once: enough to keep the disk busy without crowding out requests in the thread pool. */
export const WARM_CONCURRENCY = 2;
/** A .mod or .info larger than this is not metadata worth reading ahead. */
export const WARM_FILE_MAX_BYTES = 64 << 10;

/** Start reading `index`'s .mod and .info files into `cache` (up to WARM_BYTES); never throws, never waits. */
export function warmCache(index: ModuleIndex, cache: SmallFileCache): void {
  const todo: { file: string; size: number }[] = [];
  let bytes = 0;
  for (const [name, f] of index.files) {
    if (f.size > WARM_FILE_MAX_BYTES || !isMetadataFileName(name)) continue;
    if (bytes + f.size > WARM_BYTES) break;
    bytes += f.size;
    todo.push(f);
  }
  void mapLimit(todo, WARM_CONCURRENCY, async (f) => {
    if (cache.peek(f.file) !== undefined) return;
    // A file that cannot be read is reported by the request that asks for it.
    await cache.get(f.file, f.size).catch(() => undefined);
  });
}
