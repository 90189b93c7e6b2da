/**
 * Write a bundle (format gobundle/v1, see manifest.ts): a gzip'd POSIX tar
 * of manifest.json, manifest.sig, then every file sorted by name.
 *
 * Deterministic: regular-file headers only, mode 0644, uid/gid 0, empty
 * user and group names, one fixed mtime (the manifest's `created`), gzip
 * level 0 (stored blocks) with no name and mtime 0 in its header. File contents are
 * streamed from their sources (never buffered whole) into a temp file beside
 * the target, which is fsynced and renamed over the target only after
 * everything succeeded: a failed or killed run leaves no partial bundle.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import tar from 'tar-stream';
import { BundleWriteError } from './bundleErrors.js';
import { compareNames } from './manifest.js';
import { MANIFEST_NAME, SIGNATURE_NAME } from './treeLayout.js';
import { PartSplitter } from './partFiles.js';
import type { PartList } from './partList.js';
import { fileSystemError } from '../files/fileSystemError.js';
import { removeStaleTemps } from '../files/staleTemps.js';

/**
 * gzip level of every bundle (part of the format: changing it changes the
 * bytes). 0, stored blocks: nearly all of a bundle is module zips, already
 * deflated, which a second deflate shrinks by a few percent at a fraction
 * of the speed (`npm run bench` prints the write phase's MB/s); the gzip
 * framing stays so bundles remain .tgz files any tar reads.
 */
export const BUNDLE_GZIP_LEVEL = 0;
/** Mode of every entry. */
export const ENTRY_MODE = 0o644;

export interface BundleFileSource {
  name: string;
  size: number;
  /** A fresh stream of exactly `size` bytes; it should fail if the bytes do not match the manifest. */
  open(): Readable;
  /**
   * For small files: all `size` bytes at once, failing like open() would if
   * they do not match the manifest. The writer calls it ahead of time
   * (within READ_AHEAD_FILES / READ_AHEAD_BYTES), so it must not depend on
   * earlier entries having been written.
   */
  read?(): Promise<Uint8Array>;
}

/** Whole-file reads the writer keeps in flight ahead of the tar. */
export const READ_AHEAD_FILES = 64;
/** Bytes of whole-file reads held ahead of the tar at most (bounds memory). */
export const READ_AHEAD_BYTES = 8 << 20;
/**
 * tar-stream emits a header, the data and the padding of every entry as
 * separate chunks, and the gzip stream hands each chunk to the thread pool
 * on its own: gather them into chunks of this size first, and let gzip
 * emit output chunks as large (GZIP_OUTPUT_CHUNK_BYTES), so a bundle is a
 * few dozen thread-pool round trips and writes per 26 MB, not thousands
 * (the write phase of `npm run bench`'s real-source graph shows it). At level 0 where the stored blocks end depends on these sizes, so they
 * are part of the format's bytes: fixed, the same bundle comes out of
 * every run.
 */
export const GZIP_INPUT_CHUNK_BYTES = 1 << 20;
/** zlib's output chunk size for bundles (see GZIP_INPUT_CHUNK_BYTES). */
export const GZIP_OUTPUT_CHUNK_BYTES = 1 << 20;

/** The gzip stream of every bundle. */
function bundleGzip(): Gzip {
  return createGzip({ level: BUNDLE_GZIP_LEVEL, chunkSize: GZIP_OUTPUT_CHUNK_BYTES });
}

export interface WriteBundleArgs {
  manifest: Uint8Array;
  /** The signed note; undefined for --unsigned bundles. */
  signature: Uint8Array | undefined;
  /** In any order; written sorted by name. */
  files: readonly BundleFileSource[];
  /** mtime of every entry: the manifest's `created`. */
  mtime: Date;
  /** Called after each file's bytes are written. */
  onFile?: (name: string, size: number) => void;
  /**
   * Write the bundle as parts of at most maxPartSize bytes (target.part-001,
   * …) plus the signed part list target.parts, instead of target itself.
   */
  split?: { maxPartSize: number; sign: (list: PartList) => Uint8Array };
}

export interface WrittenBundle {
  /** The bundle file, or the part list of a split bundle. */
  path: string;
  size: number;
  sha256: string;
  /** The parts of a split bundle. */
  parts?: PartList['parts'];
}

function header(name: string, size: number, mtime: Date): tar.Header {
  return {
    name,
    size,
    mode: ENTRY_MODE,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    mtime,
    type: 'file',
    linkname: '',
    devmajor: 0,
    devminor: 0,
  };
}

