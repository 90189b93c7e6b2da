/**
 * Opening a bundle: check it, then make it servable.
 *
 * A `.tgz` is read exactly once, as a stream: the manifest and its signature
 * come first (bundle format v1), the signature is checked against the
 * trusted verifier keys before a single file is written, then every entry is
 * hashed while it is written into a temporary directory, which is renamed to
 * `<cacheRoot>/<sha256 of the .tgz>` only when everything checked out (the
 * cacache discipline: never store unverified bytes under their final name).
 * An already-extracted directory (ours from an earlier start, or one a
 * person extracted) is verified in place against its signed manifest.
 *
 * Nothing is held in memory but the manifest, so RSS does not grow with the
 * bundle. Every problem found is collected (the person at the transfer desk
 * wants the whole list) and thrown as one BundleError at the end, each line
 * naming the file and what was expected against what was found.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { GobundleError } from '../errors.js';
import { unsafeNameReason } from './safePath.js';
import { verifyManifestSignature } from './signature.js';

export const MANIFEST_NAME = 'gobundle/manifest.json';
export const SIGNATURE_NAME = 'gobundle/manifest.sig';
export const BUNDLE_FORMAT = 'gobundle/v1';
/** A manifest lists every file with a hash; even a million files stay far below this. */
export const MAX_MANIFEST_BYTES = 256 << 20;
/** A signed note with up to 100 signatures is a few KiB. */
export const MAX_SIGNATURE_BYTES = 64 << 10;
/** Output chunk size for gunzip while reading a bundle. */
const GUNZIP_CHUNK_BYTES = 1 << 20;
/** Files hashed at once when verifying a directory in place. */
const VERIFY_CONCURRENCY = 4;
/** Problems listed one by one before the rest are only counted. */
const MAX_LISTED_PROBLEMS = 50;

export interface BundleFileEntry {
  name: string;
  size: number;
  sha256: string;
}

/** The parts of manifest.json that reading and serving depend on (see src/bundle/FORMAT.md). */
export interface BundleManifest {
  format: string;
  created: string;
  modules: { path: string; version: string }[];
  sumdb: { name: string; treeSize: number; treeHash: string; consistentWith: { treeSize: number; treeHash: string }[] } | null;
  files: BundleFileEntry[];
}

/** Checks a manifest signature (a signed note) and returns the signer's name; throws when no trusted key verifies it. */
export type SignatureVerifier = (manifestBytes: Uint8Array, noteBytes: Uint8Array, verifierKeys: readonly string[]) => string;

export interface OpenBundleOptions {
  /** Verifier keys (`name+hash+key`) whose signatures are trusted. */
  trust: readonly string[];
  /** Accept a bundle without manifest.sig (the caller logs that it did). */
  allowUnsigned?: boolean;
  /** Where `.tgz` bundles are extracted: `<cacheRoot>/<sha256>`. Required when extract is not false. */
  cacheRoot?: string;
  /** false: only verify a `.tgz` (stream and hash, write nothing). Default true. */
  extract?: boolean;
  verifySignature?: SignatureVerifier;
  /**
   * With extract false: keep the verified bytes of the files this accepts
   * (small ones, e.g. the checksum-database replay that verify re-checks)
   * in OpenedBundle.kept.
   */
  keep?: (name: string) => boolean;
}

export interface OpenedBundle {
  /** The path the bundle was opened from, as given. */
  source: string;
  kind: 'tgz' | 'dir';
  /** sha256 of the .tgz file; undefined for a directory. */
  sha256: string | undefined;
  /** The verified tree (file names relative to it); undefined when only verified. */
  dir: string | undefined;
  manifest: BundleManifest;
  /** Name of the key that signed the manifest; undefined for an allowed unsigned bundle. */
  signer: string | undefined;
  /** The verified manifest.json bytes (for readers of fields BundleManifest leaves out: bundle/manifest.ts parseManifest). */
  manifestBytes: Buffer;
  files: ReadonlyMap<string, BundleFileEntry>;
  modules: number;
  bytes: number;
  /** An extraction from an earlier start was re-verified and reused. */
  reused: boolean;
  /** Verified bytes of the files OpenBundleOptions.keep accepted (only when not extracted). */
  kept?: ReadonlyMap<string, Buffer>;
}

/** A bundle failed verification; `problems` has one line per problem (file: what, want X, got Y). */
export class BundleError extends GobundleError {
  readonly bundle: string;
  readonly problems: readonly string[];

