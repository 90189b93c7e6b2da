/**
 * Limits on a bundle's tar stream, checked on the bytes between gunzip and
 * the tar parser, before tar-stream buffers anything: tar-stream reads a
 * PAX or GNU long-name header whole into memory, and would read a gzip
 * bomb's gigabytes as patiently as real content. The guard walks the
 * 512-byte tar blocks itself (header, then the entry's data rounded up to
 * a block) and stops the stream with a BundleError when
 *
 *   - a PAX ('x', 'g') or GNU long-name ('L', 'K') header is larger than
 *     MAX_TAR_SPECIAL_HEADER_BYTES (archive/tar's maxSpecialFileSize);
 *   - the archive holds more entries than allowed (setLimits);
 *   - the tar is longer than allowed: once the manifest is read, its files'
 *     sizes plus header room (setLimits); before that, room for the largest
 *     manifest and signature.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { BundleError } from './bundleErrors.js';
import { MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES } from './bundleManifest.js';

/** archive/tar (reader.go) refuses PAX and GNU long-name records larger than this: 1 MiB. */
export const MAX_TAR_SPECIAL_HEADER_BYTES = 1 << 20;
/** Tar bytes allowed before the manifest is known: the largest manifest and signature, their headers, and read-ahead. */
const BEFORE_MANIFEST_BYTES = MAX_MANIFEST_BYTES + MAX_SIGNATURE_BYTES + (16 << 20);
/** Header room per entry once the manifest is known: a header block, a PAX record of long names, padding. */
export const TAR_BYTES_PER_ENTRY = 8 << 10;
/** Slack for the end-of-archive blocks and record padding (tar writers pad to 10 KiB records). */
const TAR_SLACK_BYTES = 1 << 20;

const BLOCK = 512;

/** Tar's size field: octal digits, or base-256 when the high bit of the first byte is set. */
function headerSize(block: Buffer): number {
  const field = block.subarray(124, 136);
  if ((field[0] as number) & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] as number);
    return n;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[\0 ]+/, '');
  return text === '' ? 0 : parseInt(text, 8);
}

export class TarGuard extends Transform {
  readonly #source: string;
  #pending = Buffer.alloc(0);
  /** Bytes of the current entry's data (with padding) still to pass before the next header. */
  #skip = 0;
  #total = 0;
  #entries = 0;
  #maxBytes = BEFORE_MANIFEST_BYTES;
  #maxEntries = Number.POSITIVE_INFINITY;
  #ended = false;

  constructor(source: string) {
    super();
    this.#source = source;
  }

  /** Once the manifest is read: at most `files` + 2 entries (manifest and signature) + `extraEntries`, and that many files' bytes. */
  setLimits(files: number, listedBytes: number, extraEntries: number): void {
    this.#maxEntries = files + 2 + extraEntries;
    this.#maxBytes =
      listedBytes + MAX_MANIFEST_BYTES + MAX_SIGNATURE_BYTES + (files + 2 + extraEntries) * TAR_BYTES_PER_ENTRY + TAR_SLACK_BYTES;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#total += chunk.length;
    if (this.#total > this.#maxBytes) {
      callback(
        new BundleError(this.#source, [
          `the archive expands to more than ${this.#maxBytes} bytes, more than its manifest lists (a gzip bomb, or a damaged bundle)`,
        ]),
      );
      return;
    }
    try {
      this.#walk(chunk);
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback(null, chunk);
  }

  /** Follow the block structure through `chunk`, checking each header. */
  #walk(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.#ended) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        this.#skip -= n;
        at += n;
        continue;
      }
      const need = BLOCK - this.#pending.length;
      const take = chunk.subarray(at, at + need);
      this.#pending = this.#pending.length === 0 ? Buffer.from(take) : Buffer.concat([this.#pending, take]);
      at += take.length;
      if (this.#pending.length < BLOCK) return;
      const header = this.#pending;
      this.#pending = Buffer.alloc(0);
      if (header.every((b) => b === 0)) {
        // End-of-archive marker: what follows is padding.
        this.#ended = true;
        return;
      }
      const type = String.fromCharCode(header[156] as number);
      const size = headerSize(header);
      if ((type === 'x' || type === 'g' || type === 'L' || type === 'K') && size > MAX_TAR_SPECIAL_HEADER_BYTES) {
        throw new BundleError(this.#source, [
          `a tar ${type === 'x' || type === 'g' ? 'PAX' : 'GNU long-name'} header of ${size} bytes (the limit is ${MAX_TAR_SPECIAL_HEADER_BYTES})`,
        ]);
      }
      if (type !== 'x' && type !== 'g' && type !== 'L' && type !== 'K') {
        this.#entries++;
        if (this.#entries > this.#maxEntries) {
          throw new BundleError(this.#source, [`more than ${this.#maxEntries} tar entries, more than its manifest lists`]);
        }
      }
      this.#skip = Math.ceil(size / BLOCK) * BLOCK;
    }
  }
}
