import { beforeAll, describe, expect, test } from 'vitest';
import { ModuleError } from '../../src/errors.js';
import { SumdbSecurityError, recordHashes, replayTilePaths, verifyModules } from '../../src/sumdb/client.js';
import { sign, newSigner } from '../../src/sumdb/note.js';
import { formatHash, recordHash } from '../../src/sumdb/tlog/hash.js';
import { treeHash } from '../../src/sumdb/tlog/storedHash.js';
import { formatTree } from '../../src/sumdb/tlog/treeNote.js';
import { FAKE_DB_NAME, FakeDatabase, fakeKeys, moduleOf, otherKeys } from './fakeDatabase.js';
import { goVectors } from './goVectors.js';
import { MemoryLog, recordText } from './tlog/memoryLog.js';

const log = new MemoryLog();
beforeAll(async () => {
  await log.growTo(70200);
}, 120_000);

const ids = [0, 1000, 5000, 69999];

describe('verifyModules against an in-memory database', () => {
  test('verifies records and keeps exactly T(N, ids)', async () => {
    const db = await FakeDatabase.create(log, { logSize: 70014 });
    const got = await verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf));
    expect(got.name).toBe(FAKE_DB_NAME);
    expect(got.tree.n).toBe(70014);
    expect(formatHash(got.tree.hash)).toBe(formatHash(await treeHash(70014, log)));
    expect(got.treeNote.equals(await db.treeNote(70014))).toBe(true);
    for (const id of ids) {
      expect(got.records.get(`example.com/m${id % 97}@v1.0.${id}`)).toEqual({ id, text: recordText(id) });
    }
    expect([...got.tiles.keys()].sort()).toEqual(replayTilePaths(70014, ids));
    expect([...got.tiles.keys()]).toContain('tile/8/0/273.p/126');
    // Every tile request was one of T(N, ids): no consistency tiles when all lookups share a tree.
    const tileRequests = db.requests.filter((r) => r.startsWith('/tile/')).map((r) => r.slice(1));
    expect(new Set(tileRequests)).toEqual(new Set(replayTilePaths(70014, ids)));
  });

  test('a go.mod-only version and duplicates are looked up once', async () => {
    const db = await FakeDatabase.create(log, { logSize: 300 });
    const m = moduleOf(7);
    const got = await verifyModules(db, fakeKeys.verifierKey, [m, { ...m, version: `${m.version}/go.mod` }, m]);
    expect(got.records.size).toBe(1);
    expect(db.requests.filter((r) => r.startsWith('/lookup/'))).toEqual(['/lookup/example.com/m7@v1.0.7']);
  });

  test('recordHashes picks the lines of one module', () => {
    const text = recordText(5);
    const hashes = recordHashes(text, moduleOf(5));
    expect(hashes.zip).toBe(text.split('\n')[0]!.split(' ')[2]);
    expect(hashes.mod).toBe(text.split('\n')[1]!.split(' ')[2]);
    expect(recordHashes(text, moduleOf(6))).toEqual({ zip: undefined, mod: undefined });
  });

  test('lookups at different tree sizes are checked for consistency and the largest wins', async () => {
    const sizes = new Map([
      [0, 3000],
      [1000, 70014],
      [5000, 6000],
      [69999, 70000],
    ]);
    const db = await FakeDatabase.create(log, { logSize: 70014, treeSizeFor: (id) => sizes.get(id)! });
    const got = await verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf));
    expect(got.tree.n).toBe(70014);
    expect([...got.tiles.keys()].sort()).toEqual(replayTilePaths(70014, ids));
  });

  test('a failed partial tile is read as the full tile and truncated', async () => {
    const db = await FakeDatabase.create(log, {
      logSize: 70200,
      treeSizeFor: () => 70014,
      // Only level-0 tiles are full in a 70200-record log.
      fault: (path, data) => (path.startsWith('/tile/8/0/') && path.includes('.p/') ? undefined : data),
    });
    const got = await verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf));
    expect(got.tiles.get('tile/8/0/273.p/126')?.length).toBe(126 * 32);
    expect(db.requests).toContain('/tile/8/0/273');
  });

  test('a forked smaller tree is a security error', async () => {
    const forked = sign(formatTree({ n: 3000, hash: recordHash('fork') }), [newSigner(fakeKeys.signerKey)]);
    const db = await FakeDatabase.create(log, {
      logSize: 70014,
      treeSizeFor: (id) => (id === 0 ? 3000 : 70014),
      treeNoteFor: async (n) => (n === 3000 ? forked : undefined),
    });
    const err = await verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SumdbSecurityError);
    expect(String((err as Error).message)).toMatch(
      /^SECURITY ERROR\ngo.sum database server misbehavior detected!\n\nold database:\n\tgo.sum database tree\n\t3000\n/,
    );
  });

  test('a record the log does not hold is a security error', async () => {
    const db = await FakeDatabase.create(log, {
      logSize: 70014,
      fault: (path, data) => (path === '/lookup/example.com/m30@v1.0.1000' ? Buffer.from(data.toString().replace('h1:', 'h1:X')) : data),
    });
    await expect(verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf))).rejects.toThrow(
      /^SECURITY ERROR\ngo.sum database server misbehavior detected!\n\nrecord 1000 for example.com\/m30@v1.0.1000 is not in tree#70014/,
    );
  });

  test('a flipped tile byte is refused', async () => {
    const db = await FakeDatabase.create(log, {
      logSize: 70014,
      fault: (path, data) => {
        if (path !== '/tile/8/0/003') return data;
        const c = Buffer.from(data);
        c[100] = c[100]! ^ 1;
        return c;
      },
    });
    await expect(verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf))).rejects.toThrow(
      'example.com/m30@v1.0.1000: verifying module: checking record 1000 in tree#70014: downloaded inconsistent tile',
    );
  });

  test('a note signed by another key is refused', async () => {
    const db = await FakeDatabase.create(log, { logSize: 300, signerKey: otherKeys.signerKey });
    await expect(verifyModules(db, fakeKeys.verifierKey, [moduleOf(1)])).rejects.toThrow(
      'example.com/m1@v1.0.1: verifying module: reading checksum database lookup: note has no verifiable signatures',
    );
  });

  test('a tree size that does not cover the record is refused', async () => {
    const db = await FakeDatabase.create(log, { logSize: 300, treeSizeFor: () => 100 });
    await expect(verifyModules(db, fakeKeys.verifierKey, [moduleOf(200)])).rejects.toThrow(
      'example.com/m6@v1.0.200: verifying module: record id 200 is not in tree of size 100',
    );
  });

  test('a missing lookup is a not-found module error', async () => {
    const db = await FakeDatabase.create(log, { logSize: 300 });
    const err = await verifyModules(db, fakeKeys.verifierKey, [{ path: 'example.com/nope', version: 'v1.0.0' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModuleError);
    expect((err as ModuleError).code).toBe('ENOTEXIST');
    expect((err as Error).message).toBe(
      'example.com/nope@v1.0.0: verifying module: checksum database lookup failed: fake database: /lookup/example.com/nope@v1.0.0 not found',
    );
  });
});

