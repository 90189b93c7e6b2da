/**
 * Verifying a `.tgz` bundle in one streaming pass: the manifest and its
 * signature come first (bundle format v1), the signature is checked against
 * the trust policy before a single file is written, then every entry is
 * hashed while it is (optionally) written into `into`. Nothing but the
 * manifest (and what `keep` asks for) is held in memory, so RSS does not
 * grow with the bundle.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { GobundleError } from '../errors.js';
import { BundleError } from './bundleErrors.js';
import { MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES, type VerifiedBundle, manifestFileMap, readManifest } from './bundleManifest.js';
import { type Manifest, type ManifestFile } from './manifest.js';
import { MANIFEST_NAME, SIGNATURE_NAME } from './treeLayout.js';
import { unsafeNameReason } from './safePath.js';
import { TarGuard } from './tarGuard.js';
import { type TrustPolicy, checkTrust } from './trust.js';

/**
 * Entries beyond the manifest's files that are read (and reported as
 * problems) before the archive is refused outright: enough to list what is
 * wrong with a damaged bundle, not millions.
 */
const MAX_UNLISTED_ENTRIES = 1000;

/** Output chunk size for gunzip while reading a bundle. */
const GUNZIP_CHUNK_BYTES = 1 << 20;

export interface TgzReadOptions extends TrustPolicy {
  /**
   * When not extracting: keep the verified bytes of the files this accepts
   * (small ones, e.g. the checksum-database replay that verify re-checks).
   */
  keep?: (name: string) => boolean;
}

