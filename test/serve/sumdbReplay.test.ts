/**
 * serve's checksum-database replay: start-up verification of each bundle
 * (with the database key, or against the signed manifest's tree), one tree
 * head across several bundles (sumdbMerge), and the /sumdb/<name>/ routes
 * through the express app and the listener.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BundleError } from '../../src/bundle/bundleErrors.js';
import { openBundle, type OpenedBundle } from '../../src/bundle/reader.js';
import { createServeApp } from '../../src/serve/app.js';
import { BundleSet } from '../../src/bundleset/bundleSet.js';
import { ModuleIndex } from '../../src/bundleset/moduleIndex.js';
import { describeReplayVerification, verifyBundleReplay } from '../../src/bundle/bundleReplay.js';
import { sumdbKeyring } from '../../src/config/sumdbKeyring.js';
import { listen, type RunningServer } from '../../src/serve/server.js';
import { SumdbMergeError } from '../../src/bundleset/sumdbMerge.js';
import { parseRecord } from '../../src/sumdb/tlog/treeNote.js';
import { testKey } from '../bundle/testBundle.js';
import { otherKeys } from '../sumdb/fakeDatabase.js';
import { MemoryLog } from '../sumdb/tlog/memoryLog.js';
import { DB, DB_DIR, DB_KEY, flipByte, writeSumdbBundle, type SumdbBundleOptions } from './sumdbBundle.js';
import { rawRequest } from './rawRequest.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-sumdb-serve-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const key = testKey('team');
const log = new MemoryLog();
let n = 0;

/** Write and open (extract, verify files and signature) a bundle with a replay. */
async function bundle(opts: Omit<SumdbBundleOptions, 'log' | 'key'>): Promise<{ b: OpenedBundle; replay: Map<string, Buffer> }> {
  const file = join(work, `b${n++}.tgz`);
  const replay = await writeSumdbBundle(file, { log, key, ...opts });
  return { b: await openBundle(file, { trust: [key.verifier], cacheRoot: join(work, 'cache') }), replay };
}

const noKeys = new Map();
const withKey = sumdbKeyring([DB_KEY], undefined);

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeInstanceOf(Error);
  return (err as Error).message;
}

