/**
 * The inputs of a pack other than a go.mod, end to end with the real go
 * command as the oracle: a go.work workspace (plan == `go list -m all` in the
 * workspace; the bundle alone serves `go build ./...` there). The bundle is
 * made by the real `bin/gobundle pack` from the test upstream, the upstream is
 * stopped, then `bin/gobundle serve` is the only GOPROXY for go 1.23 with
 * fresh caches and the test checksum database on. Needs dist/ (npm test
 * builds first).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv, testCacheDir, runGoAsync, type GoRun } from '../support/gotool.js';
import { startServeProcess } from '../support/serveProcess.js';
import { startUpstream, testSumdbVerifierKey, upstreamGoEnv, type Upstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const fixtures = join(root, 'test', 'fixtures');
const work = mkdtempSync(join(tmpdir(), 'gobundle-inputs-e2e-'));
const SERVE_START_TIMEOUT_MS = 60_000;
const GO_TIMEOUT_MS = 300_000;

let upstream: Upstream | undefined;
let serve: ChildProcess | undefined;
let serveUrl = '';
let serveStderr: () => string = () => '';
/** `go list -m all` in the workspace, online against the upstream. */
let workspaceListMAll = '';
let workspacePlan = '';
let packStderr = '';
let toolDirectiveListMAll = '';
let toolDirectivePlan: ReturnType<typeof spawnSync>;
let toolUnprovidedPlan: ReturnType<typeof spawnSync>;
let insideSum = '';
let tamperedRefusal: ReturnType<typeof spawnSync>;
let vtwoZipH1 = '';
let toolReplaceRefusal: ReturnType<typeof spawnSync>;
let toolRetractedRefusal: ReturnType<typeof spawnSync>;
/** The tool's package; example.com/tool's @latest is v1.1.0 (v1.2.0 retracts itself, v1.3.0-rc.1 is a prerelease). */
const TOOL = 'example.com/tool/cmd/hello';

function gobundle(args: string[], env: NodeJS.ProcessEnv, cwd = work) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 300_000 });
}

