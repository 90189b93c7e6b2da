import { GobundleError, UsageError } from '../errors.js';
import { EXIT_FAILURE, EXIT_USAGE } from './exitCodes.js';

/**
 * Turn any thrown value into the message a person reads on stderr and the
 * exit code. Only the CLI layer decides how errors look and how we exit.
 */
export function reportError(err: unknown, stderr: NodeJS.WritableStream): number {
  if (err instanceof GobundleError) {
    stderr.write(`gobundle: ${err.message}\n`);
    if (err.hint) stderr.write(`hint: ${err.hint}\n`);
    return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  stderr.write(`gobundle: internal error: ${message}\n`);
  return EXIT_FAILURE;
}
