/**
 * The failures of reading what to bundle: an input that is not there, not
 * a go.mod or go.work, or cannot be read; a replaced directory without a
 * go.mod; a tool's module go install refuses. Each names the file or module
 * and says what to do.
 */
import { GobundleError, ModuleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { fsReason } from '../files/fileSystemError.js';

export class InputFileError extends GobundleError {
  readonly file: string;

  constructor(file: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.INPUT, message, options);
    this.file = file;
  }

  /** `<shown>: no such file` (or permission denied, …) for a failed read of `file`; `shown` is how the message names it (default the path). */
  static reading(file: string, err: unknown, hint: string, shown: string = file): InputFileError {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (fsReason(err) ?? (err instanceof Error ? err.message : String(err)));
    return new InputFileError(file, `${shown}: ${why}`, { hint, cause: err });
  }
}

/** A replace directive's directory without a readable go.mod: `<dir>: reading <dir>/go.mod: no such file`. */
export class LocalReplaceError extends ModuleError {
  static override readonly errorCode: ErrorCode = ErrorCode.LOCALREPLACE;
}

/**
 * A module a `--tool` query names that go install would refuse (its go.mod
 * has replace or exclude directives): `<arg> (in path@version): …`.
 */
export class ToolModuleError extends GobundleError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(ErrorCode.MODULE, message, options);
  }
}
