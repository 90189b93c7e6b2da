/**
 * A content-addressed download cache, shaped like npm's cacache:
 *
 *   <dir>/content/sha256/aa/bb/<rest of hex>   the bytes, named by their SHA-256
 *   <dir>/index.jsonl                          key → { sha256, size, h1 }, a line each (indexLog.ts)
 *   <dir>/tmp/                                  writes in progress
 *
 * Keys are `path@version.kind` (unescaped path and version; kind mod, info or
 * zip). Bytes are hashed while they stream into a temp file and renamed into
 * place; the index entry is appended only after the content is in place
 * and verified by the caller, so a process killed at any moment leaves
 * either nothing or a complete, usable entry — never unverified bytes
 * under a key (a line cut short is skipped). Small files (go.mod, .info
 * and zips up to INLINE_MAX_BYTES) are stored inside their index entry
 * instead: no file at all (on many file systems creating a file costs far
 * more than writing its few hundred bytes, and a pack stores a few small
 * files per module version). Reads
 * verify again: small files are hashed when read, large ones by the
 * stream returned from openVerified; a small file this instance wrote or
 * verified already is read from memory (SMALL_MEMORY_MAX_BYTES). Files are not
 * fsynced: a crash of the machine can at worst leave content that fails
 * that verification, which costs a download, never a wrong byte.
 *
 * Index entries and inline files are read and written with synchronous
 * calls. Each is a few hundred bytes on a local file system, where a
 * blocking append takes microseconds, while the same call
 * through the thread pool costs two thread wake-ups and a callback, and a
 * pack of a few hundred module versions makes thousands of these calls
 * (`npm run bench`'s 0 ms rows are where it shows). Content files (zips)
 * still stream asynchronously.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { fileSystemError } from '../files/fileSystemError.js';
import { removeStaleTemps } from '../files/staleTemps.js';
import { cacheLayout } from './cacheLayout.js';
import { IndexLog, type IndexRecord } from './indexLog.js';
import { legacyIndexLines } from './legacyIndex.js';

/** The layout of the cache directory (re-exported: tests reach it through the cache). */
export { cacheLayout };

export type CacheKind = 'mod' | 'info' | 'zip';

export interface CacheKey {
  path: string;
  version: string;
  kind: CacheKind;
}

export interface CacheEntry {
  key: string;
  sha256: string;
  size: number;
  /** h1 of the zip (kind zip) or of the go.mod (kind mod); absent for info. */
  h1?: string;
  /** The bytes are in the index entry (base64 `data`), not in the content store. */
  inline?: true;
}

/** Read size when content streams out (into a bundle): a zip is one or a few reads, not one per 64 KiB. */
export const CONTENT_READ_CHUNK_BYTES = 1 << 20;

/** Files up to this size are stored inside their index entry (putSmall). */
export const INLINE_MAX_BYTES = 16 << 10;

/**
 * Small files written or read by this instance are kept in memory up to
 * this many bytes in all, so a run reads each back from memory, not from
 * its index file: a pack stores every go.mod and .info, then reads them
 * again for the resolver, the manifest's times and the bundle. Real go.mod
 * and .info files are a few hundred bytes to a few KiB: a 10,000-version
 * pack keeps about 20 MB.
 */
export const SMALL_MEMORY_MAX_BYTES = 32 << 20;

/** Cached bytes that no longer match their recorded hash: names the entry, both hashes, and what to remove. */
export class CacheCorruptError extends GobundleError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(ErrorCode.CACHECORRUPT, message, options);
  }
}

export function cacheKeyString(k: CacheKey): string {
  return `${k.path}@${k.version}.${k.kind}`;
}

/**
 * New content being written: hashes what passes through, then is committed
 * (renamed) into the content store. Content of up to INLINE_MAX_BYTES
 * stays in memory (no temp file is made): small(), for putSmall; most zips
 * of small modules are a few KiB, where the file, its rename and its
 * directories cost more than the download.
 */
