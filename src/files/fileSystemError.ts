/**
 * Failures of the local file system (a full disk, a read-only mount, a
 * missing permission) as GobundleErrors that name the path and say what to
 * do, instead of a bare `ENOSPC: no space left on device, write`.
 */
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

const REASONS: ReadonlyMap<string, string> = new Map([
  ['ENOSPC', 'no space left on device'],
  ['EDQUOT', 'disk quota exceeded'],
  ['EROFS', 'read-only file system'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'operation not permitted'],
  ['ENOENT', 'no such file or directory'],
  ['ENOTDIR', 'not a directory'],
  ['EISDIR', 'is a directory'],
  ['EMFILE', 'too many open files'],
  ['EIO', 'input/output error'],
]);

/**
 * The local file system failed us (a full disk, a read-only mount, a missing
 * permission): the message names the operation and the path.
 */
export class FileSystemError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.FILESYSTEM, message, options);
  }
}

/** The errno code of a Node file-system error (or of its cause), if any. */
export function fsErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && REASONS.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The words for a file-system error's errno (`permission denied`), or undefined for other errors. */
export function fsReason(err: unknown): string | undefined {
  const code = fsErrorCode(err);
  return code === undefined ? undefined : REASONS.get(code);
}

/**
 * `<what>: <reason>: <path>` with a hint, for a file-system error; other
 * errors (GobundleErrors included) are returned unchanged. `what` is the
 * operation ("writing bundle out.tgz"), `hint` what to try for a full disk.
 */
export function fileSystemError(err: unknown, what: string, path: string, spaceHint: string): unknown {
  if (err instanceof GobundleError) return err;
  const code = fsErrorCode(err);
  if (code === undefined) return err;
  const reason = REASONS.get(code) as string;
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? spaceHint
      : code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
        ? `make ${path} writable for this user, or choose another location`
        : undefined;
  return new FileSystemError(`${what}: ${reason}: ${path}`, { ...(hint === undefined ? {} : { hint }), cause: err });
}
