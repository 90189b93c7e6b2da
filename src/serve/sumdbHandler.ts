/**
 * `/sumdb/<name>/…`: the checksum-database replay seam. serve hands every
 * such request to a SumdbHandler. The default one answers from the
 * `sumdb/<name>/…` files the bundles carry (bundle format v1): exact names
 * first, and a partial tile `tile/8/L/N.p/W` cut from a stored full tile when
 * only that is present. A richer replay (src/sumdb/replay.ts) can be plugged
 * in through ServeAppOptions.sumdb.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ModuleIndex } from './moduleIndex.js';
import { sendFile } from './sendFile.js';
import type { SmallFileCache } from './smallFileCache.js';

export interface SumdbHandler {
  /** Answer `/sumdb/<db>/<rest>` (rest is already checked: no traversal) and resolve to the body bytes sent; undefined means "not here" and serve answers 404. */
  serve(req: IncomingMessage, res: ServerResponse, db: string, rest: string, index: ModuleIndex, cache: SmallFileCache): Promise<number | undefined>;
}

/** Hash tiles hold 32-byte hashes. */
const HASH_SIZE = 32;
const PARTIAL_TILE = /^(tile\/8\/(?:\d+|data)\/(?:x\d{3}\/)*\d{3})\.p\/(\d+)$/;
/** lookups and the tree head change when the log grows (another bundle); tiles never do. */
const SHORT_CACHE = 'public, max-age=60';
const IMMUTABLE = 'public, max-age=31536000, immutable';

export class StoredSumdbFiles implements SumdbHandler {
  async serve(req: IncomingMessage, res: ServerResponse, db: string, rest: string, index: ModuleIndex, cache: SmallFileCache): Promise<number | undefined> {
    const isTile = rest.startsWith('tile/');
    const contentType = isTile && !rest.startsWith('tile/8/data/') ? 'application/octet-stream' : 'text/plain; charset=utf-8';
    const cacheControl = isTile ? IMMUTABLE : SHORT_CACHE;
    const exact = index.files.get(`sumdb/${db}/${rest}`);
    if (exact !== undefined) {
      return sendFile(req, res, { ...exact, contentType, cacheControl }, cache);
    }
    const m = PARTIAL_TILE.exec(rest);
    if (m !== null && !rest.startsWith('tile/8/data/')) {
      const width = Number(m[2]);
      const full = index.files.get(`sumdb/${db}/${m[1]}`);
      if (full !== undefined && width >= 1 && width < 256 && full.size >= width * HASH_SIZE) {
        // A partial tile is a prefix of the full one; its ETag must differ from the full tile's.
        return sendFile(req, res, { ...full, size: width * HASH_SIZE, sha256: `${full.sha256}-p${width}`, contentType, cacheControl, truncated: true }, cache);
      }
    }
    return undefined;
  }
}
