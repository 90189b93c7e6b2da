/**
 * Reading just the manifest of a bundle, wherever it is: a `.tgz` (its
 * first entry; the rest of the file is never read), an extracted bundle
 * directory, or a manifest.json on its own. pack uses it for earlier
 * bundles (--previous), whose checksum-database tree heads and modules the
 * new bundle must stay consistent with; what it takes from them is checked
 * against the checksum database, not trusted for being in the file.
 */
import { createReadStream } from 'node:fs';
import { open as open_, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { GobundleError } from '../errors.js';
import { ManifestError } from './bundleErrors.js';
import { type Manifest, parseManifest } from './manifest.js';
import { MANIFEST_NAME, SIGNATURE_NAME } from './treeLayout.js';
import { MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES } from './bundleManifest.js';
import { isPartList, PART_LIST_HEADER, readPartListUnverified } from './partList.js';
import { openPartStream } from './partFiles.js';

function cannotRead(file: string, why: string): GobundleError {
  return new ManifestError(`reading the manifest of ${file}: ${why}`, {
    hint: 'name a bundle (.tgz), its part list (.parts), an extracted bundle directory, or its gobundle/manifest.json',
  });
}

/** A bundle's head: its manifest (parsed, and the exact bytes the signature signs) and its signature, not yet checked. */
export interface BundleHead {
  manifest: Manifest;
  manifestBytes: Buffer;
  /** gobundle/manifest.sig; undefined when the bundle has none (or only a manifest.json was named). */
  signature: Buffer | undefined;
}

async function readCappedEntry(file: string, entry: AsyncIterable<Buffer>, name: string, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += chunk.length;
    if (size > cap) throw cannotRead(file, `${name} is larger than ${cap} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The first two entries of a .tgz: the manifest, and the signature when it is there. */
async function readTarHead(
  file: string,
  open: () => NodeJS.ReadableStream,
): Promise<{ manifestBytes: Buffer; signature: Buffer | undefined }> {
  const extract = tar.extract();
  const input = open();
  const gunzip = createGunzip();
  input.on('error', (err) => extract.destroy(err));
  gunzip.on('error', (err) => extract.destroy(err));
  input.pipe(gunzip).pipe(extract);
  let manifestBytes: Buffer | undefined;
  try {
    for await (const entry of extract) {
      const chunks = entry as unknown as AsyncIterable<Buffer>;
      if (manifestBytes === undefined) {
        if (entry.header.name !== MANIFEST_NAME) throw cannotRead(file, `first entry is ${entry.header.name}, want ${MANIFEST_NAME}`);
        manifestBytes = await readCappedEntry(file, chunks, MANIFEST_NAME, MAX_MANIFEST_BYTES);
        continue;
      }
      if (entry.header.name !== SIGNATURE_NAME) return { manifestBytes, signature: undefined };
      return { manifestBytes, signature: await readCappedEntry(file, chunks, SIGNATURE_NAME, MAX_SIGNATURE_BYTES) };
    }
    if (manifestBytes === undefined) throw cannotRead(file, 'empty tar');
    return { manifestBytes, signature: undefined };
  } catch (err) {
    if (err instanceof GobundleError) throw err;
    throw cannotRead(file, err instanceof Error ? err.message : String(err));
  } finally {
    (input as { destroy?: () => void }).destroy?.();
    gunzip.destroy();
    extract.destroy();
  }
}

/** The head of a bundle file, part list (a split bundle), extracted bundle directory or manifest.json. */
export async function readBundleHead(file: string): Promise<BundleHead> {
  let head: { manifestBytes: Buffer; signature: Buffer | undefined };
  {
    let isDir: boolean;
    try {
      isDir = (await stat(file)).isDirectory();
    } catch (err) {
      throw cannotRead(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err));
    }
    if (isDir) {
      let manifestBytes: Buffer;
      try {
        manifestBytes = await readFile(join(file, MANIFEST_NAME));
      } catch {
        throw cannotRead(file, `no ${MANIFEST_NAME} in the directory`);
      }
      head = { manifestBytes, signature: await readFile(join(file, SIGNATURE_NAME)).catch(() => undefined) };
    } else {
      const magic = Buffer.alloc(PART_LIST_HEADER.length + 1);
      const fd = await open_(file, 'r');
      try {
        await fd.read(magic, 0, magic.length, 0);
      } finally {
        await fd.close();
      }
      // gzip magic: a bundle; a part list: a split bundle, read from its parts; anything else is taken as manifest.json itself.
      if (magic[0] === 0x1f && magic[1] === 0x8b) head = await readTarHead(file, () => createReadStream(file));
      else if (isPartList(magic)) {
        const list = readPartListUnverified(file, await readFile(file));
        head = await readTarHead(file, () => openPartStream({ listFile: file, list, signer: '' }));
      } else head = { manifestBytes: await readFile(file), signature: undefined };
    }
  }
  try {
    return { manifest: parseManifest(head.manifestBytes), ...head };
  } catch (err) {
    throw cannotRead(file, err instanceof Error ? err.message : String(err));
  }
}

/** The parsed manifest of a bundle file, extracted bundle directory or manifest.json. */
export async function readBundleManifest(file: string): Promise<Manifest> {
  return (await readBundleHead(file)).manifest;
}
