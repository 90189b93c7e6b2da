/**
 * The extraction cache of serve: a `.tgz` is verified while it is extracted
 * into a temporary directory, which is renamed to `<cacheRoot>/<sha256 of
 * the .tgz>` only when everything checked out (never unverified bytes under
 * their final name). A stamp per source path (size, mtime, sha256) lets a
 * restart find its extraction; the tree is then re-verified in place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { VerifiedBundle } from './bundleManifest.js';
import { readTgz } from './tgzVerify.js';
import type { TrustPolicy } from './trust.js';
import { verifyDirectory } from './verifyDirectory.js';
import { sha256File } from '../files/sha256File.js';

/** A verified extraction: where it is, the .tgz's sha256, and whether an earlier one was reused. */
export interface Extracted extends VerifiedBundle {
  sha256: string;
  dir: string;
  reused: boolean;
}

/** What the cache remembers about a source .tgz, so a restart can find its extraction without re-reading it twice. */
interface SourceStamp {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** A bundle's bytes when they are not one .tgz file (a split bundle): how to read them, and their SHA-256 as signed. */
export interface TgzInput {
  open: () => Readable;
  sha256: string;
}

export async function extractTgz(
  source: string,
  st: { size: number; mtimeMs: number },
  cacheRoot: string,
  policy: TrustPolicy,
  input?: TgzInput,
): Promise<Extracted> {
  const abs = resolve(source);
  const stampFile = join(cacheRoot, 'sources', `${createHash('sha256').update(abs).digest('hex')}.json`);
  const stamp = await readStamp(stampFile);
  if (stamp !== undefined && stamp.size === st.size && stamp.mtimeMs === st.mtimeMs) {
    // Probably extracted before: confirm the .tgz is still the same bytes
    // (a plain read, much cheaper than gunzip), then re-verify the tree.
    const sha256 = input?.sha256 ?? (await sha256File(source));
    const dir = join(cacheRoot, sha256);
    if (sha256 === stamp.sha256 && (await isDirectory(dir))) {
      try {
        const v = await verifyDirectory(source, dir, policy);
        return { ...v, sha256, dir, reused: true };
      } catch {
        // A damaged cache entry is not the bundle's fault: extract afresh.
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  await mkdir(cacheRoot, { recursive: true });
  const tmp = join(cacheRoot, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const { sha256, verified } = await readTgz(source, tmp, policy, input?.open);
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
    return { ...verified, sha256, dir, reused: false };
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
