/**
 * Reading module zips entry by entry with yauzl, shared by hashZip and
 * validateZip: open lazily with raw names, and stream one entry through
 * SHA-256 without holding it in memory.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
