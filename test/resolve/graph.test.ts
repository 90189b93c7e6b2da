import { describe, expect, test } from 'vitest';
import { DEFAULT_CONCURRENCY } from '../../src/concurrency/semaphore.js';
import { formatListMAll, resolvePlan } from '../../src/resolve/plan.js';
import type { GoModSource, ModSummaryInput } from '../../src/resolve/types.js';
import { buildTokens, formatToken, parseScenarios, parseToken, scenarioSource } from './graphText.js';
import { SCENARIOS } from './scenarios.js';
import { type ModuleVersion } from '../../src/gomod/moduleVersion.js';

const scenarios = parseScenarios(SCENARIOS);

describe('resolvePlan scenarios', () => {
  test.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const source = scenarioSource(s);
    const run = resolvePlan(s.main, source, { mode: s.mode });
    if (s.error !== undefined) {
      await expect(run).rejects.toThrow(s.error);
      const err = await run.catch((e: unknown) => e);
      expect((err as Error).message, `resolvePlan error = ${JSON.stringify((err as Error).message)}, want ${JSON.stringify(s.error)}`).toBe(
        s.error,
      );
      return;
    }
    const plan = await run;
    const build = buildTokens(plan).join(' ');
    expect(build, `build list = ${build}, want ${s.build?.join(' ')}`).toBe(s.build?.join(' '));
    const loaded = plan.loaded.map(formatToken).sort().join(' ');
    const want = [...(s.loaded ?? [])].sort().join(' ');
    expect(loaded, `loaded = ${loaded}, want ${want}`).toBe(want);
    // Every go.mod read happens once.
    expect(new Set(source.reads).size).toBe(source.reads.length);
  });
});

function file(path: string, go: string | undefined, require: string[]): ModSummaryInput {
  return { module: { path }, go, require: require.map((t) => ({ ...parseToken(t), indirect: false })), exclude: [], replace: [] };
}

describe('plan files', () => {
  test('files, lists and local replacements', async () => {
    const [s] = parseScenarios(`
name: files
main go=1.17: a1 b1 c1 d1
replace b => y2
replace c => ./c
replace d1 => a1
a1 go=1.17: e1
b1 go=1.17:
y2 go=1.17:
dir ./c go=1.17:
e1 go=1.17:
e2 go=1.17:
`);
    const plan = await resolvePlan(s!.main, scenarioSource(s!));
    const files = plan.files.map((f) => `${formatToken(f)}.${f.kind}`).join(' ');
    const want = 'a1.info a1.mod a1.zip e1.info e1.mod e1.zip y2.info y2.mod y2.zip';
    expect(files, `files = ${files}, want ${want}`).toBe(want);
    expect([...plan.lists]).toEqual([
      ['example.com/a', ['v1.1.0']],
      ['example.com/e', ['v1.1.0']],
      ['example.com/y', ['v1.2.0']],
    ]);
    expect(plan.localReplacements).toEqual([{ path: 'example.com/c', version: 'v1.1.0', dir: './c' }]);
    expect(plan.main).toEqual({ path: 'example.com/main', goVersion: '1.17' });
  });

  // github.com/stretchr/testify v1.9.0 and github.com/golang/protobuf v1.5.4 (go 1.17): offline
  // `go mod tidy` failed "error loading go 1.16 module graph" on a go.mod only that graph reads.
  // e1 is missing from the proxy: only tidy reads it, so the plan leaves it out instead of failing.
  test.each<[string, string, string]>([
    ['1.17', 'a1.info a1.mod a1.zip b1.info b1.mod b1.zip c1.mod d1.mod', 'go 1.17 is checked against the unpruned go 1.16 graph'],
    ['1.17.3', 'a1.info a1.mod a1.zip b1.info b1.mod b1.zip c1.mod d1.mod', 'so is go 1.17.3'],
    ['1.18', 'a1.info a1.mod a1.zip b1.info b1.mod b1.zip', 'go 1.18 is checked against go 1.17, pruned'],
    ['1.21', 'a1.info a1.mod a1.zip b1.info b1.mod b1.zip', 'go 1.21 is checked against itself'],
  ])('main go %s: files %s (%s)', async (go, want) => {
    const [s] = parseScenarios(`
name: tidy-compat
main go=${go}: a1
a1 go=1.20: b1
b1 go=1.20: c1
c1 go=1.20: d1 e1
d1 go=1.20:
`);
    const plan = await resolvePlan(s!.main, scenarioSource(s!));
    const files = plan.files.map((f) => `${formatToken(f)}.${f.kind}`).join(' ');
    expect(files, `files = ${files}, want ${want}`).toBe(want);
  });

  test('lists are semver sorted and include versions only read as go.mod', async () => {
    const [s] = parseScenarios(`
name: lists
main go=1.16: a10 b1
b1: a9 a2
a2:
a9:
a10:
`);
    const plan = await resolvePlan(s!.main, scenarioSource(s!));
    expect(plan.lists.get('example.com/a')).toEqual(['v1.2.0', 'v1.9.0', 'v1.10.0']);
    const kinds = plan.files.filter((f) => f.path === 'example.com/a').map((f) => `${f.version}.${f.kind}`);
    expect(kinds).toEqual(['v1.2.0.mod', 'v1.9.0.mod', 'v1.10.0.info', 'v1.10.0.mod', 'v1.10.0.zip']);
  });

  test('conflicting replacements are an error', async () => {
    const main = file('example.com/main', '1.17', []);
    main.replace.push(
      { old: { path: 'example.com/a', version: '' }, new: { path: 'example.com/x', version: 'v1.0.0' }, local: false },
      { old: { path: 'example.com/a', version: '' }, new: { path: './a', version: '' }, local: true },
    );
    const source: GoModSource = { remote: async () => main, local: async () => main };
    await expect(resolvePlan(main, source)).rejects.toThrow('conflicting replacements for example.com/a:\n\texample.com/x@v1.0.0\n\t./a');
  });
});

