/**
 * The checksum-database client and replay against the REAL x/mod database
 * of the test upstream, with the real go 1.23 command as the judge:
 * hashes verified through fetchOps agree with what the proxy serves, and a
 * file:// GOPROXY holding the proxy files plus our replay satisfies a fresh
 * go client (GOSUMDB on, no go.sum) with the upstream stopped.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashGoMod } from '../../src/gomod/dirhash.js';
import { parseGoProxy } from '../../src/gomod/goenv.js';
import { unescapePath, unescapeVersion } from '../../src/gomod/modulePath.js';
import { hashZip } from '../../src/modzip/hashZip.js';
import { HttpTransport } from '../../src/network/httpTransport.js';
import { ProxyChain } from '../../src/proxy/proxyChain.js';
import { type VerifiedSumdb, recordHashes, verifyModules } from '../../src/sumdb/client.js';
import { sumdbOpsForChain } from '../../src/sumdb/fetchOps.js';
import { replayFiles, verifyReplay } from '../../src/sumdb/replay.js';
import { goBinary, hermeticGoEnv, testCacheDir } from '../support/gotool.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { type ModuleVersion } from '../../src/gomod/moduleVersion.js';

const root = resolve(import.meta.dirname, '..', '..');
const modulesDir = join(root, 'test', 'fixtures', 'modules');
const projectDir = join(root, 'test', 'fixtures', 'projects', 'basic');
const work = mkdtempSync(join(tmpdir(), 'gobundle-sumdb-'));
const GO_TIMEOUT_MS = 180_000;

let upstream: Upstream | undefined;
let transport: HttpTransport | undefined;

afterAll(async () => {
  await transport?.close();
  await upstream?.stop();
  rmSync(work, { recursive: true, force: true });
});

function runGo(args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(goBinary('1.23'), args, { cwd, env, encoding: 'utf8', timeout: GO_TIMEOUT_MS });
  if (r.status !== 0) throw new Error(`go ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}${r.error ? String(r.error) : ''}`);
  return r.stdout;
}

/** A fresh go environment under `dir` (own GOPATH, GOMODCACHE, HOME; shared build cache). */
function freshGoEnv(dir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const gopath = join(dir, 'gopath');
  mkdirSync(gopath, { recursive: true });
  return hermeticGoEnv({
    GOPATH: gopath,
    GOMODCACHE: join(gopath, 'pkg', 'mod'),
    GOCACHE: join(testCacheDir(), 'gocache'),
    HOME: dir,
    ...extra,
  });
}

