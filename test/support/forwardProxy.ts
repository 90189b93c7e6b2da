/**
 * A real outbound HTTP proxy for tests, on 127.0.0.1:0, like a company's:
 * it forwards absolute-form requests (`GET http://host/path`), tunnels
 * CONNECT for https, and alone can resolve the names in its `hosts` table
 * (so a client that connects directly fails to find them, as a machine
 * whose DNS only works through the proxy would). Optionally it wants
 * credentials (407 with Proxy-Authenticate), refuses hosts on a deny list
 * (403 with a text/plain reason), and answers 502 for names it cannot
 * resolve. Every request is recorded, credentials reduced to whether they
 * were right.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxyLogEntry {
  method: string;
  /** The request target: `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
  /** 'none', 'ok' or 'wrong': what Proxy-Authorization held. */
  auth: 'none' | 'ok' | 'wrong';
  /** What the proxy answered (200 for a tunnel it opened). */
  status: number;
}

export interface ForwardProxy {
  /** http://127.0.0.1:port, for HTTPS_PROXY/HTTP_PROXY. */
  url: string;
  port: number;
  /** Names only the proxy resolves: `mirror.test` → { host: '127.0.0.1', port }. The port of the target URL is replaced by this one. */
  hosts: Map<string, { host: string; port: number }>;
  /** Host names the proxy refuses with 403. */
  deny: Set<string>;
  log: ProxyLogEntry[];
  close(): Promise<void>;
}

export interface ForwardProxyOptions {
  /** Require these credentials (Basic) on every request and CONNECT. */
  credentials?: { user: string; password: string };
  /** Connect to names outside `hosts` with the machine's resolver (the live check behind a proxy); tests leave it off. */
  resolveUnknown?: boolean;
}

function authState(header: string | undefined, want: ForwardProxyOptions['credentials']): ProxyLogEntry['auth'] {
  if (header === undefined) return 'none';
  if (want === undefined) return 'ok';
  return header === `Basic ${Buffer.from(`${want.user}:${want.password}`).toString('base64')}` ? 'ok' : 'wrong';
}

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const hosts = new Map<string, { host: string; port: number }>();
  const deny = new Set<string>();
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();

  /** Where the proxy connects for host:port, or a refusal. */
  const resolve = (host: string, port: number): { host: string; port: number } | { status: number; reason: string } => {
    if (deny.has(host)) return { status: 403, reason: `blocked by policy: ${host}` };
    const mapped = hosts.get(host);
    if (mapped !== undefined) return mapped;
    if (host === '127.0.0.1' || host === 'localhost') return { host: '127.0.0.1', port };
    if (options.resolveUnknown === true) return { host, port };
    return { status: 502, reason: `cannot resolve ${host}` };
  };
  const refuse = (res: ServerResponse | Socket, status: number, reason: string, extra: Record<string, string> = {}): void => {
    const text = `${reason}\n`;
    const head =
      `HTTP/1.1 ${status} ${status === 407 ? 'Proxy Authentication Required' : status === 403 ? 'Forbidden' : 'Bad Gateway'}\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n` +
      Object.entries(extra)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n';
    if ('writeHead' in res) {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
      res.end(text);
    } else {
      res.end(head + text);
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '';
    const auth = authState(req.headers['proxy-authorization'], options.credentials);
    const entry: ProxyLogEntry = { method: req.method ?? '', target, auth, status: 0 };
    log.push(entry);
    if (options.credentials !== undefined && auth !== 'ok') {
      entry.status = 407;
      return refuse(res, 407, 'proxy credentials required', { 'Proxy-Authenticate': 'Basic realm="test proxy"' });
    }
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      entry.status = 400;
      res.writeHead(400).end();
      return;
    }
    const where = resolve(url.hostname, Number(url.port) || 80);
    if ('status' in where) {
      entry.status = where.status;
      return refuse(res, where.status, where.reason);
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      { host: where.host, port: where.port, method: req.method, path: `${url.pathname}${url.search}`, headers },
      (up) => {
        entry.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (err) => {
      entry.status = 502;
      if (!res.headersSent) refuse(res, 502, `upstream: ${err.message}`);
      else res.destroy();
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const target = req.url ?? '';
    const auth = authState(req.headers['proxy-authorization'], options.credentials);
    const entry: ProxyLogEntry = { method: 'CONNECT', target, auth, status: 0 };
    log.push(entry);
    if (options.credentials !== undefined && auth !== 'ok') {
      entry.status = 407;
      return refuse(client, 407, 'proxy credentials required', { 'Proxy-Authenticate': 'Basic realm="test proxy"' });
    }
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon).replace(/^\[|\]$/g, '');
    const where = resolve(host, Number(target.slice(colon + 1)));
    if ('status' in where) {
      entry.status = where.status;
      return refuse(client, where.status, where.reason);
    }
    const upstream = connect(where.port, where.host, () => {
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('error', (err) => {
      if (entry.status === 0) {
        entry.status = 502;
        refuse(client, 502, `upstream: ${err.message}`);
      } else {
        client.destroy();
      }
    });
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hosts,
    deny,
    log,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
