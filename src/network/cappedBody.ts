/**
 * Reading a response body with a size cap: the one rule proxy files,
 * checksum-database answers and vulnerability-database files are read by.
 * CappedBytes holds it; readCapped applies it to a stream, and the
 * transport's getBytes to the chunks undici hands its handler.
 *
 * The cap is checked against Content-Length before anything is read and
 * again as bytes arrive (cmd/go reads limit + 1 and refuses what is over),
 * so a lying or missing Content-Length cannot fill memory or disk. A body
 * that is abandoned is destroyed with an error listener attached: an undici
 * body emits an abort error when destroyed, and an unheard 'error' event
 * crashes the process.
 */
import { Transform, type Readable } from 'node:stream';

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
 * A pass-through stream that fails with `tooLarge()` once more than `limit`
 * bytes went through it: for bodies streamed to disk (module zips). Reports
 * the bytes passed in `size()`.
 */
export function capStream(limit: number, tooLarge: () => Error): Transform & { size(): number } {
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) callback(tooLarge());
      else callback(null, chunk);
    },
  });
  return Object.assign(cap, { size: () => size });
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