  constructor(bundle: string, problems: readonly string[], options: { hint?: string; cause?: unknown } = {}) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const more = problems.length - listed.length;
    const text =
      problems.length === 1
        ? `bundle ${bundle}: ${problems[0]}`
        : `bundle ${bundle}: ${problems.length} problems:\n` +
          listed.map((p) => `\t${p}`).join('\n') +
          (more > 0 ? `\n\t… and ${more} more` : '');
    super('EBUNDLE', text, options);
    this.bundle = bundle;
    this.problems = problems;
  }
}

/** Open a `.tgz` bundle or an extracted directory: verify everything, extract if needed. */
export async function openBundle(source: string, opts: OpenBundleOptions): Promise<OpenedBundle> {
  let st;
  try {
    st = await stat(source);
  } catch (err) {
    throw new BundleError(source, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`], { cause: err });
  }
  if (st.isDirectory()) {
    const v = await verifyDirectory(source, source, opts);
    return { ...v, source, kind: 'dir', sha256: undefined, dir: resolve(source), reused: false };
  }
  if (opts.extract === false) {
    const r = await readTgz(source, undefined, opts);
    return { ...r.verified, source, kind: 'tgz', sha256: r.sha256, dir: undefined, reused: false, kept: r.kept };
  }
  if (opts.cacheRoot === undefined) throw new GobundleError('EBUNDLE', `bundle ${source}: no cache directory to extract into`);
  return extractTgz(source, st, opts.cacheRoot, opts);
}

interface Verified {
  manifest: BundleManifest;
  signer: string | undefined;
  manifestBytes: Buffer;
  files: Map<string, BundleFileEntry>;
  modules: number;
  bytes: number;
}

/** What the cache remembers about a source .tgz, so a restart can find its extraction without re-reading it twice. */
interface SourceStamp {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

async function extractTgz(
  source: string,
  st: { size: number; mtimeMs: number },
  cacheRoot: string,
  opts: OpenBundleOptions,
): Promise<OpenedBundle> {
  const abs = resolve(source);
  const stampFile = join(cacheRoot, 'sources', `${createHash('sha256').update(abs).digest('hex')}.json`);
  const stamp = await readStamp(stampFile);
  if (stamp !== undefined && stamp.size === st.size && stamp.mtimeMs === st.mtimeMs) {
    // Probably extracted before: confirm the .tgz is still the same bytes
    // (a plain read, much cheaper than gunzip), then re-verify the tree.
    const sha256 = await sha256File(source);
    const dir = join(cacheRoot, sha256);
    if (sha256 === stamp.sha256 && (await isDirectory(dir))) {
      try {
        const v = await verifyDirectory(source, dir, opts);
        return { ...v, source, kind: 'tgz', sha256, dir, reused: true };
      } catch {
        // A damaged cache entry is not the bundle's fault: extract afresh.
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  await mkdir(cacheRoot, { recursive: true });
  const tmp = join(cacheRoot, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const { sha256, verified } = await readTgz(source, tmp, opts);
    const dir = join(cacheRoot, sha256);
    try {
      await rename(tmp, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Someone else (another serve, an earlier crashed start) got there
      // first; our copy is verified, so replace theirs rather than trust it.
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    }
    await mkdir(dirname(stampFile), { recursive: true });
    const newStamp: SourceStamp = { path: abs, size: st.size, mtimeMs: st.mtimeMs, sha256 };
    await writeFile(stampFile, JSON.stringify(newStamp));
    return { ...verified, source, kind: 'tgz', sha256, dir, reused: false };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function readStamp(file: string): Promise<SourceStamp | undefined> {
  try {
    const s = JSON.parse(await readFile(file, 'utf8')) as Partial<SourceStamp>;
    if (typeof s.size === 'number' && typeof s.mtimeMs === 'number' && typeof s.sha256 === 'string') {
      return { path: String(s.path), size: s.size, mtimeMs: s.mtimeMs, sha256: s.sha256 };
    }
  } catch {
    // No stamp or an unreadable one: extract.
  }
  return undefined;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Stream a .tgz once; extract into `into` when given. Throws BundleError with every problem found. */
async function readTgz(
  source: string,
  into: string | undefined,
  opts: OpenBundleOptions,
): Promise<{ sha256: string; verified: Verified; kept: Map<string, Buffer> }> {
  const tgzHash = createHash('sha256');
  const input = createReadStream(source, { highWaterMark: 1 << 20 });
  const extract = tar.extract();
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
    extract,
  );
  // Errors surface through the entry loop; keep the pipeline's own promise from going unhandled.
  feeding.catch(() => undefined);

  const problems: string[] = [];
  let manifest: BundleManifest | undefined;
  let manifestBytes: Buffer | undefined;
  let signer: string | undefined;
  let sigBytes: Buffer | undefined;
  let expected = new Map<string, BundleFileEntry>();
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
        manifest = parseManifest(source, manifestBytes);
        expected = manifestFileMap(source, manifest);
        continue;
      }
      if (at === 1 && name === SIGNATURE_NAME) {
        sigBytes = await readCapped(entry, MAX_SIGNATURE_BYTES, source, name);
        continue;
      }
      if (!trustDecided) {
        // The first file after the manifest (and signature): decide on trust before writing anything.
        signer = checkSignature(source, manifestBytes, sigBytes, opts);
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
  if (!trustDecided) signer = checkSignature(source, manifestBytes, sigBytes, opts);
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

function checkSignature(source: string, manifestBytes: Buffer | undefined, sigBytes: Buffer | undefined, opts: OpenBundleOptions): string | undefined {
  if (manifestBytes === undefined) throw new BundleError(source, ['no manifest']);
  if (sigBytes === undefined) {
    if (opts.allowUnsigned) return undefined;
    throw new BundleError(source, [`${SIGNATURE_NAME}: missing (the bundle is unsigned)`], {
      hint: 'sign it with gobundle pack --key, or pass --allow-unsigned to accept unsigned bundles',
    });
  }
  if (opts.trust.length === 0) {
    if (opts.allowUnsigned) return undefined;
    throw new BundleError(source, [`${SIGNATURE_NAME}: no trusted keys given to check it against`], {
      hint: 'pass --trust <signer>.pub',
    });
  }
  const verify = opts.verifySignature ?? verifyManifestSignature;
  try {
    return verify(manifestBytes, sigBytes, opts.trust);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new BundleError(source, [`${SIGNATURE_NAME}: signature not verified by any trusted key: ${why}`], { cause: err });
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parse and shape-check manifest.json; the signature has not been checked yet, so trust nothing in it. */
export function parseManifest(source: string, bytes: Uint8Array): BundleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new BundleError(source, [`${MANIFEST_NAME}: not JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const bad = (why: string): never => {
    throw new BundleError(source, [`${MANIFEST_NAME}: ${why}`]);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('not a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.format !== BUNDLE_FORMAT) bad(`format is ${JSON.stringify(m.format)}, want "${BUNDLE_FORMAT}"`);
  if (!Array.isArray(m.files)) bad('files is not a list');
  if (!Array.isArray(m.modules)) bad('modules is not a list');
  const files: BundleFileEntry[] = [];
  for (const f of m.files as unknown[]) {
    const e = f as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || typeof e.size !== 'number' || typeof e.sha256 !== 'string') {
      bad(`malformed files entry ${JSON.stringify(f)}`);
    }
    const { name, size, sha256 } = e as { name: string; size: number; sha256: string };
    if (!Number.isSafeInteger(size) || size < 0) bad(`${name}: bad size ${size}`);
    if (!HEX64.test(sha256)) bad(`${name}: bad sha256 ${JSON.stringify(sha256)}`);
    files.push({ name, size, sha256 });
  }
  const modules: { path: string; version: string }[] = [];
  for (const mod of m.modules as unknown[]) {
    const e = mod as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof e.path !== 'string' || typeof e.version !== 'string') {
      bad(`malformed modules entry ${JSON.stringify(mod)}`);
    }
    modules.push({ path: e.path as string, version: e.version as string });
  }
  let sumdb: BundleManifest['sumdb'] = null;
  if (m.sumdb !== null && m.sumdb !== undefined) {
    const s = m.sumdb as Record<string, unknown>;
    if (typeof s.name !== 'string' || typeof s.treeSize !== 'number' || typeof s.treeHash !== 'string') bad('malformed sumdb');
    const older: { treeSize: number; treeHash: string }[] = [];
    if (s.consistentWith !== undefined) {
      if (!Array.isArray(s.consistentWith)) bad('malformed sumdb.consistentWith');
      for (const t of s.consistentWith as unknown[]) {
        const e = t as Record<string, unknown>;
        if (typeof e !== 'object' || e === null || !Number.isSafeInteger(e.treeSize) || typeof e.treeHash !== 'string') bad(`malformed sumdb.consistentWith entry ${JSON.stringify(t)}`);
        older.push({ treeSize: e.treeSize as number, treeHash: e.treeHash as string });
      }
    }
    sumdb = { name: s.name as string, treeSize: s.treeSize as number, treeHash: s.treeHash as string, consistentWith: older };
  }
  return { format: BUNDLE_FORMAT, created: typeof m.created === 'string' ? m.created : '', modules, sumdb, files };
}

function manifestFileMap(source: string, manifest: BundleManifest): Map<string, BundleFileEntry> {
  const map = new Map<string, BundleFileEntry>();
  const problems: string[] = [];
  for (const f of manifest.files) {
    const unsafe = unsafeNameReason(f.name);
    if (unsafe !== undefined) problems.push(`${MANIFEST_NAME}: ${JSON.stringify(f.name)}: unsafe name: ${unsafe}`);
    else if (f.name.startsWith('gobundle/')) problems.push(`${MANIFEST_NAME}: ${f.name}: reserved name`);
    else if (map.has(f.name)) problems.push(`${MANIFEST_NAME}: ${f.name}: listed twice`);
    else map.set(f.name, f);
  }
  if (problems.length > 0) throw new BundleError(source, problems);
  return map;
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

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), async (src: AsyncIterable<Buffer>) => {
    for await (const chunk of src) h.update(chunk);
  });
  return h.digest('hex');
}

