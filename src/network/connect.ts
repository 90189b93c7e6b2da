/**
 * Opening one connection to a server, as the go command's http.Transport
 * does: a DNS lookup, a TCP connection, through the outbound proxy when the
 * proxy rules say so (a CONNECT tunnel for https), then TLS with the
 * server's name. Each phase is timed (gobundle doctor shows them) and a
 * failure says which phase failed, against which host (the proxy or the
 * server), so the message can name the right one.
 *
 * TLS is verified here, not by Node's automatic check: the handshake runs
 * with the certificate unchecked, then the chain and the host name are
 * checked before a single byte is sent, so a failure can describe the
 * certificate the server (or a TLS-inspecting proxy) presented.
 */
import { lookup } from 'node:dns/promises';
import { isIP, Socket, connect as tcpConnect } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  type PeerCertificate as NodePeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import { firstTextLine } from './explanationLine.js';
import type { ParsedProxy } from './proxyEnv.js';

/** What a server's certificate says, for messages and doctor. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** Expiry, RFC 3339. */
  validTo: string;
  /** The chain verifies against the trusted roots. */
  trusted: boolean;
  /** Why it does not, in OpenSSL's code (e.g. DEPTH_ZERO_SELF_SIGNED_CERT). */
  untrustedReason?: string;
  /** The certificate names the host asked for. */
  hostMatches: boolean;
}

/** Milliseconds each phase took (absent: the phase did not happen), and what was learnt. */
export interface ConnectTrace {
  dnsMs?: number;
  tcpMs?: number;
  /** The CONNECT exchange with the outbound proxy. */
  proxyMs?: number;
  tlsMs?: number;
  /** The address connected to (the server's, or the proxy's). */
  address?: string;
  certificate?: CertificateInfo;
}

export type ConnectPhase = 'dns' | 'tcp' | 'proxy' | 'tls';

/**
 * A connection that could not be made. `code` is the system's or undici's
 * code (ECONNREFUSED, ENOTFOUND, UND_ERR_CONNECT_TIMEOUT, …) so retry
 * rules read it as they read any transport error; PROXY_STATUS for a
 * CONNECT the proxy refused, and OpenSSL's code or CERT_HOSTNAME for TLS.
 */
export class ConnectFailure extends Error {
  readonly code: string;
  readonly phase: ConnectPhase;
  /** Which host the failed phase was against: the outbound proxy or the server itself. */
  readonly against: 'proxy' | 'server';
  readonly proxy: ParsedProxy | undefined;
  /** The proxy's answer to CONNECT, when that is what failed. */
  readonly status: number | undefined;
  readonly statusText: string | undefined;
  /** The proxy's one-line explanation (text/plain), when it gave one. */
  readonly detail: string | undefined;
  readonly certificate: CertificateInfo | undefined;
  readonly trace: ConnectTrace;

  constructor(
    message: string,
    fields: {
      code: string;
      phase: ConnectPhase;
      against: 'proxy' | 'server';
      proxy?: ParsedProxy | undefined;
      status?: number;
      statusText?: string;
      detail?: string;
      certificate?: CertificateInfo;
      trace: ConnectTrace;
      cause?: unknown;
    },
  ) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'ConnectFailure';
    this.code = fields.code;
    this.phase = fields.phase;
    this.against = fields.against;
    this.proxy = fields.proxy;
    this.status = fields.status;
    this.statusText = fields.statusText;
    this.detail = fields.detail;
    this.certificate = fields.certificate;
    this.trace = fields.trace;
  }
}

export interface ConnectRequest {
  protocol: 'http:' | 'https:';
  /** Host name or IP address (no brackets). */
  hostname: string;
  port: number;
  /** The proxy to go through (from proxyFor), or undefined for a direct connection. */
  proxy: ParsedProxy | undefined;
  /**
   * The trusted roots, parsed once per run (networkSettings) and only when a
   * TLS handshake needs them; undefined: Node's built-in roots.
   */
  trustedRoots: () => SecureContext | undefined;
  /** Deadline for everything up to a usable connection. */
  timeoutMs: number;
  userAgent: string;
  /**
   * For an http request through an http proxy: connect to the proxy only
   * (the request then goes to it in absolute form, with no CONNECT).
   */
  proxyOnly?: boolean;
}

/** How much of a proxy's refusal is read for its explanation. */
const MAX_PROXY_DETAIL_BYTES = 8 * 81;
/** How long a refusing proxy gets to send its explanation. */
const PROXY_DETAIL_WAIT_MS = 500;

/** `Proxy-Authorization` for a proxy URL with user information, as Go sends it (even with an empty password). */
export function proxyAuthorization(proxy: ParsedProxy): string | undefined {
  if (proxy.username === undefined) return undefined;
  return `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}`;
}

