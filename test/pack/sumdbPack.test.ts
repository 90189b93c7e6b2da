/**
 * gobundle pack with the checksum database on, against the REAL x/mod
 * database of the test upstream (found through the proxy: GOSUMDB carries
 * no URL), judged by the real go 1.23 and go 1.19:
 *
 *   - samples/hello (no go.sum) packs with a replay under sumdb/<name>/;
 *     extracted, it is a GOPROXY=file:// (and, served over HTTP, a logging
 *     proxy) from which go mod tidy, go mod download all and go build work
 *     with GOSUMDB on, fresh caches, no go.sum, the upstream stopped;
 *   - a tampered zip is refused even without go.sum, nothing is written;
 *   - GONOSUMDB skips a module's lookup; GOSUMDB=off carries no database;
 *   - --write-gosum writes what go mod tidy writes.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseManifest, type Manifest } from '../../src/bundle/manifest.js';
import { goBinary, hermeticGoEnv, testCacheDir, type GoVersion } from '../support/gotool.js';
import { runCli } from '../cli/runCli.js';
import { startUpstream, upstreamGoEnv, type Upstream } from '../upstream/server.js';
import { extractBundle, fixtureModules, fixtureProjects, packEnv, repoRoot, tempDir } from './packHarness.js';

const hello = join(repoRoot, 'samples', 'hello');
/** One go command on a shared 2-core machine. */
const GO_TIMEOUT_MS = 180_000;
/** A request to the in-test file server. */
const SERVE_TIMEOUT_MS = 30_000;

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream({ modules: [fixtureModules] });
}, 120_000);
afterAll(async () => {
  await upstream?.stop();
});

function copyHello(to: string): string {
  mkdirSync(to, { recursive: true });
  cpSync(hello, to, { recursive: true });
  expect(existsSync(join(to, 'go.sum')), `${to} has a go.sum`).toBe(false);
  return to;
}

async function pack(dir: string, project: string, extraArgs: string[] = [], env: Record<string, string> = {}) {
  return runCli(['pack', project, '-o', join(dir, 'out.tgz'), '--unsigned', '--cache-dir', join(dir, 'cache'), ...extraArgs], {
    cwd: dir,
    env: packEnv(upstream.url, dir, { GOSUMDB: upstream.sumdbVerifierKey, GONOSUMDB: '', ...env }),
  });
}

function manifestOf(bundle: string, dir: string): Manifest {
  extractBundle(bundle, dir, { keepMetadata: true });
  return parseManifest(readFileSync(join(dir, 'gobundle', 'manifest.json')));
}

interface GoResult {
  code: number | null;
  stderr: string;
}

/** The go command, asynchronously: an in-process file server must keep answering while it runs. */
function go(version: GoVersion, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<GoResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(goBinary(version), args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), GO_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stderr });
    });
  });
}

/** A fresh client: own GOPATH (so no pkg/sumdb/<name>/latest), own module cache, shared build cache. */
function offlineEnv(work: string, goproxy: string): NodeJS.ProcessEnv {
  const gopath = join(work, 'gopath');
  mkdirSync(gopath, { recursive: true });
  return hermeticGoEnv({
    GOPROXY: goproxy,
    GOSUMDB: upstream.sumdbVerifierKey,
    GONOSUMDB: '',
    GOFLAGS: '-mod=mod',
    GOPATH: gopath,
    GOMODCACHE: join(gopath, 'pkg', 'mod'),
    GOCACHE: join(testCacheDir(), 'gocache'),
    HOME: work,
  });
}

/**
 * go mod tidy, go mod download all, go build ./... in a fresh copy of hello:
 * the failures (empty when all passed). Go 1.19's tidy refuses a go.mod
 * newer than itself ("maximum version supported by tidy is 1.19"), so it
 * tidies to -go=1.19, as a 1.19 user has to.
 */
async function helloOffline(version: GoVersion, goproxy: string, work: string): Promise<string[]> {
  const project = copyHello(join(work, 'project'));
  const env = offlineEnv(work, goproxy);
  const failures: string[] = [];
  const tidy = version === '1.19' ? ['mod', 'tidy', '-go=1.19'] : ['mod', 'tidy'];
  for (const args of [tidy, ['mod', 'download', 'all'], ['build', './...']]) {
    const r = await go(version, args, project, env);
    if (r.code !== 0) failures.push(`go${version} ${args.join(' ')} (exit ${r.code}):\n${r.stderr}`);
  }
  return failures;
}

