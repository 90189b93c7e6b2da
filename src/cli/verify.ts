import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BundleError } from '../bundle/bundleError.js';
import { openBundle } from '../bundle/reader.js';
import { GobundleError, UsageError } from '../errors.js';
import { SUMDB_PREFIX, describeReplayVerification, verifyBundleReplay } from '../bundle/bundleReplay.js';
import { loadSumdbKeyring } from '../config/sumdbKeyring.js';
import { collect, readTrustFiles } from './bundleTrust.js';
import type { CliIO } from './io.js';
import { ErrorCode } from '../errorCodes.js';
import { describeParent, manifestDigest } from '../serve/parentCheck.js';
import type { OpenedBundle } from '../bundle/reader.js';

/**
 * `gobundle verify <bundle>... --trust <file.pub>`: the transfer-desk check.
 * Streams each bundle (nothing is written), checks the signature and every
 * file and the checksum-database replay (as serve's start-up does), prints
 * one line per good bundle and every problem of bad ones.
 */
export function registerVerify(program: Command, io: CliIO): void {
  program
    .command('verify')
    .description('check bundles (signature, every file, safe names) without serving them; exit 1 naming every problem')
    .argument('<bundles...>', '.tgz bundles or extracted bundle directories')
    .option('--trust <file.pub>', 'verifier key file of a trusted signer (repeatable)', collect, [])
    .option('--allow-unsigned', 'accept bundles without a signature')
    .option('--sumdb-key <name+hash+key>', "checksum database verifier key to check the bundles' replay signatures with (repeatable; default: GOSUMDB's key)", collect, [])
    .action(async (bundles: string[], options: { trust: string[]; allowUnsigned?: boolean; sumdbKey: string[] }) => {
      if (options.trust.length === 0 && !options.allowUnsigned) {
        throw new UsageError('verify: no --trust key given', { hint: 'pass --trust <signer>.pub (or --allow-unsigned to only check files)' });
      }
      const trust = await readTrustFiles(options.trust, io.cwd);
      const sumdbKeys = await loadSumdbKeyring(options.sumdbKey, io.env, (msg) => io.stderr.write(`gobundle: verify: ${msg}\n`));
      const failures: string[] = [];
      const verified: { source: string; b: OpenedBundle }[] = [];
      for (const source of bundles) {
        try {
          // The replay files are small (lookups, tiles of 8 KiB at most): keep them while streaming to re-check them.
          const b = await openBundle(resolve(io.cwd, source), { trust, allowUnsigned: options.allowUnsigned ?? false, extract: false, keep: (name) => name.startsWith(SUMDB_PREFIX) });
          const replay = await verifyBundleReplay(b, sumdbKeys);
          io.stdout.write(
            `${source}: ok: ${b.modules} modules, ${b.files.size} files, ${b.bytes} bytes, ${b.signer === undefined ? 'UNSIGNED (allowed by --allow-unsigned)' : `signed by ${b.signer}`}\n`,
          );
          if (replay !== undefined) io.stdout.write(`${source}: ${describeReplayVerification(replay)}\n`);
          verified.push({ source, b });
        } catch (err) {
          if (!(err instanceof GobundleError)) throw err;
          const lines = err instanceof BundleError ? err.problems.map((p) => `${source}: ${p}`) : [`${source}: ${err.message}`];
          for (const l of lines) io.stderr.write(`gobundle: ${l}\n`);
          if (err.hint !== undefined) io.stderr.write(`hint: ${err.hint}\n`);
          failures.push(...lines);
        }
      }
      // A delta verifies on its own; serving it needs its parents too.
      const given = new Set(verified.map(({ b }) => manifestDigest(b.manifestBytes)));
      for (const { source, b } of verified) {
        for (const p of b.manifest.parents ?? []) {
          io.stdout.write(`${source}: a delta: serve it with its parent ${describeParent(p)}${given.has(p.manifestSha256) ? ' (verified above)' : ''}\n`);
        }
      }
      if (failures.length > 0) {
        throw new GobundleError(ErrorCode.VERIFY, `verify: ${failures.length} problem${failures.length === 1 ? '' : 's'} in ${bundles.length} bundle${bundles.length === 1 ? '' : 's'}`);
      }
    });
}
