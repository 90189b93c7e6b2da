/**
 * The files of a split bundle. Writing: the bundle's gzip stream goes into
 * numbered temporary part files of at most `maxPartSize` bytes each, hashed
 * as they are written, fsynced, and renamed to bundle.tgz.part-NNN only when
 * the whole bundle succeeded (then the signed part list is written, also
 * temp + rename, last: a part list on disk always names complete parts).
 * Reading: every part is checked against the signed part list (present, its
 * size, its SHA-256) before the bundle is read, then the parts are streamed
 * in order as one .tgz and hashed again on the way (a part changed between
 * the check and the read still fails). Nothing holds more than a chunk.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { GobundleError } from '../errors.js';
import { BundleError, PartListError } from './bundleErrors.js';
import { sha256File } from '../files/sha256File.js';
import {
  MAX_PART_LIST_BYTES,
  PART_LIST_SUFFIX,
  type PartEntry,
  type PartList,
  openPartList,
  partName,
  readPartListUnverified,
} from './partList.js';

/** What the splitter wrote: temporary files, renamed by commit(). */
export class PartSplitter extends Writable {
  readonly #dir: string;
  readonly #bundle: string;
  readonly #max: number;
  readonly #tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  readonly #written: (PartEntry & { tmp: string })[] = [];
  #fh: FileHandle | undefined;
  #hash: Hash | undefined;
  #size = 0;

  /** Parts of `target`'s file name, in its folder. */
  constructor(target: string, maxPartSize: number) {
    super({ highWaterMark: 1 << 20 });
    this.#dir = dirname(target);
    this.#bundle = basename(target);
    this.#max = maxPartSize;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#take(chunk).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#closePart().then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const fh = this.#fh;
    this.#fh = undefined;
    (fh === undefined ? Promise.resolve() : fh.close()).then(
      () => cb(err),
      () => cb(err),
    );
  }

  async #take(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.#fh === undefined) {
        const name = partName(this.#bundle, this.#written.length);
        const tmp = join(this.#dir, `.${name}.tmp-${this.#tag}`);
        this.#fh = await open(tmp, 'wx');
        this.#hash = createHash('sha256');
        this.#size = 0;
        this.#written.push({ name, size: 0, sha256: '', tmp });
      }
      const n = Math.min(rest.length, this.#max - this.#size);
      const piece = rest.subarray(0, n);
      await this.#fh.write(piece);
      this.#hash?.update(piece);
      this.#size += n;
      rest = rest.subarray(n);
      if (this.#size === this.#max) await this.#closePart();
    }
  }

  async #closePart(): Promise<void> {
    const fh = this.#fh;
    if (fh === undefined) return;
    this.#fh = undefined;
    await fh.sync();
    await fh.close();
    const last = this.#written[this.#written.length - 1] as PartEntry & { tmp: string };
    last.size = this.#size;
    last.sha256 = this.#hash?.digest('hex') ?? '';
  }

  /** Rename the parts into place and write the signed part list; removes parts of an earlier, longer split. */
  async commit(
    bundle: { size: number; sha256: string },
    sign: (list: PartList) => Uint8Array,
  ): Promise<{ listFile: string; list: PartList }> {
    const list: PartList = {
      bundle: { name: this.#bundle, ...bundle },
      parts: this.#written.map(({ name, size, sha256 }) => ({ name, size, sha256 })),
    };
    const note = sign(list);
    for (const p of this.#written) await rename(p.tmp, join(this.#dir, p.name));
    const kept = new Set(list.parts.map((p) => p.name));
    for (const f of await readdir(this.#dir)) {
      if (f.startsWith(`${this.#bundle}.part-`) && /\.part-\d+$/.test(f) && !kept.has(f)) await rm(join(this.#dir, f), { force: true });
    }
    const listFile = join(this.#dir, `${this.#bundle}${PART_LIST_SUFFIX}`);
    const tmp = join(this.#dir, `.${basename(listFile)}.tmp-${this.#tag}`);
    await writeFile(tmp, note, { flush: true });
    await rename(tmp, listFile);
    return { listFile, list };
  }

  /** Remove the temporary parts (after a failure). */
  async discard(): Promise<void> {
    for (const p of this.#written) await rm(p.tmp, { force: true });
  }
}

/** A split bundle, its list verified. */
export interface PartSet {
  listFile: string;
  list: PartList;
  signer: string;
}

/**
 * Read and verify the part list (its signature by a trusted key). With no
 * trusted key and unsigned bundles allowed, the list is only parsed: the
 * parts are still checked against it, and the bundle's own trust policy
 * decides about the manifest.
 */
export async function readPartSet(listFile: string, policy: { trust: readonly string[]; allowUnsigned?: boolean }): Promise<PartSet> {
  const bytes = await readFile(listFile);
  if (bytes.length > MAX_PART_LIST_BYTES) throw new BundleError(listFile, [`part list larger than ${MAX_PART_LIST_BYTES} bytes`]);
  try {
    if (policy.trust.length === 0 && policy.allowUnsigned === true)
      return { listFile, list: readPartListUnverified(listFile, bytes), signer: '' };
    return { listFile, ...openPartList(listFile, bytes, policy.trust) };
  } catch (err) {
    if (err instanceof GobundleError) throw new BundleError(listFile, [err.message], { hint: err.hint, cause: err });
    throw err;
  }
}

function partProblem(p: PartEntry, sha256: string, list: PartList): string {
  const other = list.parts.find((q) => q !== p && q.sha256 === sha256);
  if (other !== undefined) return `${p.name}: holds the bytes of ${other.name} (parts swapped or misnamed)`;
  return `${p.name}: sha256 mismatch: part list ${p.sha256}, content ${sha256} (damaged in transit)`;
}

/**
 * Check every part against the list before anything is read as a bundle:
 * all present, each of its size and SHA-256. Throws BundleError naming each
 * missing, swapped or damaged part.
 */
export async function checkParts(set: PartSet): Promise<void> {
  const dir = dirname(set.listFile);
  const problems: string[] = [];
  for (const p of set.list.parts) {
    const file = join(dir, p.name);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      problems.push(`${p.name}: missing (part ${set.list.parts.indexOf(p) + 1} of ${set.list.parts.length}, ${p.size} bytes)`);
      continue;
    }
    const sha256 = await sha256File(file);
    if (sha256 === p.sha256 && size === p.size) continue;
    problems.push(
      size !== p.size && !set.list.parts.some((q) => q.sha256 === sha256)
        ? `${p.name}: ${size} bytes, the part list says ${p.size} (truncated or the wrong file)`
        : partProblem(p, sha256, set.list),
    );
  }
  if (problems.length > 0) {
    throw new BundleError(set.listFile, problems, {
      hint: 'copy the named parts again from the media (or from the packing side) into the folder of the part list',
    });
  }
}

/** The parts as one .tgz stream, each part hashed again as it is read. */
export function openPartStream(set: PartSet): Readable {
  const dir = dirname(set.listFile);
  async function* concat(): AsyncGenerator<Buffer> {
    for (const p of set.list.parts) {
      const h = createHash('sha256');
      let size = 0;
      for await (const chunk of createReadStream(join(dir, p.name), { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        h.update(chunk);
        size += chunk.length;
        yield chunk;
      }
      const sha256 = h.digest('hex');
      if (sha256 !== p.sha256 || size !== p.size)
        throw new PartListError(`${set.listFile}: ${partProblem(p, sha256, set.list)} (changed while reading)`);
    }
  }
  return Readable.from(concat(), { objectMode: false });
}
