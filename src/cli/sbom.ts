import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openBundle } from '../bundle/reader.js';
import { UsageError } from '../errors.js';
import { bundleSbom } from '../sbom/bundleSbom.js';
import { collect, readTrustFiles } from './bundleTrust.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { toolVersion } from './toolVersion.js';

/**
 * `gobundle sbom <bundle> --trust <file.pub> [--format cyclonedx-json] [-o file]`:
 * verify the bundle, then print (or write) its CycloneDX SBOM.
 */
export function registerSbom(program: Command, io: CliIO): void {
  declareCommand(program, 'sbom')
    .argument('<bundle>', '.tgz bundle or extracted bundle directory')
    .option('--format <format>', 'output format (only cyclonedx-json)', 'cyclonedx-json')
    .option('-o, --output <file>', 'write the document here instead of stdout')
    .option('--trust <file.pub>', 'verifier key file of a trusted signer (repeatable)', collect, [])
    .option('--allow-unsigned', 'accept a bundle without a signature')
    .action(async (source: string, options: { format: string; output?: string; trust: string[]; allowUnsigned?: boolean }) => {
      if (options.format !== 'cyclonedx-json')
        throw new UsageError(`sbom: --format ${JSON.stringify(options.format)}: want cyclonedx-json`);
      if (options.trust.length === 0 && !options.allowUnsigned) {
        throw new UsageError('sbom: no --trust key given', {
          hint: 'pass --trust <signer>.pub (or --allow-unsigned for an unsigned bundle)',
        });
      }
      const trust = await readTrustFiles(options.trust, io.cwd);
      // The licence files are read from the zips: a .tgz is extracted (verified) into a scratch directory.
      const scratch = await mkdtemp(join(tmpdir(), 'gobundle-sbom-'));
      try {
        const b = await openBundle(resolve(io.cwd, source), { trust, allowUnsigned: options.allowUnsigned ?? false, cacheRoot: scratch });
        const json = await bundleSbom(b, toolVersion());
        if (options.output === undefined) io.stdout.write(json);
        else await writeFile(resolve(io.cwd, options.output), json);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });
}
