/**
 * The test bed itself: the upstream speaks the GOPROXY protocol and the
 * checksum-database protocol well enough for the real go command, every
 * project fixture and a generated graph build against it, the fault switches
 * do what they say, and the generator is deterministic.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goBinary } from '../support/gotool.js';
import { generateGraph, type GeneratedGraph } from './generate.js';
import { parseProxyPath, parseRequestLog, type RequestLogEntry } from './requestLog.js';
import { startUpstream, testSumdbVerifierKey, upstreamGoEnv, type Upstream } from './server.js';
import { fixtureFileName, formatModuleFixture, parseModuleFixture, type ModuleFixture } from './txtar.js';

const fixturesDir = join(import.meta.dirname, '..', 'fixtures');
const modulesDir = join(fixturesDir, 'modules');
const projectsDir = join(fixturesDir, 'projects');

/** Bounds for one go command; the build cache is shared, module caches are fresh. */
const GO_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 120_000; // includes compiling the upstream on a cold cache
const HTTP_TIMEOUT_MS = 10_000;

const scratch = mkdtempSync(join(tmpdir(), 'gobundle-upstream-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runCounter = 0;
function freshDir(name: string): string {
  const dir = join(scratch, `${name}-${runCounter++}`);
  return dir;
}

interface GoResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runGo(args: string[], cwd: string, env: NodeJS.ProcessEnv): GoResult {
  const res = spawnSync(goBinary('1.23'), args, { cwd, env, encoding: 'utf8', timeout: GO_TIMEOUT_MS });
  if (res.error) throw new Error(`go ${args.join(' ')} in ${cwd}: ${String(res.error)}`);
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function mustGo(args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const res = runGo(args, cwd, env);
  if (res.status !== 0) throw new Error(`go ${args.join(' ')} in ${cwd} exited ${res.status}:\n${res.stderr}`);
  return res.stdout;
}

/** Copy a project to a private directory (the go command writes go.sum) with its own GOPATH and module cache. */
function checkout(projectDir: string, upstream: Upstream, name: string): { dir: string; env: NodeJS.ProcessEnv } {
  const work = freshDir(name);
  const dir = join(work, 'project');
  cpSync(projectDir, dir, { recursive: true });
  return { dir, env: upstreamGoEnv(upstream, { workDir: work }) };
}

async function get(url: string): Promise<{ status: number; type: string; body: Buffer }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type') ?? '', body };
}

/** Poll the request log until pred holds (hung requests are logged when the client gives up). */
async function waitForLog(upstream: Upstream, pred: (log: RequestLogEntry[]) => boolean): Promise<RequestLogEntry[]> {
  const deadline = Date.now() + HTTP_TIMEOUT_MS;
  for (;;) {
    const log = await upstream.requestLog();
    if (pred(log)) return log;
    if (Date.now() > deadline) throw new Error(`request log never matched; it holds ${JSON.stringify(log)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function treeContents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('txtar module fixtures', () => {
  const cases: { name: string; fixture: ModuleFixture }[] = [
    {
      name: 'with go.mod and comment',
      fixture: {
        module: 'example.com/a',
        version: 'v1.0.0',
        comment: 'A comment line.',
        files: [
          { name: 'go.mod', data: 'module example.com/a\n\ngo 1.21\n' },
          { name: 'a.go', data: 'package a\n' },
        ],
      },
    },
    {
      name: 'no go.mod, time and pad',
      fixture: {
        module: 'example.com/Upper',
        version: 'v2.0.0+incompatible',
        time: '2023-01-02T15:04:05Z',
        pad: 1024,
        files: [{ name: 'x/y.go', data: 'package y\n\nconst s = "-- not a marker"\n' }],
      },
    },
  ];
  test.each(cases)('round trip: $name', ({ fixture }) => {
    const text = formatModuleFixture(fixture);
    expect(parseModuleFixture(text), `parse(format(${fixture.module}@${fixture.version}))`).toEqual(fixture);
  });

  test.each([
    ['example.com/a', 'v1.0.0', 'example.com+a@v1.0.0.txt'],
    ['example.com/Upper/Mod', 'v1.1.0-Beta', 'example.com+!upper+!mod@v1.1.0-!beta.txt'],
    ['example.com/x', 'v2.0.0+incompatible', 'example.com+x@v2.0.0+incompatible.txt'],
  ])('fixtureFileName(%s, %s)', (path, version, want) => {
    expect(fixtureFileName(path, version), `fixtureFileName(${path}, ${version})`).toBe(want);
  });

  test.each([
    ['module=example.com/a\n-- a.go --\n', /missing module= or version= header/],
    ['module=example.com/a\nversion=v1.0.0\ncolor=red\n', /unknown header "color"/],
    ['module=example.com/a\nversion=v1.0.0\npad=-1\n', /bad pad size "-1"/],
  ])('parseModuleFixture(%j) fails', (text, want) => {
    expect(() => parseModuleFixture(text)).toThrow(want);
  });

  test('every committed fixture parses', () => {
    const names = readdirSync(modulesDir).filter((n) => n.endsWith('.txt'));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) parseModuleFixture(readFileSync(join(modulesDir, name), 'utf8'), name);
  });
});

describe('request log parsing', () => {
  test.each([
    ['/example.com/!upper/!mod/@v/v1.1.0-!beta.zip', { path: 'example.com/Upper/Mod', version: 'v1.1.0-Beta', kind: 'zip' }],
    ['/example.com/incompat/@v/v2.0.0+incompatible.mod', { path: 'example.com/incompat', version: 'v2.0.0+incompatible', kind: 'mod' }],
    ['/example.com/a/@v/v1.0.0.info', { path: 'example.com/a', version: 'v1.0.0', kind: 'info' }],
    ['/example.com/a/@v/list', { path: 'example.com/a', kind: 'list' }],
    ['/example.com/a/@latest', { path: 'example.com/a', kind: 'latest' }],
    ['/sumdb/gobundle.test/lookup/example.com/a@v1.0.0', undefined],
    ['/example.com/Bad/@v/list', undefined],
    ['/example.com/a/@v/v1.0.0.tar', undefined],
  ])('parseProxyPath(%j)', (path, want) => {
    expect(parseProxyPath(path), `parseProxyPath(${JSON.stringify(path)})`).toEqual(want);
  });
});

describe('generator', () => {
  test('the same seed writes identical files, another seed different ones', () => {
    const opts = { seed: 42, modules: 40, replaces: 2, excludes: 2, padBytes: 100 };
    const a = generateGraph({ ...opts, dir: freshDir('gen-a') });
    const b = generateGraph({ ...opts, dir: freshDir('gen-b') });
    const c = generateGraph({ ...opts, seed: 43, dir: freshDir('gen-c') });
    const ta = treeContents(join(a.modulesDir, '..'));
    const tb = treeContents(join(b.modulesDir, '..'));
    expect(ta.size).toBe(a.moduleVersions + 2);
    expect([...tb], 'same seed, same files').toEqual([...ta]);
    expect([...treeContents(join(c.modulesDir, '..'))], 'seed 43 differs from seed 42').not.toEqual([...ta]);
    expect(a.replaces).toHaveLength(2);
    expect(a.excludes).toHaveLength(2);
  });
});

describe('upstream on the fixtures', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream({ modules: [modulesDir] });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await upstream?.stop();
  });

  test('checksum database identity', () => {
    expect(upstream.sumdbName).toBe('gobundle.test');
    expect(upstream.sumdbVerifierKey).toBe(testSumdbVerifierKey);
  });

  test.each([
    ['/example.com/!upper/!mod/@v/list', 200, 'v1.0.0\nv1.1.0-Beta\n'],
    ['/example.com/pseudo/patch/@v/list', 200, 'v1.2.3\n'],
    ['/example.com/pseudo/zero/@v/list', 200, ''],
    ['/example.com/incompat/@v/v2.0.0+incompatible.mod', 200, 'module example.com/incompat\n'],
    ['/example.com/incompat/@v/v2.0.0+incompatible.info', 200, '{"Version":"v2.0.0+incompatible","Time":"2023-01-01T00:00:00Z"}\n'],
    ['/example.com/greeting/@v/v1.0.0.info', 200, '{"Version":"v1.0.0","Time":"2023-01-02T15:04:05Z"}\n'],
    ['/example.com/pseudo/zero/@latest', 200, '{"Version":"v0.0.0-20230102150405-abcdef123456","Time":"2023-01-02T15:04:05Z"}\n'],
    ['/example.com/pseudo/pre/@latest', 200, '{"Version":"v1.3.0-pre","Time":"2023-01-01T00:00:00Z"}\n'],
    ['/example.com/retract/@latest', 200, '{"Version":"v1.2.0","Time":"2023-01-01T00:00:00Z"}\n'],
    ['/example.com/nope/@v/list', 404, 'unknown module example.com/nope\n'],
    ['/example.com/greeting/@v/v9.9.9.info', 404, 'example.com/greeting@v9.9.9: unknown revision v9.9.9\n'],
    ['/example.com/Upper/Mod/@v/list', 404, 'invalid module path: invalid escaped module path "example.com/Upper/Mod"\n'],
    ['/sumdb/gobundle.test/supported', 200, ''],
    ['/sumdb/sum.golang.org/supported', 404, 'unknown checksum database (this one is gobundle.test)\n'],
  ])('GET %s', async (path, wantStatus, wantBody) => {
    const res = await get(`${upstream.url}${path}`);
    expect(res.status, `GET ${path} status`).toBe(wantStatus);
    expect(res.body.toString('utf8'), `GET ${path} body`).toBe(wantBody);
    if (wantStatus === 404) expect(res.type).toMatch(/^text\/plain/);
  });

  test('pad makes a large zip', async () => {
    const res = await get(`${upstream.url}/example.com/big/@v/v1.0.0.zip`);
    expect(res.status).toBe(200);
    expect(res.body.length, 'big zip size').toBeGreaterThan(3_000_000);
    expect(res.body.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  /** What `go mod download all` must and must not fetch, per project: "path@version.kind". */
  const expectedFetches: Record<string, { fetched: string[]; notFetched: string[] }> = {
    pruning: {
      // c v1.0.0 is needed only for its go.mod; g lies beyond the go 1.21 module f.
      fetched: ['example.com/prune/c@v1.0.0.mod', 'example.com/prune/c@v1.2.0.zip', 'example.com/prune/f@v1.0.0.zip'],
      notFetched: ['example.com/prune/c@v1.0.0.zip', 'example.com/prune/g@v1.0.0.mod'],
    },
    unpruned: {
      fetched: ['example.com/prune/c@v1.0.0.mod', 'example.com/prune/c@v1.2.0.zip', 'example.com/incompat@v1.0.0.mod'],
      notFetched: ['example.com/prune/c@v1.0.0.zip'],
    },
    exclude: { fetched: ['example.com/excl@v1.0.0.zip'], notFetched: ['example.com/excl@v1.1.0.mod'] },
    'replace-module': {
      fetched: ['example.com/fork@v1.1.0.zip', 'example.com/fork2@v1.0.0.zip', 'example.com/greeting@v1.1.0.zip'],
      notFetched: ['example.com/orig@v1.0.0.mod', 'example.com/orig2@v1.0.0.mod'],
    },
    incompatible: { fetched: ['example.com/incompat@v2.0.0+incompatible.zip'], notFetched: [] },
  };

  test.each(readdirSync(projectsDir).sort())(
    'go mod download all + go build ./... in project %s',
    async (name) => {
      const { dir, env } = checkout(join(projectsDir, name), upstream, name);
      const goModBefore = readFileSync(join(dir, 'go.mod'), 'utf8');
      await upstream.resetLog();
      mustGo(['mod', 'download', 'all'], dir, env);
      const fetched = new Set(parseRequestLog(await upstream.requestLog()).map((r) => `${r.path}@${r.version}.${r.kind}`));
      mustGo(['build', './...'], dir, env);
      expect(readFileSync(join(dir, 'go.mod'), 'utf8'), `${name}/go.mod after go build`).toBe(goModBefore);
      expect(readFileSync(join(dir, 'go.sum'), 'utf8')).toMatch(/ h1:/);
      const want = expectedFetches[name] ?? { fetched: [], notFetched: [] };
      for (const f of want.fetched) expect(fetched.has(f), `${name}: go mod download all fetched ${f}`).toBe(true);
      for (const f of want.notFetched) expect(fetched.has(f), `${name}: go mod download all fetched ${f}`).toBe(false);
    },
    GO_TIMEOUT_MS * 2,
  );

  test(
    'the go command verifies through <proxy>/sumdb/<name>',
    async () => {
      await upstream.resetLog();
      const { dir, env } = checkout(join(projectsDir, 'uppercase'), upstream, 'sumdb');
      mustGo(['mod', 'download', 'all'], dir, env);
      const paths = (await upstream.requestLog()).map((e) => e.path);
      expect(paths).toContain('/sumdb/gobundle.test/supported');
      expect(paths).toContain('/sumdb/gobundle.test/lookup/example.com/!upper/!mod@v1.0.0');
      expect(parseRequestLog(await upstream.requestLog())).toContainEqual({
        path: 'example.com/Upper/Mod',
        version: 'v1.0.0',
        kind: 'zip',
        status: 200,
      });
      const sum = readFileSync(join(dir, 'go.sum'), 'utf8');
      expect(sum).toMatch(/^example\.com\/Upper\/Mod v1\.0\.0 h1:\S{44}$/m);
      expect(sum).toMatch(/^example\.com\/Upper\/Mod v1\.0\.0\/go\.mod h1:\S{44}$/m);
    },
    GO_TIMEOUT_MS,
  );

  describe('faults', () => {
    const info = '/example.com/greeting/@v/v1.0.0.info';
    afterAll(async () => {
      await upstream.setFaults({});
    });

    test('latency delays every request', async () => {
      await upstream.setFaults({ latencyMs: 500 });
      const start = performance.now();
      expect((await get(`${upstream.url}${info}`)).status).toBe(200);
      expect(performance.now() - start, 'elapsed ms with latencyMs 500').toBeGreaterThanOrEqual(490);
      // Switched off, no latency is left: with a minute's latency still in force this
      // request would outlast get()'s 10 s timeout (no assertion on how fast the machine is).
      await upstream.setFaults({ latencyMs: 60_000 });
      await upstream.setFaults({});
      expect((await get(`${upstream.url}${info}`)).status).toBe(200);
    });

    test('fail5xxRate 1 answers 500 or 503, logged as such', async () => {
      await upstream.setFaults({ fail5xxRate: 1, seed: 7 });
      await upstream.resetLog();
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(`${upstream.url}${info}`)).status);
      await upstream.setFaults({});
      for (const s of statuses) expect([500, 503]).toContain(s);
      const log = await upstream.requestLog();
      expect(log.map((e) => [e.status, e.fault])).toEqual(statuses.map((s) => [s, '5xx']));
    });

    test('fail5xxRate 0.5 with a seed fails some requests, reproducibly', async () => {
      const run = async (): Promise<number[]> => {
        await upstream.setFaults({ fail5xxRate: 0.5, seed: 3 });
        const out = [];
        for (let i = 0; i < 12; i++) out.push((await get(`${upstream.url}${info}`)).status);
        return out;
      };
      const first = await run();
      const second = await run();
      await upstream.setFaults({});
      expect(second, 'same seed, same sequence').toEqual(first);
      expect(first.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(first.filter((s) => s !== 200).length).toBeGreaterThan(0);
    });

    test('resetRate 1 resets the connection mid-body for zips', async () => {
      await upstream.setFaults({ resetRate: 1 });
      await upstream.resetLog();
      await expect(get(`${upstream.url}/example.com/big/@v/v1.0.0.zip`)).rejects.toThrow();
      await expect(get(`${upstream.url}${info}`)).rejects.toThrow();
      await upstream.setFaults({});
      const log = await upstream.requestLog();
      expect(log.map((e) => [e.path, e.status, e.fault])).toEqual([
        ['/example.com/big/@v/v1.0.0.zip', 0, 'reset'],
        [info, 0, 'reset'],
      ]);
      const zipEntry = log[0];
      expect(zipEntry?.bytes, 'bytes sent before the reset').toBeGreaterThan(1_000_000);
      expect(zipEntry?.bytes, 'bytes sent before the reset').toBeLessThan(3_000_000);
    });

    test('hang never answers until the client gives up', async () => {
      await upstream.setFaults({ hang: ['greeting/@v/v1.0.0'] });
      await upstream.resetLog();
      const start = performance.now();
      await expect(fetch(`${upstream.url}${info}`, { signal: AbortSignal.timeout(400) })).rejects.toThrow(/abort|timeout/i);
      expect(performance.now() - start).toBeGreaterThanOrEqual(390);
      // Other paths still answer.
      expect((await get(`${upstream.url}/example.com/greeting/@v/v1.1.0.info`)).status).toBe(200);
      const log = await waitForLog(upstream, (l) => l.some((e) => e.fault === 'hang'));
      expect(log.find((e) => e.fault === 'hang')).toEqual({ method: 'GET', path: info, status: 0, bytes: 0, fault: 'hang' });
      await upstream.setFaults({});
    });

    test(
      'tamper makes the go command report a checksum mismatch',
      async () => {
        await upstream.setFaults({ tamper: ['example.com/tamper@v1.0.0'] });
        const { dir, env } = checkout(join(projectsDir, 'basic'), upstream, 'tamper');
        const res = runGo(['mod', 'download', 'all'], dir, env);
        await upstream.setFaults({});
        expect(res.status, `go mod download all with a tampered zip: ${res.stderr}`).not.toBe(0);
        expect(res.stderr).toMatch(
          /example\.com\/tamper@v1\.0\.0: verifying module: checksum mismatch\n\tdownloaded: h1:\S{44}\n\tgobundle\.test: h1:\S{44}\n/,
        );
        expect(res.stderr).toMatch(/SECURITY ERROR/);
        // The .mod is untouched: only the zip differs.
        expect(res.stderr).not.toMatch(/go\.mod: checksum mismatch/);
      },
      GO_TIMEOUT_MS,
    );
  });
});

describe('upstream on generated graphs', () => {
  let upstream: Upstream;
  const graphs = new Map<'pruned' | 'unpruned', GeneratedGraph>();
  beforeAll(async () => {
    const pruned = generateGraph({ dir: freshDir('graph'), seed: 2024, modules: 60, replaces: 3, excludes: 3, padBytes: 2048 });
    const unpruned = generateGraph({
      dir: freshDir('graph-old'),
      seed: 7,
      modules: 30,
      replaces: 2,
      excludes: 2,
      mainGo: '1.16',
      pathPrefix: 'gen.test/old',
    });
    graphs.set('pruned', pruned).set('unpruned', unpruned);
    upstream = await startUpstream({ modules: [pruned.modulesDir, unpruned.modulesDir] });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await upstream?.stop();
  });

  test.each(['pruned', 'unpruned'] as const)(
    'the real go command downloads and builds the %s graph without touching go.mod',
    async (kind) => {
      const graph = graphs.get(kind);
      if (!graph) throw new Error(`graph ${kind} was not generated`);
      const { dir, env } = checkout(graph.mainDir, upstream, `graph-${kind}`);
      const goModBefore = readFileSync(join(dir, 'go.mod'), 'utf8');
      expect(goModBefore).toContain(kind === 'pruned' ? '\ngo 1.21\n' : '\ngo 1.16\n');
      await upstream.resetLog();
      mustGo(['mod', 'download', 'all'], dir, env);
      mustGo(['build', './...'], dir, env);
      expect(readFileSync(join(dir, 'go.mod'), 'utf8'), 'go.mod after go build').toBe(goModBefore);
      const buildList = new Map(
        mustGo(['list', '-m', 'all'], dir, env)
          .trim()
          .split('\n')
          .slice(1)
          .map((line) => {
            const [path = '', version = ''] = line.split(' ');
            return [path, version] as const;
          }),
      );
      for (const [path, version] of graph.packageModules) {
        expect(buildList.get(path), `selected version of ${path}`).toBe(version);
      }
      const requests = parseRequestLog(await upstream.requestLog());
      expect(
        requests.filter((r) => r.kind === 'list' || r.kind === 'latest'),
        'list/@latest requests',
      ).toEqual([]);
      expect(
        requests.filter((r) => r.status !== 200),
        'failed requests',
      ).toEqual([]);
      const selectedReplaces = graph.replaces.filter((x) => graph.packageModules.get(x.path) === x.version);
      expect(selectedReplaces.length, 'replacements providing packages (else the seed tests too little)').toBeGreaterThan(0);
      for (const r of selectedReplaces) {
        expect(requests, `zip of replacement ${r.newPath}`).toContainEqual({
          path: r.newPath,
          version: r.newVersion,
          kind: 'zip',
          status: 200,
        });
      }
      for (const e of graph.excludes) {
        expect(
          requests.filter((r) => r.path === e.path && r.version === e.version),
          `requests for excluded ${e.path}@${e.version}`,
        ).toEqual([]);
      }
    },
    GO_TIMEOUT_MS * 3,
  );
});
