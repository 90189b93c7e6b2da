/** The miss record: classification, the table and its lines, the wants list, and the durable store (kill -9 included). */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { classifyMiss, type FailedRequest } from '../../src/misses/miss.js';
import { MissTable, formatMissLine, parseMissLine } from '../../src/misses/missTable.js';
import { MissStore, readMissesDir } from '../../src/misses/missStore.js';
import { formatWantsList, parseWantsList, wantsOf, isWantsList } from '../../src/misses/wantsList.js';
import { resolveWants } from '../../src/inputs/resolveWants.js';
import { NotFoundError } from '../../src/errors.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-misses-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('classifyMiss', () => {
  test.each<[FailedRequest, string]>([
    [{ kind: 'info', path: 'example.com/a', version: 'v1.4.0' }, 'info example.com/a v1.4.0'],
    [
      { kind: 'zip', path: 'golang.org/toolchain', version: 'v0.0.1-go1.22.12.linux-amd64' },
      'zip golang.org/toolchain v0.0.1-go1.22.12.linux-amd64',
    ],
    [{ kind: 'list', path: 'example.com/a' }, 'list example.com/a '],
    [{ kind: 'latest', path: 'example.com/a' }, 'latest example.com/a '],
    [{ kind: 'info', path: 'example.com/a', version: 'master' }, 'query example.com/a master'],
    [{ kind: 'sumdb', db: 'sum.golang.org', rest: 'lookup/example.com/!upper@v1.0.0' }, 'lookup example.com/Upper v1.0.0'],
    [{ kind: 'mod', path: 'example.com/a', version: 'master' }, 'none'],
    [{ kind: 'sumdb', db: 'sum.golang.org', rest: 'tile/8/0/001' }, 'none'],
    [{ kind: 'list', path: 'wp-admin' }, 'none'],
    [{ kind: 'info', path: 'example.com/a', version: 'v1.4' }, 'query example.com/a v1.4'],
  ])('classifyMiss(%j)', (req, want) => {
    const m = classifyMiss(req);
    expect(m === undefined ? 'none' : `${m.kind} ${m.path} ${m.version}`).toBe(want);
  });
});

describe('the table and its lines', () => {
  test('appends and a compaction read the same; answered entries leave; the oldest go first past the limit', () => {
    const t = new MissTable(2);
    const lines = [
      formatMissLine({
        miss: {
          kind: 'info',
          path: 'example.com/a',
          version: 'v1.0.0',
          count: 1,
          first: '2026-01-01T00:00:00Z',
          last: '2026-01-01T00:00:00Z',
        },
      }),
      formatMissLine({
        miss: {
          kind: 'info',
          path: 'example.com/a',
          version: 'v1.0.0',
          count: 2,
          first: '2026-01-02T00:00:00Z',
          last: '2026-01-03T00:00:00Z',
        },
      }),
      formatMissLine({
        miss: { kind: 'list', path: 'example.com/b', version: '', count: 1, first: '2026-01-01T00:00:00Z', last: '2026-01-01T00:00:00Z' },
      }),
      formatMissLine({ answered: { kind: 'list', path: 'example.com/b', version: '' } }),
      formatMissLine({
        miss: {
          kind: 'zip',
          path: 'example.com/c',
          version: 'v2.0.0',
          count: 1,
          first: '2026-01-04T00:00:00Z',
          last: '2026-01-04T00:00:00Z',
        },
      }),
    ];
    for (const l of lines) t.apply(parseMissLine(l.trimEnd())!);
    expect(t.entries()).toEqual([
      { kind: 'info', path: 'example.com/a', version: 'v1.0.0', count: 3, first: '2026-01-01T00:00:00Z', last: '2026-01-03T00:00:00Z' },
      { kind: 'zip', path: 'example.com/c', version: 'v2.0.0', count: 1, first: '2026-01-04T00:00:00Z', last: '2026-01-04T00:00:00Z' },
    ]);
    expect(t.trim(1)).toBe(1);
    expect(t.entries().map((e) => e.path)).toEqual(['example.com/c']);
    expect(parseMissLine('{"miss":{"kind":"info","path":"x.com/a","version":"v1.0.0","count":1,"first":"2026-01-01T00:00:00Z","la')).toBe(
      undefined,
    );
  });
});