export interface PendingContent {
  /** Where the bytes are while pending (to validate them in place; when small() has them, nothing is there). */
  readonly tmpPath: string;
  /** A fresh sink; each call starts over (a retried download). */
  sink(): Promise<Writable>;
  /** After the sink finished: the hash and size of what was written. */
  digest(): { sha256: string; size: number };
  /** After the sink finished: all the bytes, when they fit INLINE_MAX_BYTES (then no temp file holds them). */
  small(): Buffer | undefined;
  /** Move the bytes into the content store. */
  commit(): Promise<{ sha256: string; size: number }>;
  /** Remove the temp file (after failure, or after small() bytes went into the cache another way). */
  discard(): Promise<void>;
}

export class DownloadCache {
  readonly dir: string;
  /**
   * Directories this instance made (or found) already: a run stores
   * thousands of small files in a few hundred directories, and a recursive
   * mkdir per file is several system calls each time.
   */
  readonly #madeDirs = new Map<string, Promise<unknown>>();
  /** Inline entries' verified bytes, by key (SMALL_MEMORY_MAX_BYTES). */
  readonly #small = new Map<string, { sha256: string; data: Buffer }>();
  #smallBytes = 0;
  readonly #index: IndexLog;

  constructor(dir: string) {
    this.dir = dir;
    this.#index = new IndexLog(cacheLayout.indexLog(dir), () => legacyIndexLines(dir));
  }

  /** mkdir -p, once per directory per instance (a failed one is tried again next time). */
  #mkdirOnce(dir: string): Promise<unknown> {
    let p = this.#madeDirs.get(dir);
    if (p === undefined) {
      // Not mkdirSync: a pack makes up to 256 content/<aa>/ directories while zips stream
      // to disk, and each blocking mkdir then took about 1 ms of the main thread (112 ms of
      // a real-source pack's). The first use of tmp/ also removes what killed runs left there.
      p = mkdir(dir, { recursive: true }).then(() => (dir === cacheLayout.tmp(this.dir) ? removeStaleTemps(dir, '') : undefined));
      this.#madeDirs.set(dir, p);
      p.catch(() => this.#madeDirs.delete(dir));
    }
    return p;
  }

