/**
 * What went wrong on the wire, in words a person can act on, and the error
 * class (with its stable code) for each kind of failure that needs its own
 * advice. Every request gobundle makes reports its failures through here.
 *
 * Messages never hold credentials: proxies are shown as scheme://host:port.
 */
import { NetworkError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { ConnectFailure, type CertificateInfo } from './connect.js';
import type { ParsedProxy } from './proxyEnv.js';
import { errorCode } from './retryPolicy.js';

/** The outbound proxy (HTTPS_PROXY / HTTP_PROXY) could not be reached, or hung up. */
export class ProxyUnreachableError extends NetworkError {
  static override readonly errorCode = ErrorCode.PROXYUNREACHABLE;
}

/** The outbound proxy answered CONNECT (or a request) with a refusal other than 407. */
export class ProxyRefusedError extends NetworkError {
  static override readonly errorCode = ErrorCode.PROXYREFUSED;
}

/** The outbound proxy wants credentials (407), or refused the ones given. */
export class ProxyAuthError extends NetworkError {
  static override readonly errorCode = ErrorCode.PROXYAUTH;
}

/** TLS failed: a certificate that is not trusted, names another host, has expired, or no handshake at all. */
export class TlsError extends NetworkError {
  static override readonly errorCode = ErrorCode.TLS;
}

export type NetworkErrorClass = new (...args: ConstructorParameters<typeof NetworkError>) => NetworkError;

/** How one failure reads: the class to throw, the reason after `reading <url>: `, and what to try. */
export interface FailureWords {
  Kind: NetworkErrorClass;
  reason: string;
  hint?: string;
}

/** Friendly words for transport error codes. */
const REASONS: ReadonlyMap<string, string> = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ECONNRESET', 'connection reset by peer'],
  ['ECONNABORTED', 'connection aborted'],
  ['EPIPE', 'broken pipe'],
  ['ETIMEDOUT', 'connection timed out'],
  ['ENOTFOUND', 'no such host'],
  ['EAI_AGAIN', 'temporary failure in name resolution'],
  ['ENETUNREACH', 'network is unreachable'],
  ['EHOSTUNREACH', 'no route to host'],
  ['UND_ERR_SOCKET', 'connection closed by the server'],
  ['UND_ERR_CONNECT_TIMEOUT', 'timed out connecting'],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'response shorter than its Content-Length'],
  ['UND_ERR_CLOSED', 'connection closed'],
]);

/** OpenSSL's verification codes, as a person would say them. */
const CERT_REASONS: ReadonlyMap<string, string> = new Map([
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'it is self-signed'],
  ['SELF_SIGNED_CERT_IN_CHAIN', 'its chain ends in a self-signed root this machine does not trust'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'it is signed by an unknown authority'],
  ['UNABLE_TO_GET_ISSUER_CERT', 'it is signed by an unknown authority'],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'it is signed by an unknown authority'],
  ['CERT_HAS_EXPIRED', 'it has expired'],
  ['CERT_NOT_YET_VALID', 'it is not valid yet'],
  ['CERT_REVOKED', 'it has been revoked'],
]);

/** What to do about a 407: put credentials in the proxy variable, or check the ones there. */
export function proxyAuthHint(proxy: ParsedProxy): string {
  return proxy.username === undefined
    ? `the proxy wants credentials: set ${proxy.from} to ${proxy.scheme}://USER:PASSWORD@${proxy.display.replace(/^\w+:\/\//, '')} (the go command reads them there too; gobundle never prints them)`
    : `the proxy refused the user name and password given in ${proxy.from}: check them (gobundle never prints them)`;
}

/** `http://proxy:3128 (from HTTPS_PROXY)` */
export function describeProxy(p: ParsedProxy): string {
  return `${p.display} (from ${p.from})`;
}

const TLS_TRUST_HINT =
  'if this network inspects TLS (a company proxy that re-signs connections), put its root certificate in a PEM file and set SSL_CERT_FILE to it ' +
  '(the go command reads SSL_CERT_FILE too); otherwise something between this machine and the server is intercepting the connection';

function certReason(cert: CertificateInfo | undefined, code: string): string {
  const words = CERT_REASONS.get(code) ?? code.toLowerCase().replace(/_/g, ' ');
  if (cert === undefined) return words;
  return code === 'CERT_HAS_EXPIRED' && cert.validTo !== '' ? `it expired at ${cert.validTo}` : words;
}

