/** The go command's error for a module path, import path, file path or version it rejects. */
import { GobundleError } from '../errors.js';
import { goQuote } from './goQuote.js';
import { ErrorCode } from '../errorCodes.js';

/**
 * A module path or version that the go command would reject (CheckPath,
 * CheckImportPath, malformed versions). Shaped like cmd/go's
 * `malformed module path "x": reason`.
 */
export class InvalidPathError extends GobundleError {
  readonly kind: string;
  readonly value: string;
  readonly reason: string;

  constructor(kind: 'module path' | 'import path' | 'file path' | 'version', value: string, reason: string) {
    super(ErrorCode.INVALIDPATH, `malformed ${kind} ${goQuote(value)}: ${reason}`);
    this.kind = kind;
    this.value = value;
    this.reason = reason;
  }
}
