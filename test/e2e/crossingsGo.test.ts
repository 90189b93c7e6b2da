/**
 * Crossings end to end, the real go command (1.23) as the oracle, fresh
 * GOPATH, GOMODCACHE and GOCACHE for every client, GOSUMDB on, the upstream
 * stopped once the bundles are packed:
 *   - a full bundle and a delta on it (pack --since) served layered by
 *     bin/gobundle serve, and serve refusing the delta without its parent;
 *   - the rehearsal (verify --build) passing, and failing with the go
 *     command's own message for a project the bundle does not cover;
 *   - a bundle split into parts (pack --max-part-size) served from its part
 *     list, and refused naming a missing, swapped or damaged part.
 * Needs dist/ (npm test builds first).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readBundleHead } from '../../src/bundle/manifestFile.js';
import { manifestDigest } from '../../src/bundle/bundleParents.js';
import { runCli } from '../cli/runCli.js';
import { goBinary, hermeticGoEnv, runGoAsync, type GoRun } from '../support/gotool.js';
import { startServeProcess, type ServeProcess } from '../support/serveProcess.js';
import { startUpstream, type Upstream } from '../upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'gobundle-crossings-e2e-'));
const SERVE_START_TIMEOUT_MS = 60_000;
const GO_TIMEOUT_MS = 300_000;
const go = goBinary('1.23');

let upstream: Upstream | undefined;
let sumdbKey = '';
const servers: ServeProcess[] = [];

/** A main module requiring `requires`, importing each, with no go.sum (every module is checked against the database). */
function project(name: string, requires: [string, string][]): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'go.mod'),
    `module example.com/${name}\n\ngo 1.21\n\nrequire (\n${requires.map(([p, v]) => `\t${p} ${v}\n`).join('')})\n`,
  );
  writeFileSync(join(dir, 'main.go'), `package main\n\nimport (\n${requires.map(([p]) => `\t_ "${p}"\n`).join('')})\n\nfunc main() {}\n`);
  return dir;
}

const week1 = (): string => join(work, 'week1');
const week2 = (): string => join(work, 'week2');

/** PATH with the Go 1.23 binary first, for the rehearsal's `go`. */
const clientPath = `${resolve(go, '..')}:${process.env.PATH ?? '/usr/bin:/bin'}`;
const cliEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...hermeticGoEnv({
    GOPROXY: upstream?.url ?? 'off',
    GOSUMDB: sumdbKey,
    HOME: work,
    GOBUNDLE_CACHE: join(work, 'pack-cache'),
    PATH: clientPath,
  }),
  ...extra,
});

