/**
 * A static Go vulnerability database for tests: serves a directory in the
 * v1 layout (test/fixtures/vulndb) over HTTP on 127.0.0.1:0, each `.json`
 * also as `.json.gz` (gzip'd on request), as vuln.go.dev serves both. It
 * records every request path and can be told to fail, so pack's errors can
 * be shown.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The fixture database. */
export const fixtureVulnDbDir = resolve(import.meta.dirname, '..', 'fixtures', 'vulndb');

export interface VulnDbServer {
  url: string;
  /** Request paths in arrival order. */
  requests: string[];
  /** Answer this status to every request whose path contains `match` (undefined: serve normally). */
  failWith(status: number | undefined, match?: string): void;
  stop(): Promise<void>;
}

export async function startVulnDbServer(dir: string = fixtureVulnDbDir): Promise<VulnDbServer> {
  const requests: string[] = [];
  let fail: { status: number; match: string } | undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    requests.push(path);
    const send = (status: number, body: Buffer | string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (fail !== undefined && path.includes(fail.match)) return send(fail.status, `injected ${fail.status}\n`);
    if (req.method !== 'GET' || path.includes('..') || !/^\/(index|ID)\/[A-Za-z0-9._-]+\.json(\.gz)?$/.test(path))
      return send(404, 'not found\n');
    const gz = path.endsWith('.gz');
    readFile(join(dir, gz ? path.slice(0, -3) : path)).then(
      (data) => send(200, gz ? gzipSync(data) : data, gz ? 'application/gzip' : 'application/json'),
      () => send(404, 'not found\n'),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failWith: (status, match = '/') => {
      fail = status === undefined ? undefined : { status, match };
    },
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
