/**
 * Validate a module zip the way the go command does before it extracts one
 * (x/mod zip.CheckZip plus Unzip's declared-size check), and compute its h1
 * in the same streamed pass: the central directory is read once, every entry
 * is streamed through SHA-256 (never held in memory), and yauzl checks that
 * each entry's data matches its declared sizes.
 *
 * Problems are collected as data (valid / invalid, plus a size error) so a
 * caller can show them all; validateZip turns them into one ModuleError.
 */
import { readFile, stat } from 'node:fs/promises';
import type yauzl from 'yauzl';
import { Semaphore } from '../concurrency/semaphore.js';
import { digestBufferedEntry, digestEntry, IN_MEMORY_ZIP_BYTES, openZip, openZipBuffer } from './zipEntries.js';
import { GobundleError } from '../errors.js';
import { BadZipError } from './zipErrors.js';
import { Hash1Collector } from '../gomod/dirhash.js';
import { goQuote } from '../gomod/goQuote.js';
import { canonicalVersion, check, checkFilePath } from '../gomod/modulePath.js';
import { MAX_GO_MOD, MAX_LICENSE, MAX_ZIP_FILE } from './limits.js';
import { ZIP_CHECK_THREADS, ZIP_THREAD_MAX_BYTES, ZIP_THREAD_MIN_BYTES, zipCheckPool } from './zipCheckPool.js';
import type { CheckedZip, ZipLimits } from './checkedZip.js';

export type { CheckedZip, ZipFileProblem, ZipLimits } from './checkedZip.js';

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  zipFile: MAX_ZIP_FILE,
  goMod: MAX_GO_MOD,
  license: MAX_LICENSE,
  inMemoryZip: IN_MEMORY_ZIP_BYTES,
};

/**
 * x/mod zip strToFold: a string that is equal for names a case-insensitive
 * file system would confuse. Go folds each rune to the smallest rune of its
 * unicode.SimpleFold orbit; upper-then-lower casing gives the same classes
 * for the letters CheckFilePath lets through.
 */
function strToFold(s: string): string {
  return s.toUpperCase().toLowerCase();
}

/** x/mod zip collisionChecker: case-folding collisions, duplicates, and paths both file and directory. */
class CollisionChecker {
  readonly #seen = new Map<string, { path: string; isDir: boolean }>();

  check(p: string, isDir: boolean): string | undefined {
    const fold = strToFold(p);
    const other = this.#seen.get(fold);
    if (other !== undefined) {
      if (p !== other.path) return `case-insensitive file name collision: ${goQuote(other.path)} and ${goQuote(p)}`;
      if (isDir !== other.isDir) return `entry ${goQuote(p)} is both a file and a directory`;
      if (!isDir) return `multiple entries for file ${goQuote(p)}`;
    } else {
      this.#seen.set(fold, { path: p, isDir });
    }
    const slash = p.lastIndexOf('/');
    return slash > 0 ? this.check(p.slice(0, slash), true) : undefined;
  }
}

/** Go's path.Clean(name) === name for a relative slash path, without importing a path package. */
function isCleanRelative(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.endsWith('/')) return false;
  return name.split('/').every((el) => el !== '' && el !== '.' && el !== '..');
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The reason an entry name (after the prefix) is refused, or undefined. */
function nameProblem(rest: string): string | undefined {
  // Check the dangerous shapes first, with our own words: they are what an
  // attacker would try, and what a reader of the message needs to see.
  if (rest.includes('\\')) return 'file path contains a backslash';
  if (rest.startsWith('/')) return 'file path is not relative';
  if (rest.split('/').includes('..')) return 'file path contains ".."';
  if (!isCleanRelative(rest)) return 'file path is not clean';
  try {
    checkFilePath(rest);
  } catch (err) {
    if (err instanceof GobundleError) return err.message;
    throw err;
  }
  return undefined;
}

