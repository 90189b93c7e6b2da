/**
 * Toolchains offline, end to end, with the real go command: the test
 * upstream serves a real go1.22.12 toolchain module (Debian's Go 1.22 laid
 * out as cmd/distpack does, test/support/toolchainModule.ts) with records in
 * its checksum database; `bin/gobundle pack --toolchain auto,go1.22.12`
 * packs four projects (a go line, a toolchain line, GOTOOLCHAIN set by the
 * client, a dependency needing a newer Go); the upstream is stopped; then Go 1.21 with
 * GOTOOLCHAIN=auto (or GOTOOLCHAIN=go1.22.12), fresh GOMODCACHE and GOPATH,
 * no go.sum and GOSUMDB on runs `go build ./...` and `go version` through
 * `bin/gobundle serve` and through GOPROXY=file://<extracted bundle>, and
 * must be running go1.22.12. Needs dist/ (npm test builds first).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv, testCacheDir, runGoAsync, type GoRun } from '../support/gotool.js';
import { startServeProcess } from '../support/serveProcess.js';
import { tamperBundleEntry } from '../support/tamperBundle.js';
import { linkToolchainZip, realToolchainZip, type ToolchainZip } from '../support/toolchainModule.js';
import { startUpstream, testSumdbVerifierKey, type Upstream } from '../upstream/server.js';
import { extractBundle } from '../pack/packHarness.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-toolchain-e2e-'));
const SERVE_START_TIMEOUT_MS = 120_000;
/** One go command: unpacking a 150 MB toolchain and building with it on a shared 2-core machine. */
const GO_TIMEOUT_MS = 300_000;

let upstream: Upstream | undefined;
let toolchain: ToolchainZip;
let serve: ChildProcess | undefined;
let serveUrl = '';
let serveLog: () => string = () => '';
const bundle = join(work, 'toolchain.tgz');
const extracted = join(work, 'extracted');

/** The three projects: which go.mod lines, and which GOTOOLCHAIN the client runs with. */
const projects = [
  { name: 'go-line', goMod: 'go 1.22.12\n', gotoolchain: 'auto' },
  { name: 'toolchain-line', goMod: 'go 1.21\n\ntoolchain go1.22.12\n', gotoolchain: 'auto' },
  { name: 'gotoolchain-env', goMod: 'go 1.21\n', gotoolchain: 'go1.22.12' },
  // go 1.21 here, but a dependency's go.mod says go 1.22.12: go mod tidy's switch reads golang.org/toolchain/@v/list.
  { name: 'dependency', goMod: 'go 1.21\n', gotoolchain: 'auto', require: 'example.com/needsnew v1.0.0' },
] as const;

function projectDir(name: string): string {
  return join(work, 'src', name);
}

/** samples/hello (two fixture dependencies) with its go line replaced. */
function writeProject(name: string, goLines: string, extraRequire = ''): string {
  const dir = projectDir(name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(root, 'samples', 'hello'), dir, { recursive: true });
  rmSync(join(dir, 'go.sum'), { force: true });
  writeFileSync(
    join(dir, 'go.mod'),
    `module example.com/hello\n\n${goLines}\nrequire (\n\texample.com/Upper/Mod v1.0.0\n\texample.com/greeting v1.1.0\n${extraRequire === '' ? '' : `\t${extraRequire}\n`})\n`,
  );
  // Import it: with a pruned graph the go command reads only the go.mod files of modules it loads packages from.
  if (extraRequire !== '') writeFileSync(join(dir, 'dep.go'), `package main\n\nimport _ "${extraRequire.split(' ')[0]}"\n`);
  return dir;
}

function gobundle(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  toolchain = realToolchainZip();
  linkToolchainZip(join(work, 'toolchains'), toolchain);
  for (const p of projects) writeProject(p.name, p.goMod, 'require' in p ? p.require : '');
  const extraModules = join(work, 'modules');
  mkdirSync(extraModules, { recursive: true });
  writeFileSync(
    join(extraModules, 'needsnew_v1.0.0.txt'),
    'module=example.com/needsnew\nversion=v1.0.0\n-- go.mod --\nmodule example.com/needsnew\n\ngo 1.22.12\n-- needsnew.go --\npackage needsnew\n',
  );
  upstream = await startUpstream({
    modules: [join(root, 'test', 'fixtures', 'modules'), extraModules],
    toolchainDir: join(work, 'toolchains'),
  });
  const env = hermeticGoEnv({
    GOPROXY: upstream.url,
    GOSUMDB: upstream.sumdbVerifierKey,
    HOME: work,
    GOBUNDLE_CACHE: join(work, 'pack-cache'),
  });
  gobundle(['keygen', 'team', '--out-dir', work], env);
  const t0 = performance.now();
  // auto: the go and toolchain lines of the first two; the third names its toolchain only in GOTOOLCHAIN.
  gobundle(
    [
      'pack',
      ...projects.map((p) => projectDir(p.name)),
      '--toolchain',
      'auto,go1.22.12',
      '--platform',
      'linux/amd64',
      '-o',
      bundle,
      '--sign-key',
      join(work, 'team.key'),
      '--quiet',
    ],
    env,
  );
  console.log(
    `pack with the go1.22.12 linux/amd64 toolchain: ${((performance.now() - t0) / 1000).toFixed(1)} s; zip ${statSync(toolchain.path).size} bytes, bundle ${statSync(bundle).size} bytes`,
  );
  await upstream.stop();
  upstream = undefined;
  extractBundle(bundle, extracted);
  const s = await startServeProcess(
    [
      'toolchain.tgz',
      '--trust',
      'team.pub',
      '--sumdb-key',
      testSumdbVerifierKey,
      '--listen',
      '127.0.0.1:0',
      '--cache-dir',
      join(work, 'serve-cache'),
    ],
    { cwd: work, env: hermeticGoEnv({ HOME: work }), timeoutMs: SERVE_START_TIMEOUT_MS },
  );
  serve = s.child;
  serveUrl = s.url;
  serveLog = s.stderr;
}, 900_000);

