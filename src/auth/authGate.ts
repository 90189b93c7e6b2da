/**
 * serve --auth at the door: every request but /healthz and /readyz must
 * carry credentials the Authorizer accepts. A missing or wrong one gets
 * 401 with `WWW-Authenticate` (Basic and Bearer) and a one-line reason the
 * go command prints; each failure counts against the client (by address)
 * and in the metrics, and a client that failed too often gets 429 with
 * `Retry-After` until it cools down. Credentials are never logged or echoed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorizer, AuthResult } from './authorizer.js';
import type { FailureThrottle } from './throttle.js';

/** Paths that stay open with --auth: load balancers and orchestrators probe them without credentials. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

export const REALM = 'gobundle';

export interface AuthGateOptions {
  /** The current authorizer (replaced when the file is reloaded). */
  authorizer: () => Authorizer;
  throttle: FailureThrottle;
  /** Counted in /metrics. */
  onFailure: () => void;
  onThrottled: () => void;
}

/** The gate for createServeApp: true lets the request through; false means it was answered here. */
export function authGate(opts: AuthGateOptions): (req: IncomingMessage, res: ServerResponse, url: string) => boolean | Promise<boolean> {
  return (req, res, url) => {
    const q = url.indexOf('?');
    if (OPEN_PATHS.has(q < 0 ? url : url.slice(0, q))) return true;
    const client = req.socket.remoteAddress ?? '';
    const wait = opts.throttle.retryAfterMs(client);
    if (wait > 0) {
      opts.onThrottled();
      refuse(res, 429, 'too many failed authentication attempts from this address: try again later', {
        'Retry-After': String(Math.ceil(wait / 1000)),
      });
      return false;
    }
    const decide = (r: AuthResult): boolean => {
      if (r.ok) return true;
      opts.throttle.failed(client);
      opts.onFailure();
      refuse(
        res,
        401,
        r.reason === 'missing'
          ? 'authentication required: this server needs a user and password (.netrc) or a bearer token'
          : 'authentication failed: user, password or token not accepted',
        { 'WWW-Authenticate': [`Basic realm="${REALM}", charset="UTF-8"`, `Bearer realm="${REALM}"`] },
      );
      return false;
    };
    const r = opts.authorizer().check(req.headers.authorization);
    return r instanceof Promise ? r.then(decide, () => decide({ ok: false, reason: 'rejected' })) : decide(r);
  };
}

function refuse(res: ServerResponse, status: number, line: string, extra: Record<string, string | string[]>): void {
  const body = `${line}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}
