/**
 * serve's own failures, worded for the operator: an address it cannot
 * listen on, a --tls-cert or --tls-key file that cannot be read or used, and
 * a worker process that died (what it exited with, and what serve did about
 * it).
 */
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** The --listen address cannot be listened on (in use, not this machine's, a port below 1024 without the right). */
export class ServeListenError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.SERVELISTEN, message, options);
  }
}

/** A --tls-cert or --tls-key file that cannot be read, or a certificate and key that do not make a TLS context. */
export class ServeTlsError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.SERVETLS, message, options);
  }
}

/** A serve worker exited before serving: `serve: worker <pid> exited with code X (signal Y): …` and what serve did. */
export class ServeWorkerError extends GobundleError {
  readonly pid: number | undefined;
  constructor(pid: number | undefined, code: number | null, signal: string | null, what: string, options: { hint?: string } = {}) {
    super(ErrorCode.SERVEWORKER, `serve: ${workerExited(pid, code, signal, what)}`, options);
    this.pid = pid;
  }
}

/**
 * `worker <pid> exited with code 1: <what serve did>` (or `signal SIGKILL`,
 * or `code 1 (signal …)`): the ServeWorkerError's words, and the event serve
 * logs when it replaces a worker that died while serving.
 */
export function workerExited(pid: number | undefined, code: number | null, signal: string | null, what: string): string {
  const exit =
    code === null
      ? signal === null
        ? 'no code'
        : `signal ${signal}`
      : signal === null
        ? `code ${code}`
        : `code ${code} (signal ${signal})`;
  return `worker ${pid ?? '(not started)'} exited with ${exit}: ${what}`;
}
