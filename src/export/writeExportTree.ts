/**
 * Writing an export tree atomically: every entry goes into a fresh
 * temporary directory beside the target (same file system, so the final
 * rename is atomic), copied file by file as a stream and hashed on the way
 * (a verified file whose bytes changed since it was verified stops the
 * export), and only a complete tree is renamed onto the target. Names are
 * checked with the bundle reader's rule (bundle/safePath.ts) before they are
 * joined onto the directory, so nothing is written outside it. A crash
 * leaves at most a `.<target>.tmp-*` directory beside the target, never a
 * half-written target.
 *
 * An existing target is refused unless it is an empty directory, or
 * `replace` is set: then the old tree is moved aside, the new one renamed
 * in, and the old one removed (two renames: a reader may see the target
 * missing for that instant, never a mix of two trees).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { unsafeNameReason } from '../bundle/safePath.js';
import { ErrorCode } from '../errorCodes.js';
import { GobundleError } from '../errors.js';
import type { ExportEntry } from './exportEntries.js';

/** The export cannot be written as asked: names the target or the file, and what to do. */
export class ExportError extends GobundleError {
  constructor(message: string, hint?: string) {
    super(ErrorCode.EXPORT, message, { hint });
  }
}

export interface ExportSummary {
  files: number;
  bytes: number;
}

export async function writeExportTree(
  entries: AsyncIterable<ExportEntry>,
  target: string,
  opts: { replace: boolean },
): Promise<ExportSummary> {
  const to = resolve(target);
  const existing = await listDir(to);
  if (existing === 'not-a-directory') throw new ExportError(`export: ${to}: exists and is not a directory`, 'choose another --to');
  if (existing !== undefined && existing.length > 0 && !opts.replace) {
    throw new ExportError(`export: ${to}: directory is not empty`, 'pass --replace to swap it for the new tree, or choose another --to');
  }
  await mkdir(dirname(to), { recursive: true });
  const tmp = join(dirname(to), `.${basename(to)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  const summary: ExportSummary = { files: 0, bytes: 0 };
  try {
    const made = new Set<string>();
    const seen = new Set<string>();
    for await (const e of entries) {
      const unsafe = unsafeNameReason(e.name);
      if (unsafe !== undefined) throw new ExportError(`export: ${JSON.stringify(e.name)}: unsafe name: ${unsafe}`);
      if (seen.has(e.name)) throw new ExportError(`export: ${e.name}: written twice`);
      seen.add(e.name);
      const dest = join(tmp, e.name);
      const parent = dirname(dest);
      if (!made.has(parent)) {
        await mkdir(parent, { recursive: true });
        made.add(parent);
      }
      if ('body' in e) {
        await writeFile(dest, e.body, { flag: 'wx' });
        summary.bytes += e.body.length;
      } else {
        await copyVerified(e.file, dest, e.name);
        summary.bytes += e.file.size;
      }
      summary.files++;
    }
    if (existing !== undefined && existing.length === 0) await rmdir(to);
    if (existing !== undefined && existing.length > 0) {
      const old = `${tmp}-old`;
      await rename(to, old);
      await rename(tmp, to);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, to);
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return summary;
}

/** Copy a verified file as a stream, refusing it if its bytes no longer hash to what was verified. */
async function copyVerified(f: { file: string; size: number; sha256: string }, dest: string, name: string): Promise<void> {
  const h = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(f.file, { highWaterMark: 256 << 10 }),
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        h.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    }),
    createWriteStream(dest, { flags: 'wx' }),
  );
  const sha256 = h.digest('hex');
  if (size !== f.size || sha256 !== f.sha256) {
    throw new ExportError(
      `export: ${name}: ${f.file} changed since it was verified (size ${size}, sha256 ${sha256}; verified size ${f.size}, sha256 ${f.sha256})`,
      'the extracted bundle was modified on disk: remove the extraction cache entry and export again',
    );
  }
}

async function listDir(dir: string): Promise<string[] | undefined | 'not-a-directory'> {
  try {
    return await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return 'not-a-directory';
    throw err;
  }
}
