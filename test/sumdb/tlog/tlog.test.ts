import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { emptyHash, formatHash, nodeHash, parseHash, recordHash } from '../../../src/sumdb/tlog/hash.js';
import { checkRecord, checkTree, proveRecord, proveTree } from '../../../src/sumdb/tlog/proof.js';
import { splitStoredHashIndex, storedHashCount, storedHashIndex, treeHash } from '../../../src/sumdb/tlog/storedHash.js';
import {
  hashFromTile,
  newTiles,
  parseTilePath,
  readTileData,
  tileHash,
  TileHashes,
  tileForIndex,
  tileHashReader,
  tilePath,
  tilesToRead,
} from '../../../src/sumdb/tlog/tile.js';
import { formatRecord, formatTree, parseRecord, parseTree } from '../../../src/sumdb/tlog/treeNote.js';
import { goVectors } from '../goVectors.js';
import { LoggingTileReader, MemoryLog, recordText } from './memoryLog.js';

const vectors = goVectors();
const log = new MemoryLog();
const maxN = Math.max(...vectors.logs.map((l) => l.n));

beforeAll(async () => {
  await log.growTo(maxN);
}, 120_000);

const b = (s: string): Buffer => Buffer.from(s, 'base64');

describe('hashing', () => {
  test('RFC 6962 empty, leaf and node hashes', () => {
    expect(emptyHash().toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // RFC 6962 test vector: leaf hash of the empty record.
    expect(recordHash('').toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    const l = recordHash('a');
    const r = recordHash('b');
    const want = createHash('sha256')
      .update(Buffer.from([1]))
      .update(l)
      .update(r)
      .digest();
    expect(nodeHash(l, r).equals(want)).toBe(true);
  });

  test('parseHash', () => {
    const h = recordHash('x');
    expect(parseHash(formatHash(h)).equals(h)).toBe(true);
    expect(() => parseHash('AAAA')).toThrow('malformed hash');
  });
});

describe('stored hash indexes (x/mod StoredHashIndex)', () => {
  test.each(vectors.indexes)('storedHashIndex($level, $n) = $index', ({ level, n, index }) => {
    expect(storedHashIndex(level, n)).toBe(index);
    expect(splitStoredHashIndex(index)).toEqual([level, n]);
  });

  test('split inverts index for every stored hash of a small log', () => {
    for (let level = 0; level < 10; level++) {
      for (let n = 0; n < 300; n++) {
        const x = storedHashIndex(level, n);
        expect(splitStoredHashIndex(x), `split(${x})`).toEqual([level, n]);
      }
    }
  });
});

describe.each(vectors.logs.map((l) => [l.n, l] as const))('log of %i records', (n, lv) => {
  test('stored hashes and tree hash', async () => {
    expect(storedHashCount(n)).toBe(lv.storedHashCount);
    const all = Buffer.concat(log.hashes.slice(0, lv.storedHashCount));
    expect(createHash('sha256').update(all).digest('hex')).toBe(lv.storedHashesSha256);
    expect(log.hashes.slice(0, lv.firstStored.length).map(formatHash)).toEqual(lv.firstStored);
    const th = await treeHash(n, log);
    expect(formatHash(th)).toBe(lv.treeHash);
    expect(formatTree({ n, hash: th })).toBe(lv.treeText);
    const parsed = parseTree(lv.treeText);
    expect(parsed.n).toBe(n);
    expect(parsed.hash.equals(th)).toBe(true);
  });

  test('tiles (NewTiles, ReadTileData, paths)', async () => {
    const tiles = newTiles(8, 0, n);
    expect(tiles.map(tilePath)).toEqual(lv.tiles.map((t) => t.path));
    for (const [i, t] of tiles.entries()) {
      const data = await readTileData(t, log);
      const want = lv.tiles[i]!;
      expect(createHash('sha256').update(data).digest('hex'), tilePath(t)).toBe(want.dataSha256);
      if (want.dataBase64 !== undefined) expect(data.toString('base64')).toBe(want.dataBase64);
      expect(parseTilePath(tilePath(t))).toEqual(t);
    }
    for (const [index, path] of lv.tileForIndex) expect(tilePath(tileForIndex(8, Number(index)))).toBe(path);
  });

  test('tileHashReader asks for the tiles x/mod asks for and returns its hashes', async () => {
    const tree = { n, hash: b(lv.treeHash) };
    for (const r of lv.reads) {
      const tr = new LoggingTileReader(log);
      const hashes = await tileHashReader(tree, tr).readHashes(r.indexes);
      expect(tr.asked, `tiles for ${r.indexes}`).toEqual(r.tiles);
      expect(tilesToRead(n, r.indexes).tiles.map(tilePath)).toEqual(r.tiles);
      expect(hashes.map(formatHash)).toEqual(r.hashes);
      expect(tr.saved).toEqual(r.tiles);
    }
  });

  test('tileHashReader refuses a tile with one flipped byte', async () => {
    const tree = { n, hash: b(lv.treeHash) };
    for (const r of lv.reads) {
      for (const victim of r.tiles) {
        const tr = new LoggingTileReader(log, (p, d) => {
          if (p !== victim) return d;
          const c = Buffer.from(d);
          c[c.length - 1] = c[c.length - 1]! ^ 0x80;
          return c;
        });
        let err: unknown;
        try {
          const got = await tileHashReader(tree, tr).readHashes(r.indexes);
          // A flipped byte in a hash nobody folds or reads is harmless only if
          // the answer is still right; it must never change an answer.
          expect(got.map(formatHash)).toEqual(r.hashes);
        } catch (e) {
          err = e;
        }
        if (err !== undefined) {
          expect(String(err)).toContain('downloaded inconsistent tile');
          expect(tr.saved).toEqual([]);
        }
      }
    }
  });

  test('tileHashReader refuses the wrong tree hash and short tiles', async () => {
    const wrong = { n, hash: recordHash('not the root') };
    const r = lv.reads[0]!;
    await expect(tileHashReader(wrong, new LoggingTileReader(log)).readHashes(r.indexes)).rejects.toThrow('downloaded inconsistent tile');
    const short = new LoggingTileReader(log, (_p, d) => d.subarray(0, d.length - 32));
    await expect(tileHashReader({ n, hash: b(lv.treeHash) }, short).readHashes(r.indexes)).rejects.toThrow(
      'TileReader returned bad result slice',
    );
    await expect(
      tileHashReader({ n, hash: b(lv.treeHash) }, new LoggingTileReader(log)).readHashes([storedHashIndex(0, n)]),
    ).rejects.toThrow('indexes not in tree');
  });

  test('record proofs match x/mod and check', async () => {
    const tree = { n, hash: b(lv.treeHash) };
    for (const p of lv.recordProofs) {
      const tr = new LoggingTileReader(log);
      const proof = await proveRecord(p.t, p.n, tileHashReader(tree, tr));
      expect(proof.map(formatHash), `proveRecord(${p.t}, ${p.n})`).toEqual(p.proof ?? []);
      expect(tr.asked).toEqual(p.proveTiles ?? []);
      expect(recordHash(recordText(p.n)).toString('base64')).toBe(p.hash);
      checkRecord(
        proof.map((x) => x),
        p.t,
        b(p.treeHash),
        p.n,
        b(p.hash),
      );
      expect(() => checkRecord(proof, p.t, b(p.treeHash), p.n, recordHash('other'))).toThrow('invalid transparency proof');
      if (proof.length > 0) {
        const bad = proof.map((x) => Buffer.from(x));
        bad[0]![0] = bad[0]![0]! ^ 1;
        expect(() => checkRecord(bad, p.t, b(p.treeHash), p.n, b(p.hash))).toThrow('invalid transparency proof');
        expect(() => checkRecord(proof.slice(1), p.t, b(p.treeHash), p.n, b(p.hash))).toThrow('invalid transparency proof');
      }
      if (p.n + 1 < p.t) {
        expect(() => checkRecord(proof, p.t, b(p.treeHash), p.n + 1, b(p.hash))).toThrow();
      }
    }
  });

  test('tree proofs match x/mod and check', async () => {
    const tree = { n, hash: b(lv.treeHash) };
    for (const p of lv.treeProofs) {
      const tr = new LoggingTileReader(log);
      const proof = await proveTree(p.t, p.n, tileHashReader(tree, tr));
      expect(proof.map(formatHash), `proveTree(${p.t}, ${p.n})`).toEqual(p.proof ?? []);
      expect(tr.asked).toEqual(p.proveTiles ?? []);
      checkTree(proof, p.t, b(p.treeHash), p.n, b(p.hash));
      if (p.t !== p.n) {
        expect(() => checkTree(proof, p.t, b(p.treeHash), p.n, recordHash('other'))).toThrow('invalid transparency proof');
        expect(() => checkTree(proof, p.t, recordHash('other'), p.n, b(p.hash))).toThrow('invalid transparency proof');
      }
    }
  });
});

describe('tile paths', () => {
  test.each(vectors.tilePaths)('tilePath = %s', (path, hlnw) => {
    const [h, l, n, w] = hlnw.split(' ').map(Number);
    expect(tilePath({ h: h!, l: l!, n: n!, w: w! })).toBe(path);
    expect(parseTilePath(path)).toEqual({ h, l, n, w });
  });

  test.each([
    'tile/8/0/1',
    'tile/8/0/001.p/256',
    'tile/8/0/001.p/0',
    'tile/8/0/1234',
    'tile/8/0/x1/234',
    'tile/8/-1/001',
    'tile/31/0/001',
    'tile/8/0',
    'tiles/8/0/001',
    'tile/8/0/001.p/05',
    'tile/8/0/x000/001',
    'tile/8/0/001/',
  ])('parseTilePath(%j) fails', (path) => {
    expect(() => parseTilePath(path)).toThrow(`malformed tile path ${JSON.stringify(path)}`);
  });

  test('tilesToRead asks for what x/mod TileHashReader reads for N = 70014, id = 1000', () => {
    const { tiles } = tilesToRead(70014, [storedHashIndex(0, 1000)]);
    expect(tiles.map(tilePath)).toEqual([
      'tile/8/2/000.p/1',
      'tile/8/1/001.p/17',
      'tile/8/0/273.p/126',
      // The set from the digest; x/mod adds a path top-down, so 1/000 comes first.
      'tile/8/1/000',
      'tile/8/0/003',
    ]);
  });

  test('TileHashes gives hashFromTile and tileHash for every stored hash of full and partial tiles, asked twice', async () => {
    const hashes = new TileHashes();
    for (const path of ['tile/8/0/000', 'tile/8/0/001.p/37', 'tile/8/1/000.p/3']) {
      const t = parseTilePath(path);
      const data = await readTileData(t, log);
      for (let round = 0; round < 2; round++) {
        if (t.w === 2 ** t.h) expect(hashes.whole(data).equals(tileHash(data)), `${path}: whole`).toBe(true);
        else {
          expect(() => tileHash(data)).toThrow('bad math in tileHash');
          expect(() => hashes.whole(data)).toThrow('bad math in tileHash');
        }
        for (let level = 0; level < t.h; level++) {
          for (let k = 0; k * 2 ** level < t.w; k++) {
            const n = t.n * 2 ** t.h + k * 2 ** level;
            if ((k + 1) * 2 ** level > t.w) continue;
            const index = storedHashIndex(t.l * t.h + level, n / 2 ** level);
            const want = hashFromTile(t, data, index);
            expect(hashes.fromTile(t, data, index).equals(want), `${path}: index ${index}`).toBe(true);
          }
        }
      }
      // Other bytes are other hashes: the memo is per data object.
      const other = Buffer.from(data);
      other[0] = (other[0] as number) ^ 1;
      const first = storedHashIndex(t.l * t.h, t.n * 2 ** t.h);
      expect(hashes.fromTile(t, other, first).equals(hashFromTile(t, other, first))).toBe(true);
      expect(hashes.fromTile(t, other, first).equals(hashes.fromTile(t, data, first))).toBe(false);
    }
  });

  test('hashFromTile refuses an index from another tile', async () => {
    const t = parseTilePath('tile/8/0/000');
    const data = await readTileData(t, log);
    expect(() => hashFromTile(t, data, storedHashIndex(0, 256))).toThrow('index 511 is in tile/8/0/001.p/1 not tile/8/0/000');
  });
});

describe('tree notes and records', () => {
  test.each(vectors.records)('formatRecord → %j', (formatted, text) => {
    const id = Number(formatted.split('\n')[0]);
    expect(formatRecord(id, text)).toBe(formatted);
    const parsed = parseRecord(Buffer.from(formatted + 'rest'));
    expect(parsed.id).toBe(id);
    expect(parsed.text).toBe(text);
    expect(parsed.rest.toString()).toBe('rest');
  });

  test.each([
    'go.sum database tree\n1\n',
    'go.sum database tree\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n',
    'go.sum database tree\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n',
    'go.sum database tree\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSu==\n',
    'go.sum database trees\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n',
  ])('parseTree(%j) fails', (text) => {
    expect(() => parseTree(text)).toThrow('malformed tree note');
  });

  test.each(['', 'x\n', '1\nno blank line\n', '1\nbad\x01\n\n', 'a\ngood\n\n'])('parseRecord(%j) fails', (msg) => {
    expect(() => parseRecord(Buffer.from(msg))).toThrow('malformed record data');
  });

  test('formatRecord refuses blank lines', () => {
    expect(() => formatRecord(1, 'a\n\nb\n')).toThrow('malformed record data');
  });
});