describe('the wants list', () => {
  test('written from misses, detected and parsed back', () => {
    const at = '2026-05-04T10:00:00Z';
    const { wants, notes } = wantsOf([
      { kind: 'info', path: 'example.com/a', version: 'v1.4.0', count: 2, first: at, last: at },
      { kind: 'lookup', path: 'example.com/a', version: 'v1.4.0', count: 1, first: at, last: at },
      { kind: 'list', path: 'example.com/a', version: '', count: 1, first: at, last: at },
      { kind: 'list', path: 'golang.org/toolchain', version: '', count: 1, first: at, last: at },
    ]);
    const text = formatWantsList(wants, notes, 'http://goproxy:8080', at);
    expect(text).toBe(
      [
        '# gobundle wants',
        '# what the go command asked http://goproxy:8080 for and the served bundles lack, 2026-05-04T10:00:00Z',
        '# carry this file out and run: gobundle pack --from-list <this file> -o <bundle.tgz> --sign-key <key>',
        '# golang.org/toolchain: the go command read the toolchain list 1 time (go get go@…, or a switch forced by a dependency): carry the toolchain it needs with pack --toolchain',
        'example.com/a@v1.4.0  # 3 requests (info, lookup), first 2026-05-04T10:00:00Z, last 2026-05-04T10:00:00Z',
        'example.com/a@latest  # 1 request (list), at 2026-05-04T10:00:00Z',
        '',
      ].join('\n'),
    );
    expect(isWantsList(text)).toBe(true);
    expect(isWantsList('example.com/a v1.0.0 h1:abc=\n')).toBe(false);
    expect(parseWantsList('wants.txt', text)).toEqual([
      { path: 'example.com/a', query: 'v1.4.0', line: 5 },
      { path: 'example.com/a', query: 'latest', line: 6 },
    ]);
    expect(() => parseWantsList('wants.txt', 'example.com/a@v1 extra\n')).toThrow(
      'wants.txt:1:1: want one module@version a line, found "example.com/a@v1 extra"',
    );
    expect(() => parseWantsList('wants.txt', 'nodot@v1.0.0\n')).toThrow(
      'wants.txt:1:1: malformed module path "nodot": missing dot in first path element',
    );
  });

  test('resolved on the connected side: versions checked, latest from the list, not-found skipped', async () => {
    const have = new Map([['example.com/a', ['v1.0.0', 'v1.2.0', 'v1.3.0-pre']]]);
    const nf = (what: string): never => {
      throw new NotFoundError(`${what}: not found`);
    };
    const r = await resolveWants(
      [
        { path: 'example.com/a', query: 'latest', line: 1 },
        { path: 'example.com/a', query: 'v1.0.0', line: 2 },
        { path: 'example.com', query: 'v1.0.0', line: 3 },
        { path: 'example.com/a', query: 'v1.2.0', line: 4 },
      ],
      {
        list: async (p) => (have.get(p) ?? nf(p)).map((version) => ({ version })),
        latest: async (p) => nf(p),
        info: async (p, v) => (have.get(p)?.includes(v) ? { Version: v } : nf(`${p}@${v}`)),
        mod: async (p) => Buffer.from(`module ${p}\n`),
      },
    );
    expect(r).toEqual({
      modules: [
        { path: 'example.com/a', version: 'v1.2.0' },
        { path: 'example.com/a', version: 'v1.0.0' },
      ],
      toolchains: [],
      resolved: [{ what: 'example.com/a@latest', version: 'v1.2.0' }],
      skipped: [{ what: 'example.com@v1.0.0', why: 'no such version on any proxy (404/410)' }],
    });
  });
});

