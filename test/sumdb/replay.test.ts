import { beforeAll, describe, expect, test } from 'vitest';
import { SumdbSecurityError, type VerifiedSumdb, consistencyTilePaths, verifyModules } from '../../src/sumdb/client.js';
import { ReplayError, SumdbReplay, TreeMismatchError, replayFiles, verifyReplay, verifyReplayAgainstTree } from '../../src/sumdb/replay.js';
import { formatHash } from '../../src/sumdb/tlog/hash.js';
import { treeHash } from '../../src/sumdb/tlog/storedHash.js';
import { FakeDatabase, fakeKeys, moduleOf, otherKeys } from './fakeDatabase.js';
import { MemoryLog } from './tlog/memoryLog.js';

const log = new MemoryLog();
const ids = [0, 1000, 5000, 69999];
let db: FakeDatabase;
let verified: VerifiedSumdb;
let files: Map<string, Buffer>;
const dir = 'sumdb/fake.sum.test';

beforeAll(async () => {
  db = await FakeDatabase.create(log, { logSize: 70014 });
  verified = await verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf));
  files = replayFiles(verified);
}, 120_000);

function withFile(name: string, data: Buffer | undefined): Map<string, Buffer> {
  const m = new Map(files);
  if (data === undefined) m.delete(name);
  else m.set(name, data);
  return m;
}

function flip(data: Buffer, i: number): Buffer {
  const c = Buffer.from(data);
  c[i % c.length] = c[i % c.length]! ^ 1;
  return c;
}

describe('replayFiles', () => {
  test('supported, latest, one lookup per module, the tiles', async () => {
    const names = [...files.keys()];
    expect(names).toEqual([...names].sort());
    expect(files.get(`${dir}/supported`)?.length).toBe(0);
    expect(files.get(`${dir}/latest`)?.equals(verified.treeNote)).toBe(true);
    // A rebuilt lookup is byte-identical to what the database answered at that tree size.
    const lookup = files.get(`${dir}/lookup/example.com/m30@v1.0.1000`)!;
    expect(lookup.equals(Buffer.from(await db.readRemote('/lookup/example.com/m30@v1.0.1000')))).toBe(true);
    expect(names.filter((n) => n.includes('/lookup/'))).toHaveLength(ids.length);
    expect(names.filter((n) => n.includes('/tile/'))).toHaveLength(verified.tiles.size);
  });

  test('verifyReplay accepts them', () => {
    const s = verifyReplay(files, fakeKeys.verifierKey);
    expect(s).toMatchObject({ name: 'fake.sum.test', lookups: 4, tiles: verified.tiles.size });
    expect(s.tree.n).toBe(70014);
  });

  test('verifyReplay ignores files of other databases and the proxy tree', () => {
    const m = new Map(files);
    m.set('example.com/m1/@v/v1.0.1.mod', Buffer.from('module example.com/m1\n'));
    m.set('sumdb/other.db/latest', Buffer.from('junk'));
    expect(verifyReplay(m, fakeKeys.verifierKey).lookups).toBe(4);
  });
});