async function hashFileBounded(file: string, limit: number): Promise<{ sha256: string; size: number }> {
  // Read at most limit+1 bytes: a file that grew is reported, not hashed forever.
  const h = createHash('sha256');
  let size = 0;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 18);
    for (;;) {
      const want = Math.min(buf.length, limit + 1 - size);
      if (want <= 0) break;
      const { bytesRead } = await fh.read(buf, 0, want, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest('hex'), size };
}

/**
 * Verify an extracted tree in place: signed manifest, no links or other
 * non-regular entries anywhere, no files the manifest does not list, every
 * listed file present with its size and sha256.
 */
async function verifyDirectory(source: string, dir: string, opts: OpenBundleOptions): Promise<Verified> {
  const readMeta = async (name: string, cap: number): Promise<Buffer | undefined> => {
    const p = join(dir, name);
    let st;
    try {
      st = await lstat(p);
    } catch {
      return undefined;
    }
    if (!st.isFile()) throw new BundleError(source, [`${name}: not a regular file`]);
    if (st.size > cap) throw new BundleError(source, [`${name}: larger than ${cap} bytes`]);
    return readFile(p);
  };
  const manifestBytes = await readMeta(MANIFEST_NAME, MAX_MANIFEST_BYTES);
  if (manifestBytes === undefined) throw new BundleError(source, [`${MANIFEST_NAME}: missing`]);
  const manifest = parseManifest(source, manifestBytes);
  const sigBytes = await readMeta(SIGNATURE_NAME, MAX_SIGNATURE_BYTES);
  const signer = checkSignature(source, manifestBytes, sigBytes, opts);
  const expected = manifestFileMap(source, manifest);

  const problems: string[] = [];
  const present = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(rel === '' ? dir : join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const name = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(name);
      else if (!e.isFile()) problems.push(`${name}: not a regular file or directory`);
      else if (name === MANIFEST_NAME || name === SIGNATURE_NAME) continue;
      else if (!expected.has(name)) problems.push(`${name}: not in the manifest`);
      else present.add(name);
    }
  };
  await walk('');

  let bytes = 0;
  const queue = [...expected.values()];
  const worker = async (): Promise<void> => {
    for (let f = queue.pop(); f !== undefined; f = queue.pop()) {
      if (!present.has(f.name)) {
        problems.push(`${f.name}: listed in the manifest but missing from the bundle`);
        continue;
      }
      const got = await hashFileBounded(join(dir, f.name), f.size);
      if (got.size !== f.size) problems.push(`${f.name}: size mismatch: manifest ${f.size}, file ${got.size > f.size ? `more than ${f.size}` : got.size}`);
      else if (got.sha256 !== f.sha256) problems.push(`${f.name}: sha256 mismatch: manifest ${f.sha256}, content ${got.sha256}`);
      else bytes += got.size;
    }
  };
  await Promise.all(Array.from({ length: VERIFY_CONCURRENCY }, worker));
  if (problems.length > 0) throw new BundleError(source, problems.sort());
  return { manifest, signer, manifestBytes, files: expected, modules: manifest.modules.length, bytes };
}
