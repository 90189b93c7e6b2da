/**
 * Answering with one verified file: headers from the index (Content-Length,
 * a strong ETag that is the file's sha256, Cache-Control), conditional GET,
 * a single byte Range, small files from memory and large ones streamed from
 * disk. If the file fails mid-body the socket is destroyed, so the client
 * sees a broken download instead of a short, "complete" one.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { SMALL_FILE_MAX_BYTES, type SmallFileCache } from './smallFileCache.js';

export interface FileToSend {
  file: string;
  size: number;
  sha256: string;
  contentType: string;
  cacheControl: string;
}

/** Read-ahead for streamed files: larger chunks mean fewer syscalls and writes per zip. */
const STREAM_CHUNK_BYTES = 256 << 10;

/** Send `f`; resolves to the body length promised when the body is handed to the socket (or the response is abandoned). */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  f: FileToSend,
  cache: SmallFileCache,
  /** Set to the body length before the response ends (the 'close' handler may run before this function's promise settles). */
  out: { bytes: number } = { bytes: 0 },
): Promise<number> {
  const etag = `"${f.sha256}"`;
  const headers: Record<string, string | number> = {
    'Content-Type': f.contentType,
    ETag: etag,
    'Cache-Control': f.cacheControl,
    'Accept-Ranges': 'bytes',
  };
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && etagMatches(inm, etag)) {
    res.writeHead(304, headers);
    res.end();
    return 0;
  }
  let start = 0;
  let end = f.size - 1;
  let status = 200;
  const range = req.headers.range;
  const ifRange = req.headers['if-range'];
  if (range !== undefined && f.size > 0 && (ifRange === undefined || ifRange === etag)) {
    const r = parseRange(range, f.size);
    if (r === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Range': `bytes */${f.size}`, ETag: etag });
      res.end('range not satisfiable\n');
      return 0;
    }
    if (r !== undefined) {
      [start, end] = r;
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${f.size}`;
    }
  }
  const length = f.size === 0 ? 0 : end - start + 1;
  headers['Content-Length'] = length;
  if (req.method === 'HEAD' || length === 0) {
    res.writeHead(status, headers);
    res.end();
    return 0;
  }
  if (f.size <= SMALL_FILE_MAX_BYTES) {
    let body: Buffer;
    try {
      body = cache.peek(f.file) ?? (await cache.get(f.file, f.size));
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`cannot read served file: ${(err as NodeJS.ErrnoException).code ?? 'error'}\n`);
      return 0;
    }
    if (body.length !== f.size) {
      // The verified tree changed under us: refuse rather than serve other bytes.
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('served file changed on disk since it was verified\n');
      return 0;
    }
    res.writeHead(status, headers);
    out.bytes = length;
    res.end(status === 206 ? body.subarray(start, end + 1) : body);
    return length;
  }
  res.writeHead(status, headers);
  out.bytes = length;
  try {
    let sent = 0;
    await pipeline(
      createReadStream(f.file, { start, end, highWaterMark: STREAM_CHUNK_BYTES }),
      async function* (src: AsyncIterable<Buffer>) {
        for await (const chunk of src) {
          sent += chunk.length;
          yield chunk;
        }
        // A file that shrank on disk would leave the client waiting for bytes that never come.
        if (sent !== length) throw new Error(`served file ended after ${sent} of ${length} bytes`);
      },
      res,
    );
  } catch {
    // Headers (and maybe part of the body) are out: the only honest signal left is a broken connection.
    res.destroy();
  }
  return length;
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** A single `bytes=` range (multiple ranges are answered with the whole file, which RFC 9110 allows). */
export function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return undefined;
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(a);
  if (start >= size) return 'unsatisfiable';
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (end < start) return undefined;
  return [start, end];
}

/**
 * Answer an in-memory body: 304 when the client's If-None-Match is `etag`,
 * else 200 with Content-Length (and no body for HEAD). Returns the body
 * bytes sent.
 */
export function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  etag: string,
  headers: Record<string, string>,
  head: boolean,
): number {
  const all = { ...headers, 'Content-Length': body.length, ETag: etag };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, all);
    res.end();
    return 0;
  }
  res.writeHead(200, all);
  res.end(head ? undefined : body);
  return head ? 0 : body.length;
}

/** A one-line text/plain answer (the go command shows up to 8 lines of a text/plain error body); returns the body bytes sent. */
export function sendText(res: ServerResponse, status: number, line: string, extra: Record<string, string> = {}, head = false): number {
  const body = `${line.replace(/[\r\n]+/g, ' ')}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(head ? undefined : body);
  return head ? 0 : Buffer.byteLength(body);
}
