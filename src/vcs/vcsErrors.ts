/**
 * The failures of the `direct` entry: a repository GOVCS forbids, one not
 * in git, one not reached securely, or one that cannot give a module. git's
 * own failures are GitError (gitRun.ts).
 */
import { GobundleError, ModuleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** A module's repository that cannot be used or read: `path: what` (free text, not a module version). */
export class VcsError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.VCS, message, options);
  }
}

/** A module version its repository cannot give (no such module in it, a version it does not have): `path@version: what`. */
export class VcsModuleError extends ModuleError {
  static override readonly errorCode: ErrorCode = ErrorCode.VCS;
}
