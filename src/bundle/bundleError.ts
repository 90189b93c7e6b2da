/**
 * A bundle that failed verification. Every problem found is collected (the
 * person at the transfer desk wants the whole list) and thrown as one
 * BundleError at the end, each line naming the file and what was expected
 * against what was found.
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