function copyProject(to: string): string {
  mkdirSync(to, { recursive: true });
  cpSync(projectDir, to, { recursive: true });
  rmSync(join(to, 'go.sum'), { force: true });
  return to;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

interface CachedFile {
  rel: string;
  module: ModuleVersion;
  kind: 'mod' | 'zip' | 'info' | 'list';
}

/** The proxy-layout files of a GOMODCACHE/cache/download, minus locks and the client's own sumdb cache. */
function proxyFiles(downloadDir: string): CachedFile[] {
  const out: CachedFile[] = [];
  for (const p of walk(downloadDir)) {
    const rel = relative(downloadDir, p);
    if (rel.startsWith('sumdb/') || rel.endsWith('.lock') || rel.endsWith('.ziphash')) continue;
    const m = /^(.+)\/@v\/(?:(.+)\.(mod|zip|info)|(list))$/.exec(rel);
    if (m === null) continue;
    const kind = (m[3] ?? m[4]) as CachedFile['kind'];
    out.push({ rel, module: { path: unescapePath(m[1]!), version: m[2] === undefined ? '' : unescapeVersion(m[2]) }, kind });
  }
  return out;
}

describe('checksum database of the test upstream', () => {
  let downloadDir = '';
  let files: CachedFile[] = [];
  let verified: VerifiedSumdb;

  beforeAll(async () => {
    upstream = await startUpstream({ modules: [modulesDir] });
    // The real go client fills a module cache: our source of proxy files.
    const dir = join(work, 'seed');
    const env = freshGoEnv(dir, { GOPROXY: upstream.url, GOSUMDB: upstream.sumdbVerifierKey });
    runGo(['mod', 'download', 'all'], copyProject(join(dir, 'project')), env);
    downloadDir = join(env.GOMODCACHE as string, 'cache', 'download');
    files = proxyFiles(downloadDir);

    transport = new HttpTransport();
    const chain = new ProxyChain({ specs: parseGoProxy(upstream.url), transport });
    const ops = await sumdbOpsForChain(chain, transport, {
      name: upstream.sumdbName,
      url: `https://${upstream.sumdbName}`,
      urlExplicit: false,
    });
    const modules = files.filter((f) => f.kind === 'mod').map((f) => f.module);
    verified = await verifyModules(ops, upstream.sumdbVerifierKey, modules);
  }, 300_000);

  test('every downloaded zip and go.mod matches the verified record', async () => {
    const mods = files.filter((f) => f.kind === 'mod');
    const zips = files.filter((f) => f.kind === 'zip');
    expect(mods.length).toBeGreaterThanOrEqual(2);
    expect(zips.map((z) => `${z.module.path}@${z.module.version}`)).toEqual(
      expect.arrayContaining(['example.com/greeting@v1.1.0', 'example.com/tamper@v1.0.0']),
    );
    for (const f of mods) {
      const rec = verified.records.get(`${f.module.path}@${f.module.version}`);
      expect(rec, `record for ${f.module.path}@${f.module.version}`).toBeDefined();
      const want = recordHashes(rec!.text, f.module);
      expect(hashGoMod(readFileSync(join(downloadDir, f.rel))), `go.mod of ${f.module.path}@${f.module.version}`).toBe(want.mod);
    }
    for (const f of zips) {
      const want = recordHashes(verified.records.get(`${f.module.path}@${f.module.version}`)!.text, f.module);
      expect(await hashZip(join(downloadDir, f.rel)), `zip of ${f.module.path}@${f.module.version}`).toBe(want.zip);
    }
    expect(verified.name).toBe(upstream!.sumdbName);
    expect(verified.tree.n).toBeGreaterThanOrEqual(verified.records.size);
  });

  test('the replay files verify and the real go client uses them with the upstream stopped', async () => {
    const replay = replayFiles(verified);
    expect(verifyReplay(replay, upstream!.sumdbVerifierKey).lookups).toBe(verified.records.size);

    const proxyDir = join(work, 'fileproxy');
    for (const f of files) {
      mkdirSync(dirname(join(proxyDir, f.rel)), { recursive: true });
      cpSync(join(downloadDir, f.rel), join(proxyDir, f.rel));
    }
    for (const [name, data] of replay) {
      mkdirSync(dirname(join(proxyDir, name)), { recursive: true });
      writeFileSync(join(proxyDir, name), data);
    }
    await upstream!.stop();

    const dir = join(work, 'offline');
    const env = freshGoEnv(dir, { GOPROXY: `file://${proxyDir}`, GOSUMDB: upstream!.sumdbVerifierKey });
    const project = copyProject(join(dir, 'project'));
    runGo(['mod', 'download', 'all'], project, env);
    // The client looked every module up in the replayed database and recorded what it says.
    const lookups = walk(join(env.GOMODCACHE as string, 'cache', 'download', 'sumdb', upstream!.sumdbName, 'lookup'));
    expect(lookups.length).toBe(verified.records.size);
    // It fetched (and cached) exactly the tiles we replay: T(N, ids) is neither short nor padded.
    const sumdbCache = join(env.GOMODCACHE as string, 'cache', 'download', 'sumdb', upstream!.sumdbName);
    const fetchedTiles = walk(join(sumdbCache, 'tile'))
      .map((p) => relative(sumdbCache, p))
      .sort();
    expect(fetchedTiles).toEqual([...verified.tiles.keys()].sort());
    const gosum = new Set(readFileSync(join(project, 'go.sum'), 'utf8').trimEnd().split('\n'));
    const recordLines = new Set([...verified.records.values()].flatMap((r) => r.text.trimEnd().split('\n')));
    for (const line of gosum) expect(recordLines, `go.sum line ${line}`).toContain(line);
    // And it kept the tree head we replayed.
    const latest = readFileSync(join(env.GOPATH as string, 'pkg', 'sumdb', upstream!.sumdbName, 'latest'));
    expect(latest.equals(verified.treeNote)).toBe(true);

    // The go client really checks the replay: one flipped tile byte and it refuses.
    const badDir = join(work, 'fileproxy-bad');
    cpSync(proxyDir, badDir, { recursive: true });
    const tile = [...replay.keys()].find((n) => n.includes('/tile/8/0/'))!;
    const data = Buffer.from(replay.get(tile)!);
    data[0] = data[0]! ^ 1;
    writeFileSync(join(badDir, tile), data);
    const badEnv = freshGoEnv(join(work, 'offline-bad'), { GOPROXY: `file://${badDir}`, GOSUMDB: upstream!.sumdbVerifierKey });
    const r = spawnSync(goBinary('1.23'), ['mod', 'download', 'all'], {
      cwd: copyProject(join(work, 'offline-bad', 'project')),
      env: badEnv,
      encoding: 'utf8',
      timeout: GO_TIMEOUT_MS,
    });
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/inconsistent tile|SECURITY ERROR/);
  }, 300_000);
});

describe('tampered upstream', () => {
  let tampered: Upstream | undefined;
  afterAll(async () => {
    await tampered?.stop();
  });

  test('the database hash disagrees with the tampered zip', async () => {
    tampered = await startUpstream({ modules: [modulesDir], faults: { tamper: ['example.com/tamper@v1.0.0'] } });
    const t = new HttpTransport();
    try {
      const chain = new ProxyChain({ specs: parseGoProxy(tampered.url), transport: t });
      const ops = await sumdbOpsForChain(chain, t, { name: tampered.sumdbName, url: `https://${tampered.sumdbName}`, urlExplicit: false });
      const m = { path: 'example.com/tamper', version: 'v1.0.0' };
      const db = await verifyModules(ops, tampered.sumdbVerifierKey, [m, { path: 'example.com/greeting', version: 'v1.1.0' }]);
      const zipPath = join(work, 'tamper.zip');
      const zip = await t.get(`${tampered.url}/example.com/tamper/@v/v1.0.0.zip`, async (body) => {
        const chunks: Buffer[] = [];
        for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
        return Buffer.concat(chunks);
      });
      writeFileSync(zipPath, zip);
      const want = recordHashes(db.records.get('example.com/tamper@v1.0.0')!.text, m).zip;
      expect(want).toMatch(/^h1:/);
      expect(await hashZip(zipPath)).not.toBe(want);
      // The untampered module still agrees.
      const greeting = await t.get(`${tampered.url}/example.com/greeting/@v/v1.1.0.zip`, async (body) => {
        const chunks: Buffer[] = [];
        for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
        return Buffer.concat(chunks);
      });
      writeFileSync(join(work, 'greeting.zip'), greeting);
      const gm = { path: 'example.com/greeting', version: 'v1.1.0' };
      expect(await hashZip(join(work, 'greeting.zip'))).toBe(recordHashes(db.records.get('example.com/greeting@v1.1.0')!.text, gm).zip);
    } finally {
      await t.close();
    }
  }, 300_000);
});