/** A static server over an extracted bundle that logs every request, so we see what the go client asks. */
async function serveTree(root: string): Promise<{ url: string; log: { path: string; status: number }[]; close: () => Promise<void> }> {
  const log: { path: string; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path));
    let status = 404;
    if (relative(root, file).split('/')[0] !== '..' && existsSync(file) && statSync(file).isFile()) {
      const data = readFileSync(file);
      status = 200;
      res.writeHead(200, { 'Content-Length': data.length, 'Content-Type': 'application/octet-stream' });
      res.end(data);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    }
    log.push({ path, status });
  });
  server.requestTimeout = SERVE_TIMEOUT_MS;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

const sizeOf = (m: Manifest, pick: (name: string) => boolean): number =>
  m.files.filter((f) => pick(f.name)).reduce((n, f) => n + f.size, 0);

describe('pack with the checksum database', () => {
  let helloDir = '';
  let helloManifest: Manifest;

  test('samples/hello without go.sum: the bundle carries the replay and a manifest sumdb entry', { timeout: 300_000 }, async () => {
    helloDir = tempDir('sumdb-hello');
    const project = copyHello(join(helloDir, 'project'));
    const res = await pack(helloDir, project);
    expect(res.code, res.stderr).toBe(0);
    helloManifest = manifestOf(join(helloDir, 'out.tgz'), join(helloDir, 'raw'));
    const name = upstream.sumdbName;
    expect(helloManifest.sumdb?.name).toBe(name);
    expect(helloManifest.sumdb?.treeSize).toBeGreaterThanOrEqual(2);
    expect(helloManifest.sumdb?.treeHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const names = helloManifest.files.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        `sumdb/${name}/supported`,
        `sumdb/${name}/latest`,
        `sumdb/${name}/lookup/example.com/!upper/!mod@v1.0.0`,
        `sumdb/${name}/lookup/example.com/greeting@v1.1.0`,
      ]),
    );
    expect(names.filter((n) => n.startsWith(`sumdb/${name}/lookup/`))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith(`sumdb/${name}/tile/`)).length).toBeGreaterThanOrEqual(1);
    // Every record's hashes are the ones the bundle carries.
    for (const m of helloManifest.modules) {
      const lookup = readFileSync(
        join(helloDir, 'raw', 'sumdb', name, 'lookup', `${m.path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`)}@${m.version}`),
        'utf8',
      );
      expect(lookup).toContain(`${m.path} ${m.version} ${m.zipH1}\n${m.path} ${m.version}/go.mod ${m.modH1}\n`);
    }
    // The replay's tree head is the manifest's.
    expect(readFileSync(join(helloDir, 'raw', 'sumdb', name, 'latest'), 'utf8')).toContain(
      `${helloManifest.sumdb?.treeSize}\n${helloManifest.sumdb?.treeHash}\n`,
    );
  });

  test('a tampered upstream zip is refused without go.sum: security error, no bundle, no go.sum', { timeout: 300_000 }, async () => {
    const dir = tempDir('sumdb-tamper');
    const project = copyHello(join(dir, 'project'));
    await upstream.setFaults({ tamper: ['example.com/greeting@v1.1.0'] });
    let res;
    try {
      res = await pack(dir, project, ['--write-gosum', '--quiet']);
    } finally {
      await upstream.setFaults({});
    }
    expect(res.code, res.stderr).toBe(1);
    const want = helloManifest.modules.find((m) => m.path === 'example.com/greeting')?.zipH1;
    expect(want).toMatch(/^h1:/);
    const actual = /\tdownloaded: (h1:\S+)\n/.exec(res.stderr)?.[1];
    expect(actual, res.stderr).toMatch(/^h1:/);
    expect(actual).not.toBe(want);
    expect(res.stderr).toBe(
      'gobundle: verifying example.com/greeting@v1.1.0: checksum mismatch\n' +
        `\tdownloaded: ${actual}\n` +
        `\tgobundle.test: ${want}\n\n` +
        'SECURITY ERROR\nThis download does NOT match the one reported by the checksum server or recorded in go.sum.\n' +
        'The bits may have been replaced on the origin server, or an attacker may have intercepted the download attempt.\n',
    );
    expect(readdirSync(dir).sort()).toEqual(['cache', 'empty-gomodcache', 'project']);
    expect(readdirSync(project).sort()).toEqual(['go.mod', 'main.go']);
  });

  test('GONOSUMDB: the excluded module is not looked up and not in the replay', { timeout: 300_000 }, async () => {
    const dir = tempDir('sumdb-gonosumdb');
    await upstream.resetLog();
    const res = await pack(dir, hello, [], { GONOSUMDB: 'example.com/greeting' });
    expect(res.code, res.stderr).toBe(0);
    const sumdbRequests = (await upstream.requestLog()).map((e) => e.path).filter((p) => p.startsWith('/sumdb/'));
    const name = upstream.sumdbName;
    expect(sumdbRequests.filter((p) => p.includes('/lookup/'))).toEqual([`/sumdb/${name}/lookup/example.com/!upper/!mod@v1.0.0`]);
    const manifest = manifestOf(join(dir, 'out.tgz'), join(dir, 'raw'));
    expect(manifest.sumdb?.name).toBe(name);
    expect(manifest.files.map((f) => f.name).filter((n) => n.includes('/lookup/'))).toEqual([
      `sumdb/${name}/lookup/example.com/!upper/!mod@v1.0.0`,
    ]);
  });

  test('GOSUMDB=off: no database is asked and none is carried', { timeout: 300_000 }, async () => {
    const dir = tempDir('sumdb-off');
    await upstream.resetLog();
    const res = await pack(dir, hello, [], { GOSUMDB: 'off' });
    expect(res.code, res.stderr).toBe(0);
    expect((await upstream.requestLog()).filter((e) => e.path.startsWith('/sumdb/'))).toEqual([]);
    const manifest = manifestOf(join(dir, 'out.tgz'), join(dir, 'raw'));
    expect(manifest.sumdb).toBeNull();
    expect(manifest.files.filter((f) => f.name.startsWith('sumdb/'))).toEqual([]);
    const withDb = statSync(join(helloDir, 'out.tgz')).size;
    const without = statSync(join(dir, 'out.tgz')).size;
    const raw = sizeOf(helloManifest, (n) => n.startsWith('sumdb/'));
    const rest = sizeOf(helloManifest, (n) => !n.startsWith('sumdb/'));
    console.log(
      `samples/hello sumdb overhead: ${raw} bytes of sumdb files vs ${rest} bytes of module files (uncompressed); ` +
        `bundle ${withDb} bytes with, ${without} bytes without (+${withDb - without})`,
    );
  });

  test('--write-gosum writes what go mod tidy writes', { timeout: 300_000 }, async () => {
    const dir = tempDir('sumdb-gosum');
    const ours = copyHello(join(dir, 'ours'));
    const res = await pack(dir, ours, ['--write-gosum']);
    expect(res.code, res.stderr).toBe(0);
    const theirs = copyHello(join(dir, 'theirs'));
    const r = await go('1.23', ['mod', 'tidy'], theirs, upstreamGoEnv(upstream, { workDir: join(dir, 'go') }));
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(ours, 'go.sum'), 'utf8')).toBe(readFileSync(join(theirs, 'go.sum'), 'utf8'));
    expect(readdirSync(ours).sort()).toEqual(['go.mod', 'go.sum', 'main.go']);

    // An explicit file, relative to the working directory.
    const res2 = await pack(dir, ours, ['--write-gosum=explicit.sum']);
    expect(res2.code, res2.stderr).toBe(0);
    expect(readFileSync(join(dir, 'explicit.sum'), 'utf8')).toBe(readFileSync(join(theirs, 'go.sum'), 'utf8'));
  });

  /**
   * --write-gosum carries a line for every bundled module version, so it is
   * what `go mod tidy` then `go mod download all` leave. That is tidy's own
   * go.sum except where a build-list module provides no package: in
   * "pruning", e (go 1.21) requires f, which tidy does not record and
   * download all does; in "tidy-compat", a requires b, which provides no
   * package, so tidy records only b's go.mod and download all adds its zip.
   */
  const TIDY_DIFFERS = new Set(['pruning', 'tidy-compat']);
  test.each(readdirSync(fixtureProjects).sort())(
    'fixture project %s: every module verified (replacements under their replacement), --write-gosum = go mod tidy + go mod download all',
    { timeout: 300_000 },
    async (name) => {
      const dir = tempDir(`sumdb-proj-${name}`);
      const ours = join(dir, 'ours');
      cpSync(join(fixtureProjects, name), ours, { recursive: true });
      const res = await pack(dir, ours, ['--write-gosum', '--quiet']);
      expect(res.code, res.stderr).toBe(0);
      const manifest = manifestOf(join(dir, 'out.tgz'), join(dir, 'raw'));
      const lookups = manifest.files.map((f) => f.name).filter((n) => n.includes('/lookup/'));
      expect(lookups.length, 'one lookup per module version').toBe(manifest.modules.length);

      const theirs = join(dir, 'theirs');
      cpSync(join(fixtureProjects, name), theirs, { recursive: true });
      const env = upstreamGoEnv(upstream, { workDir: join(dir, 'go') });
      const tidy = await go('1.23', ['mod', 'tidy'], theirs, env);
      expect(tidy.code, tidy.stderr).toBe(0);
      const tidySum = readFileSync(join(theirs, 'go.sum'), 'utf8');
      const download = await go('1.23', ['mod', 'download', 'all'], theirs, env);
      expect(download.code, download.stderr).toBe(0);
      const got = readFileSync(join(ours, 'go.sum'), 'utf8');
      expect(got).toBe(readFileSync(join(theirs, 'go.sum'), 'utf8'));
      expect(got === tidySum, `--write-gosum ${got === tidySum ? 'equals' : 'differs from'} go mod tidy's go.sum`).toBe(
        !TIDY_DIFFERS.has(name),
      );
    },
  );

  test('the extracted bundle replays the database: go 1.23 and go 1.19, no go.sum, upstream stopped', { timeout: 600_000 }, async () => {
    const tree = join(helloDir, 'tree');
    extractBundle(join(helloDir, 'out.tgz'), tree);
    await upstream.stop();

    for (const version of ['1.23', '1.19'] as const) {
      expect(await helloOffline(version, `file://${tree}`, join(helloDir, `file-${version}`)), `go ${version} from file://`).toEqual([]);
    }

    // The same tree over HTTP, to see what a go client asks the replay for.
    const served = await serveTree(tree);
    try {
      expect(await helloOffline('1.23', served.url, join(helloDir, 'http-1.23'))).toEqual([]);
    } finally {
      await served.close();
    }
    const name = upstream.sumdbName;
    const at = (kind: string) => served.log.filter((e) => e.path.startsWith(`/sumdb/${name}/${kind}`));
    expect(served.log.filter((e) => e.status !== 200 && e.path.startsWith('/sumdb/'))).toEqual([]);
    expect(at('supported').length).toBeGreaterThanOrEqual(1);
    expect(at('latest')).toEqual([]);
    expect(
      at('lookup/')
        .map((e) => e.path)
        .sort(),
    ).toEqual([`/sumdb/${name}/lookup/example.com/!upper/!mod@v1.0.0`, `/sumdb/${name}/lookup/example.com/greeting@v1.1.0`].sort());
    const tiles = [...new Set(at('tile/').map((e) => e.path.slice(`/sumdb/${name}/`.length)))].sort();
    const replayTiles = helloManifest.files
      .map((f) => f.name.slice(`sumdb/${name}/`.length))
      .filter((n) => n.startsWith('tile/'))
      .sort();
    expect(tiles).toEqual(replayTiles);
    console.log(
      `go 1.23 (tidy, download all, build) asked the replay for: ${at('supported').length} supported, ${at('lookup/').length} lookups, ` +
        `${at('tile/').length} tile requests (${tiles.length} distinct: ${tiles.join(' ')}), ${at('latest').length} latest; ` +
        `tree size ${helloManifest.sumdb?.treeSize}`,
    );
  });
});
