/**
 * The failures of one bundle file. A bundle that failed verification:
 * every problem found is collected (the person at the transfer desk wants
 * the whole list) and thrown as one BundleError at the end, each line naming
 * the file and what was expected against what was found. Its manifest,
 * signature and part list have their own kinds, and so do writing one,
 * making its signing keys (keygen) and a verify run's summary.
 */
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** Problems listed one by one before the rest are only counted. */
const MAX_LISTED_PROBLEMS = 50;

/** A bundle failed verification; `problems` has one line per problem (file: what, want X, got Y). */
export class BundleError extends GobundleError {
  readonly bundle: string;
  readonly problems: readonly string[];

  constructor(bundle: string, problems: readonly string[], options: { hint?: string; cause?: unknown } = {}) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const more = problems.length - listed.length;
    const text =
      problems.length === 1
        ? `bundle ${bundle}: ${problems[0]}`
        : `bundle ${bundle}: ${problems.length} problems:\n` +
          listed.map((p) => `\t${p}`).join('\n') +
          (more > 0 ? `\n\t… and ${more} more` : '');
    super(ErrorCode.BUNDLE, text, options);
    this.bundle = bundle;
    this.problems = problems;
  }
}

/** A manifest that cannot be read or does not follow the format: `gobundle/manifest.json: what`. */
export class ManifestError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.MANIFEST, message, options);
  }
}

/** A signer or trusted key that cannot be used, or a manifest or part list no trusted key signed. */
export class SignatureError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.SIGNATURE, message, options);
  }
}

/** A part list (pack --max-part-size) that is malformed or disagrees with its parts: `<file>: what`. */
export class PartListError extends GobundleError {
  constructor(message: string) {
    super(ErrorCode.PARTS, message);
  }
}

/** Writing a bundle went wrong before any byte reached the disk's own failures (a file listed twice, short data). */
export class BundleWriteError extends GobundleError {
  constructor(message: string) {
    super(ErrorCode.BUNDLE, message);
  }
}

/** keygen would overwrite a key, or cannot write one: names the file. */
export class KeygenError extends GobundleError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(ErrorCode.KEYGEN, message, options);
  }
}

/** verify found problems (each already reported above): how many, in how many bundles. */
export class VerifyError extends GobundleError {
  constructor(message: string) {
    super(ErrorCode.VERIFY, message);
  }
}