async function mustCli(args: string[]): Promise<string> {
  const r = await runCli(args, { cwd: work, env: cliEnv() });
  if (r.code !== 0) throw new Error(`gobundle ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

async function serve(args: string[]): Promise<ServeProcess> {
  const s = await startServeProcess(
    [...args, '--trust', 'team.pub', '--sumdb-key', sumdbKey, '--listen', '127.0.0.1:0', '--cache-dir', join(work, 'serve-cache')],
    {
      cwd: work,
      env: hermeticGoEnv({ HOME: work }),
      timeoutMs: SERVE_START_TIMEOUT_MS,
    },
  );
  servers.push(s);
  return s;
}

/** One fresh client machine: its own GOPATH, module cache and build cache. */
function freshClient(name: string): { gopath: string; gocache: string } {
  const gopath = join(work, `gopath-${name}`);
  mkdirSync(gopath, { recursive: true });
  return { gopath, gocache: join(work, `gocache-${name}`) };
}

/** The real go command, asynchronously (serve's log must keep draining while it runs). */
function runGo(dir: string, args: string[], client: { gopath: string; gocache: string }, proxy: string): Promise<GoRun> {
  return runGoAsync(go, args, {
    cwd: dir,
    env: hermeticGoEnv({
      GOPROXY: proxy,
      GOSUMDB: sumdbKey,
      GOFLAGS: '-mod=mod',
      GOPATH: client.gopath,
      GOMODCACHE: join(client.gopath, 'pkg', 'mod'),
      GOCACHE: client.gocache,
      HOME: work,
    }),
    timeoutMs: GO_TIMEOUT_MS,
  });
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
  sumdbKey = upstream.sumdbVerifierKey;
  project('week1', [
    ['example.com/greeting', 'v1.0.0'],
    ['example.com/vtwo', 'v1.0.0'],
  ]);
  project('week2', [
    ['example.com/greeting', 'v1.1.0'],
    ['example.com/vtwo', 'v1.0.0'],
    ['example.com/vtwo/v2', 'v2.1.0'],
  ]);
  await mustCli(['keygen', 'team', '--out-dir', work]);
  await mustCli(['pack', week1(), '-o', 'week1.tgz', '--sign-key', 'team.key', '--quiet']);
  await mustCli(['pack', week2(), '-o', 'week2-delta.tgz', '--since', 'week1.tgz', '--sign-key', 'team.key', '--quiet']);
  mkdirSync(join(work, 'media'));
  await mustCli(['pack', week2(), '-o', 'media/week2.tgz', '--max-part-size', '1K', '--sign-key', 'team.key', '--quiet']);
  await upstream.stop();
  upstream = undefined;
}, 300_000);

afterAll(async () => {
  await upstream?.stop();
  for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('a full bundle and a delta on it, served layered', () => {
  test('week 2 builds from week 1 + the delta; week 1 builds from the same server', async () => {
    const s = await serve(['week1.tgz', 'week2-delta.tgz']);
    try {
      expect(s.stderr()).toMatch(/checksum database gobundle\.test: serving tree#\d+ of \S+week2-delta\.tgz for 2 bundles/);
      for (const [src, name] of [
        [week2(), 'layered-week2'],
        [week1(), 'layered-week1'],
      ] as const) {
        const client = freshClient(name);
        // A copy: -mod=mod writes go.sum, and the rehearsal tests need the projects without one.
        const dir = join(work, name);
        cpSync(src, dir, { recursive: true });
        for (const args of [
          ['mod', 'download', 'all'],
          ['build', './...'],
          ['list', '-m', 'all'],
          ['mod', 'verify'],
        ]) {
          const r = await runGo(dir, args, client, s.url);
          expect(r.status, `${name}: go ${args.join(' ')}:\n${r.stderr}\n${s.stderr().slice(-3000)}`).toBe(0);
          if (args[1] === '-m') {
            expect(r.stdout).toBe(
              src === week2()
                ? 'example.com/week2\nexample.com/greeting v1.1.0\nexample.com/vtwo v1.0.0\nexample.com/vtwo/v2 v2.1.0\n'
                : 'example.com/week1\nexample.com/greeting v1.0.0\nexample.com/vtwo v1.0.0\n',
            );
          }
        }
      }
      // The list is the union of week 1's and the delta's.
      const list = await fetch(`${s.url}/example.com/greeting/@v/list`);
      expect(await list.text()).toBe('v1.0.0\nv1.1.0\n');
    } finally {
      s.child.kill('SIGKILL');
    }
  }, 600_000);

  test('serve refuses the delta without its parent and does not start, naming the parent digest', async () => {
    const digest = manifestDigest((await readBundleHead(join(work, 'week1.tgz'))).manifestBytes);
    const started = serve(['week2-delta.tgz']);
    await expect(started).rejects.toThrow(
      `gobundle: bundle ${join(work, 'week2-delta.tgz')}: a delta bundle whose parent is not served: week1.tgz (created ${(await readBundleHead(join(work, 'week1.tgz'))).manifest.created}, manifest sha256 ${digest})\n`,
    );
    await expect(started).rejects.toThrow(/^serve exited with 1 before listening/);
  });
});

describe('rehearsal: verify --build', () => {
  test('week 2 against week 1 + the delta: every go command ok', async () => {
    const r = await runCli(['verify', 'week1.tgz', 'week2-delta.tgz', '--trust', 'team.pub', '--sumdb-key', sumdbKey, '--build', 'week2'], {
      cwd: work,
      env: cliEnv(),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(-5)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^rehearsal: go version go1\\.23\\.\\d+ linux/amd64 in a copy of week2 with GOPROXY=http://127\\.0\\.0\\.1:\\d+ GOSUMDB=${sumdbKey.replace(/[+/]/g, '\\$&')} GOTOOLCHAIN=local GOFLAGS=-mod=mod and empty GOPATH, GOMODCACHE and GOCACHE$`,
        ),
      ),
      'rehearsal: go mod download all: ok',
      'rehearsal: go build ./...: ok',
      'rehearsal: go list -m all: ok',
      'rehearsal: go mod verify: ok',
    ]);
    // The operator's project is left as it was: no go.sum written into it.
    expect(existsSync(join(week2(), 'go.sum'))).toBe(false);
  }, 600_000);

  test("week 2 against week 1 alone: fails with the go command's own message, exit 1", async () => {
    const r = await runCli(['verify', 'week1.tgz', '--trust', 'team.pub', '--sumdb-key', sumdbKey, '--build', 'week2'], {
      cwd: work,
      env: cliEnv(),
    });
    expect(r.code).toBe(1);
    const url = /GOPROXY=(http:\S+)/.exec(r.stdout)?.[1] ?? '';
    expect(r.stdout.trimEnd().split('\n').slice(-4)).toEqual([
      'rehearsal: go mod download all: FAILED (exit 1)',
      'rehearsal: go build ./...: FAILED (exit 1)',
      'rehearsal: go list -m all: FAILED (exit 1)',
      'rehearsal: go mod verify: FAILED (exit 1)',
    ]);
    // The go command's words, passed through.
    const download = r.stderr.slice(0, r.stderr.indexOf('gobundle: verify --build: go build'));
    expect(download.startsWith('gobundle: verify --build: go mod download all failed (exit 1):\n')).toBe(true);
    for (const [m, why] of [
      ['example.com/greeting@v1.1.0', 'example.com/greeting@v1.1.0: version not in the served bundles'],
      ['example.com/vtwo/v2@v2.1.0', 'example.com/vtwo/v2: module not in the served bundles'],
    ]) {
      const [path, version] = (m as string).split('@') as [string, string];
      expect(download).toContain(`\tgo: ${m}: reading ${url}/${path}/@v/${version}.info: 404 Not Found\n\t\tserver response: ${why}\n`);
    }
    expect(r.stderr).toContain(
      'gobundle: verify --build: 4 of 4 go commands failed in week2: go mod download all, go build ./..., go list -m all, go mod verify\n' +
        'hint: the go command on the far side would fail the same way: pack the bundle from this project (or add what it lacks) and rehearse again\n',
    );
  }, 600_000);

  test('a missing go command is one clear error', async () => {
    const r = await runCli(
      ['verify', 'week1.tgz', '--trust', 'team.pub', '--sumdb-key', sumdbKey, '--build', 'week1', '--go', join(work, 'no-such-go')],
      { cwd: work, env: cliEnv() },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `gobundle: verify --build: cannot run the go command ${JSON.stringify(join(work, 'no-such-go'))}: not found\nhint: install Go on this machine, or pass --go <path to the go binary>\n`,
    );
  });
});

