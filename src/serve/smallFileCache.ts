/**
 * Served files up to a few MiB (.info, .mod, lists, sumdb lookups, most zips) kept in memory, so
 * the common request is a Map lookup and one write instead of an open, a
 * read and a close. Bounded in total bytes (least recently used out first),
 * so memory stays flat whatever the bundle size. Files are immutable once
 * verified, so nothing is ever stale.
 */
import { readFile } from 'node:fs/promises';

/**
 * Files up to this size are cached: every .info/.mod/list and most module
 * zips (a popular zip served from memory is several times faster than
 * reading it again; Node has no sendfile).
 */
export const SMALL_FILE_MAX_BYTES = 4 << 20;
/** Total bytes the cache may hold: keeps serve well inside its 150 MB RSS budget. */
export const SMALL_FILE_CACHE_BYTES = 48 << 20;

export class SmallFileCache {
  private readonly entries = new Map<string, Promise<Buffer>>();
  private readonly sizes = new Map<string, number>();
  /** Files already read, for answering without waiting on a promise. */
  private readonly ready = new Map<string, Buffer>();
  private total = 0;

  constructor(private readonly maxBytes: number = SMALL_FILE_CACHE_BYTES) {}

  get(file: string, size: number): Promise<Buffer> {
    const hit = this.entries.get(file);
    if (hit !== undefined) {
      // Move to the most recently used end.
      this.entries.delete(file);
      this.entries.set(file, hit);
      return hit;
    }
    const p = readFile(file);
    p.then(
      (b) => {
        if (this.entries.get(file) === p) this.ready.set(file, b);
      },
      () => undefined,
    );
    this.entries.set(file, p);
    this.sizes.set(file, size);
    this.total += size;
    p.catch(() => this.drop(file));
    for (const [old] of this.entries) {
      if (this.total <= this.maxBytes || old === file) break;
      this.drop(old);
    }
    return p;
  }

  /** The file's bytes if already in memory (no LRU bump: the hot path stays a single Map lookup). */
  peek(file: string): Buffer | undefined {
    return this.ready.get(file);
  }

  private drop(file: string): void {
    if (!this.entries.delete(file)) return;
    this.ready.delete(file);
    this.total -= this.sizes.get(file) ?? 0;
    this.sizes.delete(file);
  }
}