/** The words for a connection that could not be made. */
function connectWords(f: ConnectFailure, host: string, timeouts: { connectTimeoutMs: number }): FailureWords {
  const proxy = f.proxy;
  const base =
    f.code === 'UND_ERR_CONNECT_TIMEOUT' ? `no connection within ${timeouts.connectTimeoutMs}ms` : (REASONS.get(f.code) ?? f.message);
  if (f.against === 'proxy' && proxy !== undefined) {
    if (f.phase === 'proxy' && f.status !== undefined) {
      const statusLine = `${f.status}${f.statusText === undefined || f.statusText === '' ? '' : ` ${f.statusText}`}`;
      const detail = f.detail === undefined ? '' : `\n\tproxy response: ${f.detail}`;
      if (f.status === 407) {
        return {
          Kind: ProxyAuthError,
          reason: `the outbound proxy ${describeProxy(proxy)} answered CONNECT ${host} with ${statusLine}${detail}`,
          hint: proxyAuthHint(proxy),
        };
      }
      return {
        Kind: ProxyRefusedError,
        reason: `the outbound proxy ${describeProxy(proxy)} refused CONNECT ${host}: ${statusLine}${detail}`,
        hint:
          f.status >= 500
            ? `the proxy could not reach ${host} itself: check the host name, or ask the proxy's operators whether it may connect there`
            : `the proxy does not allow ${host}: ask its operators to allow it, or list the host in NO_PROXY if this machine can reach it directly`,
      };
    }
    if (f.code === 'EPROXYSCHEME') {
      return {
        Kind: ProxyUnreachableError,
        reason: `the outbound proxy ${describeProxy(proxy)} is a SOCKS5 proxy, which gobundle does not speak`,
        hint: `use an HTTP proxy in ${proxy.from}, or list the host in NO_PROXY if this machine can reach it directly`,
      };
    }
    if (f.phase === 'tls') {
      return {
        Kind: TlsError,
        reason: `TLS to the outbound proxy ${describeProxy(proxy)}: ${f.certificate === undefined ? base : certReason(f.certificate, f.code)}`,
        hint: TLS_TRUST_HINT,
      };
    }
    return {
      Kind: ProxyUnreachableError,
      reason: `cannot reach the outbound proxy ${describeProxy(proxy)}: ${f.phase === 'dns' ? `${proxy.host}: ${base}` : base}`,
      hint:
        `gobundle sends this request through ${proxy.display} because ${proxy.from} is set, as the go command would; ` +
        `check that the proxy runs and this machine can reach it, or unset ${proxy.from} (or list the host in NO_PROXY) if this machine connects directly`,
    };
  }
  if (f.phase === 'tls') {
    const cert = f.certificate;
    if (cert !== undefined && f.code === 'CERT_HOSTNAME') {
      return {
        Kind: TlsError,
        reason: `TLS: the certificate presented for ${host} is for ${cert.subject || 'another host'} (issued by ${cert.issuer || 'unknown'}), not for this host name`,
        hint: 'use the host name the server has a certificate for; a proxy or load balancer on the way may be presenting its own certificate',
      };
    }
    if (cert !== undefined) {
      return {
        Kind: TlsError,
        reason: `TLS: the certificate of ${host} (${cert.subject || 'no subject'}, issued by ${cert.issuer || 'unknown'}) is not trusted: ${certReason(cert, f.code)}`,
        hint: TLS_TRUST_HINT,
      };
    }
    return {
      Kind: TlsError,
      reason: `TLS handshake with ${host} failed: ${base}`,
      hint: 'check that the URL really is https and the server speaks TLS on that port',
    };
  }
  return { Kind: NetworkError, reason: base };
}

/** What went wrong on the wire, in words: for a failure to get (or finish reading) an answer. */
export function failureWords(
  err: unknown,
  host: string,
  timeouts: { headersTimeoutMs: number; bodyTimeoutMs: number; connectTimeoutMs: number },
): FailureWords {
  if (err instanceof ConnectFailure) return connectWords(err, host, timeouts);
  const code = errorCode(err) ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return { Kind: NetworkError, reason: `no response headers within ${timeouts.headersTimeoutMs}ms` };
  if (code === 'UND_ERR_BODY_TIMEOUT') return { Kind: NetworkError, reason: `response body stalled for ${timeouts.bodyTimeoutMs}ms` };
  return { Kind: NetworkError, reason: REASONS.get(code) ?? (err instanceof Error ? err.message : String(err)) };
}

/** A short name for a failed attempt, for the per-server counts: `dns`, `refused`, `timeout`, `tls`, `proxy`, `502`, … */
export function failureKind(err: unknown): string {
  if (typeof err === 'number') return String(err);
  if (err instanceof ProxyAuthError || err instanceof ProxyRefusedError || err instanceof ProxyUnreachableError) return 'proxy';
  if (err instanceof TlsError) return 'tls';
  if (err instanceof NetworkError && err.status === undefined && err.cause !== undefined) return failureKind(err.cause);
  if (err instanceof ConnectFailure) {
    if (err.phase === 'tls') return 'tls';
    if (err.against === 'proxy') return 'proxy';
  }
  if (err instanceof NetworkError && err.status !== undefined) return String(err.status);
  const code = errorCode(err) ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_CLOSED'].includes(code)) return 'reset';
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'truncated';
  if (['UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].includes(code)) return 'timeout';
  return 'other';
}