function since(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

function codeOf(err: unknown): string {
  const c = (err as { code?: unknown } | undefined)?.code;
  return typeof c === 'string' ? c : 'ECONNECT';
}

function timedOut(): Error {
  return Object.assign(new Error('timed out connecting'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
}

/** `p`, or a timeout error once the deadline passes. */
function withDeadline<T>(p: Promise<T>, deadline: AbortSignal): Promise<T> {
  if (deadline.aborted) return Promise.reject(timedOut());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(timedOut());
    deadline.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        deadline.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        deadline.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Wait for `event` or an error or the deadline, whichever comes first. */
function once(socket: Socket, event: string, deadline: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off(event, onEvent);
      socket.off('error', onError);
      deadline.removeEventListener('abort', onAbort);
    };
    const onEvent = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onAbort = (): void => {
      cleanup();
      reject(timedOut());
    };
    if (deadline.aborted) return onAbort();
    socket.once(event, onEvent);
    socket.once('error', onError);
    deadline.addEventListener('abort', onAbort, { once: true });
  });
}

function describeName(x: NodePeerCertificate['subject'] | undefined): string {
  if (x === undefined) return '';
  const parts: string[] = [];
  for (const key of ['CN', 'O', 'OU'] as const) {
    const v = (x as unknown as Record<string, string | string[] | undefined>)[key];
    if (v !== undefined) parts.push(`${key}=${Array.isArray(v) ? v.join('+') : v}`);
  }
  return parts.join(', ');
}

function certificateInfo(socket: TLSSocket, hostname: string): CertificateInfo {
  const cert = socket.getPeerCertificate(false);
  const identity = cert === undefined || Object.keys(cert).length === 0 ? new Error('no certificate') : checkServerIdentity(hostname, cert);
  const validTo = cert?.valid_to === undefined ? '' : new Date(cert.valid_to).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const authError = socket.authorizationError as unknown as Error | string | null | undefined;
  return {
    subject: describeName(cert?.subject),
    issuer: describeName(cert?.issuer),
    validTo,
    trusted: socket.authorized,
    ...(socket.authorized ? {} : { untrustedReason: typeof authError === 'string' ? authError : (authError?.message ?? 'unknown') }),
    hostMatches: identity === undefined,
  };
}

/**
 * Read the proxy's answer to CONNECT: the status line and headers, and for
 * a refusal the first line of a text/plain body. Bytes after the header of
 * a 200 belong to the tunnel and are put back.
 */
function readConnectResponse(
  socket: Socket,
  deadline: AbortSignal,
): Promise<{ status: number; statusText: string; detail: string | undefined }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let head: { status: number; statusText: string; plain: boolean; bodyStart: number } | undefined;
    let detailTimer: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined, value?: { status: number; statusText: string; detail: string | undefined }): void => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      deadline.removeEventListener('abort', onAbort);
      if (detailTimer !== undefined) clearTimeout(detailTimer);
      if (err !== undefined) reject(err);
      else if (value !== undefined) resolve(value);
    };
    const detailOf = (): string | undefined =>
      head === undefined || !head.plain ? undefined : firstTextLine(buf.subarray(head.bodyStart, head.bodyStart + MAX_PROXY_DETAIL_BYTES));
    const settleRefusal = (): void => {
      if (head !== undefined) finish(undefined, { status: head.status, statusText: head.statusText, detail: detailOf() });
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      if (head === undefined) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > 64 * 1024) finish(Object.assign(new Error('malformed answer to CONNECT'), { code: 'EPROTO' }));
          return;
        }
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const m = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
        if (m === null) {
          finish(
            Object.assign(new Error(`malformed answer to CONNECT: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`), { code: 'EPROTO' }),
          );
          return;
        }
        const contentType = lines.find((l) => /^content-type:/i.test(l))?.replace(/^content-type:\s*/i, '') ?? '';
        const [mediaType = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
        const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length) ?? '';
        head = {
          status: Number(m[1]),
          statusText: m[2] ?? '',
          plain: mediaType === 'text/plain' && ['', 'utf-8', 'us-ascii'].includes(charset),
          bodyStart: end + 4,
        };
        if (head.status === 200) {
          const rest = buf.subarray(head.bodyStart);
          finish(undefined, { status: 200, statusText: head.statusText, detail: undefined });
          if (rest.length > 0) socket.unshift(rest);
          return;
        }
        detailTimer = setTimeout(settleRefusal, PROXY_DETAIL_WAIT_MS);
      }
      if (buf.length - head.bodyStart >= MAX_PROXY_DETAIL_BYTES || buf.includes('\n', head.bodyStart)) settleRefusal();
    };
    const onError = (err: Error): void => (head === undefined ? finish(err) : settleRefusal());
    const onEnd = (): void =>
      head === undefined
        ? finish(Object.assign(new Error('the proxy closed the connection during CONNECT'), { code: 'ECONNRESET' }))
        : settleRefusal();
    const onAbort = (): void => (head === undefined ? finish(timedOut()) : settleRefusal());
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
    deadline.addEventListener('abort', onAbort, { once: true });
  });
}

