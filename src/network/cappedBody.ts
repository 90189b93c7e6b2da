/**
 * Reading a response body with a size cap: the one rule proxy files,
 * checksum-database answers and vulnerability-database files are read by.
 * CappedBytes holds it for bodies read into memory: readCapped applies it
 * to a stream, the transport's getBytes to the chunks undici hands its
 * handler. writeCapped streams a body to disk under the same cap.
 *
 * The cap is checked against Content-Length before anything is read and
 * again as bytes arrive (cmd/go reads limit + 1 and refuses what is over),
 * so a lying or missing Content-Length cannot fill memory or disk. A body
 * that is abandoned is destroyed with an error listener attached: an undici
 * body emits an abort error when destroyed, and an unheard 'error' event
 * crashes the process.
 */
import { finished, type Readable, type Writable } from 'node:stream';

/** Abandon a body that will not be read (the connection is dropped, not reused). */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** A body's bytes collected in memory up to `limit`; past it, the body is too large. */
export class CappedBytes {
  readonly #chunks: Buffer[] = [];
  #size = 0;

  /** Throws `tooLarge()` when a declared length (Content-Length, a file's size) is already over `limit`. */
  constructor(
    readonly limit: number,
    contentLength: number | undefined,
    readonly tooLarge: () => Error,
  ) {
    if (contentLength !== undefined && contentLength > limit) throw tooLarge();
  }

  /** Keep a chunk; throws `tooLarge()` once the bytes so far exceed the limit. */
  add(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > this.limit) throw this.tooLarge();
    this.#chunks.push(chunk);
  }

  /** All the bytes, in one buffer of their own. */
  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }
}

/**
 * Read a whole body into memory, failing with `tooLarge()` as soon as it is
 * known to exceed `limit` bytes. `contentLength` is the response's
 * Content-Length (or a file's size), when known.
 */
export async function readCapped(body: Readable, limit: number, contentLength: number | undefined, tooLarge: () => Error): Promise<Buffer> {
  try {
    const capped = new CappedBytes(limit, contentLength, tooLarge);
    for await (const chunk of body as AsyncIterable<Buffer>) capped.add(chunk);
    return capped.bytes();
  } catch (err) {
    discard(body);
    throw err;
  }
}

/**
 * Write a body into `sink`, failing with `tooLarge()` once more than
 * `limit` bytes arrived: for bodies streamed to disk (module zips).
 * Resolves with the byte count once the sink has finished and closed. On
 * any failure (the body's, the sink's or the cap's) both are destroyed, as
 * stream.pipeline would, without the AbortController and AbortError
 * pipeline makes per call, which at thousands of small zips is a visible
 * part of a pack's CPU.
 */
export function writeCapped(body: Readable, sink: Writable, limit: number, tooLarge: () => Error): Promise<number> {
  return new Promise((resolve, reject) => {
    let size = 0;
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      discard(body);
      sink.on('error', () => undefined);
      sink.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) fail(tooLarge());
      else if (!sink.write(chunk)) body.pause();
    };
    sink.on('drain', () => body.resume());
    body.on('data', onData);
    body.on('error', fail);
    body.on('end', () => sink.end());
    body.on('close', () => {
      if (!body.readableEnded) fail(Object.assign(new Error('premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
    finished(sink, (err) => {
      if (err !== undefined && err !== null) fail(err);
      else if (!settled) {
        settled = true;
        resolve(size);
      }
    });
  });
}

/**
 * The first `limit` bytes of a body, the rest left unread (the caller
 * dumps or destroys it): for go-import pages, error details and doctor's
 * probes, where more is never needed and less is no error.
 */
export async function readPrefix(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}
