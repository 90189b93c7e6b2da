/**
 * Opening and trusting a bundle, one way for every command (serve, export,
 * verify, audit, sbom, verify --build): the files and the signature against
 * the --trust keys (bundle/reader.ts), then the checksum-database replay
 * against the database keys (bundle/bundleReplay.ts). Nothing is served,
 * exported, listed as verified, audited or described from a bundle that did
 * not pass both.
 *
 * How much of a bundle is written to disk is the caller's choice: serve
 * and export extract it (verified while extracting) into a cache keyed by
 * its sha256; verify, audit and sbom may only stream it, keeping the few
 * files they read (the replay is always kept to be checked).
 */
import { resolve } from 'node:path';
import { openBundle, type OpenedBundle } from '../bundle/reader.js';
import { type ReplayVerification, verifyBundleReplay } from '../bundle/bundleReplay.js';
import { SUMDB_PREFIX } from '../bundle/treeLayout.js';
import { defaultCacheDir } from '../cache/cacheDir.js';
import { cacheLayout } from '../cache/cacheLayout.js';
import { loadSumdbKeyring, type TrustedSumdbKey } from '../config/sumdbKeyring.js';
import { UsageError } from '../errors.js';
import { readTrustFiles } from './trustFiles.js';

/** The trust flags every command that opens bundles shares. */
export interface BundleTrustFlags {
  trust: string[];
  sumdbKey?: string[];
  allowUnsigned?: boolean;
}

/** The keys a bundle is checked against, loaded once per command. */
export interface BundleTrust {
  /** Verifier keys of the signers trusted (--trust files). */
  signers: string[];
  allowUnsigned: boolean;
  /** Checksum-database verifier keys, by database name (--sumdb-key, else GOSUMDB's). */
  sumdbKeys: ReadonlyMap<string, TrustedSumdbKey>;
}

/** Where a bundle's files go while it is verified. */
export type Extraction =
  /** Extract into `<root>/<sha256>` (reused when an earlier extraction re-verifies). */
  | { into: string }
  /** Only stream and hash it, keeping the bytes of the files `keep` accepts (the replay's are kept too). */
  | { keep: (name: string) => boolean };

export interface TrustedBundle {
  bundle: OpenedBundle;
  /** The verified checksum-database replay; undefined when the bundle carries none. */
  replay: ReplayVerification | undefined;
}

/** What --allow-unsigned does for each command, as the hint for a missing --trust says it. */
const ALLOW_UNSIGNED_MEANS: Readonly<Record<string, string>> = {
  verify: 'to only check files',
  audit: 'for an unsigned bundle',
  sbom: 'for an unsigned bundle',
};

/**
 * Check the trust flags of `command` and load the keys. `event` gets what
 * an operator should see about where the database keys came from.
 */
export async function loadBundleTrust(
  command: string,
  flags: BundleTrustFlags,
  where: { cwd: string; env: NodeJS.ProcessEnv },
  event: (msg: string) => void,
): Promise<BundleTrust> {
  if (flags.trust.length === 0 && !flags.allowUnsigned) {
    throw new UsageError(`${command}: no --trust key given`, {
      hint: `pass --trust <signer>.pub (or --allow-unsigned ${ALLOW_UNSIGNED_MEANS[command] ?? `to ${command} unsigned bundles`})`,
    });
  }
  return {
    signers: await readTrustFiles(flags.trust, where.cwd),
    allowUnsigned: flags.allowUnsigned ?? false,
    sumdbKeys: await loadSumdbKeyring(flags.sumdbKey ?? [], where.env, event),
  };
}

/** Open `source` and trust it: files, signature, then the checksum-database replay. Throws BundleError naming every problem. */
export async function openTrusted(source: string, trust: BundleTrust, extraction: Extraction): Promise<TrustedBundle> {
  const policy = { trust: trust.signers, allowUnsigned: trust.allowUnsigned };
  const bundle =
    'into' in extraction
      ? await openBundle(source, { ...policy, cacheRoot: extraction.into })
      : await openBundle(source, { ...policy, extract: false, keep: (name) => name.startsWith(SUMDB_PREFIX) || extraction.keep(name) });
  return { bundle, replay: await verifyBundleReplay(bundle, trust.sumdbKeys) };
}

/** Where serve and export extract `.tgz` bundles: their --cache-dir, else the cache directory's serve/ folder. */
export function extractionRoot(cacheDir: string | undefined, where: { cwd: string; env: NodeJS.ProcessEnv }): string {
  return cacheDir !== undefined ? resolve(where.cwd, cacheDir) : cacheLayout.extractions(defaultCacheDir(where.env));
}
