/**
 * The hot path of serve: a plain GET of a versioned file whose bytes are
 * already in memory, answered synchronously with header lists built once
 * per file. This is what the go command sends hundreds of, one after the
 * other, while it loads a module graph; the general path (sendFile.ts)
 * answers everything else the same way, only with more work per request.
 *
 * Under load (bench/serve: wrk on a .info) the kernel's loopback send is
 * most of the cost, so what is left to save here is allocation and
 * promise hops, not syscalls (one read and one writev per request).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServedFile } from '../bundleset/moduleIndex.js';
import type { SmallFileCache } from './smallFileCache.js';

export type VersionedKind = 'info' | 'mod' | 'zip';

/** Answers 200 with a versioned file's bytes from memory, or says it cannot. */
export class CachedAnswer {
  /** Response headers per served file, as the flat list writeHead takes. */
  private readonly headers = new WeakMap<ServedFile, string[]>();

  constructor(
    private readonly cache: SmallFileCache,
    private readonly contentTypes: ReadonlyMap<string, string>,
    private readonly cacheControl: string,
  ) {}

  /**
   * Send `f` if nothing but its bytes is asked for (GET, no conditional or
   * range headers) and they are in memory with the size the index
   * promises; returns the body length sent, or undefined without touching
   * `res` (the caller takes the general path).
   */
  trySend(req: IncomingMessage, res: ServerResponse, f: ServedFile, kind: VersionedKind): number | undefined {
    if (req.method !== 'GET' || f.size === 0) return undefined;
    const h = req.headers;
    if (h['if-none-match'] !== undefined || h.range !== undefined) return undefined;
    const body = this.cache.peek(f.file);
    // A different length means the verified tree changed under us: sendFile refuses that with a 500.
    if (body === undefined || body.length !== f.size) return undefined;
    let list = this.headers.get(f);
    if (list === undefined) {
      // The same headers, in the same order, as sendFile sends for a full 200.
      list = [
        'Content-Type',
        this.contentTypes.get(kind) as string,
        'ETag',
        `"${f.sha256}"`,
        'Cache-Control',
        this.cacheControl,
        'Accept-Ranges',
        'bytes',
        'Content-Length',
        String(f.size),
      ];
      this.headers.set(f, list);
    }
    res.writeHead(200, list);
    // Headers and body leave in one write.
    res.end(body);
    return f.size;
  }
}
