/**
 * An in-memory transparency log for tests: the same records as
 * test/sumdb/vectors/main.go (recordText), stored in x/mod's dense order.
 */
import { createHash } from 'node:crypto';
import type { Hash, HashReader } from '../../../src/sumdb/tlog/hash.js';
import { storedHashes } from '../../../src/sumdb/tlog/storedHash.js';
import { readTileData, type Tile, type TileReader, tilePath } from '../../../src/sumdb/tlog/tile.js';

function b64sha(s: string): string {
  return createHash('sha256').update(s).digest('base64');
}

/** Mirrors recordText in vectors/main.go. */
export function recordText(i: number): string {
  const m = i % 97;
  return `example.com/m${m} v1.0.${i} h1:${b64sha(`z${i}`)}\nexample.com/m${m} v1.0.${i}/go.mod h1:${b64sha(`m${i}`)}\n`;
}

export class MemoryLog implements HashReader {
  readonly hashes: Hash[] = [];
  size = 0;

  async readHashes(indexes: readonly number[]): Promise<Hash[]> {
    return indexes.map((x) => {
      const h = this.hashes[x];
      if (h === undefined) throw new Error(`index ${x} out of range`);
      return h;
    });
  }

  async growTo(n: number, text: (i: number) => string = recordText): Promise<void> {
    for (; this.size < n; this.size++) this.hashes.push(...(await storedHashes(this.size, text(this.size), this)));
  }
}

/** A TileReader over a MemoryLog that records which tiles were asked for, and can corrupt some. */
export class LoggingTileReader implements TileReader {
  readonly height = 8;
  readonly asked: string[] = [];
  readonly saved: string[] = [];
  constructor(
    private readonly log: MemoryLog,
    private readonly corrupt: (path: string, data: Buffer) => Buffer = (_p, d) => d,
  ) {}

  async readTiles(tiles: readonly Tile[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const t of tiles) {
      this.asked.push(tilePath(t));
      out.push(this.corrupt(tilePath(t), await readTileData(t, this.log)));
    }
    return out;
  }

  saveTiles(tiles: readonly Tile[]): void {
    this.saved.push(...tiles.map(tilePath));
  }
}
