/**
 * The error vocabulary of gobundle.
 *
 * Library code throws these and never prints or exits; only src/cli/ turns
 * them into messages and exit codes. Every error has a stable `code` so
 * callers (and tests) can branch on the kind of failure without parsing
 * text, and an optional `hint` that tells a person what to try next.
 * Messages are lowercase with no final period; each layer that rethrows adds
 * one prefix of context.
 */
import { ErrorCode } from './errorCodes.js';
export class GobundleError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** Bad command-line usage: the CLI exits 2. */
export class UsageError extends GobundleError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(ErrorCode.USAGE, message, options);
  }
}

/** A syntax error in a go.mod, go.work, go.sum or env file: `file:line:col: what`. */
export class FileSyntaxError extends GobundleError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly reason: string;

  constructor(file: string, line: number, col: number, reason: string) {
    super(ErrorCode.SYNTAX, `${file}:${line}:${col}: ${reason}`);
    this.file = file;
    this.line = line;
    this.col = col;
    this.reason = reason;
  }
}

/**
 * A problem tied to one module version: `path@version: cause`. Kinds of
 * module failure with their own code (a bad zip, a misbehaving proxy, …) are
 * subclasses beside their capability that set `errorCode`; the code is the
 * class's, never the caller's.
 */
export class ModuleError extends GobundleError {
  /** The code of this kind of failure; subclasses set their own. */
  static readonly errorCode: ErrorCode = ErrorCode.MODULE;
  readonly path: string;
  readonly version: string;

  constructor(path: string, version: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super((new.target as typeof ModuleError).errorCode, version === '' ? `${path}: ${message}` : `${path}@${version}: ${message}`, options);
    this.path = path;
    this.version = version;
  }
}

/** The thing asked for does not exist (HTTP 404/410, missing file). Drives proxy fallback. */
export class NotFoundError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.NOTEXIST, message, options);
  }
}

/**
 * Downloaded bytes disagree with a trusted hash. Printed in cmd/go's shape:
 *
 *   verifying M@V: checksum mismatch
 *   	downloaded: h1:…
 *   	go.sum:     h1:…
 */
export class ChecksumMismatchError extends GobundleError {
  readonly path: string;
  readonly version: string;
  readonly file: string;
  readonly expected: string;
  readonly actual: string;
  readonly source: string;

  constructor(args: { path: string; version: string; file: string; expected: string; actual: string; source: string }) {
    super(
      ErrorCode.CHECKSUM,
      `verifying ${args.path}@${args.version}${args.file === 'mod' ? '/go.mod' : ''}: checksum mismatch\n` +
        `\tdownloaded: ${args.actual}\n` +
        `\t${(args.source + ':').padEnd(11)} ${args.expected}\n\n` +
        'SECURITY ERROR\nThis download does NOT match the one reported by the checksum server or recorded in go.sum.\n' +
        'The bits may have been replaced on the origin server, or an attacker may have intercepted the download attempt.',
    );
    this.path = args.path;
    this.version = args.version;
    this.file = args.file;
    this.expected = args.expected;
    this.actual = args.actual;
    this.source = args.source;
  }
}

export interface NetworkErrorOptions {
  status?: number;
  hint?: string;
  cause?: unknown;
  /** What went wrong, without the `reading <url>: ` context (go-import lookups word their own). */
  reason?: string;
}

/**
 * A network or server failure: names the URL and what came back. Kinds of
 * failure with their own advice (an outbound proxy that refuses, TLS) are
 * subclasses in src/network/networkErrors.ts, each with its own code.
 */
export class NetworkError extends GobundleError {
  /** The code of this class of failure; subclasses set their own. */
  static readonly errorCode: ErrorCode = ErrorCode.NETWORK;
  readonly url: string;
  readonly status: number | undefined;
  readonly reason: string | undefined;

  constructor(url: string, message: string, options: NetworkErrorOptions = {}) {
    super((new.target as typeof NetworkError).errorCode, message, options);
    this.url = url;
    this.status = options.status;
    this.reason = options.reason;
  }

  /** The same failure (same class and code) with `prefix: ` before its message and, if given, another hint. */
  rephrase(prefix: string | undefined, hint?: string): NetworkError {
    const Kind = this.constructor as new (url: string, message: string, options: NetworkErrorOptions) => NetworkError;
    return new Kind(this.url, prefix === undefined ? this.message : `${prefix}: ${this.message}`, {
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...((hint ?? this.hint) === undefined ? {} : { hint: hint ?? this.hint }),
      cause: this,
    });
  }
}