describe('verifyReplay refuses tampering, naming the file', () => {
  const tileNames = (): string[] => [...files.keys()].filter((n) => n.includes('/tile/'));

  test('every tile with a flipped byte', () => {
    for (const name of tileNames()) {
      const tampered = withFile(name, flip(files.get(name)!, 40));
      let err: unknown;
      try {
        verifyReplay(tampered, fakeKeys.verifierKey);
      } catch (e) {
        err = e;
      }
      expect(err, `tampered ${name} was accepted`).toBeInstanceOf(ReplayError);
      expect((err as ReplayError).file, `tampered ${name}`).toContain(name);
    }
  });

  test('a right-edge tile names the edge', () => {
    const name = `${dir}/tile/8/0/273.p/126`;
    expect(() => verifyReplay(withFile(name, flip(files.get(name)!, 40)), fakeKeys.verifierKey)).toThrow(
      /^sumdb\/fake.sum.test\/tile\/8\/2\/000.p\/1, .*tile\/8\/0\/273.p\/126.*: right-edge tiles do not fold to the signed tree hash/,
    );
  });

  test('an inner tile is named alone', () => {
    const name = `${dir}/tile/8/0/003`;
    expect(() => verifyReplay(withFile(name, flip(files.get(name)!, 40)), fakeKeys.verifierKey)).toThrow(
      `${name}: tile does not match the signed tree`,
    );
  });

  test('a lookup whose record was changed', () => {
    const name = `${dir}/lookup/example.com/m30@v1.0.1000`;
    const changed = Buffer.from(files.get(name)!.toString().replace('h1:', 'h1:Z'));
    expect(() => verifyReplay(withFile(name, changed), fakeKeys.verifierKey)).toThrow(
      `${name}: record 1000 is not in the signed tree of size 70014`,
    );
  });

  test('a lookup stored under another module name', () => {
    const name = `${dir}/lookup/example.com/m31@v1.0.1000`;
    expect(() => verifyReplay(withFile(name, files.get(`${dir}/lookup/example.com/m30@v1.0.1000`)), fakeKeys.verifierKey)).toThrow(
      `${name}: record has no go.mod hash for example.com/m31@v1.0.1000`,
    );
  });

  test('a lookup carrying another tree', async () => {
    const name = `${dir}/lookup/example.com/m30@v1.0.1000`;
    const rec = files.get(name)!.toString();
    const other = Buffer.concat([Buffer.from(rec.slice(0, rec.indexOf('go.sum database tree'))), await db.treeNote(70000)]);
    expect(() => verifyReplay(withFile(name, other), fakeKeys.verifierKey)).toThrow(
      `${name}: carries tree#70000, not the bundle's tree#70014`,
    );
  });

  test('latest signed by another key', () => {
    expect(() => verifyReplay(files, otherKeys.verifierKey)).toThrow(
      `${dir}/latest: tree note does not verify with fake.sum.test: note has no verifiable signatures`,
    );
  });

  test.each(['latest', 'supported', 'tile/8/0/003', 'tile/8/1/000'])('missing %s', (rel) => {
    expect(() => verifyReplay(withFile(`${dir}/${rel}`, undefined), fakeKeys.verifierKey)).toThrow(`${dir}/${rel}: missing`);
  });

  test('an extra tile', () => {
    const extra = `${dir}/tile/8/0/100`;
    expect(() => verifyReplay(withFile(extra, Buffer.alloc(8192)), fakeKeys.verifierKey)).toThrow(
      `${extra}: unexpected tile: no lookup or consistency proof needs it`,
    );
  });

  test('a short tile', () => {
    const name = `${dir}/tile/8/0/003`;
    expect(() => verifyReplay(withFile(name, files.get(name)!.subarray(32)), fakeKeys.verifierKey)).toThrow(
      `${name}: has 8160 bytes, want 8192`,
    );
  });

  test('a full tile may stand in for a needed partial one', async () => {
    const bigger = await FakeDatabase.create(log, { logSize: 70200 });
    const full = Buffer.from(await bigger.readRemote('/tile/8/0/273'));
    const m = withFile(`${dir}/tile/8/0/273.p/126`, undefined);
    m.set(`${dir}/tile/8/0/273`, full);
    expect(verifyReplay(m, fakeKeys.verifierKey).lookups).toBe(4);
    m.set(`${dir}/tile/8/0/273`, flip(full, 5));
    expect(() => verifyReplay(m, fakeKeys.verifierKey)).toThrow('right-edge tiles do not fold');
  });
});

