import type { CliIO } from './io.js';
import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE } from './exitCodes.js';
import { reportError } from './reportError.js';
import { toolVersion } from './toolVersion.js';

type Register = (program: Command, io: CliIO) => void;

/**
 * Each command's file, imported only when needed: a pack does not load
 * express, nor sbom's CycloneDX and JSON-schema libraries (together about
 * half a second of CPU at every start).
 */
const COMMANDS = new Map<string, () => Promise<Register>>([
  ['plan', async () => (await import('./plan.js')).registerPlan],
  ['pack', async () => (await import('./pack.js')).registerPack],
  ['keygen', async () => (await import('./keygen.js')).registerKeygen],
  ['serve', async () => (await import('./serve.js')).registerServe],
  ['verify', async () => (await import('./verify.js')).registerVerify],
  ['sbom', async () => (await import('./sbom.js')).registerSbom],
  ['audit', async () => (await import('./audit.js')).registerAudit],
  ['ls', async () => (await import('./ls.js')).registerLs],
  ['diff', async () => (await import('./diff.js')).registerDiff],
  ['export', async () => (await import('./export.js')).registerExport],
  ['doctor', async () => (await import('./doctor.js')).registerDoctor],
]);

/**
 * Build the commander program. Each command lives in its own file and
 * registers itself; with `only` (the command about to run) only that one is
 * loaded, otherwise all of them (help, unknown commands).
 */
export async function buildProgram(io: CliIO, only?: string): Promise<Command> {
  const program = new Command('gobundle')
    .description('carry Go modules into air-gapped networks as one signed bundle')
    .version(toolVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  const one = only === undefined ? undefined : COMMANDS.get(only);
  for (const load of one === undefined ? COMMANDS.values() : [one]) (await load())(program, io);
  return program;
}

/** Run the CLI with `argv` (as process.argv) and return the exit code. */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
): Promise<number> {
  // argv is [node, script, command, ...]: a known command loads alone.
  const program = await buildProgram(io, argv[2]);
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exitCode 0; anything else commander rejects is usage.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    return reportError(err, io.stderr);
  }
}