afterAll(async () => {
  await upstream?.stop();
  if (serve !== undefined && serve.exitCode === null) serve.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** The go command without blocking the event loop (serve's log pipe must keep draining). */
function runGo(project: string, args: string[], env: NodeJS.ProcessEnv): Promise<GoRun> {
  return runGoAsync(goBinary('1.21'), args, { cwd: project, env, timeoutMs: GO_TIMEOUT_MS });
}

const proxies = [
  ['gobundle serve', () => serveUrl],
  ['file:// of the extracted bundle', () => `file://${extracted}`],
] as const;

describe.each(proxies)('go 1.21 switches to the bundled go1.22.12 through %s', (via, proxy) => {
  test.each(projects)(
    '$name (GOTOOLCHAIN=$gotoolchain): go build ./... and go version run go1.22.12',
    async (p) => {
      const project = join(work, 'run', `${p.name}-${via.replace(/\W+/g, '-')}`);
      cpSync(projectDir(p.name), project, { recursive: true });
      const gopath = join(project, '.gopath');
      const env = hermeticGoEnv({
        GOPROXY: proxy(),
        GOSUMDB: testSumdbVerifierKey,
        GOTOOLCHAIN: p.gotoolchain,
        GOPATH: gopath,
        GOMODCACHE: join(gopath, 'pkg', 'mod'),
        GOCACHE: join(testCacheDir(), 'gocache-toolchain-e2e'),
        HOME: project,
      });
      const logStart = serveLog().length;
      try {
        // go build refuses a dependency newer than the main go line (no switch there); go mod tidy switches and raises the go line.
        const tidy = p.name === 'dependency' ? await runGo(project, ['mod', 'tidy'], env) : undefined;
        if (tidy !== undefined) {
          expect(tidy.status, `go mod tidy in ${p.name} via ${via}:\n${tidy.stderr}\n${serveLog().slice(-3000)}`).toBe(0);
          expect(tidy.stderr).toContain('go: example.com/needsnew@v1.0.0 requires go >= 1.22.12; switching to go1.22.12\n');
        }
        const build = await runGo(project, ['build', './...'], env);
        expect(build.status, `go build in ${p.name} via ${via}:\n${build.stderr}\n${serveLog().slice(-3000)}`).toBe(0);
        const version = await runGo(project, ['version'], env);
        expect(version.status, version.stderr).toBe(0);
        expect(version.stdout).toBe('go version go1.22.12 linux/amd64\n');
        if (via === 'gobundle serve') {
          const log = serveLog().slice(logStart);
          if (p.name === 'dependency') expect(log).toMatch(/"GET \/golang\.org\/toolchain\/@v\/list" 200 /);
          expect(log).toMatch(/"GET \/golang\.org\/toolchain\/@v\/v0\.0\.1-go1\.22\.12\.linux-amd64\.zip" 200 /);
          expect(log).toMatch(/"GET \/sumdb\/gobundle\.test\/lookup\/golang\.org\/toolchain@v0\.0\.1-go1\.22\.12\.linux-amd64" 200 /);
        }
      } finally {
        // The module cache is read-only and 150 MB per run.
        spawnSync('chmod', ['-R', 'u+w', gopath]);
        rmSync(project, { recursive: true, force: true });
      }
    },
    600_000,
  );
});

test('gobundle verify refuses the bundle once its toolchain zip is changed, naming the file', () => {
  const copy = join(work, 'tampered.tgz');
  copyFileSync(bundle, copy);
  const name = `golang.org/toolchain/@v/${toolchain.version}.zip`;
  tamperBundleEntry(copy, name);
  const r = spawnSync(process.execPath, [bin, 'verify', copy, '--trust', join(work, 'team.pub')], {
    cwd: work,
    env: hermeticGoEnv({ HOME: work }),
    encoding: 'utf8',
    timeout: 300_000,
  });
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toContain(`${name}: sha256 mismatch`);
}, 300_000);