describe('the store', () => {
  test('a torn last line is dropped and the file cut back before appending; one writer', async () => {
    const dir = join(work, 'torn');
    const first = await MissStore.open(dir, { event: () => undefined });
    first.record({ kind: 'info', path: 'example.com/a', version: 'v1.0.0' }, new Date('2026-01-01T00:00:00Z'));
    await expect(MissStore.open(dir, { event: () => undefined })).rejects.toThrow(`--state-dir ${dir}: in use by process ${process.pid}`);
    first.close();
    appendFileSync(join(dir, 'misses.jsonl'), '{"miss":{"kind":"info","pa');
    const events: string[] = [];
    const s = await MissStore.open(dir, { event: (m) => events.push(m) });
    s.record({ kind: 'info', path: 'example.com/a', version: 'v1.0.0' }, new Date('2026-01-02T00:00:00Z'));
    s.close();
    expect(events).toEqual([`misses: dropped a torn last line of 26 bytes in ${join(dir, 'misses.jsonl')}`]);
    const read = await readMissesDir(dir);
    expect([read.unreadable, read.torn]).toEqual([0, 0]);
    expect(read.table.entries()).toEqual([
      {
        kind: 'info',
        path: 'example.com/a',
        version: 'v1.0.0',
        count: 2,
        first: '2026-01-01T00:00:00.000Z',
        last: '2026-01-02T00:00:00.000Z',
      },
    ]);
  });

  test('past the limit the oldest are dropped and said', async () => {
    const dir = join(work, 'bounded');
    const events: string[] = [];
    const s = await MissStore.open(dir, { limit: 10, event: (m) => events.push(m) });
    for (let i = 0; i < 11; i++)
      s.record({ kind: 'info', path: `example.com/m${i}`, version: 'v1.0.0' }, new Date(Date.UTC(2026, 0, 1, 0, i)));
    s.close();
    expect(events).toEqual(['misses: more than 10 distinct misses: dropped the 2 seen longest ago']);
    expect(
      (await readMissesDir(dir)).table
        .entries()
        .map((e) => e.path)
        .sort(),
    ).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `example.com/m${i}`).sort());
  });

  test('kill -9 while recording: every acknowledged miss is in the file, no line torn', async () => {
    const dir = join(work, 'killed');
    const store = resolve(import.meta.dirname, '..', '..', 'dist', 'misses', 'missStore.js');
    const script = `import(${JSON.stringify(store)}).then(async ({ MissStore }) => {
      const s = await MissStore.open(${JSON.stringify(dir)}, { event: () => {} });
      for (let i = 0; ; i++) {
        s.record({ kind: 'info', path: 'example.com/m' + (i % 500), version: 'v1.0.' + i }, new Date());
        if (i % 50 === 0) await new Promise((r) => process.stdout.write(i + '\\n', r));
      }
    });`;
    writeFileSync(join(work, 'writer.mjs'), script);
    const child = spawn(process.execPath, [join(work, 'writer.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = -1;
    await new Promise<void>((done) => {
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        for (const l of c.split('\n')) if (l !== '') acked = Number(l);
        if (acked >= 20_000 && child.exitCode === null) {
          child.kill('SIGKILL');
          done();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    const data = readFileSync(join(dir, 'misses.jsonl'));
    const read = await readMissesDir(dir);
    expect([read.unreadable, read.torn]).toEqual([0, 0]);
    expect(data[data.length - 1]).toBe(0x0a);
    // Distinct entries past the default limit are dropped: count what is left against what the writer acknowledged.
    const versions = new Set(read.table.entries().map((e) => Number(e.version.slice('v1.0.'.length))));
    for (let i = acked; i > acked - 5000; i--) expect(versions.has(i), `miss ${i} acknowledged but not recorded`).toBe(true);
  }, 60_000);
});