/** Put a stream into the tar as one entry; resolves when the entry is complete. */
async function addEntry(
  pack: tar.Pack,
  name: string,
  size: number,
  mtime: Date,
  source: Readable | AsyncIterable<Uint8Array>,
): Promise<void> {
  let entryDone!: Promise<void>;
  const entry = await new Promise<NodeJS.WritableStream>((resolveEntry) => {
    entryDone = new Promise<void>((resolve, reject) => {
      resolveEntry(pack.entry(header(name, size, mtime), (err) => (err ? reject(err) : resolve())));
    });
  });
  await Promise.all([pipeline(source, entry), entryDone]);
}

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** Put whole bytes into the tar as one entry. */
function addBytesEntry(pack: tar.Pack, name: string, size: number, mtime: Date, data: Uint8Array): Promise<void> {
  if (data.length !== size) {
    return Promise.reject(new BundleWriteError(`bundle file ${name}: read ${data.length} bytes, want ${size}`));
  }
  return new Promise<void>((resolve, reject) => {
    pack.entry(header(name, size, mtime), Buffer.from(data.buffer, data.byteOffset, data.length), (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Starts the read() of upcoming files while earlier ones are written: at
 * most READ_AHEAD_FILES reads and READ_AHEAD_BYTES of their bytes ahead.
 */
class ReadAhead {
  readonly #files: readonly BundleFileSource[];
  readonly #started = new Map<number, Promise<Uint8Array>>();
  #next = 0;
  #bytes = 0;

  constructor(files: readonly BundleFileSource[]) {
    this.#files = files;
  }

  /** The bytes of file i (read now if it was not read ahead), or undefined for a streamed file. */
  take(i: number): Promise<Uint8Array> | undefined {
    if (this.#next <= i) this.#next = i + 1;
    let p = this.#started.get(i);
    const f = this.#files[i];
    if (p === undefined && f?.read !== undefined) p = f.read();
    if (this.#started.delete(i) && f !== undefined) this.#bytes -= f.size;
    this.#fill();
    return p;
  }

  #fill(): void {
    while (this.#next < this.#files.length && this.#started.size < READ_AHEAD_FILES) {
      const f = this.#files[this.#next]!;
      if (f.read !== undefined) {
        if (this.#started.size > 0 && this.#bytes + f.size > READ_AHEAD_BYTES) return;
        const p = f.read();
        // Reported when the writer reaches this file (or never, if an earlier one failed).
        p.catch(() => undefined);
        this.#started.set(this.#next, p);
        this.#bytes += f.size;
      }
      this.#next++;
    }
  }
}

/** Gathers small chunks into GZIP_INPUT_CHUNK_BYTES ones. */
function coalesce(): Transform {
  let held: Buffer[] = [];
  let heldBytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes >= GZIP_INPUT_CHUNK_BYTES) {
        const out = Buffer.concat(held, heldBytes);
        held = [];
        heldBytes = 0;
        cb(null, out);
      } else {
        cb();
      }
    },
    flush(cb) {
      cb(null, heldBytes > 0 ? Buffer.concat(held, heldBytes) : undefined);
    },
  });
}

/** Write the bundle to `target` atomically. */
export async function writeBundle(target: string, args: WriteBundleArgs): Promise<WrittenBundle> {
  const files = [...args.files].sort((a, b) => compareNames(a.name, b.name));
  for (let i = 1; i < files.length; i++) {
    if (files[i - 1]?.name === files[i]?.name) throw new BundleWriteError(`bundle file ${files[i]?.name} listed twice`);
  }
  const dir = dirname(target);
  const tmpPrefix = `.${basename(target)}.tmp-`;
  const tmp = join(dir, `${tmpPrefix}${process.pid}-${randomBytes(6).toString('hex')}`);
  const spaceHint = `free space on the file system holding ${dir}, or write the bundle elsewhere with -o`;
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fileSystemError(err, `writing bundle ${target}`, dir, spaceHint);
  }
  // Temp bundles of killed runs would otherwise stay beside the target forever.
  await removeStaleTemps(dir, tmpPrefix);
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const pack = tar.pack();
  const produce = async (): Promise<void> => {
    try {
      await addEntry(pack, MANIFEST_NAME, args.manifest.length, args.mtime, once(args.manifest));
      if (args.signature !== undefined) {
        await addEntry(pack, SIGNATURE_NAME, args.signature.length, args.mtime, once(args.signature));
      }
      const ahead = new ReadAhead(files);
      for (const [i, f] of files.entries()) {
        const data = ahead.take(i);
        if (data === undefined) await addEntry(pack, f.name, f.size, args.mtime, f.open());
        else await addBytesEntry(pack, f.name, f.size, args.mtime, await data);
        args.onFile?.(f.name, f.size);
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  };
  if (args.split !== undefined) {
    const splitter = new PartSplitter(target, args.split.maxPartSize);
    try {
      const producing = produce();
      producing.catch(() => undefined);
      const writing = pipeline(pack, coalesce(), bundleGzip(), measure, splitter);
      writing.catch(() => pack.destroy());
      await Promise.all([producing, writing]);
      const sha256 = hash.digest('hex');
      const { listFile, list } = await splitter.commit({ size, sha256 }, args.split.sign);
      await syncDir(dirname(target));
      return { path: listFile, size, sha256, parts: list.parts };
    } catch (err) {
      await splitter.discard();
      throw err;
    }
  }
  try {
    // flush: true fsyncs the temp file before it is closed, so the rename
    // below never exposes a bundle whose bytes are not on disk.
    const producing = produce();
    producing.catch(() => undefined);
    const writing = pipeline(pack, coalesce(), bundleGzip(), measure, createWriteStream(tmp, { flush: true }));
    // A failed write must also stop the producer, which may be waiting on the tar.
    writing.catch(() => pack.destroy());
    await Promise.all([producing, writing]);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw fileSystemError(err, `writing bundle ${target}`, target, spaceHint);
  }
  await syncDir(dir);
  return { path: target, size, sha256: hash.digest('hex') };
}

/** fsync a directory so a rename in it is durable (not supported everywhere: best effort). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some platforms (Windows) cannot open or fsync directories.
  }
}
