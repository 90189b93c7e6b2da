/**
 * Writing a module zip from a `git archive` zip (cmd/go modfetch/coderepo.go
 * Zip → x/mod zip.Create): the selected entries (zipSelection.ts) are copied
 * under `<module>@<version>/` with their compressed bytes as git wrote
 * them — never inflated into memory — plus the repository's root LICENSE for
 * a subdirectory module that has none. The h1 covers names and contents
 * only, so these bytes need not equal the go command's zip; the caller
 * validates and hashes the result with src/modzip.
 */
import { crc32 } from 'node:zlib';
import type { Writable } from 'node:stream';
import type yauzl from 'yauzl';
import { openZip } from '../modzip/zipEntries.js';
import { selectZipFiles, type ArchiveEntry } from './zipSelection.js';

interface WrittenEntry {
  name: Buffer;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

function rawStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, entry.compressionMethod === 0 ? {} : { decompress: false }, (err, stream) => {
      if (err) reject(err);
      else resolve(stream);
    });
  });
}

/** A writer of zip records into a sink, counting bytes for the central directory's offsets. */
class ZipWriter {
  readonly #sink: Writable;
  #offset = 0;
  readonly entries: WrittenEntry[] = [];

  constructor(sink: Writable) {
    this.#sink = sink;
  }

  async write(chunk: Buffer): Promise<void> {
    this.#offset += chunk.length;
    if (!this.#sink.write(chunk)) await new Promise<void>((resolve) => this.#sink.once('drain', resolve));
  }

  async add(
    name: string,
    meta: { method: number; crc: number; compressed: number; size: number },
    data: AsyncIterable<Buffer> | Buffer,
  ): Promise<void> {
    const nameBytes = Buffer.from(name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x0800, 6); // names are UTF-8
    header.writeUInt16LE(meta.method, 8);
    header.writeUInt16LE(0, 10);
    header.writeUInt16LE(0x21, 12); // 1980-01-01
    header.writeUInt32LE(meta.crc >>> 0, 14);
    header.writeUInt32LE(meta.compressed, 18);
    header.writeUInt32LE(meta.size, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    const offset = this.#offset;
    await this.write(header);
    await this.write(nameBytes);
    let written = 0;
    if (Buffer.isBuffer(data)) {
      await this.write(data);
      written = data.length;
    } else {
      for await (const chunk of data) {
        written += chunk.length;
        await this.write(chunk);
      }
    }
    if (written !== meta.compressed) throw new Error(`${name}: archive entry has ${written} bytes, its header says ${meta.compressed}`);
    this.entries.push({ name: nameBytes, ...meta, offset });
  }

  /** Write the central directory and end the sink; resolves to the zip's size. */
  async finish(): Promise<number> {
    const start = this.#offset;
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4);
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(0x0800, 8);
      h.writeUInt16LE(e.method, 10);
      h.writeUInt16LE(0, 12);
      h.writeUInt16LE(0x21, 14);
      h.writeUInt32LE(e.crc >>> 0, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      await this.write(h);
      await this.write(e.name);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.#offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
    await new Promise<void>((resolve, reject) => {
      this.#sink.once('error', reject);
      this.#sink.end(() => resolve());
    });
    return this.#offset;
  }
}

/**
 * Write the module zip of `module@version` into `sink` from the archive at
 * `archivePath`, resolving to its size in bytes. `rootLicense` is read only when a subdirectory module has
 * no LICENSE of its own; undefined when the repository has none either.
 */
export async function writeModuleZip(
  archivePath: string,
  mod: { path: string; version: string },
  source: { subdir: string; goVersion: string },
  rootLicense: () => Promise<Buffer | undefined>,
  sink: Writable,
): Promise<number> {
  const zip = await openZip(archivePath);
  try {
    const entries = await readEntries(zip);
    const byName = new Map<string, yauzl.Entry>();
    const archive: ArchiveEntry[] = entries.map((e) => {
      const name = Buffer.from(e.fileNameRaw).toString('utf8');
      byName.set(name, e);
      const madeByUnix = e.versionMadeBy >> 8 === 3;
      return { name, mode: madeByUnix ? (e.externalFileAttributes >>> 16) & 0xffff : 0 };
    });
    const { files, haveLicense } = selectZipFiles(archive, source.subdir, source.goVersion);
    const prefix = `${mod.path}@${mod.version}/`;
    const writer = new ZipWriter(sink);
    for (const f of files) {
      const e = byName.get(f.entry.name);
      if (e === undefined) continue;
      const data = (await rawStream(zip, e)) as AsyncIterable<Buffer>;
      await writer.add(
        prefix + f.path,
        { method: e.compressionMethod, crc: e.crc32, compressed: e.compressedSize, size: e.uncompressedSize },
        data,
      );
    }
    if (!haveLicense && source.subdir !== '') {
      const license = await rootLicense();
      if (license !== undefined) {
        await writer.add(`${prefix}LICENSE`, { method: 0, crc: crc32(license), compressed: license.length, size: license.length }, license);
      }
    }
    return await writer.finish();
  } finally {
    zip.close();
  }
}