describe('verifyBundleReplay (start-up check of one bundle)', () => {
  let good: OpenedBundle;
  let replay: Map<string, Buffer>;
  beforeAll(async () => {
    ({ b: good, replay } = await bundle({ logSize: 1000, ids: [3, 300, 999] }));
  });
  const tiles = (): string[] => [...replay.keys()].filter((f) => f.includes('/tile/'));
  const lookups = (): string[] => [...replay.keys()].filter((f) => f.includes('/lookup/'));

  test('a good replay, with the key and against the signed manifest, each saying which check it did', async () => {
    const byKey = await verifyBundleReplay(good, withKey);
    expect(byKey).toMatchObject({ name: DB, lookups: 3, tiles: tiles().length });
    expect(byKey?.tree.n).toBe(1000);
    expect(describeReplayVerification(byKey!)).toBe(
      `checksum database ${DB}: tree#1000, 3 lookups, ${tiles().length} tiles verified, tree note signature checked with key ${DB_KEY.split('+').slice(0, 2).join('+')} (from --sumdb-key)`,
    );
    const byManifest = await verifyBundleReplay(good, noKeys);
    expect(describeReplayVerification(byManifest!)).toBe(
      `checksum database ${DB}: tree#1000, 3 lookups, ${tiles().length} tiles verified against the tree in the signed manifest (no key for ${DB}: pass --sumdb-key or set GOSUMDB to also check the database's signature)`,
    );
  });

  test('GOSUMDB supplies the key when its name matches; --sumdb-key wins over it', () => {
    expect(sumdbKeyring([], { name: DB, key: DB_KEY, url: `https://${DB}`, urlExplicit: false } as never).get(DB)).toEqual({
      key: DB_KEY,
      from: 'GOSUMDB',
    });
    expect(sumdbKeyring([DB_KEY], { name: DB, key: otherKeys.verifierKey, url: '', urlExplicit: false } as never).get(DB)).toEqual({
      key: DB_KEY,
      from: '--sumdb-key',
    });
    expect(sumdbKeyring([], { off: true }).size).toBe(0);
    expect(() => sumdbKeyring(['nope'], undefined)).toThrow(/^--sumdb-key "nope": /);
    expect(() => sumdbKeyring([DB_KEY, otherKeys.verifierKey], undefined)).toThrow(
      `--sumdb-key: two different keys for checksum database ${DB}`,
    );
  });

  test('a replay signed by another key than the one given', async () => {
    const msg = await refusal(verifyBundleReplay(good, sumdbKeyring([otherKeys.verifierKey], undefined)));
    expect(msg).toBe(
      `bundle ${good.source}: checksum database ${DB}: ${DB_DIR}/latest: tree note does not verify with ${DB}: note has no verifiable signatures`,
    );
  });

  // Each tampered file is re-signed into the manifest, so only the replay check can catch it.
  test.each([
    ['a tile', () => tiles().find((t) => !t.includes('.p/')) ?? (tiles()[0] as string)],
    ['a right-edge tile', () => tiles().find((t) => t.includes('.p/')) as string],
    ['a lookup', () => lookups()[1] as string],
  ])('%s with a flipped byte is refused naming the bundle and the file, with and without the key', async (_what, pick) => {
    const name = pick();
    const { b } = await bundle({
      logSize: 1000,
      ids: [3, 300, 999],
      tamper: (files) => files.set(name, flipByte(files.get(name) as Buffer)),
    });
    for (const keys of [withKey, noKeys]) {
      const err = await verifyBundleReplay(b, keys).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BundleError);
      expect((err as BundleError).message).toContain(`bundle ${b.source}: checksum database ${DB}: `);
      expect((err as BundleError).message).toContain(name);
    }
  });

  test('a manifest naming another tree than the replay', async () => {
    const { b } = await bundle({ logSize: 1000, ids: [3], sumdb: (s) => ({ ...s, treeSize: 999 }) });
    expect(await refusal(verifyBundleReplay(b, noKeys))).toMatch(
      new RegExp(`^bundle .*: checksum database ${DB}: ${DB_DIR}/latest: has tree#1000 \\S+, the signed manifest says tree#999 \\S+$`),
    );
    expect(await refusal(verifyBundleReplay(b, withKey))).toMatch(/the signed manifest says tree#999/);
  });

  test('sumdb files without a checksum database in the signed manifest', async () => {
    const { b } = await bundle({ logSize: 1000, ids: [3], sumdb: () => null });
    expect(await refusal(verifyBundleReplay(b, noKeys))).toBe(
      `bundle ${b.source}: ${DB_DIR}/latest: checksum database file, but the signed manifest names no checksum database`,
    );
    expect(await refusal(ModuleIndex.build([b]))).toMatch(/signed manifest names no checksum database/);
  });

  test('verify (nothing extracted) checks the bytes kept while streaming', async () => {
    const only = await openBundle(good.source, { trust: [key.verifier], extract: false, keep: (f) => f.startsWith('sumdb/') });
    expect(only.dir).toBeUndefined();
    expect((await verifyBundleReplay(only, withKey))?.lookups).toBe(3);
  });
});