describe('a bundle split for removable media', () => {
  const parts = (): string[] =>
    readdirSync(join(work, 'media'))
      .filter((f) => f.startsWith('week2.tgz.part-'))
      .sort();

  /** A copy of the media folder, changed by `damage`. */
  function media(name: string, damage: (dir: string) => void): string {
    const dir = join(work, name);
    cpSync(join(work, 'media'), dir, { recursive: true });
    damage(dir);
    return join(dir, 'week2.tgz.parts');
  }

  test('pack wrote numbered parts of at most 1 KiB and a signed part list; ls reads the bundle through it', async () => {
    const names = parts();
    expect(names.length).toBeGreaterThan(2);
    expect(names).toEqual(names.map((_, i) => `week2.tgz.part-${String(i + 1).padStart(3, '0')}`));
    const sizes = names.map((n) => readFileSync(join(work, 'media', n)).length);
    expect(sizes.slice(0, -1).every((s) => s === 1024)).toBe(true);
    const list = readFileSync(join(work, 'media', 'week2.tgz.parts'), 'utf8');
    expect(list.split('\n').slice(0, 2)).toEqual([
      'gobundle parts v1',
      `week2.tgz ${sizes.reduce((a, b) => a + b, 0)} ${list.split('\n')[1]?.split(' ')[2]}`,
    ]);
    expect(list).toMatch(/\n\n\u2014 team [A-Za-z0-9+/=]+\n$/);
    expect(existsSync(join(work, 'media', 'week2.tgz'))).toBe(false);
    const ls = await mustCli(['ls', 'media/week2.tgz.parts']);
    expect(ls.split('\n').slice(-4)).toEqual([
      '  example.com/greeting v1.1.0         788 bytes',
      '  example.com/vtwo v1.0.0             487 bytes',
      '  example.com/vtwo/v2 v2.1.0          514 bytes',
      '',
    ]);
  });

  test('served from its part list to the go command', async () => {
    const r = await runCli(['verify', 'media/week2.tgz.parts', '--trust', 'team.pub', '--sumdb-key', sumdbKey], {
      cwd: work,
      env: cliEnv(),
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^media\/week2\.tgz\.parts: ok: 3 modules, \d+ files, \d+ bytes, signed by team$/);
    const s = await serve(['media/week2.tgz.parts']);
    try {
      const dir = join(work, 'split-week2');
      cpSync(week2(), dir, { recursive: true });
      const client = freshClient('split');
      for (const args of [
        ['build', './...'],
        ['mod', 'verify'],
      ]) {
        const g = await runGo(dir, args, client, s.url);
        expect(g.status, `go ${args.join(' ')}:\n${g.stderr}\n${s.stderr().slice(-3000)}`).toBe(0);
      }
    } finally {
      s.child.kill('SIGKILL');
    }
  }, 600_000);

  const hint = 'hint: copy the named parts again from the media (or from the packing side) into the folder of the part list\n';

  test.each([
    [
      'missing',
      (dir: string) => rmSync(join(dir, 'week2.tgz.part-002')),
      (n: number) => `week2.tgz.part-002: missing (part 2 of ${n}, 1024 bytes)`,
    ],
    [
      'swapped',
      (dir: string) => {
        renameSync(join(dir, 'week2.tgz.part-002'), join(dir, 'tmp'));
        renameSync(join(dir, 'week2.tgz.part-003'), join(dir, 'week2.tgz.part-002'));
        renameSync(join(dir, 'tmp'), join(dir, 'week2.tgz.part-003'));
      },
      (_n: number) => 'week2.tgz.part-002: holds the bytes of week2.tgz.part-003 (parts swapped or misnamed)',
    ],
    [
      'damaged',
      (dir: string) => {
        const f = join(dir, 'week2.tgz.part-002');
        const b = readFileSync(f);
        b[100] = (b[100] as number) ^ 0xff;
        writeFileSync(f, b);
      },
      (_n: number) => 'week2.tgz.part-002: sha256 mismatch: part list ',
    ],
  ] as [string, (dir: string) => void, (n: number) => string][])('a %s part: verify and serve name it', async (name, damage, problem) => {
    const list = media(`media-${name}`, damage);
    const n = parts().length;
    const v = await runCli(['verify', list, '--trust', 'team.pub', '--sumdb-key', sumdbKey], { cwd: work, env: cliEnv() });
    expect(v.code).toBe(1);
    const lines = v.stderr.split('\n');
    expect(lines[0]?.slice(0, `gobundle: ${list}: ${problem(n)}`.length)).toBe(`gobundle: ${list}: ${problem(n)}`);
    if (name === 'swapped')
      expect(lines.slice(0, 2)).toEqual([
        `gobundle: ${list}: ${problem(n)}`,
        `gobundle: ${list}: week2.tgz.part-003: holds the bytes of week2.tgz.part-002 (parts swapped or misnamed)`,
      ]);
    if (name === 'damaged')
      expect(lines[0]).toMatch(
        /^gobundle: \S+: week2\.tgz\.part-002: sha256 mismatch: part list [0-9a-f]{64}, content [0-9a-f]{64} \(damaged in transit\)$/,
      );
    expect(v.stderr).toContain(hint);
    const started = serve([list]);
    await expect(started).rejects.toThrow(/^serve exited with 1 before listening/);
    await expect(started).rejects.toThrow(
      name === 'swapped'
        ? `gobundle: bundle ${list}: 2 problems:\n\t${problem(n)}\n\tweek2.tgz.part-003: holds the bytes of week2.tgz.part-002 (parts swapped or misnamed)\n${hint}`
        : `gobundle: bundle ${list}: ${problem(n)}`,
    );
  });
});
