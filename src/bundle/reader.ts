/**
 * Opening a bundle: check it, then make it servable.
 *
 * A `.tgz` is read exactly once, as a stream (tgzVerify.ts), and extracted
 * into serve's cache (extractionCache.ts), or only verified when
 * `extract` is false; an already-extracted directory is verified in place
 * (verifyDirectory.ts). Either way the signature is checked against the
 * trust policy (trust.ts) before anything is written, and the manifest is
 * the one format definition's (manifest.ts via bundleManifest.ts).
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BundleError } from './bundleErrors.js';
import type { VerifiedBundle } from './bundleManifest.js';
import { extractTgz } from './extractionCache.js';
import { type TgzReadOptions, readTgz } from './tgzVerify.js';
import { verifyDirectory } from './verifyDirectory.js';
import { checkParts, openPartStream, readPartSet } from './partFiles.js';
import { isPartList, PART_LIST_HEADER } from './partList.js';

export interface OpenBundleOptions extends TgzReadOptions {
  /** Where `.tgz` bundles are extracted: `<cacheRoot>/<sha256>`. Required when extract is not false. */
  cacheRoot?: string;
  /** false: only verify a `.tgz` (stream and hash, write nothing). Default true. */
  extract?: boolean;
}

export interface OpenedBundle extends VerifiedBundle {
  /** The path the bundle was opened from, as given. */
  source: string;
  kind: 'tgz' | 'dir' | 'parts';
  /** sha256 of the .tgz file; undefined for a directory. */
  sha256: string | undefined;
  /** The verified tree (file names relative to it); undefined when only verified. */
  dir: string | undefined;
  /** An extraction from an earlier start was re-verified and reused. */
  reused: boolean;
  /** Verified bytes of the files OpenBundleOptions.keep accepted (only when not extracted). */
  kept?: ReadonlyMap<string, Buffer>;
}

/** Open a `.tgz` bundle or an extracted directory: verify everything, extract if needed. */
export async function openBundle(source: string, opts: OpenBundleOptions): Promise<OpenedBundle> {
  let st;
  try {
    st = await stat(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new BundleError(source, [`cannot read: ${why}`], { cause: err });
  }
  if (st.isDirectory()) {
    const v = await verifyDirectory(source, source, opts);
    return { ...v, source, kind: 'dir', sha256: undefined, dir: resolve(source), reused: false };
  }
  if (await startsAsPartList(source)) {
    // A split bundle: its signed list first, every part checked against it, then the parts read as one .tgz.
    const set = await readPartSet(source, opts);
    await checkParts(set);
    const input = { open: () => openPartStream(set), sha256: set.list.bundle.sha256 };
    if (opts.extract === false) {
      const r = await readTgz(source, undefined, opts, input.open);
      return { ...r.verified, source, kind: 'parts', sha256: r.sha256, dir: undefined, reused: false, kept: r.kept };
    }
    if (opts.cacheRoot === undefined) throw new BundleError(source, ['no cache directory to extract into']);
    return { ...(await extractTgz(source, st, opts.cacheRoot, opts, input)), source, kind: 'parts' };
  }
  if (opts.extract === false) {
    const r = await readTgz(source, undefined, opts);
    return { ...r.verified, source, kind: 'tgz', sha256: r.sha256, dir: undefined, reused: false, kept: r.kept };
  }
  if (opts.cacheRoot === undefined) throw new BundleError(source, ['no cache directory to extract into']);
  return { ...(await extractTgz(source, st, opts.cacheRoot, opts)), source, kind: 'tgz' };
}

/** Whether the file begins as a part list (pack --max-part-size writes <bundle>.parts). */
export async function startsAsPartList(file: string): Promise<boolean> {
  const head = Buffer.alloc(PART_LIST_HEADER.length + 1);
  const fh = await open(file, 'r');
  try {
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return isPartList(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