function readableMessage(err: unknown): string {
  if (err instanceof GobundleError) return err.message;
  const raw = err instanceof Error ? err.message : String(err);
  const isSystem = typeof (err as { code?: unknown }).code === 'string';
  return isSystem ? raw : (raw.charAt(0).toLowerCase() + raw.slice(1)).replace(/\.$/, '');
}

/**
 * Zips validated from memory at once, process-wide: bounds the memory of
 * many concurrent downloads to this many × IN_MEMORY_ZIP_BYTES. One more
 * than the worker threads, so the next zip is read while one is checked.
 */
const inMemorySlots = new Semaphore(ZIP_CHECK_THREADS + 1);

/**
 * x/mod zip.CheckZip for path@version, streamed (or from `inMemory`, the
 * zip's bytes when the caller holds them; zipPath then only names it), plus the h1. Throws a
 * ModuleError (code EBADZIP) only when the file is not a readable zip or an
 * entry's data disagrees with its declared size; name and size problems are
 * returned as data.
 */
export async function checkZip(
  zipPath: string,
  mod: { path: string; version: string },
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  inMemory?: Buffer,
): Promise<CheckedZip> {
  const fail = zipFailure(zipPath, mod);
  const canonical = canonicalVersion(mod.version);
  if (canonical !== mod.version) throw fail(`version ${goQuote(mod.version)} is not canonical (should be ${goQuote(canonical)})`);
  try {
    check(mod.path, mod.version);
  } catch (err) {
    throw fail(readableMessage(err), err);
  }

  const zipSize = inMemory?.length ?? (await stat(zipPath)).size;
  if (zipSize > limits.zipFile) {
    return {
      h1: '',
      valid: [],
      invalid: [],
      sizeError: `module zip file is too large (${zipSize} bytes; limit is ${limits.zipFile} bytes)`,
      uncompressedSize: 0,
    };
  }
  // Small zips (nearly all) are read once and inflated from memory, on a
  // worker thread when there is one; large ones are streamed entry by entry.
  if (zipSize > limits.inMemoryZip) return inspectZip(zipPath, mod, limits, undefined);
  const release = await inMemorySlots.acquire();
  try {
    // A copy of the caller's bytes: a worker thread takes the buffer it is handed (transferred, not copied).
    const data = inMemory === undefined ? await readFile(zipPath) : Buffer.from(inMemory);
    const pool = zipSize >= ZIP_THREAD_MIN_BYTES && zipSize <= ZIP_THREAD_MAX_BYTES ? zipCheckPool() : undefined;
    return pool === undefined ? await inspectZip(zipPath, mod, limits, data) : await pool.inspect({ zipPath, mod, limits, data });
  } finally {
    release();
  }
}

/** The error for a zip that cannot be read or checked at all. */
function zipFailure(zipPath: string, mod: { path: string; version: string }): (reason: string, cause?: unknown) => BadZipError {
  return (reason, cause) => new BadZipError(mod.path, mod.version, `invalid module zip ${zipPath}: ${reason}`, { cause });
}

/**
 * The entry-by-entry part of checkZip, once the version and the zip's size
 * passed: names, collisions and sizes checked, every entry hashed. From
 * `data` (the whole zip) when given, else streamed from zipPath. Runs on
 * zipCheckWorker.ts's threads too, so it takes only cloneable arguments.
 */