describe('several bundles of one database: one tree head', () => {
  const lookupOf = (i: number): string => `${DB_DIR}/lookup/example.com/m${i % 97}@v1.0.${i}`;

  test("the largest tree is the head; an older bundle's records are served under it when the newer bundle's tiles prove them", async () => {
    const older = await bundle({ logSize: 1000, ids: [3, 300] });
    const newer = await bundle({ logSize: 1300, ids: [3, 300, 1200] });
    for (const order of [
      [older.b, newer.b],
      [newer.b, older.b],
    ]) {
      const index = await ModuleIndex.build(order);
      const view = index.sumdb.get(DB)!;
      expect(view.head).toBe(newer.b.source);
      expect(view.tree.n).toBe(1300);
      const latest = view.small.get(`${DB_DIR}/latest`)!;
      expect(latest.equals(newer.replay.get(`${DB_DIR}/latest`)!)).toBe(true);
      for (const i of [3, 300, 1200])
        expect(parseRecord(view.small.get(lookupOf(i))!).rest.equals(latest), `lookup ${i} carries the head`).toBe(true);
      // Only the tiles that prove records in the head's tree are served.
      expect([...view.tiles.keys()].sort()).toEqual([...newer.replay.keys()].filter((f) => f.includes('/tile/')).sort());
    }
  });

  test("an older bundle with a record the newer bundle's tiles cannot prove is refused naming both", async () => {
    // Record 900 sits in the older tree's right-edge tile 0/003.p/232; tree#1300 needs the full 0/003.
    const older = await bundle({ logSize: 1000, ids: [900] });
    const newer = await bundle({ logSize: 1300, ids: [5, 1200] });
    const msg = await refusal(ModuleIndex.build([newer.b, older.b]));
    expect(msg).toContain(
      `checksum database ${DB}: the records of bundle ${older.b.source} (tree#1000) are not provably included in tree#1300 of bundle ${newer.b.source}, the newest one served: `,
    );
    expect(msg).toContain(`${DB_DIR}/tile/8/0/003: missing`);
    const err = await ModuleIndex.build([newer.b, older.b]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SumdbMergeError);
    expect((err as SumdbMergeError).hint).toMatch(/superset of both bundles' modules/);
  });

  test('an older bundle whose records sit in full tiles is provable from the union of stored tiles', async () => {
    // Record 700's tile 0/002 is full in tree#1000 already, so the older bundle's own tile proves it in tree#1300.
    const older = await bundle({ logSize: 1000, ids: [700] });
    const newer = await bundle({ logSize: 1300, ids: [5, 1200] });
    const view = (await ModuleIndex.build([older.b, newer.b])).sumdb.get(DB)!;
    expect(view.head).toBe(newer.b.source);
    expect(view.tiles.get(`${DB_DIR}/tile/8/0/002`)?.bundle).toBe(older.b.source);
    expect(view.small.has(lookupOf(700))).toBe(true);
  });

  test('two bundles with different trees of the same size are refused naming both', async () => {
    const a = await bundle({ logSize: 1000, ids: [3] });
    const forged = await bundle({ logSize: 1000, ids: [4], sumdb: (s) => ({ ...s, treeHash: Buffer.alloc(32, 7).toString('base64') }) });
    expect(await refusal(ModuleIndex.build([a.b, forged.b]))).toBe(
      `checksum database ${DB}: bundles ${a.b.source} and ${forged.b.source} carry different trees of size 1000 (${a.b.manifest.sumdb?.treeHash} and ${Buffer.alloc(32, 7).toString('base64')})`,
    );
  });

  test('the same tile with different bytes in two bundles is refused naming both', async () => {
    const a = await bundle({ logSize: 1000, ids: [3] });
    const tile = [...a.replay.keys()].find((f) => f.includes('/tile/8/1/'))!;
    const b = await bundle({ logSize: 1300, ids: [3], tamper: (files) => files.set(tile, Buffer.alloc(files.get(tile)?.length ?? 0, 1)) });
    expect(await refusal(ModuleIndex.build([a.b, b.b]))).toBe(
      `checksum database ${DB}: ${tile} differs between bundles ${a.b.source} and ${b.b.source} (a tile of the log never changes)`,
    );
  });
});

describe('/sumdb/<name>/ routes', () => {
  const servers: RunningServer[] = [];
  const bases = new Map<string, URL>();
  let older: { b: OpenedBundle; replay: Map<string, Buffer> };
  let newer: { b: OpenedBundle; replay: Map<string, Buffer> };
  beforeAll(async () => {
    older = await bundle({ logSize: 1000, ids: [3, 300] });
    newer = await bundle({ logSize: 1300, ids: [3, 300, 1200] });
    const set = new BundleSet();
    await set.add([older.b, newer.b]);
    const { app, listener } = createServeApp({ bundles: set });
    for (const [name, handler] of [
      ['listener', listener],
      ['express app', app],
    ] as const) {
      const s = await listen(handler, { host: '127.0.0.1', port: 0 });
      servers.push(s);
      bases.set(name, new URL(s.url));
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  async function get(base: URL, path: string): Promise<{ status: number; type: string; body: Buffer }> {
    const r = await rawRequest(base, 'GET', path);
    return { status: r.status, type: String(r.headers['content-type']), body: r.body };
  }

  const found: [string, () => Buffer][] = [
    ['supported', () => Buffer.alloc(0)],
    ['latest', () => newer.replay.get(`${DB_DIR}/latest`)!],
    ['lookup/example.com/m3@v1.0.3', () => newer.replay.get(`${DB_DIR}/lookup/example.com/m3@v1.0.3`)!],
    ['tile/8/1/000.p/5', () => newer.replay.get(`${DB_DIR}/tile/8/1/000.p/5`)!],
    ['tile/8/0/005.p/20', () => newer.replay.get(`${DB_DIR}/tile/8/0/005.p/20`)!],
    // A partial tile is cut from a stored full one.
    ['tile/8/0/000.p/4', () => newer.replay.get(`${DB_DIR}/tile/8/0/000`)!.subarray(0, 4 * 32)],
  ];
  const missing: [string, RegExp][] = [
    [
      `/sumdb/${DB}/lookup/example.com/m9@v1.0.9`,
      /^checksum database fake\.sum\.test: lookup\/example\.com\/m9@v1\.0\.9: not in the served bundles\n$/,
    ],
    [`/sumdb/${DB}/tile/8/data/000`, /^checksum database fake\.sum\.test: tile\/8\/data\/000: not in the served bundles\n$/],
    [`/sumdb/${DB}/tile/8/0/002`, /not in the served bundles\n$/],
    [`/sumdb/${DB}/other`, /^checksum database fake\.sum\.test: other: not in the served bundles\n$/],
    ['/sumdb/sum.golang.org/supported', /^checksum database sum\.golang\.org: supported: not in the served bundles\n$/],
  ];

  test.each(['listener', 'express app'])('%s: supported, latest, lookups, tiles answer 200 with the head tree', async (via) => {
    const base = bases.get(via)!;
    for (const [rest, want] of found) {
      const r = await get(base, `/sumdb/${DB}/${rest}`);
      expect(r.status, `GET /sumdb/${DB}/${rest} via ${via}`).toBe(200);
      expect(r.body.equals(want()), `GET /sumdb/${DB}/${rest} via ${via}: body`).toBe(true);
    }
    expect((await get(base, `/sumdb/${DB}/tile/8/0/000`)).type).toBe('application/octet-stream');
  });

  test.each(['listener', 'express app'])('%s: anything else is a 404 with a one-line text/plain reason', async (via) => {
    const base = bases.get(via)!;
    for (const [path, want] of missing) {
      const r = await get(base, path);
      expect(r.status, `GET ${path} via ${via}`).toBe(404);
      expect(r.type).toBe('text/plain; charset=utf-8');
      expect(r.body.toString(), `GET ${path} via ${via}`).toMatch(want);
    }
  });

  test("the older bundle's lookup is answered with the head tree", async () => {
    const r = await get(bases.get('listener')!, `/sumdb/${DB}/lookup/example.com/m9@v1.0.300`);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('go.sum database tree\n1300\n');
  });
});
