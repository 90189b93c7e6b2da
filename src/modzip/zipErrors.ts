/**
 * The failures of module zips: a zip the go command would refuse (not a
 * zip, a bad entry, too large), and a zip that cannot be read to hash it.
 */
import { GobundleError, ModuleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** A module zip the go command would refuse: `path@version: invalid module zip …`. */
export class BadZipError extends ModuleError {
  static override readonly errorCode: ErrorCode = ErrorCode.BADZIP;
}

/** A zip that cannot be read while hashing it: `hashing <zip>: what`. */
export class ZipHashError extends GobundleError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.ZIP, message, options);
  }
}