  /** Run op, which writes into dir; if dir vanished since it was made (someone cleaned the cache), make it again and retry once. */
  async #inDir<T>(dir: string, op: () => Promise<T>): Promise<T> {
    try {
      await this.#mkdirOnce(dir);
      try {
        return await op();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        this.#madeDirs.delete(dir);
        await this.#mkdirOnce(dir);
        return await op();
      }
    } catch (err) {
      throw this.#fsError(err, dir);
    }
  }

  /** A full disk or a read-only cache as an error naming the cache and the path. */
  #fsError(err: unknown, path: string): unknown {
    return fileSystemError(
      err,
      `cache ${this.dir}`,
      path,
      `free space on the file system holding ${this.dir}, or point --cache-dir at one with room`,
    );
  }

  #tmpName(suffix = ''): string {
    return join(cacheLayout.tmp(this.dir), `${process.pid}-${randomBytes(8).toString('hex')}${suffix}`);
  }

  /** The index entry for a key, if its content is present with the recorded size. */
  async get(key: CacheKey): Promise<CacheEntry | undefined> {
    const entry = this.#index.lookup(cacheKeyString(key));
    // The index checked an inline entry's bytes are there, with the recorded size.
    if (entry === undefined || entry.inline === true) return entry;
    try {
      const st = statSync(this.contentPath(entry.sha256));
      if (st.size !== entry.size) return undefined;
    } catch {
      return undefined;
    }
    return entry;
  }

  /** Path of a content file (for streaming it into a bundle; use openVerified). */
  contentPath(sha256: string): string {
    return cacheLayout.content(this.dir, sha256);
  }

  /** The whole content of a small entry, verified against its hash. */
  async read(entry: CacheEntry): Promise<Buffer> {
    const kept = this.#small.get(entry.key);
    if (kept !== undefined && kept.sha256 === entry.sha256) return Buffer.from(kept.data);
    const data = entry.inline === true ? this.#readInline(entry) : await readFile(this.contentPath(entry.sha256));
    const got = createHash('sha256').update(data).digest('hex');
    if (got !== entry.sha256 || data.length !== entry.size) throw this.#corrupt(entry, got, data.length);
    if (entry.inline === true) this.#keep(entry.key, got, data);
    return data;
  }

  /** Keep a small file's verified bytes for this run, within SMALL_MEMORY_MAX_BYTES. */
  #keep(key: string, sha256: string, data: Uint8Array): void {
    if (this.#small.has(key) || this.#smallBytes + data.length > SMALL_MEMORY_MAX_BYTES) return;
    this.#small.set(key, { sha256, data: Buffer.from(data) });
    this.#smallBytes += data.length;
  }

  /** The bytes stored in an inline entry's index line (unverified: read() checks them). */
  #readInline(entry: CacheEntry): Buffer {
    const data = this.#index.inlineData(entry.key);
    return data === undefined ? Buffer.alloc(0) : Buffer.from(data, 'base64');
  }

  /** A stream of an entry's content that fails at the end if the bytes do not match the recorded hash. */
  openVerified(entry: { key: string; sha256: string; size: number; inline?: true }): Readable {
    if (entry.inline === true) {
      const read = (): Promise<Buffer> => this.read(entry);
      return Readable.from(
        (async function* () {
          yield await read();
        })(),
      );
    }
    const h = createHash('sha256');
    let size = 0;
    const check = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        h.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
      flush: (cb) => {
        const got = h.digest('hex');
        cb(got === entry.sha256 && size === entry.size ? null : this.#corrupt(entry, got, size));
      },
    });
    const source = createReadStream(this.contentPath(entry.sha256), { highWaterMark: CONTENT_READ_CHUNK_BYTES });
    source.on('error', (err) => check.destroy(err));
    return source.pipe(check);
  }

  /** Start writing new content. */
  async begin(): Promise<PendingContent> {
    await this.#inDir(cacheLayout.tmp(this.dir), async () => undefined);
    const tmpPath = this.#tmpName();
    let result: { sha256: string; size: number } | undefined;
    /** The bytes while they fit INLINE_MAX_BYTES and no file was opened; after the sink finished, small()'s answer. */
    let kept: Buffer[] = [];
    let keptSmall: Buffer | undefined;
    /** Whether a temp file was made (by this sink or an earlier one): discard() removes it. */
    let madeFile = false;
    const moveIntoStore = (from: string, sha256: string): Promise<void> => this.#moveIntoStore(from, sha256);
    const fsError = (err: unknown, path: string): unknown => this.#fsError(err, path);
    const pending: PendingContent = {
      tmpPath,
      async sink(): Promise<Writable> {
        result = undefined;
        kept = [];
        keptSmall = undefined;
        let fh: Awaited<ReturnType<typeof open>> | undefined;
        const h = createHash('sha256');
        let size = 0;
        let closed = false;
        const close = async (): Promise<void> => {
          if (!closed) {
            closed = true;
            await fh?.close();
          }
        };
        /** Write chunks to the temp file, opening it (with what was kept so far) the first time. */
        const toFile = async (chunks: Buffer[]): Promise<void> => {
          if (fh === undefined) {
            madeFile = true;
            fh = await open(tmpPath, 'w');
            chunks = [...kept, ...chunks];
            kept = [];
          }
          await fh.writev(chunks);
        };
        const take = (chunks: Buffer[], cb: (err?: Error | null) => void): void => {
          for (const b of chunks) {
            h.update(b);
            size += b.length;
          }
          if (fh === undefined && size <= INLINE_MAX_BYTES) {
            kept.push(...chunks);
            cb();
            return;
          }
          toFile(chunks).then(
            () => cb(),
            (err: unknown) => cb(fsError(err, tmpPath) as Error),
          );
        };
        return new Writable({
          write(chunk: Buffer, _enc, cb) {
            take([chunk], cb);
          },
          // Chunks that arrived while a write was in flight leave in one writev, not one write each.
          writev(chunks, cb) {
            take(
              chunks.map((c) => c.chunk as Buffer),
              cb,
            );
          },
          final(cb) {
            // No fsync: SIGKILL cannot lose written pages, and after a power
            // loss a truncated file fails verification on read and is
            // downloaded again. An fsync per file would dominate a run.
            close().then(
              () => {
                result = { sha256: h.digest('hex'), size };
                if (fh === undefined) keptSmall = Buffer.concat(kept, size);
                kept = [];
                cb();
              },
              (err: unknown) => cb(fsError(err, tmpPath) as Error),
            );
          },
          destroy(err, cb) {
            kept = [];
            close().then(
              () => cb(err),
              () => cb(err),
            );
          },
        });
      },
      digest() {
        if (result === undefined) throw new Error('cache: digest() before the sink finished');
        return result;
      },
      small() {
        pending.digest();
        return keptSmall;
      },
      async commit() {
        const r = pending.digest();
        if (keptSmall !== undefined) {
          madeFile = true;
          await writeFile(tmpPath, keptSmall).catch((err: unknown) => {
            throw fsError(err, tmpPath);
          });
        }
        await moveIntoStore(tmpPath, r.sha256);
        return r;
      },
      async discard() {
        if (madeFile) await rm(tmpPath, { force: true });
      },
    };
    return pending;
  }

  /** Store a whole small file (hash, temp file, rename). */
  async putBytes(data: Uint8Array): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const tmpPath = this.#tmpName();
    try {
      await this.#inDir(cacheLayout.tmp(this.dir), () => writeFile(tmpPath, data));
      await this.#moveIntoStore(tmpPath, sha256);
    } catch (err) {
      await rm(tmpPath, { force: true });
      throw err;
    }
    return { sha256, size: data.length };
  }

  async #moveIntoStore(tmpPath: string, sha256: string): Promise<void> {
    const dest = this.contentPath(sha256);
    await this.#inDir(dirname(dest), () => rename(tmpPath, dest));
  }

  /** Stream an existing file into the store (hash while copying). */
  async putFile(file: string): Promise<PendingContent> {
    const pending = await this.begin();
    try {
      await pipeline(createReadStream(file), await pending.sink());
      return pending;
    } catch (err) {
      await pending.discard();
      throw err;
    }
  }

  /**
   * Store a small file (≤ INLINE_MAX_BYTES) and record it under key in one
   * step: the bytes go into the index entry. Call only for verified bytes.
   */
  async putSmall(key: CacheKey, data: Uint8Array, h1?: string): Promise<CacheEntry> {
    if (data.length > INLINE_MAX_BYTES) throw new RangeError(`cache: putSmall of ${data.length} bytes (max ${INLINE_MAX_BYTES})`);
    const entry: CacheEntry = {
      key: cacheKeyString(key),
      sha256: createHash('sha256').update(data).digest('hex'),
      size: data.length,
      ...(h1 === undefined ? {} : { h1 }),
      inline: true,
    };
    await this.#writeIndex(entry, Buffer.from(data.buffer, data.byteOffset, data.length).toString('base64'));
    this.#keep(entry.key, entry.sha256, data);
    return entry;
  }

  /**
   * Record pending content under key, once its sink finished and the bytes
   * were verified: inline when small() holds them, else committed into the
   * content store.
   */
  async record(key: CacheKey, pending: PendingContent, h1?: string): Promise<CacheEntry> {
    const small = pending.small();
    if (small === undefined) return this.setIndex(key, await pending.commit(), h1);
    const entry = await this.putSmall(key, small, h1);
    await pending.discard();
    return entry;
  }

  /** Record key → content. Call only for content already committed and verified. */
  async setIndex(key: CacheKey, content: { sha256: string; size: number }, h1?: string): Promise<CacheEntry> {
    const keyString = cacheKeyString(key);
    const entry: CacheEntry = { key: keyString, sha256: content.sha256, size: content.size, ...(h1 === undefined ? {} : { h1 }) };
    await this.#writeIndex(entry, undefined);
    return entry;
  }

  /** Append an index entry, with the bytes of an inline entry. */
  async #writeIndex(entry: CacheEntry, data: string | undefined): Promise<void> {
    const record: IndexRecord = data === undefined ? entry : { ...entry, data };
    await this.#inDir(this.dir, async () => this.#index.append(record));
  }

  #corrupt(entry: { key: string; sha256: string; size: number }, got: string, size: number): CacheCorruptError {
    return new CacheCorruptError(
      `cache ${this.dir}: ${entry.key}: content changed on disk\n\twanted: sha256 ${entry.sha256} (${entry.size} bytes)\n\tfound:  sha256 ${got} (${size} bytes)`,
      {
        hint: `remove ${(entry as { inline?: true }).inline === true ? this.#index.file : this.contentPath(entry.sha256)} (or the whole cache) and run again`,
      },
    );
  }
}
