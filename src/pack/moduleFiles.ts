/**
 * Getting one module file (path@version.info|mod|zip) into the download
 * cache, from the cheapest place that has it: our cache, then the go
 * command's module cache (after verification), then the GOPROXY chain.
 *
 * Downloads stream into a temp file while being hashed; zips are validated
 * (x/mod CheckZip) and h1-hashed; go.mod files h1-hashed. Hashes the caller
 * trusts (go.sum) are checked before anything is recorded in the cache, so a
 * tampered download is never stored and a later run asks again. Requests for
 * the same file share one download; a failed one is forgotten so it can be
 * tried again.
 */
import { ChecksumMismatchError, ModuleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { FileSystemError } from '../files/fileSystemError.js';
import { hashGoMod } from '../gomod/dirhash.js';
import { validateZip } from '../modzip/validateZip.js';
import type { ProxyChain } from '../proxy/proxyChain.js';
import { cacheKeyString, INLINE_MAX_BYTES, type CacheEntry, type CacheKey, type DownloadCache } from '../cache/downloadCache.js';
import { reuseFromGoModCache } from '../cache/goModCache.js';
import { Semaphore } from '../concurrency/semaphore.js';

/** A module version's file that the cache could not store (a full disk, a read-only mount): `path@version: storing its .zip: …`. */
export class ModuleStoreError extends ModuleError {
  static override readonly errorCode: ErrorCode = ErrorCode.FILESYSTEM;
}

/** What the hashes of a file must be, from go.sum: empty when nothing is known. */
export type TrustedHashes = (key: CacheKey) => readonly string[];

export type FileSource = 'cache' | 'gomodcache' | 'network';

export interface ModuleFilesOptions {
  cache: DownloadCache;
  chain: Pick<ProxyChain, 'mod' | 'infoBytes' | 'zipTo'>;
  /** $GOMODCACHE, or '' to not reuse it. */
  goModCache: string;
  trusted: TrustedHashes;
  /** Downloads in flight at once; go.mod fetches (the resolver's critical path) get free slots before .info and .zip downloads. */
  concurrency: number;
  /** Called once per file when it is in the cache. */
  onReady?: (key: CacheKey, entry: CacheEntry, source: FileSource) => void;
}

export class ModuleFiles {
  readonly #opts: ModuleFilesOptions;
  readonly #inflight = new Map<string, Promise<CacheEntry>>();
  readonly #slots: Semaphore;

  constructor(opts: ModuleFilesOptions) {
    this.#opts = opts;
    // go.mod fetches (urgent) before .info/.zip downloads: each go.mod can reveal the next level of the graph.
    this.#slots = new Semaphore(opts.concurrency);
  }

  /** The cache entry for a file, fetching it if needed. */
  get(key: CacheKey): Promise<CacheEntry> {
    const k = cacheKeyString(key);
    let p = this.#inflight.get(k);
    if (p === undefined) {
      p = this.#fetch(key);
      this.#inflight.set(k, p);
      p.catch(() => {
        if (this.#inflight.get(k) === p) this.#inflight.delete(k);
      });
    }
    return p;
  }

  /** The bytes of a go.mod file (fetched if needed), as verified on their way into the cache or read back verified. */
  async readMod(key: CacheKey & { kind: 'mod' }): Promise<Buffer> {
    // The cache keeps the small files it wrote or verified this run: no second read from disk.
    return this.#opts.cache.read(await this.get(key));
  }

  /** Run another request in the same slots as .info and .zip downloads (behind go.mod fetches). */
  inBulkSlot<T>(request: () => Promise<T>): Promise<T> {
    return this.#slots.run(request);
  }

  /** Start fetching a file that will probably be needed; failures are left for a later get() to report. */
  prefetch(key: CacheKey): void {
    this.get(key).catch(() => undefined);
  }

  /** Fetch one file; a cache that cannot store it (full disk, read-only) fails naming the module version too. */
  async #fetch(key: CacheKey): Promise<CacheEntry> {
    try {
      return await this.#fetchFile(key);
    } catch (err) {
      if (err instanceof FileSystemError) {
        throw new ModuleStoreError(key.path, key.version, `storing its .${key.kind}: ${err.message}`, {
          hint: err.hint,
          cause: err,
        });
      }
      throw err;
    }
  }

  async #fetchFile(key: CacheKey): Promise<CacheEntry> {
    const { cache, trusted } = this.#opts;
    const want = trusted(key);
    let cached = await cache.get(key);
    // Small files are cheap to re-hash: one that changed on disk is fetched again.
    if (cached !== undefined && key.kind !== 'zip') {
      const data = await cache.read(cached).catch(() => undefined);
      if (data === undefined) cached = undefined;
    }
    if (cached !== undefined && (key.kind === 'info' || want.length === 0 || (cached.h1 !== undefined && want.includes(cached.h1)))) {
      this.#opts.onReady?.(key, cached, 'cache');
      return cached;
    }
    const reused = await reuseFromGoModCache(cache, this.#opts.goModCache, key, want);
    if (reused !== undefined) {
      this.#opts.onReady?.(key, reused, 'gomodcache');
      return reused;
    }
    // One try: the transport already retried transient failures (a body cut off mid-stream included);
    // a 404, a bad zip or a checksum mismatch are answers.
    const entry = key.kind === 'mod' ? await this.#downloadMod(key, want) : await this.#bulkDownload(key, want);
    this.#opts.onReady?.(key, entry, 'network');
    return entry;
  }

  async #downloadMod(key: CacheKey, want: readonly string[]): Promise<CacheEntry> {
    const data = await this.#slots.run(() => this.#opts.chain.mod(key.path, key.version), true);
    const h1 = hashGoMod(data);
    this.#checkTrusted(key, h1, want);
    const entry = await this.#store(key, data, h1);
    return entry;
  }

  async #bulkDownload(key: CacheKey, want: readonly string[]): Promise<CacheEntry> {
    const release = await this.#slots.acquire();
    try {
      if (key.kind === 'info') {
        const data = await this.#opts.chain.infoBytes(key.path, key.version);
        return await this.#store(key, data, undefined);
      }
      const pending = await this.#opts.cache.begin();
      try {
        await this.#opts.chain.zipTo(key.path, key.version, () => pending.sink());
        // A zip of a few KiB stayed in memory: checked from there and stored inline, like a go.mod.
        const small = pending.small();
        const { h1 } = await validateZip(pending.tmpPath, key, undefined, small);
        this.#checkTrusted(key, h1, want);
        return await this.#opts.cache.record(key, pending, h1);
      } catch (err) {
        await pending.discard();
        throw err;
      }
    } finally {
      release();
    }
  }

  /** A verified small file into the cache: inline in its index entry when small enough. */
  async #store(key: CacheKey, data: Uint8Array, h1: string | undefined): Promise<CacheEntry> {
    const { cache } = this.#opts;
    if (data.length <= INLINE_MAX_BYTES) return cache.putSmall(key, data, h1);
    return cache.setIndex(key, await cache.putBytes(data), h1);
  }

  #checkTrusted(key: CacheKey, h1: string, want: readonly string[]): void {
    if (want.length > 0 && !want.includes(h1)) {
      throw new ChecksumMismatchError({
        path: key.path,
        version: key.version,
        file: key.kind,
        expected: want[0] ?? '',
        actual: h1,
        source: 'go.sum',
      });
    }
  }
}