/** Stream a .tgz once; extract into `into` when given. Throws BundleError with every problem found. */
export async function readTgz(
  source: string,
  into: string | undefined,
  opts: TgzReadOptions,
  /** The .tgz bytes, when they are not the file `source` (a split bundle's parts, partFiles.ts). */
  openInput: () => Readable = () => createReadStream(source, { highWaterMark: 1 << 20 }),
): Promise<{ sha256: string; verified: VerifiedBundle; kept: Map<string, Buffer> }> {
  const tgzHash = createHash('sha256');
  const input = openInput();
  const extract = tar.extract();
  const guard = new TarGuard(source);
  const feeding = pipeline(
    input,
    async function* (src: AsyncIterable<Buffer>) {
      for await (const chunk of src) {
        tgzHash.update(chunk);
        yield chunk;
      }
    },
    // Large output chunks: the default 16 KiB means a callback (and a tar
    // parse step) per 16 KiB, which dominates start-up on big bundles.
    createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }),
    guard,
    extract,
  );
  // Errors surface through the entry loop; keep the pipeline's own promise from going unhandled.
  feeding.catch(() => undefined);

  const problems: string[] = [];
  let manifest: Manifest | undefined;
  let manifestBytes: Buffer | undefined;
  let signer: string | undefined;
  let sigBytes: Buffer | undefined;
  let expected = new Map<string, ManifestFile>();
  const seen = new Set<string>();
  const madeDirs = new Set<string>();
  let index = 0;
  let bytes = 0;
  let trustDecided = false;
  const kept = new Map<string, Buffer>();

  try {
    for await (const source_ of extract) {
      // tar-stream entries are streamx Readables: iterate them as byte chunks.
      const entry = Object.assign(source_ as unknown as AsyncIterable<Buffer>, { header: source_.header });
      const name = entry.header.name;
      const type = entry.header.type;
      const at = index++;
      if (type !== 'file' && type !== 'contiguous-file') {
        problems.push(`${name}: not a regular file (tar type ${type})`);
        await drain(entry);
        continue;
      }
      const unsafe = unsafeNameReason(name);
      if (unsafe !== undefined) {
        problems.push(`${JSON.stringify(name)}: unsafe name: ${unsafe}`);
        await drain(entry);
        continue;
      }
      if (seen.has(name)) {
        problems.push(`${name}: duplicate entry`);
        await drain(entry);
        continue;
      }
      seen.add(name);

      if (at === 0) {
        if (name !== MANIFEST_NAME) {
          throw new BundleError(source, [`first entry is ${name}, want ${MANIFEST_NAME} (not a gobundle bundle, or a damaged one)`]);
        }
        manifestBytes = await readCapped(entry, MAX_MANIFEST_BYTES, source, name);
        manifest = readManifest(source, manifestBytes);
        expected = manifestFileMap(source, manifest);
        let listed = 0;
        for (const f of expected.values()) listed += f.size;
        guard.setLimits(expected.size, listed, MAX_UNLISTED_ENTRIES);
        continue;
      }
      if (at === 1 && name === SIGNATURE_NAME) {
        sigBytes = await readCapped(entry, MAX_SIGNATURE_BYTES, source, name);
        continue;
      }
      if (!trustDecided) {
        // The first file after the manifest (and signature): decide on trust before writing anything.
        if (manifestBytes === undefined) throw new BundleError(source, ['no manifest']);
        signer = checkTrust(source, manifestBytes, sigBytes, opts);
        trustDecided = true;
      }
      if (name === SIGNATURE_NAME || name === MANIFEST_NAME) {
        problems.push(`${name}: out of place (must be entry ${name === MANIFEST_NAME ? 1 : 2})`);
        await drain(entry);
        continue;
      }
      const want = expected.get(name);
      if (want === undefined) {
        problems.push(`${name}: not in the manifest`);
        await drain(entry);
        continue;
      }
      const size = entry.header.size ?? 0;
      if (size !== want.size) {
        problems.push(`${name}: size mismatch: manifest ${want.size}, tar header ${size}`);
        await drain(entry);
        continue;
      }
      const keep = into === undefined && opts.keep?.(name) === true ? [] : undefined;
      const got = into === undefined ? await hashEntry(entry, keep) : await writeEntry(entry, into, name, madeDirs);
      if (got.sha256 !== want.sha256 || got.size !== want.size) {
        problems.push(
          got.size !== want.size
            ? `${name}: size mismatch: manifest ${want.size}, read ${got.size}`
            : `${name}: sha256 mismatch: manifest ${want.sha256}, content ${got.sha256}`,
        );
        if (into !== undefined) await rm(join(into, name), { force: true });
        continue;
      }
      if (keep !== undefined) kept.set(name, Buffer.concat(keep));
      bytes += got.size;
    }
    await feeding;
  } catch (err) {
    input.destroy();
    if (err instanceof BundleError) throw err;
    if (err instanceof GobundleError) throw new BundleError(source, [err.message], { cause: err });
    const why = err instanceof Error ? err.message : String(err);
    throw new BundleError(source, [...problems, `truncated or corrupt .tgz: ${why}`], { cause: err });
  }

  if (manifest === undefined || manifestBytes === undefined) {
    throw new BundleError(source, ['empty archive: no manifest']);
  }
  if (!trustDecided) signer = checkTrust(source, manifestBytes, sigBytes, opts);
  for (const name of expected.keys()) {
    if (!seen.has(name)) problems.push(`${name}: listed in the manifest but missing from the bundle`);
  }
  if (problems.length > 0) throw new BundleError(source, problems);
  if (into !== undefined) {
    // Keep the signed manifest beside the files, so a restart (or a person
    // with GOPROXY=file://) can re-verify the extracted tree.
    await mkdir(join(into, 'gobundle'), { recursive: true });
    await writeFile(join(into, MANIFEST_NAME), manifestBytes);
    if (sigBytes !== undefined) await writeFile(join(into, SIGNATURE_NAME), sigBytes);
  }
  return {
    sha256: tgzHash.digest('hex'),
    verified: { manifest, signer, manifestBytes, files: expected, modules: manifest.modules.length, bytes },
    kept,
  };
}

/** Skip an entry's bytes (tar-stream needs every entry consumed before the next one comes). */
async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const _chunk of entry) {
    // discard
  }
}

async function readCapped(entry: AsyncIterable<Buffer>, cap: number, source: string, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of entry) {
    n += chunk.length;
    if (n > cap) throw new BundleError(source, [`${name}: larger than ${cap} bytes`]);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, n);
}

async function hashEntry(entry: AsyncIterable<Buffer>, keep?: Buffer[]): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of entry) {
    h.update(chunk);
    keep?.push(Buffer.from(chunk));
    size += chunk.length;
  }
  return { sha256: h.digest('hex'), size };
}

async function writeEntry(
  entry: AsyncIterable<Buffer>,
  into: string,
  name: string,
  madeDirs: Set<string>,
): Promise<{ sha256: string; size: number }> {
  const file = join(into, name);
  const dir = dirname(file);
  if (!madeDirs.has(dir)) {
    await mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const h = createHash('sha256');
  let size = 0;
  await pipeline(
    entry,
    async function* (src: AsyncIterable<Buffer>) {
      for await (const chunk of src) {
        h.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    // 'wx': a name can only be written once (duplicates were refused above; this makes it certain).
    createWriteStream(file, { flags: 'wx', highWaterMark: 1 << 20 }),
  );
  return { sha256: h.digest('hex'), size };
}