describe('verifyReplayAgainstTree (no database key: the signed manifest names the tree)', () => {
  const name = 'fake.sum.test';

  test('accepts the replay of the tree it is given and reports the tiles its proofs read', () => {
    const s = verifyReplayAgainstTree(files, name, verified.tree);
    expect(s).toMatchObject({ name, lookups: 4, tiles: verified.tiles.size });
    expect(s.usedTiles).toEqual([...verified.tiles.keys()].sort());
  });

  test('a latest of another tree than the manifest says', async () => {
    const other = { n: 70014, hash: Buffer.alloc(32, 9) };
    expect(() => verifyReplayAgainstTree(files, name, other)).toThrow(
      `${dir}/latest: has tree#70014 ${formatHash(verified.tree.hash)}, the signed manifest says tree#70014 ${formatHash(other.hash)}`,
    );
  });

  test.each([`${dir}/tile/8/0/003`, `${dir}/tile/8/1/000`, `${dir}/tile/8/0/273.p/126`])('a flipped byte in %s', (tile) => {
    expect(() => verifyReplayAgainstTree(withFile(tile, flip(files.get(tile)!, 40)), name, verified.tree)).toThrow(tile);
  });

  test('a lookup with a changed record', () => {
    const file = `${dir}/lookup/example.com/m30@v1.0.1000`;
    const changed = Buffer.from(files.get(file)!.toString().replace('h1:', 'h1:Z'));
    expect(() => verifyReplayAgainstTree(withFile(file, changed), name, verified.tree)).toThrow(
      `${file}: record 1000 is not in the signed tree of size 70014`,
    );
  });

  test('a lookup carrying another tree', async () => {
    const file = `${dir}/lookup/example.com/m30@v1.0.1000`;
    const rec = files.get(file)!.toString();
    const other = Buffer.concat([Buffer.from(rec.slice(0, rec.indexOf('go.sum database tree'))), await db.treeNote(70000)]);
    expect(() => verifyReplayAgainstTree(withFile(file, other), name, verified.tree)).toThrow(
      `${file}: carries tree#70000, not the bundle's tree#70014`,
    );
  });

  test('a lookup whose note signature was changed (the tree text unchanged)', () => {
    const file = `${dir}/lookup/example.com/m30@v1.0.1000`;
    const data = files.get(file)!;
    const changed = Buffer.from(data);
    changed[data.length - 10] = changed[data.length - 10] === 0x41 ? 0x42 : 0x41;
    expect(() => verifyReplayAgainstTree(withFile(file, changed), name, verified.tree)).toThrow(
      `${file}: carries a different note for the same tree than latest`,
    );
  });

  test('a latest signed by no key of the database name', () => {
    const latest = files
      .get(`${dir}/latest`)!
      .toString()
      .replace(/\u2014 fake\.sum\.test /, '\u2014 someone.else ');
    expect(() => verifyReplayAgainstTree(withFile(`${dir}/latest`, Buffer.from(latest)), name, verified.tree)).toThrow(
      `${dir}/latest: malformed tree note: note has no signature by fake.sum.test`,
    );
  });

  test('unneeded tiles are refused, or ignored when asked', () => {
    const extra = withFile(`${dir}/tile/8/0/100`, Buffer.alloc(8192));
    expect(() => verifyReplayAgainstTree(extra, name, verified.tree)).toThrow('unexpected tile: no lookup or consistency proof needs it');
    expect(verifyReplayAgainstTree(extra, name, verified.tree, { ignoreUnneededTiles: true }).usedTiles).not.toContain('tile/8/0/100');
  });
});

describe('SumdbReplay', () => {
  const replay = (m: Map<string, Buffer> = files): SumdbReplay => new SumdbReplay('fake.sum.test', async (name) => m.get(name));

  test.each([
    ['supported', `${dir}/supported`],
    ['latest', `${dir}/latest`],
    ['lookup/example.com/m30@v1.0.1000', `${dir}/lookup/example.com/m30@v1.0.1000`],
    ['tile/8/0/273.p/126', `${dir}/tile/8/0/273.p/126`],
    ['tile/8/1/000', `${dir}/tile/8/1/000`],
  ])('answer(%j) serves %s', async (req, file) => {
    expect((await replay().answer(req))?.equals(files.get(file)!)).toBe(true);
  });

  test.each([
    'lookup/example.com/m30@v9.9.9',
    'lookup/example.com/M30@v1.0.1000',
    'lookup/noversion',
    'tile/8/0/3',
    'tile/8/data/000',
    'tile/4/0/000',
    'tile/8/0/273.p/256',
    'tile/8/0/200',
    'other',
    '',
    '../../etc/passwd',
  ])('answer(%j) = undefined', async (req) => {
    expect(await replay().answer(req)).toBeUndefined();
  });

  test('a partial tile is cut from the stored full tile', async () => {
    const m = new Map(files);
    const full = Buffer.alloc(8192, 7);
    m.set(`${dir}/tile/8/0/200`, full);
    const got = await replay(m).answer('tile/8/0/200.p/5');
    expect(got?.equals(full.subarray(0, 160))).toBe(true);
    m.set(`${dir}/tile/8/0/201`, Buffer.alloc(64));
    expect(await replay(m).answer('tile/8/0/201.p/5')).toBeUndefined();
  });
});

