import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { bundleSbom } from '../sbom/bundleSbom.js';
import { collect } from '../bundleset/trustFiles.js';
import type { CliIO } from './io.js';
import { loadBundleTrust, openTrusted } from '../bundleset/openBundles.js';
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
    .option(
      '--sumdb-key <name+hash+key>',
      "checksum database verifier key to check the bundle's replay signatures with (repeatable; default: GOSUMDB's key)",
      collect,
      [],
    )
    .action(
      async (
        source: string,
        options: { format: string; output?: string; trust: string[]; allowUnsigned?: boolean; sumdbKey: string[] },
      ) => {
        if (options.format !== 'cyclonedx-json')
          throw new UsageError(`sbom: --format ${JSON.stringify(options.format)}: want cyclonedx-json`);
        const trust = await loadBundleTrust('sbom', options, io, () => undefined);
        // The licence files are read from the zips: a .tgz is extracted (verified) into a scratch directory.
        const scratch = await mkdtemp(join(tmpdir(), 'gobundle-sbom-'));
        try {
          const { bundle: b } = await openTrusted(resolve(io.cwd, source), trust, { into: scratch });
          const json = await bundleSbom(b, toolVersion());
          if (options.output === undefined) io.stdout.write(json);
          else await writeFile(resolve(io.cwd, options.output), json);
        } finally {
          await rm(scratch, { recursive: true, force: true });
        }
      },
    );
}
