/**
 * The failures of the GOPROXY protocol, beside the network's own
 * (network/networkErrors.ts): a proxy that answers what the protocol does
 * not allow, a file larger than the go command accepts, a version that
 * cannot be asked for, and the `direct` entry where it cannot be used.
 */
import { GobundleError, ModuleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** A proxy answered something the protocol does not allow (malformed JSON, another version): `path@version: what`. */
export class ProxyResponseError extends ModuleError {
  static override readonly errorCode: ErrorCode = ErrorCode.PROXYRESPONSE;
}

/** A proxy served a file larger than the go command accepts: `path@version: downloaded <file> too large`. */
export class TooLargeError extends ModuleError {
  static override readonly errorCode: ErrorCode = ErrorCode.TOOLARGE;
}

/** A version that is not valid and so cannot be asked of a proxy: `path@version: invalid version: why`. */
export class RequestedVersionError extends ModuleError {
  static override readonly errorCode: ErrorCode = ErrorCode.INVALIDVERSION;
}

/** A module GOPROXY sends to `direct` where direct fetches cannot be made (GOPROXY=off for it, no repository source). */
export class DirectUnsupportedError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.DIRECT, message, options);
  }
}
