/**
 * The main modules as their go.mod and go.work files declare them cannot be
 * loaded: a go.mod without a module line, a module used twice by a
 * workspace, conflicting replacements, a go version below a module's, a
 * tool directive no module provides. The go command stops with these
 * before it fetches anything; the message is its own.
 */
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

export class MainModuleError extends GobundleError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(ErrorCode.MODULE, message, options);
  }
}
