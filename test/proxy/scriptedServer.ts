/**
 * A real HTTP server on 127.0.0.1:0 whose answers tests script per path:
 * a list of handlers used in turn (the last one repeats), so "two 503s then
 * the file" is `route(p, status(503), status(503), ok(body))`. Unscripted
 * paths get a text/plain 404. Every request path is recorded, raw.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ScriptedServer {
  /** Base URL, e.g. http://127.0.0.1:43123 */
  url: string;
  /** Raw request targets (req.url) in arrival order. */
  requests: string[];
  /** Most requests seen in flight at once. */
  maxInFlight(): number;
  /** Script the answers for a raw request target. */
  route(path: string, ...handlers: Handler[]): void;
  close(): Promise<void>;
}

export async function startServer(): Promise<ScriptedServer> {
  const routes = new Map<string, Handler[]>();
  const requests: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    const target = req.url ?? '';
    requests.push(target);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const handlers = routes.get(target);
    const handler = handlers === undefined ? undefined : handlers.length > 1 ? handlers.shift() : handlers[0];
    (handler ?? status(404, `not found: ${target}`))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    route(path, ...handlers) {
      routes.set(path, handlers);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** 200 with the body (and Content-Length unless `chunked`). */
export function ok(body: string | Buffer, options: { chunked?: boolean; delayMs?: number } = {}): Handler {
  return (_req, res) => {
    const send = (): void => {
      if (options.chunked !== true) res.setHeader('content-length', Buffer.byteLength(body));
      res.writeHead(200);
      res.end(body);
    };
    if (options.delayMs === undefined) send();
    else setTimeout(send, options.delayMs);
  };
}

/** A non-200 status with a body (text/plain by default). */
export function status(
  code: number,
  body = '',
  headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' },
): Handler {
  return (_req, res) => {
    res.writeHead(code, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}

/** Promise `length` bytes, send `sent` of them, then reset the connection. */
export function resetMidBody(length: number, sent: number): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-length': length });
    res.write(Buffer.alloc(sent, 0x61), () => setTimeout(() => res.socket?.destroy(), 20));
  };
}

/** Accept the request and never answer. */
export function hang(): Handler {
  return () => undefined;
}

/** Send headers and `sent` bytes of a longer body, then go silent. */
export function stallBody(length: number, sent: number): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-length': length });
    res.write(Buffer.alloc(sent, 0x61));
  };
}
