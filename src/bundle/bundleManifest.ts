/**
 * The manifest as a bundle reader takes it: parsed and validated by the one
 * format definition (manifest.ts), then every listed name checked safe to
 * write below the extraction directory. The signature has not been checked
 * yet when this runs, so nothing in it is trusted beyond its shape.
 */
import { GobundleError } from '../errors.js';
import { BundleError } from './bundleErrors.js';
import { type Manifest, type ManifestFile, parseManifest } from './manifest.js';
import { MANIFEST_NAME, METADATA_DIR } from './treeLayout.js';
import { unsafeNameReason } from './safePath.js';

/**
 * A manifest lists every file with a hash, about 150 bytes a file: 64 MiB
 * holds some 400,000 files (a bundle of 100,000 module versions), and is
 * read whole and parsed, so it bounds the reader's memory.
 */
export const MAX_MANIFEST_BYTES = 64 << 20;
/** Files one manifest may list (with short names they could otherwise fit MAX_MANIFEST_BYTES many times over). */
export const MAX_MANIFEST_FILES = 500_000;
/** A signed note with up to 100 signatures is a few KiB. */
export const MAX_SIGNATURE_BYTES = 64 << 10;

/** What a verified bundle holds: its manifest, signer, files by name, and their total size. */
export interface VerifiedBundle {
  manifest: Manifest;
  /** Name of the key that signed the manifest; undefined for an allowed unsigned bundle. */
  signer: string | undefined;
  /** The verified manifest.json bytes. */
  manifestBytes: Buffer;
  files: Map<string, ManifestFile>;
  modules: number;
  bytes: number;
}

/** Parse manifest.json bytes; a manifest the format rejects is a BundleError naming the bundle. */
export function readManifest(source: string, bytes: Uint8Array): Manifest {
  try {
    return parseManifest(bytes);
  } catch (err) {
    if (err instanceof GobundleError) throw new BundleError(source, [err.message], { cause: err });
    throw err;
  }
}

/** The manifest's files by name, refusing names that are unsafe to write or reserved. */
export function manifestFileMap(source: string, manifest: Manifest): Map<string, ManifestFile> {
  if (manifest.files.length > MAX_MANIFEST_FILES) {
    throw new BundleError(source, [
      `${MANIFEST_NAME}: lists ${manifest.files.length} files, more than the ${MAX_MANIFEST_FILES} a bundle may hold`,
    ]);
  }
  const map = new Map<string, ManifestFile>();
  const problems: string[] = [];
  for (const f of manifest.files) {
    const unsafe = unsafeNameReason(f.name);
    if (unsafe !== undefined) problems.push(`${MANIFEST_NAME}: ${JSON.stringify(f.name)}: unsafe name: ${unsafe}`);
    else if (f.name.startsWith(METADATA_DIR)) problems.push(`${MANIFEST_NAME}: ${f.name}: reserved name`);
    else if (map.has(f.name)) problems.push(`${MANIFEST_NAME}: ${f.name}: listed twice`);
    else map.set(f.name, f);
  }
  if (problems.length > 0) throw new BundleError(source, problems);
  return map;
}