export async function inspectZip(
  zipPath: string,
  mod: { path: string; version: string },
  limits: ZipLimits,
  data: Buffer | undefined,
): Promise<CheckedZip> {
  const fail = zipFailure(zipPath, mod);
  const result: CheckedZip = { h1: '', valid: [], invalid: [], sizeError: undefined, uncompressedSize: 0 };
  const prefix = `${mod.path}@${mod.version}/`;
  const collisions = new CollisionChecker();
  const hashes = new Hash1Collector();
  // Go's HashZip opens entries by name, so a repeated name is hashed with
  // the content of its last entry; such zips are refused anyway.
  const digests: { raw: Buffer; sha: string }[] = [];
  const lastDigest = new Map<string, string>();

  const inspect = (raw: Buffer, entry: yauzl.Entry): void => {
    let name: string;
    try {
      name = UTF8.decode(raw);
    } catch {
      result.invalid.push({ name: raw.toString('latin1'), reason: 'file path is not valid UTF-8' });
      return;
    }
    const problem = (reason: string): void => {
      result.invalid.push({ name, reason });
    };
    if (!name.startsWith(prefix)) return problem(`path does not have prefix ${goQuote(prefix)}`);
    let rest = name.slice(prefix.length);
    if (rest === '') return;
    const isDir = rest.endsWith('/');
    if (isDir) rest = rest.slice(0, -1);
    const bad = nameProblem(rest);
    if (bad !== undefined) return problem(bad);
    const collision = collisions.check(rest, isDir);
    if (collision !== undefined) return problem(collision);
    if (isDir) return;
    const slash = rest.lastIndexOf('/');
    const base = rest.slice(slash + 1);
    if (base.toLowerCase() === 'go.mod') {
      if (base !== rest) return problem('go.mod file not in module root directory');
      if (rest !== 'go.mod') return problem('go.mod files must have lowercase names');
    }
    const size = entry.uncompressedSize;
    if (limits.zipFile - result.uncompressedSize >= size) result.uncompressedSize += size;
    else result.sizeError ??= `total uncompressed size of module contents too large (max size is ${limits.zipFile} bytes)`;
    if (rest === 'go.mod' && size > limits.goMod) return problem(`go.mod file too large (max size is ${limits.goMod} bytes)`);
    if (rest === 'LICENSE' && size > limits.license) return problem(`LICENSE file too large (max size is ${limits.license} bytes)`);
    result.valid.push(name);
  };

  let zip: yauzl.ZipFile;
  try {
    zip = data === undefined ? await openZip(zipPath) : await openZipBuffer(data);
  } catch (err) {
    throw fail(readableMessage(err), err);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = Buffer.from(entry.fileNameRaw);
        inspect(raw, entry);
        const done = (sha: string): void => {
          digests.push({ raw, sha });
          lastDigest.set(raw.toString('latin1'), sha);
        };
        // Directories hold no data; everything else is hashed, valid or not,
        // as HashZip hashes every entry.
        let sha: string | undefined;
        try {
          sha = data === undefined ? undefined : digestBufferedEntry(data, entry);
        } catch (err) {
          reject(err);
          return;
        }
        if (sha !== undefined) {
          done(sha);
          // Not a direct call: a buffer-backed yauzl can emit the next entry synchronously.
          queueMicrotask(() => zip.readEntry());
          return;
        }
        digestEntry(zip, entry).then((s) => {
          done(s);
          zip.readEntry();
        }, reject);
      });
      zip.readEntry();
    });
  } catch (err) {
    throw fail(readableMessage(err), err);
  } finally {
    zip.close();
  }
  for (const d of digests) hashes.add(d.raw, lastDigest.get(d.raw.toString('latin1')) ?? d.sha);
  try {
    result.h1 = hashes.sum();
  } catch (err) {
    // A name with a newline: HashZip refuses it, and so do we.
    result.invalid.push({ name: '', reason: readableMessage(err) });
  }
  return result;
}

/**
 * checkZip, and throw a ModuleError (code EBADZIP) listing every problem when
 * the zip is not one the go command would extract. Returns the h1.
 */
export async function validateZip(
  zipPath: string,
  mod: { path: string; version: string },
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  inMemory?: Buffer,
): Promise<{ h1: string; uncompressedSize: number; files: number }> {
  const checked = await checkZip(zipPath, mod, limits, inMemory);
  const problems = checked.invalid.map((p) => `${p.name}: ${p.reason}`);
  if (checked.sizeError !== undefined) problems.push(checked.sizeError);
  if (problems.length > 0) {
    throw new BadZipError(mod.path, mod.version, `invalid module zip:\n\t${problems.join('\n\t')}`, {
      hint: 'the proxy served a zip the go command would refuse to extract; report it to the proxy operator',
    });
  }
  return { h1: checked.h1, uncompressedSize: checked.uncompressedSize, files: checked.valid.length };
}
