/**
 * `/sumdb/<name>/…`: the checksum-database replay. serve hands every such
 * request to a SumdbHandler; the default answers through the sumdb
 * package's SumdbReplay (supported, latest, lookups by canonical escaped
 * name, tiles with partial tiles cut from full ones) from the index's
 * SumdbView: one tree head per database, lookups rebuilt around it, and
 * only the tiles verified to prove them (sumdbMerge.ts). Anything else —
 * another database, /tile/8/data/, a tile no proof reads — is 404.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SumdbReplay } from '../sumdb/replay.js';
import { sendBody } from './sendFile.js';
import type { ModuleIndex } from '../bundleset/moduleIndex.js';
import type { SmallFileCache } from './smallFileCache.js';

export interface SumdbHandler {
  /** Answer `/sumdb/<db>/<rest>` (rest is already checked: no traversal) and resolve to the body bytes sent; undefined means "not here" and serve answers 404. */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    db: string,
    rest: string,
    index: ModuleIndex,
    cache: SmallFileCache,
    out: { bytes: number },
  ): Promise<number | undefined>;
}

/** Lookups and the tree head change when a bundle with a newer tree is added; tiles never do. */
const SHORT_CACHE = 'public, max-age=60';
const IMMUTABLE = 'public, max-age=31536000, immutable';

export class ReplaySumdbHandler implements SumdbHandler {
  /** ETags of the stored bodies (lookups, latest, whole tiles), computed once per body instead of per request. */
  private readonly etags = new WeakMap<Buffer, string>();

  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    db: string,
    rest: string,
    index: ModuleIndex,
    cache: SmallFileCache,
    out: { bytes: number },
  ): Promise<number | undefined> {
    const view = index.sumdb.get(db);
    if (view === undefined) return undefined;
    const replay = new SumdbReplay(db, async (name) => {
      const small = view.small.get(name);
      if (small !== undefined) return small;
      const f = view.tiles.get(name);
      return f === undefined ? undefined : cache.get(f.file, f.size);
    });
    const body = await replay.answer(rest);
    if (body === undefined) return undefined;
    const isTile = rest.startsWith('tile/');
    let etag = this.etags.get(body);
    if (etag === undefined) {
      etag = `"${createHash('sha256').update(body).digest('hex')}"`;
      // (A partial tile is a fresh view of its full tile on each request, so it is hashed each time.)
      this.etags.set(body, etag);
    }
    const headers = {
      'Content-Type': isTile && !rest.startsWith('tile/8/data/') ? 'application/octet-stream' : 'text/plain; charset=utf-8',
      'Cache-Control': isTile ? IMMUTABLE : SHORT_CACHE,
    };
    const sent = sendBody(req, res, body, etag, headers, req.method === 'HEAD');
    if (sent > 0) out.bytes = sent;
    return sent;
  }
}
