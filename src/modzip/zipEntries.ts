/**
 * Reading module zips entry by entry with yauzl, shared by hashZip and
 * validateZip: open lazily with raw names, and stream one entry through
 * SHA-256 without holding it in memory.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';

/**
 * Open a zip for entry-by-entry reading. Names stay raw bytes (no CP437
 * guessing, no Info-ZIP unicode path field), as Go's archive/zip reads them;
 * yauzl checks declared entry sizes against what it inflates.
 */
export function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true, decodeStrings: false, autoClose: false, validateEntrySizes: true }, (err, zip) => {
      if (err) reject(err);
      else resolve(zip);
    });
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) reject(err);
      else resolve(stream);
    });
  });
}

/** The lowercase hex SHA-256 of one entry's content, streamed. */
export async function digestEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  const h = createHash('sha256');
  await pipeline(
    await openEntry(zip, entry),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        h.update(chunk);
        cb();
      },
    }),
  );
  return h.digest('hex');
}

/** One entry's content, read whole (for small files such as LICENSE); more than `cap` bytes is an error. */
export async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  await pipeline(
    await openEntry(zip, entry),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > cap) cb(new Error(`${Buffer.from(entry.fileNameRaw).toString('utf8')}: larger than ${cap} bytes`));
        else {
          chunks.push(chunk);
          cb();
        }
      },
    }),
  );
  return Buffer.concat(chunks);
}

/**
 * Zips up to this size are read whole and their entries inflated from
 * memory (digestBufferedEntry): one read instead of a file stream, an
 * inflate stream and a pipeline per entry, which dominate the cost of the
 * many small files of a real module zip.
 */
export const IN_MEMORY_ZIP_BYTES = 16 << 20;
/**
 * Entries inflating to more than this are streamed even from a buffered
 * zip (bounds memory: two zips checked at once, each with one entry
 * inflated whole). 32 MiB let the 1.2 GB bench pack peak at 218 MiB RSS,
 * 4 MiB at 196 MiB; source files that large are rare.
 */
export const IN_MEMORY_ENTRY_BYTES = 4 << 20;

/** openZip over bytes already in memory (same options). */
export function openZipBuffer(data: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err) reject(err);
      else resolve(zip);
    });
  });
}

/**
 * digestEntry for a zip held in `data`, synchronously: the checks yauzl's
 * openReadStream makes (encryption, compression method, local header
 * signature, data within the file, inflated size equal to the declared
 * size), with its messages. Returns undefined for an entry too large to
 * inflate in memory; stream it with digestEntry.
 */
export function digestBufferedEntry(data: Buffer, entry: yauzl.Entry): string | undefined {
  if (entry.uncompressedSize > IN_MEMORY_ENTRY_BYTES) return undefined;
  if (entry.isEncrypted()) throw new Error('entry is encrypted, and options.decodeFileData !== false');
  const method = entry.compressionMethod;
  if (method !== 0 && method !== 8) throw new Error(`unsupported compression method: ${method}`);
  if (method === 0 && entry.compressedSize !== entry.uncompressedSize) {
    throw new Error(`compressed/uncompressed size mismatch for stored file: ${entry.compressedSize} != ${entry.uncompressedSize}`);
  }
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + 30 > data.length) throw new Error('unexpected EOF');
  const signature = data.readUInt32LE(at);
  if (signature !== 0x04034b50) throw new Error(`invalid local file header signature: 0x${signature.toString(16)}`);
  const start = at + 30 + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28);
  if (start + entry.compressedSize > data.length) {
    throw new Error(`file data overflows file bounds: ${start} + ${entry.compressedSize} > ${data.length}`);
  }
  const raw = data.subarray(start, start + entry.compressedSize);
  let content: Buffer;
  if (method === 0) content = raw;
  else {
    try {
      // One byte more than declared is enough to tell "too many". The output
      // buffer is that size from the start: zlib's default 16 KiB chunks cost
      // one allocation each and a copy to join them, which on a real-source
      // pack's 81 MB of sources was a quarter of its zip checks' time.
      const limit = entry.uncompressedSize + 1;
      content = inflateRawSync(raw, { maxOutputLength: limit, chunkSize: Math.max(64, limit) });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new Error(`too many bytes in the stream. expected ${entry.uncompressedSize}. got at least ${entry.uncompressedSize + 1}`);
      }
      throw err;
    }
  }
  if (content.length > entry.uncompressedSize) {
    throw new Error(`too many bytes in the stream. expected ${entry.uncompressedSize}. got at least ${content.length}`);
  }
  if (content.length < entry.uncompressedSize) {
    throw new Error(`not enough bytes in the stream. expected ${entry.uncompressedSize}. got only ${content.length}`);
  }
  return createHash('sha256').update(content).digest('hex');
}
