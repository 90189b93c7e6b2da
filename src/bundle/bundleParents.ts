/**
 * A delta bundle (pack --since) carries only what its parents lack: served
 * without them, its modules would be missing files and its lists would name
 * versions nobody serves. Serve therefore refuses a delta unless every parent
 * its signed manifest names (by the SHA-256 of the parent's manifest.json)
 * is served too.
 */
import { createHash } from 'node:crypto';
import type { OpenedBundle } from './reader.js';
import type { ManifestParent } from './manifest.js';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** The digest a delta names its parent by. */
export function manifestDigest(manifestBytes: Uint8Array): string {
  return createHash('sha256').update(manifestBytes).digest('hex');
}

/** How a person reads a parent: its file name, creation time and digest. */
export function describeParent(p: ManifestParent): string {
  return `${p.name} (created ${p.created}, manifest sha256 ${p.manifestSha256})`;
}

/** A delta bundle whose parents are not served. */
export class MissingParentError extends GobundleError {
  readonly bundle: string;
  readonly missing: readonly ManifestParent[];

  constructor(bundle: string, missing: readonly ManifestParent[]) {
    super(
      ErrorCode.PARENT,
      `bundle ${bundle}: a delta bundle whose parent${missing.length === 1 ? ' is' : 's are'} not served: ${missing.map(describeParent).join(', ')}`,
      { hint: 'serve the parent bundles beside the delta (the bundles it was packed --since), or serve a full bundle instead' },
    );
    this.bundle = bundle;
    this.missing = missing;
  }
}

/** Throws MissingParentError for the first bundle whose parents are not all in `bundles`. */
export function checkParentsServed(bundles: readonly Pick<OpenedBundle, 'source' | 'manifest' | 'manifestBytes'>[]): void {
  const served = new Set(bundles.map((b) => manifestDigest(b.manifestBytes)));
  for (const b of bundles) {
    const missing = (b.manifest.parents ?? []).filter((p) => !served.has(p.manifestSha256));
    if (missing.length > 0) throw new MissingParentError(b.source, missing);
  }
}
