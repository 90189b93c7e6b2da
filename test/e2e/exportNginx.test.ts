/**
 * `gobundle export` served by real nginx to the real go command: two
 * bundles packed by bin/gobundle from the test upstream, the upstream
 * stopped, exported as one static tree, served by Debian's nginx, and used
 * by go 1.23 and go 1.19 with fresh caches, no go.sum and GOSUMDB on (the
 * checksum database found through GOPROXY, as serveGo.test.ts does with
 * serve). Every exported file is also compared with what `gobundle serve`
 * answers for the same path over the same bundles. Needs dist/ (npm test
 * builds first) and nginx (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv, testCacheDir, type GoVersion, runGoAsync, type GoRun } from '../support/gotool.js';
import { startNginx, type NginxProcess } from '../support/nginxProcess.js';
import { startServeProcess, type ServeProcess } from '../support/serveProcess.js';
import { generateGraph, type GeneratedGraph } from '../upstream/generate.js';
import { startUpstream, testSumdbVerifierKey, type Upstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-export-e2e-'));
const GO_TIMEOUT_MS = 300_000;

let upstream: Upstream | undefined;
let graph: GeneratedGraph;
let nginx: NginxProcess | undefined;
let serve: ServeProcess | undefined;
let sumdbKey = '';
const exportDir = join(work, 'export');

function gobundle(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
}

function mustGobundle(args: string[], env: NodeJS.ProcessEnv) {
  const r = gobundle(args, env);
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  graph = generateGraph({ dir: join(work, 'graph'), seed: 11, modules: 60, pathPrefix: 'gen.test/export' });
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules'), graph.modulesDir] });
  const env = hermeticGoEnv({
    GOPROXY: upstream.url,
    GOSUMDB: upstream.sumdbVerifierKey,
    HOME: work,
    GOBUNDLE_CACHE: join(work, 'pack-cache'),
  });
  mustGobundle(['keygen', 'team', '--out-dir', work], env);
  mustGobundle(
    ['pack', join(root, 'samples', 'hello'), '-o', join(work, 'hello.tgz'), '--sign-key', join(work, 'team.key'), '--quiet'],
    env,
  );
  mustGobundle(['pack', graph.mainDir, '-o', join(work, 'graph.tgz'), '--sign-key', join(work, 'team.key'), '--quiet'], env);
  sumdbKey = upstream.sumdbVerifierKey;
  await upstream.stop();
  upstream = undefined;
  const offline = hermeticGoEnv({ HOME: work });
  const common = ['--trust', 'team.pub', '--sumdb-key', sumdbKey, '--cache-dir', join(work, 'serve-cache')];
  const r = mustGobundle(['export', 'hello.tgz', 'graph.tgz', '--to', exportDir, ...common], offline);
  expect(r.stdout).toMatch(/^exported 2 bundles to \S+ \(goproxy layout\): \d+ files, \d+ bytes\n$/);
  nginx = await startNginx(exportDir, join(work, 'nginx'), { timeoutMs: 20_000 });
  serve = await startServeProcess(['hello.tgz', 'graph.tgz', ...common, '--listen', '127.0.0.1:0', '--no-access-log'], {
    cwd: work,
    env: offline,
    timeoutMs: 60_000,
  });
}, 600_000);

afterAll(async () => {
  await upstream?.stop();
  await nginx?.stop();
  if (serve !== undefined && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function runGo(version: GoVersion, project: string, args: string[], gopath: string): Promise<GoRun> {
  return runGoAsync(goBinary(version), args, {
    cwd: project,
    env: hermeticGoEnv({
      GOPROXY: (nginx as NginxProcess).url,
      GOSUMDB: testSumdbVerifierKey,
      GOFLAGS: '-mod=mod',
      GOPATH: gopath,
      GOMODCACHE: join(gopath, 'pkg', 'mod'),
      GOCACHE: join(testCacheDir(), `gocache-export-${version}`),
      HOME: work,
    }),
    timeoutMs: GO_TIMEOUT_MS,
  });
}

describe.each<GoVersion>(['1.23', '1.19'])('go %s through nginx serving gobundle export, upstream stopped, GOSUMDB on', (version) => {
  test.each(['hello', 'graph'])(
    '%s: go mod tidy, go mod download all, go build ./..., go mod verify',
    async (which) => {
      const project = join(work, `${which}-${version}`);
      cpSync(which === 'hello' ? join(root, 'samples', 'hello') : graph.mainDir, project, { recursive: true });
      rmSync(join(project, 'go.sum'), { force: true });
      const gopath = join(work, `gopath-${which}-${version}`);
      mkdirSync(gopath, { recursive: true });
      // go 1.19's tidy refuses a go.mod newer than itself; -go=1.19 tidies the same requirements.
      const tidy = version === '1.19' ? ['mod', 'tidy', '-go=1.19'] : ['mod', 'tidy'];
      for (const args of [tidy, ['mod', 'download', 'all'], ['build', './...'], ['mod', 'verify']]) {
        const r = await runGo(version, project, args, gopath);
        expect(
          r.status,
          `go ${version} ${args.join(' ')} in ${which}:\n${r.stderr}\n${readFileSync(join(work, 'nginx', 'error.log'), 'utf8').slice(-3000)}`,
        ).toBe(0);
        if (args[1] === 'verify') expect(r.stdout).toBe('all modules verified\n');
      }
      // The checksum database was used, through the proxy: the client stored its verified tree head.
      expect(existsSync(join(gopath, 'pkg', 'sumdb', 'gobundle.test', 'latest'))).toBe(true);
    },
    600_000,
  );
});

describe('the exported tree', () => {
  test('every file is what gobundle serve answers for the same path, with the content type the go command expects', async () => {
    const names = filesUnder(exportDir);
    expect(
      names.some((n) => /^sumdb\/gobundle\.test\/tile\/8\/0\/.*\.p\/\d+$/.test(n)),
      'a partial tile is written out',
    ).toBe(true);
    expect(names).toContain('sumdb/gobundle.test/supported');
    expect(names).toContain('sumdb/gobundle.test/latest');
    expect(names).toContain('example.com/!upper/!mod/@v/list');
    expect(names).toContain('example.com/!upper/!mod/@latest');
    const s = (serve as ServeProcess).url;
    const n = (nginx as NginxProcess).url;
    // The page (index.html and -/) is compared on its own below: serve answers it at / and records misses, an export does not.
    for (const name of names.filter((n) => n !== 'index.html' && !n.startsWith('-/'))) {
      // The go command escapes `!` as %21 (url.PathEscape); nginx decodes it before mapping the URI to a file.
      const path = `/${name.replaceAll('!', '%21')}`;
      const [a, b] = await Promise.all([fetch(`${s}${path}`), fetch(`${n}${path}`)]);
      const [ba, bb] = [Buffer.from(await a.arrayBuffer()), Buffer.from(await b.arrayBuffer())];
      expect(`${name}: nginx ${b.status}, serve ${a.status}`).toBe(`${name}: nginx 200, serve 200`);
      expect(bb.equals(ba), `${name}: nginx body differs from serve's`).toBe(true);
      const type = b.headers.get('content-type') ?? '';
      if (/\.info$|@latest$/.test(name)) expect(type, name).toBe('application/json');
      if (/\.mod$|\/@v\/list$/.test(name)) expect(type, name).toBe('text/plain; charset=utf-8');
      if (name.endsWith('.zip')) expect(type, name).toBe('application/zip');
    }
  }, 120_000);

  test("the page: nginx serves serve's page, its catalogue (but for the miss record) and every module's detail", async () => {
    const names = filesUnder(exportDir);
    const s = (serve as ServeProcess).url;
    const n = (nginx as NginxProcess).url;
    const [pageS, pageN] = await Promise.all([fetch(`${s}/`), fetch(`${n}/`)]);
    expect(pageN.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await pageN.text()).toBe(await pageS.text());
    for (const asset of ['index.html', '-/page.js', '-/page.css']) {
      const [a, b] = await Promise.all([fetch(`${s}/${asset}`), fetch(`${n}/${asset}`)]);
      expect(await b.text(), asset).toBe(await a.text());
    }
    const [catS, catN] = await Promise.all([fetch(`${s}/-/catalog.json`), fetch(`${n}/-/catalog.json`)]);
    const [cs, cn] = [(await catS.json()) as Record<string, unknown>, (await catN.json()) as Record<string, unknown>];
    expect(cs.misses).toBe(true);
    expect(cn.misses).toBe(false);
    expect({ ...cn, misses: true }).toEqual(cs);
    const details = names.filter((x) => x.startsWith('-/module/'));
    expect(details.length).toBe((cn.modules as unknown[]).length);
    expect(details).toContain('-/module/example.com/!upper/!mod/@detail.json');
    for (const name of details) {
      const path = `/${name.replaceAll('!', '%21')}`;
      const [a, b] = await Promise.all([fetch(`${s}${path}`), fetch(`${n}${path}`)]);
      expect(`${name} ${b.status} ${b.headers.get('content-type')}`).toBe(`${name} 200 application/json`);
      expect(await b.json(), name).toEqual(await a.json());
    }
  }, 120_000);

  test('export refuses a non-empty --to, and --replace swaps it', () => {
    const env = hermeticGoEnv({ HOME: work });
    const common = ['--trust', 'team.pub', '--sumdb-key', sumdbKey, '--cache-dir', join(work, 'serve-cache')];
    const to = join(work, 'again');
    mkdirSync(to);
    writeFileSync(join(to, 'old-file'), 'x');
    const refused = gobundle(['export', 'hello.tgz', '--to', to, ...common], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      `gobundle: export: ${to}: directory is not empty\nhint: pass --replace to swap it for the new tree, or choose another --to\n`,
    );
    const replaced = gobundle(['export', 'hello.tgz', '--to', to, '--replace', ...common], env);
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(existsSync(join(to, 'old-file'))).toBe(false);
    expect(readFileSync(join(to, 'example.com', 'greeting', '@v', 'list'), 'utf8')).toMatch(/^v1\.\d\.\d\n/);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 120_000);

  test('--layout athens writes Athens disk storage: <module>/<version>/{go.mod,source.zip,<version>.info}', () => {
    const env = hermeticGoEnv({ HOME: work });
    const to = join(work, 'athens');
    const r = gobundle(
      [
        'export',
        'hello.tgz',
        '--to',
        to,
        '--layout',
        'athens',
        '--trust',
        'team.pub',
        '--sumdb-key',
        sumdbKey,
        '--cache-dir',
        join(work, 'serve-cache'),
      ],
      env,
    );
    expect(r.status, r.stderr).toBe(0);
    const names = filesUnder(to);
    expect(names).toContain('example.com/Upper/Mod/v1.0.0/go.mod');
    expect(names).toContain('example.com/Upper/Mod/v1.0.0/source.zip');
    expect(names).toContain('example.com/Upper/Mod/v1.0.0/v1.0.0.info');
    expect(readFileSync(join(to, 'example.com/Upper/Mod/v1.0.0/go.mod'))).toEqual(
      readFileSync(join(exportDir, 'example.com/!upper/!mod/@v/v1.0.0.mod')),
    );
    expect(names.filter((n) => n.startsWith('sumdb/') || n.includes('@v/'))).toEqual([]);
  }, 120_000);
});