describe('the same requests as x/mod sumdb.Client', () => {
  test.each(goVectors().clients.map((c) => [c.n, c.ids.join(','), c.older, c] as const))(
    'tree %i, records %s, remembering tree %i',
    async (n, _ids, older, c) => {
      const olderSizes = older > 0 ? [older] : [];
      expect(replayTilePaths(n, c.ids, olderSizes)).toEqual(c.tiles);
      const db = await FakeDatabase.create(log, { logSize: 70200, treeSizeFor: () => n });
      const olderTrees = olderSizes.map(async (m) => ({ tree: { n: m, hash: await treeHash(m, log) }, from: 'an earlier bundle' }));
      const got = await verifyModules(db, fakeKeys.verifierKey, c.ids.map(moduleOf), { olderTrees: await Promise.all(olderTrees) });
      expect(got.consistentWith.map((t) => t.n)).toEqual(olderSizes);
      // x/mod's client asked for each of these once; so do we, and nothing else.
      expect([...db.requests].sort()).toEqual(c.requests);
      expect([...got.tiles.keys()].sort()).toEqual(c.tiles);
      const lines = c.ids.flatMap((id) => {
        const h = recordHashes(got.records.get(`${moduleOf(id).path}@${moduleOf(id).version}`)!.text, moduleOf(id));
        // Lookup(path, vers) returns the lines for exactly vers: here the zip line.
        return [`${moduleOf(id).path} ${moduleOf(id).version} ${h.zip}`];
      });
      expect(lines).toEqual(c.lines);
    },
  );
});
