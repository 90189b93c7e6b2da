import type { CliIO } from './io.js';
import { Command, CommanderError, Help } from 'commander';
import { COMMAND_INFO, commandNamed, helpTerm } from './commandIndex.js';
import { EXIT_OK, EXIT_USAGE } from './exitCodes.js';
import { reportError } from './reportError.js';
import { toolVersion } from './toolVersion.js';

type Register = (program: Command, io: CliIO) => void;

/**
 * Each command's file, imported only when that command runs: a pack does
 * not load express, nor sbom's CycloneDX and JSON-schema libraries, and the
 * top-level help and --version load none of them (commandIndex.ts describes
 * every command without its file).
 */
const LOADERS = new Map<string, () => Promise<Register>>([
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
  ['wants', async () => (await import('./wants.js')).registerWants],
  ['passwd', async () => (await import('./passwd.js')).registerPasswd],
  ['doctor', async () => (await import('./doctor.js')).registerDoctor],
]);

/**
 * Build the commander program. With `only` (the command about to run) only
 * that command's file is loaded and registered; otherwise (the top-level
 * help, --version, an unknown command) every command is listed from
 * commandIndex.ts without loading any.
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
  const info = only === undefined ? undefined : commandNamed(only);
  const load = info === undefined ? undefined : LOADERS.get(info.name);
  if (load !== undefined) {
    (await load())(program, io);
    return program;
  }
  for (const c of COMMAND_INFO)
    program
      .command(c.name)
      .aliases([...c.aliases])
      .description(c.description);
  program.configureHelp({
    subcommandTerm: (cmd) => {
      const c = commandNamed(cmd.name());
      return c === undefined ? new Help().subcommandTerm(cmd) : helpTerm(c);
    },
  });
  return program;
}

/** Run the CLI with `argv` (as process.argv) and return the exit code. */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
): Promise<number> {
  // argv is [node, script, command, ...]: a known command loads alone (`help <command>` loads that command for its help).
  const only = argv[2] === 'help' && argv[3] !== undefined && commandNamed(argv[3]) !== undefined ? argv[3] : argv[2];
  const program = await buildProgram(io, only);
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
