/**
 * The test upstream's checksum database at the scale of sum.golang.org: a
 * million synthetic records put tiles on three levels, the database grows
 * between two lookups so a client must prove one large tree is a prefix of
 * the next, and both our client (src/sumdb) and the real go command verify
 * against it. A database under 256 records is proved by one tile and hides
 * every mistake above level 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashGoMod } from '../../src/gomod/dirhash.js';
import { parseGoProxy } from '../../src/gomod/goenv.js';
import { HttpTransport } from '../../src/network/httpTransport.js';
import { ProxyChain } from '../../src/proxy/proxyChain.js';
import { type SumdbOps, lookupPath, recordHashes, verifyModules } from '../../src/sumdb/client.js';
import { sumdbOpsForChain } from '../../src/sumdb/fetchOps.js';
import { newVerifier, open } from '../../src/sumdb/note.js';
import { checkTree, proveTree } from '../../src/sumdb/tlog/proof.js';
import { type Tile, type TileReader, TILE_HEIGHT, tileHashReader, tilePath } from '../../src/sumdb/tlog/tile.js';
import { type Tree, parseTree } from '../../src/sumdb/tlog/treeNote.js';
import { goBinary } from '../support/gotool.js';
import { startUpstream, upstreamGoEnv, type Upstream } from './server.js';
import { type ModuleVersion } from '../../src/gomod/moduleVersion.js';

const modulesDir = join(import.meta.dirname, '..', 'fixtures', 'modules');

const PREFILL = 1_000_000;
const GROWTH = 10_000;
/** Includes compiling the upstream on a cold cache and the prefill. */
const START_TIMEOUT_MS = 180_000;
const GO_TIMEOUT_MS = 120_000;
const HTTP_TIMEOUT_MS = 10_000;

const greeting1 = { path: 'example.com/greeting', version: 'v1.1.0' };
const greeting0 = { path: 'example.com/greeting', version: 'v1.0.0' };
const orig = { path: 'example.com/orig', version: 'v1.0.0' };
const fork = { path: 'example.com/fork', version: 'v1.0.0' };
const synthetic = (id: number): ModuleVersion => ({ path: `example.com/synthetic/m${id}`, version: 'v1.0.0' });

const scratch = mkdtempSync(join(tmpdir(), 'gobundle-sumdb-scale-'));
let upstream: Upstream;
let transport: HttpTransport;
let ops: SumdbOps;

beforeAll(async () => {
  upstream = await startUpstream({ modules: [modulesDir], sumdbPrefill: PREFILL, startTimeoutMs: START_TIMEOUT_MS });
  transport = new HttpTransport();
  const chain = new ProxyChain({ specs: parseGoProxy(upstream.url), transport });
  ops = await sumdbOpsForChain(chain, transport, { name: upstream.sumdbName, url: `https://${upstream.sumdbName}`, urlExplicit: false });
}, START_TIMEOUT_MS + 10_000);