describe('formatListMAll', () => {
  test.each([
    [
      'plain',
      {
        buildList: [
          { path: 'example.com/main', version: '' },
          { path: 'example.com/a', version: 'v1.0.0' },
        ],
      },
      'example.com/main\nexample.com/a v1.0.0\n',
    ],
    [
      'replacements',
      {
        buildList: [
          { path: 'example.com/main', version: '' },
          { path: 'example.com/a', version: 'v1.0.0', replace: { path: 'example.com/x', version: 'v1.2.0' } },
          { path: 'example.com/b', version: 'v1.1.0', replace: { dir: '../b' } },
        ],
      },
      'example.com/main\nexample.com/a v1.0.0 => example.com/x v1.2.0\nexample.com/b v1.1.0 => ../b\n',
    ],
  ])('%s', (_name, plan, want) => {
    const got = formatListMAll(plan);
    expect(got, `formatListMAll = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`).toBe(want);
  });
});

/** A source with per-module latency that tracks how many fetches are in flight. */
function timedSource(mods: Map<string, { file: ModSummaryInput; delayMs: number }>) {
  const stats = { inFlight: 0, maxInFlight: 0, started: [] as string[], finished: [] as string[] };
  const source: GoModSource = {
    async remote(m: ModuleVersion) {
      const key = formatToken(m);
      const entry = mods.get(key);
      if (entry === undefined) throw new Error(`unexpected fetch ${key}`);
      stats.started.push(key);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      await new Promise((r) => setTimeout(r, entry.delayMs));
      stats.inFlight--;
      stats.finished.push(key);
      return entry.file;
    },
    local: async () => {
      throw new Error('no local');
    },
  };
  return { source, stats };
}

describe('concurrency', () => {
  test('in-flight fetches reach the limit and never exceed it', async () => {
    // More distinct paths than the largest limit tried, so they are all roots.
    const main = file('example.com/main', '1.16', []);
    const many = new Map<string, { file: ModSummaryInput; delayMs: number }>();
    for (let i = 0; i < DEFAULT_CONCURRENCY + 16; i++) {
      const p = `p${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
      main.require.push({ ...parseToken(`${p}1`), indirect: false });
      many.set(`${p}1`, { file: file(`example.com/${p}`, '1.16', []), delayMs: 5 + (i % 4) });
    }
    const { source, stats } = timedSource(many);
    for (const limit of [1, 4, DEFAULT_CONCURRENCY]) {
      stats.maxInFlight = 0;
      await resolvePlan(main, source, { concurrency: limit });
      expect(stats.maxInFlight, `max in flight with concurrency ${limit} = ${stats.maxInFlight}, want ${limit}`).toBe(limit);
    }
  });

  test('a slow fetch does not block its siblings children', async () => {
    // main → a1 (slow, 200ms), b1 (fast) → c1 → d1; the chain under b1 must finish before a1 does.
    const mods = new Map<string, { file: ModSummaryInput; delayMs: number }>([
      ['a1', { file: file('example.com/a', '1.16', []), delayMs: 200 }],
      ['b1', { file: file('example.com/b', '1.16', ['c1']), delayMs: 5 }],
      ['c1', { file: file('example.com/c', '1.16', ['d1']), delayMs: 5 }],
      ['d1', { file: file('example.com/d', '1.16', []), delayMs: 5 }],
    ]);
    const { source, stats } = timedSource(mods);
    const plan = await resolvePlan(file('example.com/main', '1.16', ['a1', 'b1']), source, { concurrency: 2 });
    expect(stats.finished, `finish order = ${stats.finished.join(' ')}, want d1 before a1`).toEqual(['b1', 'c1', 'd1', 'a1']);
    expect(buildTokens(plan)).toEqual(['a1', 'b1', 'c1', 'd1']);
  });

  test('a go.mod discovered from several places is fetched once', async () => {
    const mods = new Map<string, { file: ModSummaryInput; delayMs: number }>([
      ['b1', { file: file('example.com/b', '1.16', ['a1']), delayMs: 3 }],
      ['c1', { file: file('example.com/c', '1.16', ['a1']), delayMs: 3 }],
      ['a1', { file: file('example.com/a', '1.16', []), delayMs: 20 }],
    ]);
    const { source, stats } = timedSource(mods);
    await resolvePlan(file('example.com/main', '1.16', ['b1', 'c1']), source);
    expect(stats.started.sort()).toEqual(['a1', 'b1', 'c1']);
  });

  test('rejects a concurrency below 1', async () => {
    const main = file('example.com/main', '1.17', []);
    await expect(resolvePlan(main, { remote: async () => main, local: async () => main }, { concurrency: 0 })).rejects.toThrow(
      'concurrency must be a positive integer, got 0',
    );
  });
});
