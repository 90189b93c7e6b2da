import type { CliIO } from './io.js';
import { Command, CommanderError } from 'commander';
import { registerPlan } from './plan.js';
import { registerPack } from './pack.js';
import { registerKeygen } from './keygen.js';
import { registerServe } from './serve.js';
import { registerVerify } from './verify.js';
import { registerSbom } from './sbom.js';
import { registerAudit } from './audit.js';
import { registerLs } from './ls.js';
import { registerDiff } from './diff.js';
import { registerExport } from './export.js';
import { EXIT_OK, EXIT_USAGE } from './exitCodes.js';
import { reportError } from './reportError.js';
import { toolVersion } from './toolVersion.js';


/** Build the commander program. Each command lives in its own file and registers itself. */
export function buildProgram(io: CliIO): Command {
  const program = new Command('gobundle')
    .description('carry Go modules into air-gapped networks as one signed bundle')
    .version(toolVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  registerPlan(program, io);
  registerPack(program, io);
  registerKeygen(program, io);
  registerServe(program, io);
  registerVerify(program, io);
  registerSbom(program, io);
  registerAudit(program, io);
  registerLs(program, io);
  registerDiff(program, io);
  registerExport(program, io);
  return program;
}

/** Run the CLI with `argv` (as process.argv) and return the exit code. */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
): Promise<number> {
  const program = buildProgram(io);
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