/** A TCP connection to host:port, after a DNS lookup unless host is an address. */
async function dialTcp(
  host: string,
  port: number,
  deadline: AbortSignal,
  trace: ConnectTrace,
  fail: (phase: ConnectPhase, err: unknown) => never,
): Promise<Socket> {
  let address = host;
  if (isIP(host) === 0) {
    const t0 = performance.now();
    try {
      const r = await withDeadline(lookup(host), deadline);
      address = r.address;
    } catch (err) {
      fail('dns', err);
    }
    trace.dnsMs = since(t0);
  }
  trace.address = address;
  const t0 = performance.now();
  const socket = tcpConnect({ host: address, port });
  try {
    await once(socket, 'connect', deadline);
  } catch (err) {
    socket.destroy();
    fail('tcp', err);
  }
  trace.tcpMs = since(t0);
  return socket;
}

/** TLS over `socket` (or to host:port), verified as described above. */
async function handshake(
  socket: Socket,
  servername: string,
  secureContext: SecureContext | undefined,
  deadline: AbortSignal,
  trace: ConnectTrace,
  fail: (phase: ConnectPhase, err: unknown, extra?: { certificate?: CertificateInfo }) => never,
): Promise<TLSSocket> {
  const t0 = performance.now();
  const tlsSocket = tlsConnect({
    socket,
    // An IP address is not a valid SNI name; Go sends none for one either.
    ...(isIP(servername) === 0 ? { servername } : {}),
    ALPNProtocols: ['http/1.1'],
    rejectUnauthorized: false,
    // The host name is checked below, against the name asked for (an IP address too): `authorized` is then the chain alone.
    checkServerIdentity: () => undefined,
    // One context for the run: parsing thousands of roots for every connection would stall the event loop.
    ...(secureContext === undefined ? {} : { secureContext }),
  });
  try {
    await once(tlsSocket, 'secureConnect', deadline);
  } catch (err) {
    tlsSocket.destroy();
    fail('tls', err);
  }
  trace.tlsMs = since(t0);
  const certificate = certificateInfo(tlsSocket, servername);
  trace.certificate = certificate;
  if (!certificate.trusted || !certificate.hostMatches) {
    tlsSocket.destroy();
    const code = certificate.trusted ? 'CERT_HOSTNAME' : (certificate.untrustedReason ?? 'CERT_UNTRUSTED');
    fail('tls', Object.assign(new Error(code), { code }), { certificate });
  }
  return tlsSocket;
}

/**
 * Open a connection ready for an HTTP/1.1 request: to the server (TLS for
 * https), through `req.proxy` when given (a CONNECT tunnel for https, or
 * just the proxy connection with `proxyOnly`). Resolves with the socket and
 * the trace; rejects with a ConnectFailure.
 */
export async function openConnection(req: ConnectRequest, trace: ConnectTrace = {}): Promise<Socket> {
  const deadline = AbortSignal.timeout(req.timeoutMs);
  const proxy = req.proxy;
  const failWith =
    (against: 'proxy' | 'server') =>
    (
      phase: ConnectPhase,
      err: unknown,
      extra: { certificate?: CertificateInfo; status?: number; statusText?: string; detail?: string } = {},
    ): never => {
      throw new ConnectFailure(err instanceof Error ? err.message : String(err), {
        code: codeOf(err),
        phase,
        against,
        proxy,
        trace,
        cause: err,
        ...extra,
      });
    };

  if (proxy === undefined) {
    const socket = await dialTcp(req.hostname, req.port, deadline, trace, failWith('server'));
    if (req.protocol === 'http:') return socket;
    return handshake(socket, req.hostname, req.trustedRoots(), deadline, trace, failWith('server'));
  }

  if (proxy.scheme === 'socks5') {
    failWith('proxy')('tcp', Object.assign(new Error('SOCKS5 proxies are not supported'), { code: 'EPROXYSCHEME' }));
  }
  let socket: Socket = await dialTcp(proxy.host, proxy.port, deadline, trace, failWith('proxy'));
  if (proxy.scheme === 'https') socket = await handshake(socket, proxy.host, req.trustedRoots(), deadline, trace, failWith('proxy'));
  if (req.proxyOnly === true) return socket;

  const t0 = performance.now();
  const authority = `${req.hostname.includes(':') ? `[${req.hostname}]` : req.hostname}:${req.port}`;
  const auth = proxyAuthorization(proxy);
  socket.write(
    `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: ${req.userAgent}\r\n` +
      `${auth === undefined ? '' : `Proxy-Authorization: ${auth}\r\n`}\r\n`,
  );
  let answer: { status: number; statusText: string; detail: string | undefined };
  try {
    answer = await readConnectResponse(socket, deadline);
  } catch (err) {
    socket.destroy();
    return failWith('proxy')('proxy', err);
  }
  trace.proxyMs = since(t0);
  if (answer.status !== 200) {
    socket.destroy();
    failWith('proxy')('proxy', Object.assign(new Error(`${answer.status} ${answer.statusText}`.trim()), { code: 'PROXY_STATUS' }), {
      status: answer.status,
      statusText: answer.statusText,
      ...(answer.detail === undefined ? {} : { detail: answer.detail }),
    });
  }
  if (req.protocol === 'http:') return socket;
  return handshake(socket, req.hostname, req.trustedRoots(), deadline, trace, failWith('server'));
}