function mustGobundle(args: string[], env: NodeJS.ProcessEnv, cwd = work) {
  const r = gobundle(args, env, cwd);
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

/** The workspace fixture, copied: go.work (use ./app ./lib, a replace) and two modules. */
function copyWorkspace(name: string): string {
  const dir = join(work, name);
  cpSync(join(fixtures, 'workspaces', 'two-modules'), dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  upstream = await startUpstream({ modules: [join(fixtures, 'modules'), join(fixtures, 'tools')] });
  const env = hermeticGoEnv({
    GOPROXY: upstream.url,
    GOSUMDB: upstream.sumdbVerifierKey,
    HOME: work,
    GOBUNDLE_CACHE: join(work, 'pack-cache'),
  });

  // The oracle, online: go list -m all in the workspace (GOWORK found from the working directory; no -mod=mod in workspace mode).
  const ws = copyWorkspace('ws-oracle');
  const goEnv = upstreamGoEnv(upstream, { workDir: join(work, 'oracle'), extra: { GOWORK: '', GOFLAGS: '' } });
  const go = spawnSync(goBinary('1.23'), ['list', '-m', 'all'], { cwd: ws, env: goEnv, encoding: 'utf8', timeout: GO_TIMEOUT_MS });
  if (go.status !== 0) throw new Error(`go list -m all in the workspace failed:\n${go.stderr}`);
  workspaceListMAll = go.stdout;
  workspacePlan = mustGobundle(['plan', join(copyWorkspace('ws-plan'), 'go.work')], env).stdout;

  // Go 1.24 tool directives: Go 1.23 cannot parse them, and they add no requirements, so its oracle is the same go.mod
  // without the tool line (and at go 1.23, its own version; both prune the graph).
  const tools = join(work, 'tool-directive');
  cpSync(join(fixtures, 'tool-directive'), tools, { recursive: true });
  const stripped = join(work, 'tool-directive-oracle');
  cpSync(tools, stripped, { recursive: true });
  writeFileSync(
    join(stripped, 'go.mod'),
    readFileSync(join(tools, 'go.mod'), 'utf8')
      .replace(/^tool .*\n/m, '')
      .replace(/^go 1\.24$/m, 'go 1.23'),
  );
  const toolOracle = spawnSync(goBinary('1.23'), ['list', '-m', 'all'], {
    cwd: stripped,
    env: upstreamGoEnv(upstream, { workDir: join(work, 'oracle-tools') }),
    encoding: 'utf8',
    timeout: GO_TIMEOUT_MS,
  });
  if (toolOracle.status !== 0) throw new Error(`go list -m all (tool directives stripped) failed:\n${toolOracle.stderr}`);
  toolDirectiveListMAll = toolOracle.stdout;
  toolDirectivePlan = gobundle(['plan', tools], env);
  const unprovided = join(work, 'tool-unprovided');
  cpSync(tools, unprovided, { recursive: true });
  writeFileSync(
    join(unprovided, 'go.mod'),
    readFileSync(join(tools, 'go.mod'), 'utf8').replace('tool example.com/tool/cmd/hello', 'tool example.com/elsewhere/cmd/x'),
  );
  toolUnprovidedPlan = gobundle(['plan', unprovided], env);

  mustGobundle(['keygen', 'team', '--out-dir', work], env);
  // The inside network's go.sum: real hashes (as the go command recorded them, online here), private lines, a go.mod-only line.
  const dl = spawnSync(
    goBinary('1.23'),
    ['mod', 'download', '-json', 'example.com/vtwo@v1.0.0', 'example.com/incompat@v2.0.0+incompatible', 'example.com/vtwo/v2@v2.1.0'],
    {
      cwd: work,
      env: upstreamGoEnv(upstream, { workDir: join(work, 'inside') }),
      encoding: 'utf8',
      timeout: GO_TIMEOUT_MS,
    },
  );
  if (dl.status !== 0) throw new Error(`go mod download -json failed:\n${dl.stderr}`);
  const sums = new Map<string, { Sum: string; GoModSum: string }>();
  for (const o of dl.stdout.split(/\n(?=\{)/).map((t) => JSON.parse(t) as { Path: string; Sum: string; GoModSum: string }))
    sums.set(o.Path, o);
  insideSum = [
    `corp.internal/secret v1.4.0 h1:${'A'.repeat(43)}=`,
    `corp.internal/secret v1.4.0/go.mod h1:${'B'.repeat(43)}=`,
    `example.com/incompat v2.0.0+incompatible ${sums.get('example.com/incompat')!.Sum}`,
    `example.com/incompat v2.0.0+incompatible/go.mod ${sums.get('example.com/incompat')!.GoModSum}`,
    `example.com/vtwo v1.0.0 ${sums.get('example.com/vtwo')!.Sum}`,
    `example.com/vtwo v1.0.0/go.mod ${sums.get('example.com/vtwo')!.GoModSum}`,
    `example.com/vtwo/v2 v2.1.0/go.mod ${sums.get('example.com/vtwo/v2')!.GoModSum}`,
    `git.corp.internal/team/lib v0.3.1/go.mod h1:${'C'.repeat(43)}=`,
    '',
  ].join('\n');
  writeFileSync(join(work, 'inside.sum'), insideSum);
  writeFileSync(join(work, 'tampered.sum'), insideSum.replace(sums.get('example.com/vtwo')!.Sum, `h1:${'D'.repeat(43)}=`));
  const privateEnv = { ...env, GOPRIVATE: '*.internal,corp.internal' };

  // One bundle from every kind of input at once.
  const wsPack = copyWorkspace('ws-pack');
  packStderr = mustGobundle(
    [
      'pack',
      wsPack,
      '--tool',
      `${TOOL}@v1.0.0`,
      '--tool',
      `${TOOL}@latest`,
      '--from-list',
      'inside.sum',
      '-o',
      join(work, 'combined.tgz'),
      '--sign-key',
      join(work, 'team.key'),
    ],
    privateEnv,
  ).stderr;
  tamperedRefusal = gobundle(['pack', '--from-list', 'tampered.sum', '-o', join(work, 'tampered.tgz'), '--unsigned'], privateEnv);
  vtwoZipH1 = sums.get('example.com/vtwo')!.Sum;
  toolRetractedRefusal = gobundle(['pack', '--tool', `${TOOL}@v1.2.0`, '-o', join(work, 'retracted.tgz'), '--unsigned'], env);
  toolReplaceRefusal = gobundle(['pack', '--tool', 'example.com/toolrepl@v1.0.0', '-o', join(work, 'refused.tgz'), '--unsigned'], env);

  // Upstream stopped: from here on the served bundles are the only source.
  await upstream.stop();
  upstream = undefined;
  const s = await startServeProcess(
    [
      'combined.tgz',
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
  serveStderr = s.stderr;
}, 600_000);

afterAll(async () => {
  await upstream?.stop();
  if (serve !== undefined && serve.exitCode === null) serve.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** The go command with serve as its only GOPROXY and fresh module caches; never blocks serve's log pipe. */
function runGo(cwd: string, args: string[], gopath: string, extra: Record<string, string> = {}): Promise<GoRun> {
  mkdirSync(gopath, { recursive: true });
  return runGoAsync(goBinary('1.23'), args, {
    cwd,
    env: hermeticGoEnv({
      GOPROXY: serveUrl,
      GOSUMDB: testSumdbVerifierKey,
      GOPATH: gopath,
      GOMODCACHE: join(gopath, 'pkg', 'mod'),
      GOCACHE: join(testCacheDir(), 'gocache-inputs'),
      HOME: work,
      ...extra,
    }),
    timeoutMs: GO_TIMEOUT_MS,
  });
}

describe('a go.work workspace with two modules and a replace', () => {
  test('gobundle plan <go.work> prints exactly what go list -m all prints in the workspace', () => {
    expect(workspacePlan).toBe(workspaceListMAll);
    // Both workspace modules are main modules; the go.work replacement beats app's own; app's orig2 replacement holds.
    expect(workspaceListMAll).toBe(
      [
        'example.com/ws/app',
        'example.com/ws/lib',
        'example.com/greeting v1.1.0',
        'example.com/orig v1.0.0 => example.com/fork v1.1.0',
        'example.com/orig2 v1.0.0 => example.com/fork2 v1.0.0',
        'example.com/prune/b v1.0.0',
        'example.com/prune/c v1.2.0',
        'example.com/prune/d v1.0.0 => ./localdeps/d',
        '',
      ].join('\n'),
    );
    expect(packStderr).toContain('example.com/ws/app example.com/ws/lib');
  });

  test('the bundle alone serves go mod download, go build ./... of both modules and go list -m all in the workspace (GOSUMDB on, fresh caches)', async () => {
    const ws = copyWorkspace('ws-offline');
    const gopath = join(work, 'gopath-ws');
    // The workspace root holds no module, so ./... is spelled per module (the go command refuses a bare ./... there).
    for (const args of [
      ['mod', 'download'],
      ['build', './app/...', './lib/...'],
      ['list', '-m', 'all'],
    ]) {
      const r = await runGo(ws, args, gopath, { GOWORK: '', GOFLAGS: '' });
      expect(r.status, `go ${args.join(' ')} in the workspace:\n${r.stderr}\n${serveStderr().slice(-3000)}`).toBe(0);
      if (args[0] === 'list') expect(r.stdout).toBe(workspaceListMAll);
    }
  }, 600_000);
});

describe('Go 1.24 tool directives in an input go.mod', () => {
  test("the plan is the build list go list -m all prints for the same requirements; the tool's module is in it", () => {
    expect(toolDirectivePlan.stderr).toBe('');
    expect(toolDirectivePlan.stdout).toBe(toolDirectiveListMAll);
    expect(toolDirectiveListMAll).toBe('example.com/project/tooldirective\nexample.com/greeting v1.1.0\nexample.com/tool v1.0.0\n');
  });

  test('a tool no build-list module provides is refused, naming the go.mod line', () => {
    expect(toolUnprovidedPlan.status).toBe(1);
    expect(toolUnprovidedPlan.stderr).toContain(
      'tool-unprovided/go.mod:9: tool example.com/elsewhere/cmd/x: no module in the build list provides it',
    );
  });
});

describe('tools: --tool pkg@version as go install resolves it', () => {
  test('@latest is resolved online (retracted and prerelease versions passed over) and printed', () => {
    expect(packStderr).toContain(`gobundle: pack: tool ${TOOL}@v1.0.0: example.com/tool@v1.0.0\n`);
    expect(packStderr).toContain(`gobundle: pack: tool ${TOOL}@latest: example.com/tool@v1.1.0\n`);
  });

  test.each([
    ['v1.0.0', 'hello, world from tool v1.0.0'],
    ['latest', 'hello, world from tool v1.1.0'],
  ])(
    'offline go install %s from the bundle alone (GOSUMDB on, fresh caches), and the binary runs',
    async (version, output) => {
      const dir = join(work, `install-${version}`);
      const gobin = join(dir, 'bin');
      mkdirSync(gobin, { recursive: true });
      const r = await runGo(dir, ['install', `${TOOL}@${version}`], join(dir, 'gopath'), { GOBIN: gobin, GOFLAGS: '-mod=mod' });
      expect(r.status, `go install ${TOOL}@${version}:\n${r.stderr}\n${serveStderr().slice(-3000)}`).toBe(0);
      const run = spawnSync(join(gobin, 'hello'), { encoding: 'utf8', timeout: 30_000 });
      expect(run.stdout).toBe(`${output}\n`);
    },
    600_000,
  );

  test('a retracted version named explicitly is refused, as go install refuses it', () => {
    expect(toolRetractedRefusal.status).toBe(1);
    expect(toolRetractedRefusal.stderr).toContain('example.com/tool@v1.2.0: retracted by module author: Published by mistake.');
    expect(existsSync(join(work, 'retracted.tgz'))).toBe(false);
  });

  test("a tool whose go.mod has a replace directive is refused with the go command's message", () => {
    expect(toolReplaceRefusal.status).toBe(1);
    expect(toolReplaceRefusal.stderr).toContain(
      'example.com/toolrepl@v1.0.0 (in example.com/toolrepl@v1.0.0):\n\tThe go.mod file for the module providing named packages contains one or\n\tmore replace directives. It must not contain directives that would cause\n\tit to be interpreted differently than if it were the main module.',
    );
  });
});

describe('a go.sum exported from inside the air gap (--from-list)', () => {
  test('private modules are skipped and listed on stderr; the rest are counted', () => {
    expect(packStderr).toContain('gobundle: pack: inside.sum: skipped corp.internal/secret v1.4.0: matches GOPRIVATE/GONOPROXY\n');
    expect(packStderr).toContain('gobundle: pack: inside.sum: skipped git.corp.internal/team/lib v0.3.1: matches GOPRIVATE/GONOPROXY\n');
    expect(packStderr).toContain('gobundle: pack: inside.sum (go.sum): 3 module versions to fetch, 2 private skipped\n');
  });

  test('the bundle serves every public module the list names: whole modules, and the go.mod alone for a /go.mod line', async () => {
    const get = async (p: string) => {
      const r = await fetch(`${serveUrl}/${p}`);
      return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
    };
    expect((await get('example.com/vtwo/@v/v1.0.0.zip')).status).toBe(200);
    expect((await get('example.com/vtwo/@v/v1.0.0.info')).status).toBe(200);
    expect((await get('example.com/incompat/@v/v2.0.0+incompatible.zip')).status).toBe(200);
    expect((await get('example.com/vtwo/v2/@v/v2.1.0.mod')).status).toBe(200);
    expect((await get('example.com/vtwo/v2/@v/v2.1.0.zip')).status).toBe(404);
    expect((await get('corp.internal/secret/@v/v1.4.0.mod')).status).toBe(404);
    // And the go command, checksum database on, fresh caches, verifies and takes them, matching the inside go.sum.
    const dir = join(work, 'list-download');
    mkdirSync(dir, { recursive: true });
    const r = await runGo(
      dir,
      ['mod', 'download', '-json', 'example.com/vtwo@v1.0.0', 'example.com/incompat@v2.0.0+incompatible'],
      join(dir, 'gopath'),
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`"Sum": "${vtwoZipH1}"`);
  }, 300_000);

  test('the manifest records the list by name, format and sha256', () => {
    const manifest = spawnSync('tar', ['-xzOf', join(work, 'combined.tgz'), 'gobundle/manifest.json'], { encoding: 'utf8' });
    const inputs = (JSON.parse(manifest.stdout) as { inputs: unknown[] }).inputs;
    expect(inputs).toContainEqual({
      kind: 'list',
      module: 'go.sum',
      goMod: 'inside.sum',
      goModSha256: createHash('sha256').update(insideSum).digest('hex'),
    });
    expect(inputs).toContainEqual(
      expect.objectContaining({ kind: 'tool', module: 'example.com/tool', version: 'v1.1.0', goMod: 'example.com/tool@v1.1.0/go.mod' }),
    );
    expect(inputs).toContainEqual(
      expect.objectContaining({ kind: 'go.work', module: 'example.com/ws/app example.com/ws/lib', goMod: 'ws-pack/go.work' }),
    );
    expect(readFileSync(join(work, 'inside.sum'), 'utf8')).toBe(insideSum);
  });

  test('gobundle ls names each input by its kind', () => {
    const ls = mustGobundle(['ls', join(work, 'combined.tgz')], { ...process.env });
    const inputLines = ls.stdout.split('\n').filter((l) => /^(inputs: | {9}) /.test(l));
    expect(inputLines).toEqual([
      'inputs:   workspace example.com/ws/app example.com/ws/lib (ws-pack/go.work)',
      '          tool example.com/tool@v1.0.0',
      '          tool example.com/tool@v1.1.0',
      '          list inside.sum (go.sum)',
    ]);
  });

  test('a list hash the download does not match is refused, naming the module, the file and both hashes', () => {
    expect(tamperedRefusal.status).toBe(1);
    expect(tamperedRefusal.stderr).toContain(
      `verifying example.com/vtwo@v1.0.0: checksum mismatch\n\tdownloaded: ${vtwoZipH1}\n\tgo.sum:     h1:${'D'.repeat(43)}=\n`,
    );
    expect(existsSync(join(work, 'tampered.tgz'))).toBe(false);
  });
});
