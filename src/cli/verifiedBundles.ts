/**
 * Opening bundles the way serve trusts them, for every command that hands
 * their bytes on (serve, export): the files and the signature against the
 * --trust keys (bundle/reader.ts), then the checksum-database replay
 * against the database keys (bundle/bundleReplay.ts). Nothing is served or
 * exported from a bundle that did not pass both.
 */
import { resolve } from 'node:path';
import { openBundle, type OpenBundleOptions, type OpenedBundle } from '../bundle/reader.js';
import { describeReplayVerification, verifyBundleReplay } from '../bundle/bundleReplay.js';
import { defaultCacheDir } from '../cache/cacheDir.js';
import { cacheLayout } from '../cache/cacheLayout.js';
import { loadSumdbKeyring, type TrustedSumdbKey } from '../config/sumdbKeyring.js';
import { UsageError } from '../errors.js';
import { readTrustFiles } from './bundleTrust.js';
import type { CliIO } from './io.js';

/** The trust flags serve and export share. */
export interface BundleTrustFlags {
  trust: string[];
  sumdbKey?: string[];
  allowUnsigned?: boolean;
  cacheDir?: string;
}

export interface BundleOpener {
  /** Open and verify one bundle; `replay` describes its verified checksum-database replay, if it carries one. */
  open(source: string): Promise<{ bundle: OpenedBundle; replay: string | undefined }>;
  /** Where `.tgz` bundles are extracted. */
  cacheRoot: string;
  /** The checksum-database verifier keys replays are checked with, by database name. */
  sumdbKeys: ReadonlyMap<string, string>;
}

/** Check the trust flags of `command` and load the keys; `event` gets warnings an operator should see. */
export async function bundleOpener(
  command: string,
  flags: BundleTrustFlags,
  io: CliIO,
  event: (msg: string) => void,
): Promise<BundleOpener> {
  if (flags.trust.length === 0 && !flags.allowUnsigned) {
    throw new UsageError(`${command}: no --trust key given`, {
      hint: `pass --trust <signer>.pub (or --allow-unsigned to ${command} unsigned bundles)`,
    });
  }
  const trust = await readTrustFiles(flags.trust, io.cwd);
  const cacheRoot = flags.cacheDir !== undefined ? resolve(io.cwd, flags.cacheDir) : cacheLayout.extractions(defaultCacheDir(io.env));
  const sumdbKeys: Map<string, TrustedSumdbKey> = await loadSumdbKeyring(flags.sumdbKey ?? [], io.env, event);
  const openOpts: OpenBundleOptions = { trust, allowUnsigned: flags.allowUnsigned ?? false, cacheRoot };
  return {
    cacheRoot,
    sumdbKeys: new Map([...sumdbKeys].map(([name, k]) => [name, k.key])),
    open: async (source) => {
      const bundle = await openBundle(source, openOpts);
      const v = await verifyBundleReplay(bundle, sumdbKeys);
      return { bundle, replay: v === undefined ? undefined : describeReplayVerification(v) };
    },
  };
}
