/**
 * Reading just the manifest of a bundle, wherever it is: a `.tgz` (its
 * first entry; the rest of the file is never read), an extracted bundle
 * directory, or a manifest.json on its own. pack uses it for earlier
 * bundles (--previous), whose checksum-database tree heads and modules the
 * new bundle must stay consistent with; what it takes from them is checked
 * against the checksum database, not trusted for being in the file.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { GobundleError } from '../errors.js';
import { MANIFEST_NAME, type Manifest, parseManifest } from './manifest.js';
import { MAX_MANIFEST_BYTES } from './bundleManifest.js';
import { ErrorCode } from '../errorCodes.js';

function cannotRead(file: string, why: string): GobundleError {
  return new GobundleError(ErrorCode.MANIFEST, `reading the manifest of ${file}: ${why}`, {
    hint: 'name a bundle (.tgz), an extracted bundle directory, or its gobundle/manifest.json',
  });
}

async function readFirstTarEntry(file: string): Promise<Buffer> {
  const extract = tar.extract();
  const input = createReadStream(file);
  const gunzip = createGunzip();
  input.on('error', (err) => extract.destroy(err));
  gunzip.on('error', (err) => extract.destroy(err));
  input.pipe(gunzip).pipe(extract);
  try {
    for await (const entry of extract) {
      if (entry.header.name !== MANIFEST_NAME) throw cannotRead(file, `first entry is ${entry.header.name}, want ${MANIFEST_NAME}`);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_MANIFEST_BYTES) throw cannotRead(file, `${MANIFEST_NAME} is larger than ${MAX_MANIFEST_BYTES} bytes`);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    }
    throw cannotRead(file, 'empty tar');
  } catch (err) {
    if (err instanceof GobundleError) throw err;
    throw cannotRead(file, err instanceof Error ? err.message : String(err));
  } finally {
    input.destroy();
    gunzip.destroy();
    extract.destroy();
  }
}

/** The parsed manifest of a bundle file, extracted bundle directory or manifest.json. */
export async function readBundleManifest(file: string): Promise<Manifest> {
  let isDir: boolean;
  try {
    isDir = (await stat(file)).isDirectory();
  } catch (err) {
    throw cannotRead(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err));
  }
  let bytes: Buffer;
  if (isDir) {
    const name = join(file, MANIFEST_NAME);
    try {
      bytes = await readFile(name);
    } catch {
      throw cannotRead(file, `no ${MANIFEST_NAME} in the directory`);
    }
  } else {
    const head = Buffer.alloc(2);
    const fd = await open(file, 'r');
    try {
      await fd.read(head, 0, 2, 0);
    } finally {
      await fd.close();
    }
    // gzip magic: a bundle; anything else is taken as manifest.json itself.
    bytes = head[0] === 0x1f && head[1] === 0x8b ? await readFirstTarEntry(file) : await readFile(file);
  }
  try {
    return parseManifest(bytes);
  } catch (err) {
    throw cannotRead(file, err instanceof Error ? err.message : String(err));
  }
}
