/**
 * Small response bodies read whole without a stream: an undici dispatch
 * handler that collects one response into memory for the transport's
 * getBytes(). A pack asks for thousands of go.mod, .info and
 * checksum-database files; on a fast network request()'s body stream, its
 * abort signal and a pipe per response cost more CPU than the bytes.
 */
import { CappedBytes } from './cappedBody.js';
import { parseHeaders } from './undiciParts.js';

/** Response headers: lower-case names, repeated ones as arrays. */
export type Headers = Record<string, string | string[] | undefined>;

/** A response read whole into memory by getBytes(). */
export interface BufferedResponse {
  statusCode: number;
  statusText: string;
  headers: Headers;
  /** The body: all of it for a 200 (within the caller's limit), its first bytes otherwise (what an error message or a redirect needs). */
  data: Buffer;
  /** When the headers arrived (performance.now()). */
  answeredAt: number;
}

/** A header's value; the first, when it was sent more than once. */
export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Content-Length as a byte count, when the server sent a valid one. */
export function contentLengthOf(headers: Headers): number | undefined {
  const header = headerValue(headers['content-length']);
  const length = Number(header);
  return header !== undefined && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** Why a BufferingHandler dropped a connection after reading all it wanted of an error body. */
class EnoughRead extends Error {}

/**
 * An undici dispatch handler collecting one response into memory
 * (undici's handler interface: onConnect, onHeaders, onData, onComplete,
 * onError). A 200's body is capped (CappedBytes: Content-Length first,
 * then the bytes so far); another status's body is kept up to
 * `headLimit` bytes and the connection dropped past them. Settles exactly
 * once; a failure aborts the request, so its connection is not reused.
 */
export class BufferingHandler {
  #abort: ((err?: Error) => void) | undefined;
  #status = 0;
  #statusText = '';
  #headers: Headers = {};
  #answeredAt = 0;
  /** A 200's body. */
  #body: CappedBytes | undefined;
  /** Another status's first bytes. */
  #head: Buffer[] = [];
  #headSize = 0;
  #settled = false;

  constructor(
    readonly limit: number,
    /** How much of a body other than a 200's is kept. */
    readonly headLimit: number,
    readonly tooLarge: (contentLength: number | undefined) => Error,
    readonly resolve: (res: BufferedResponse) => void,
    readonly reject: (err: unknown) => void,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx: the answer is still to come
    this.#status = statusCode;
    this.#statusText = statusText;
    this.#headers = parseHeaders(rawHeaders);
    this.#answeredAt = performance.now();
    if (statusCode !== 200) return true;
    const length = contentLengthOf(this.#headers);
    try {
      this.#body = new CappedBytes(this.limit, length, () => this.tooLarge(length));
    } catch (err) {
      this.#fail(err as Error);
      return false;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#settled) return false;
    if (this.#body !== undefined) {
      try {
        this.#body.add(chunk);
      } catch (err) {
        this.#fail(err as Error);
        return false;
      }
      return true;
    }
    const room = this.headLimit - this.#headSize;
    this.#headSize += chunk.length;
    if (chunk.length <= room) {
      this.#head.push(chunk);
      return true;
    }
    this.#head.push(chunk.subarray(0, room));
    this.#finish();
    this.#abort?.(new EnoughRead());
    return false;
  }

  onComplete(): void {
    this.#finish();
  }

  onError(err: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.reject(err);
  }

  onUpgrade(): void {
    this.onError(new Error('unexpected protocol upgrade'));
  }

  #finish(): void {
    if (this.#settled) return;
    this.#settled = true;
    const data = this.#body?.bytes() ?? Buffer.concat(this.#head);
    this.resolve({ statusCode: this.#status, statusText: this.#statusText, headers: this.#headers, data, answeredAt: this.#answeredAt });
  }

  #fail(err: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.reject(err);
    this.#abort?.(err);
  }
}