describe('a replay that proves older trees consistent with its own', () => {
  // Week 1 packed at tree 1000 and at 65600; week 2 at 70014 must prove both prefixes of its tree.
  const olderSizes = [1000, 65600];
  let proven: VerifiedSumdb;
  let pfiles: Map<string, Buffer>;
  let older: { n: number; hash: Buffer }[];

  beforeAll(async () => {
    older = await Promise.all(olderSizes.map(async (n) => ({ n, hash: await treeHash(n, log) })));
    proven = await verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf), {
      olderTrees: older.map((tree) => ({ tree, from: 'last week' })),
    });
    pfiles = replayFiles(proven);
  }, 120_000);

  const tileNames = (m: Map<string, Buffer>): string[] => [...m.keys()].filter((n) => n.includes('/tile/')).sort();

  test("carries the consistency tiles and the older trees' right edges, and verifies with them listed", () => {
    expect(proven.consistentWith.map((t) => t.n)).toEqual(olderSizes);
    const extra = tileNames(pfiles).filter((n) => !files.has(n));
    expect(extra).toEqual(
      consistencyTilePaths(70014, olderSizes)
        .map((p) => `${dir}/${p}`)
        .filter((n) => !files.has(n)),
    );
    // Tree 1000's right edge (0/003.p/232, 1/000.p/3) and tree 65600's (0/256.p/64, 1/001.p/0 is empty, 2/000.p/1).
    expect(extra).toContain(`${dir}/tile/8/0/003.p/232`);
    expect(extra).toContain(`${dir}/tile/8/1/000.p/3`);
    expect(extra).toContain(`${dir}/tile/8/0/256.p/64`);
    const s = verifyReplay(pfiles, fakeKeys.verifierKey, { consistentWith: older });
    expect(s.consistencyProofs).toBe(2);
    expect(verifyReplayAgainstTree(pfiles, 'fake.sum.test', proven.tree, { consistentWith: older }).usedTiles.length).toBe(
      tileNames(pfiles).length,
    );
  });

  test('without the older trees listed, their tiles are unexpected', () => {
    expect(() => verifyReplay(pfiles, fakeKeys.verifierKey)).toThrow('unexpected tile: no lookup or consistency proof needs it');
  });

  test('every consistency tile with a flipped byte is refused, naming it', () => {
    for (const name of tileNames(pfiles).filter((n) => !files.has(n))) {
      const tampered = new Map(pfiles).set(name, flip(pfiles.get(name)!, 7));
      let err: unknown;
      try {
        verifyReplay(tampered, fakeKeys.verifierKey, { consistentWith: older });
      } catch (e) {
        err = e;
      }
      expect(err, `tampered ${name} was accepted`).toBeInstanceOf(ReplayError);
      expect((err as ReplayError).file, `tampered ${name}`).toContain(name);
    }
  });

  test('a missing consistency tile is named', () => {
    const name = `${dir}/tile/8/0/256`;
    const m = new Map(pfiles);
    m.delete(name);
    expect(() => verifyReplay(m, fakeKeys.verifierKey, { consistentWith: older })).toThrow(
      `${name}: proving tree#65600 consistent with tree#70014: missing`,
    );
  });

  test('an older right-edge tile cut from a stored full tile need not be stored', async () => {
    const name = `${dir}/tile/8/0/003.p/232`;
    const m = new Map(pfiles);
    m.delete(name);
    expect(verifyReplay(m, fakeKeys.verifierKey, { consistentWith: older }).consistencyProofs).toBe(2);
    const served = await new SumdbReplay('fake.sum.test', async (n) => m.get(n)).answer('tile/8/0/003.p/232');
    expect(served?.equals(pfiles.get(name)!)).toBe(true);
  });

  test('an older tree with another hash is a tree mismatch naming the tiles', () => {
    const forked = [{ n: 1000, hash: Buffer.alloc(32, 7) }];
    let err: unknown;
    try {
      verifyReplay(pfiles, fakeKeys.verifierKey, { consistentWith: forked });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TreeMismatchError);
    expect((err as Error).message).toBe(
      `${dir}/tile/8/2/000.p/1, ${dir}/tile/8/1/001.p/17, ${dir}/tile/8/0/273.p/126, ${dir}/tile/8/1/000, ${dir}/tile/8/0/003: tiles prove tree#1000 has hash ${formatHash(older[0]!.hash)}, not ${formatHash(forked[0]!.hash)}`,
    );
  });

  test('pack refuses an older head the database does not prove, as a security error', async () => {
    const err = await verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf), {
      olderTrees: [{ tree: { n: 1000, hash: Buffer.alloc(32, 7) }, from: 'bundle old.tgz' }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SumdbSecurityError);
    expect((err as Error).message).toContain('(tree head of bundle old.tgz)');
    expect((err as Error).message).toContain('go.sum database server misbehavior detected!');
  });

  test("an older head larger than the database's tree is refused with what to do", async () => {
    const err = await verifyModules(db, fakeKeys.verifierKey, ids.map(moduleOf), {
      olderTrees: [{ tree: { n: 80000, hash: Buffer.alloc(32, 7) }, from: 'bundle future.tgz' }],
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'tree#80000 of bundle future.tgz is larger than tree#70014, the newest the checksum database fake.sum.test answered with: clients that verified against it cannot accept this tree',
    );
  });
});