afterAll(async () => {
  await transport?.close();
  await upstream?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(`${upstream.url}${path}`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** The signed tree the database serves now, opened with its key. */
async function latestTree(): Promise<Tree> {
  const { status, body } = await get(`/sumdb/${upstream.sumdbName}/latest`);
  expect(status, body.toString()).toBe(200);
  return parseTree(open(body, [newVerifier(upstream.sumdbVerifierKey)]).text);
}

/** Tiles straight from the upstream, checked by tileHashReader before use. */
function httpTiles(): TileReader {
  return {
    height: TILE_HEIGHT,
    readTiles: (tiles: readonly Tile[]) => Promise.all(tiles.map(async (t) => (await ops.readRemote(`/${tilePath(t)}`)) as Uint8Array)),
    saveTiles: () => undefined,
  };
}

// Each test continues from the database the one before left.
describe('a checksum database of a million records', () => {
  test('starts with the prefilled tree', async () => {
    expect(await upstream.sumdbTreeSize()).toBe(PREFILL);
    expect((await latestTree()).n).toBe(PREFILL);
    // Tree size 1,000,000: 15 full level-1 tiles' worth sits under level 2, nothing on level 3.
    expect((await get(`/sumdb/${upstream.sumdbName}/tile/8/2/000.p/15`)).body.length).toBe(15 * 32);
    expect((await get(`/sumdb/${upstream.sumdbName}/tile/8/2/000.p/16`)).status).toBe(404);
    expect((await get(`/sumdb/${upstream.sumdbName}/tile/8/3/000.p/1`)).status).toBe(404);
  });

  test('a fixture module looked up first is appended at id 1,000,000 and verifies through tiles on three levels', async () => {
    const db = await verifyModules(ops, upstream.sumdbVerifierKey, [greeting1]);
    const rec = db.records.get('example.com/greeting@v1.1.0')!;
    expect(rec.id).toBe(PREFILL);
    expect(db.tree.n).toBe(PREFILL + 1);
    expect([...db.tiles.keys()].sort()).toEqual(['tile/8/0/x003/906.p/65', 'tile/8/1/015.p/66', 'tile/8/2/000.p/15']);
    // The record carries the fixture's real hashes.
    const mod = await get('/example.com/greeting/@v/v1.1.0.mod');
    expect(recordHashes(rec.text, greeting1).mod).toBe(hashGoMod(mod.body));
    // The level-2 tile read again is the one that folded to the signed root.
    const tile = await get(`/sumdb/${upstream.sumdbName}/tile/8/2/000.p/15`);
    expect(tile.body.equals(db.tiles.get('tile/8/2/000.p/15')!)).toBe(true);
  });

  test('growth between two lookups: the next fixture gets the next id and the old tree is a prefix of the new one', async () => {
    const before = await latestTree();
    let grownTo = 0;
    let grown!: () => void;
    const afterGrowth = new Promise<void>((done) => (grown = done));
    // The first lookup answers with the old tree; the database then grows and
    // the second lookup answers with the new one, so verifyModules must prove
    // tree#1000001 against tree#1010002 from tiles of the larger tree.
    const growingOps: SumdbOps = {
      async readRemote(path) {
        if (path === lookupPath(greeting0)) await afterGrowth;
        const data = await ops.readRemote(path);
        if (path === lookupPath(greeting1)) {
          grownTo = await upstream.growSumdb(GROWTH);
          grown();
        }
        return data;
      },
    };
    const db = await verifyModules(growingOps, upstream.sumdbVerifierKey, [greeting1, greeting0]);
    expect(grownTo).toBe(PREFILL + 1 + GROWTH);
    expect(await upstream.sumdbTreeSize()).toBe(PREFILL + 1 + GROWTH + 1);
    expect(db.records.get('example.com/greeting@v1.1.0')!.id).toBe(PREFILL);
    expect(db.records.get('example.com/greeting@v1.0.0')!.id).toBe(PREFILL + 1 + GROWTH);
    expect(db.tree.n).toBe(PREFILL + 1 + GROWTH + 1);

    // The same consistency as an explicit proof, with the tlog code alone.
    const after = await latestTree();
    expect(before.n).toBe(PREFILL + 1);
    expect(after.hash.equals(db.tree.hash)).toBe(true);
    const proof = await proveTree(after.n, before.n, tileHashReader(after, httpTiles()));
    expect(proof.length).toBeGreaterThan(0);
    expect(() => checkTree(proof, after.n, after.hash, before.n, before.hash)).not.toThrow();
    const wrong = Buffer.from(before.hash);
    wrong[0] = wrong[0]! ^ 1;
    expect(() => checkTree(proof, after.n, after.hash, before.n, wrong)).toThrow();
  });

  test('synthetic records are looked up at the id they are named for and verify', async () => {
    const last = PREFILL + GROWTH; // id PREFILL went to a fixture, the growth continued after it
    const db = await verifyModules(ops, upstream.sumdbVerifierKey, [synthetic(123456), synthetic(last), synthetic(0)]);
    expect(db.tree.n).toBe(PREFILL + 1 + GROWTH + 1);
    for (const id of [0, 123456, last]) {
      const rec = db.records.get(`example.com/synthetic/m${id}@v1.0.0`)!;
      expect(rec.id, `id of example.com/synthetic/m${id}`).toBe(id);
      const p = `example.com/synthetic/m${id}`;
      expect(rec.text).toMatch(new RegExp(`^${p} v1\\.0\\.0 h1:[A-Za-z0-9+/]{43}=\n${p} v1\\.0\\.0/go\\.mod h1:[A-Za-z0-9+/]{43}=\n$`));
    }
    // Record data tiles regenerate the same texts.
    const data = await get(`/sumdb/${upstream.sumdbName}/tile/8/data/482`);
    expect(data.status).toBe(200);
    expect(data.body.toString()).toContain(`123456\n${db.records.get('example.com/synthetic/m123456@v1.0.0')!.text}`);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

interface DownloadJson {
  Path: string;
  Version: string;
  Sum?: string;
  GoModSum?: string;
  Error?: string;
}

function goModDownload(m: ModuleVersion, dir: string, env: NodeJS.ProcessEnv): DownloadJson {
  const r = spawnSync(goBinary('1.23'), ['mod', 'download', '-json', `${m.path}@${m.version}`], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: GO_TIMEOUT_MS,
  });
  if (r.error) throw new Error(`go mod download ${m.path}@${m.version}: ${String(r.error)}`);
  if (r.status !== 0) throw new Error(`go mod download ${m.path}@${m.version} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as DownloadJson;
}

describe('the real go command against a million records', () => {
  test(
    'verifies a module, then after growth proves its old tree consistent with the new one',
    async () => {
      const work = join(scratch, 'go');
      const dir = join(work, 'cwd');
      mkdirSync(dir, { recursive: true });
      const env = upstreamGoEnv(upstream, { workDir: work });
      const sumdbCache = join(env.GOMODCACHE as string, 'cache', 'download', 'sumdb', upstream.sumdbName);
      const latestFile = join(env.GOPATH as string, 'pkg', 'sumdb', upstream.sumdbName, 'latest');

      const first = goModDownload(orig, dir, env);
      expect(first.Error).toBeUndefined();
      const n1 = await upstream.sumdbTreeSize();
      const db = await verifyModules(ops, upstream.sumdbVerifierKey, [orig]);
      expect(first.Sum).toBe(recordHashes(db.records.get('example.com/orig@v1.0.0')!.text, orig).zip);
      const tiles = walk(join(sumdbCache, 'tile')).map((p) => relative(sumdbCache, p));
      expect(tiles.some((t) => t.startsWith('tile/8/2/'))).toBe(true);
      expect(parseTree(open(readFileSync(latestFile), [newVerifier(upstream.sumdbVerifierKey)]).text).n).toBe(n1);

      // The second week: the database moved on, the client remembers tree n1.
      const n2 = (await upstream.growSumdb(GROWTH)) + 1;
      await upstream.resetLog();
      const second = goModDownload(fork, dir, env);
      expect(second.Error).toBeUndefined();
      expect(await upstream.sumdbTreeSize()).toBe(n2);
      // To prove n2 consistent with n1 it read n1's right-edge level-0 tile, complete in n2
      // (x/mod sumdb/client.go checkTrees → tlog.ProveTree).
      const edge = tilePath({ h: TILE_HEIGHT, l: 0, n: Math.floor(n1 / 256), w: 256 });
      const requested = (await upstream.requestLog()).map((e) => e.path);
      expect(requested).toContain(`/sumdb/${upstream.sumdbName}/${edge}`);
      expect(parseTree(open(readFileSync(latestFile), [newVerifier(upstream.sumdbVerifierKey)]).text).n).toBe(n2);
    },
    2 * GO_TIMEOUT_MS + 30_000,
  );
});
