/**
 * `gobundle serve` and the checksum-database replay: the start-up log says
 * which check was done (database key from --sumdb-key or GOSUMDB, or the
 * signed manifest's tree), and a bundle whose replay was tampered with (the
 * manifest re-signed, so only the replay check can see it) is refused with
 * exit 1 naming the bundle and the file before the port opens.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serveCommand, type ServeCliOptions } from '../../src/cli/serve.js';
import { testKey } from '../bundle/testBundle.js';
import { DB, DB_DIR, DB_KEY, flipByte, writeSumdbBundle } from '../serve/sumdbBundle.js';
import { MemoryLog } from '../sumdb/tlog/memoryLog.js';
import { runCli } from './runCli.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-serve-sumdb-cli-'));
const key = testKey('team');
const log = new MemoryLog();
const TILE = `${DB_DIR}/tile/8/0/001`;
const LOOKUP = `${DB_DIR}/lookup/example.com/m9@v1.0.300`;
/** In tree#1000, the level-0 tile holding tree#700's last records: read only to prove tree#700 consistent with tree#1000. */
const CONSISTENCY_TILE = `${DB_DIR}/tile/8/0/002`;
/** Tree#700's own right edge, which a client remembering it re-reads at start-up. */
const OLD_EDGE_TILE = `${DB_DIR}/tile/8/1/000.p/2`;

beforeAll(async () => {
  writeFileSync(join(work, 'team.pub'), `${key.verifier}\n`);
  await writeSumdbBundle(join(work, 'good.tgz'), { log, logSize: 1000, ids: [3, 300], key });
  await writeSumdbBundle(join(work, 'older.tgz'), { log, logSize: 900, ids: [3], key });
  await writeSumdbBundle(join(work, 'tile.tgz'), {
    log,
    logSize: 1000,
    ids: [3, 300],
    key,
    tamper: (f) => f.set(TILE, flipByte(f.get(TILE) as Buffer)),
  });
  await writeSumdbBundle(join(work, 'lookup.tgz'), {
    log,
    logSize: 1000,
    ids: [3, 300],
    key,
    tamper: (f) => f.set(LOOKUP, flipByte(f.get(LOOKUP) as Buffer)),
  });
  await writeSumdbBundle(join(work, 'proven.tgz'), { log, logSize: 1000, ids: [3, 300], key, older: [700] });
  for (const [name, file] of [
    ['consistency.tgz', CONSISTENCY_TILE],
    ['old-edge.tgz', OLD_EDGE_TILE],
  ] as const) {
    await writeSumdbBundle(join(work, name), {
      log,
      logSize: 1000,
      ids: [3, 300],
      key,
      older: [700],
      tamper: (f) => f.set(file, flipByte(f.get(file) as Buffer)),
    });
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ GOENV: 'off', GOBUNDLE_CACHE: join(work, 'cache'), ...extra });

describe('gobundle serve refuses a tampered replay before listening', () => {
  test.each([
    ['tile.tgz', [], TILE],
    ['tile.tgz', ['--sumdb-key', DB_KEY], TILE],
    ['lookup.tgz', [], LOOKUP],
    ['lookup.tgz', ['--sumdb-key', DB_KEY], LOOKUP],
  ])('%s %j → exit 1 naming the bundle and %s', async (bundle, extra, file) => {
    const r = await runCli(['serve', bundle, '--trust', 'team.pub', '--listen', '127.0.0.1:0', ...extra], { cwd: work, env: env() });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^gobundle: bundle \\S*${bundle.replace('.', '\\.')}: checksum database ${DB.replace(/\./g, '\\.')}: ${file.replace(/[.@]/g, '\\$&')}[:,]`,
      ),
    );
  });

  test('gobundle verify checks the consistency proofs the manifest lists, naming a changed tile', async () => {
    const ok = await runCli(['verify', 'proven.tgz', '--trust', 'team.pub', '--sumdb-key', DB_KEY], { cwd: work, env: env() });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(
      /^proven\.tgz: ok: .*\nproven\.tgz: checksum database fake\.sum\.test: tree#1000, 2 lookups, \d+ tiles verified, consistent with tree#700, tree note signature checked/,
    );
    for (const [bundle, file, why] of [
      ['consistency.tgz', CONSISTENCY_TILE, 'tile does not match the signed tree'],
      ['old-edge.tgz', OLD_EDGE_TILE, 'right-edge tiles of tree#700 do not fold to its hash'],
    ] as const) {
      const r = await runCli(['verify', bundle, '--trust', 'team.pub'], { cwd: work, env: env() });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`${file}`);
      expect(r.stderr).toContain(why);
    }
  });

  test('a --sumdb-key that is not a verifier key is a usage error', async () => {
    const r = await runCli(['serve', 'good.tgz', '--trust', 'team.pub', '--sumdb-key', 'nope'], { cwd: work, env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gobundle: --sumdb-key "nope": /);
  });
});

function sink(): { stream: Writable; text: () => string } {
  let s = '';
  return {
    stream: new Writable({
      write(c: Buffer, _e, cb) {
        s += c.toString();
        cb();
      },
    }),
    text: () => s,
  };
}

/** Start serve, fetch `paths`, stop it; returns stderr (the event log) and the responses. */
async function serveOnce(
  bundles: string[],
  extra: Partial<ServeCliOptions>,
  envExtra: NodeJS.ProcessEnv,
  paths: string[],
): Promise<{ log: string; bodies: string[] }> {
  const out = sink();
  const err = sink();
  const stop = new AbortController();
  const opts: ServeCliOptions = {
    listen: '127.0.0.1:0',
    trust: ['team.pub'],
    basePath: '/',
    logFormat: 'text',
    accessLog: false,
    cacheDir: join(work, 'c'),
    ...extra,
  };
  const done = serveCommand(bundles, opts, { stdout: out.stream, stderr: err.stream, env: env(envExtra), cwd: work }, stop.signal);
  const deadline = Date.now() + 10_000;
  while (!out.text().includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const url = /^listening on (\S+)\n$/.exec(out.text())?.[1];
  expect(url, `${out.text()}${err.text()}`).toBeDefined();
  const bodies: string[] = [];
  for (const p of paths) {
    const r = await fetch(`${url}${p}`);
    bodies.push(`${r.status} ${await r.text()}`);
  }
  stop.abort();
  await done;
  return { log: err.text(), bodies };
}

describe('gobundle serve start-up log says how the replay was checked', () => {
  test.each([
    [
      'no key known',
      {},
      {},
      /fake\.sum\.test: tree#1000, 2 lookups, \d+ tiles verified against the tree in the signed manifest \(no key for fake\.sum\.test/,
    ],
    [
      '--sumdb-key',
      { sumdbKey: [DB_KEY] },
      {},
      /tree#1000, 2 lookups, \d+ tiles verified, tree note signature checked with key fake\.sum\.test\+[0-9a-f]{8} \(from --sumdb-key\)/,
    ],
    ['GOSUMDB', {}, { GOSUMDB: DB_KEY }, /tree note signature checked with key fake\.sum\.test\+[0-9a-f]{8} \(from GOSUMDB\)/],
  ])('%s', async (_name, extra, envExtra, want) => {
    const { log: text, bodies } = await serveOnce(['good.tgz'], extra, envExtra, [`/sumdb/${DB}/supported`]);
    expect(text).toMatch(new RegExp(`^gobundle: serve: loaded \\S+good\\.tgz: .*; checksum database .*${want.source}`, 'm'));
    expect(bodies).toEqual(['200 ']);
  });

  test('two bundles of one database: the larger tree is served for both and the log says so', async () => {
    const { log: text, bodies } = await serveOnce(['older.tgz', 'good.tgz'], {}, {}, [`/sumdb/${DB}/latest`]);
    expect(text).toMatch(
      /^gobundle: serve: checksum database fake\.sum\.test: serving tree#1000 of \S+good\.tgz for 2 bundles \(2 lookups, proven consistent with tree#900\)$/m,
    );
    expect(bodies[0]).toMatch(/^200 go\.sum database tree\n1000\n/);
  });
});

describe('gobundle serve --bundles-dir and checksum-database replays', () => {
  test('a tampered replay and an unprovable older bundle are logged and ignored; a newer head is taken', async () => {
    const dir = join(work, 'dropped');
    mkdirSync(dir);
    await writeSumdbBundle(join(dir, 'a-good.tgz'), { log, logSize: 1000, ids: [3, 300], key });
    await writeSumdbBundle(join(dir, 'b-tile.tgz'), {
      log,
      logSize: 1000,
      ids: [3, 300],
      key,
      tamper: (f) => f.set(TILE, flipByte(f.get(TILE) as Buffer)),
    });
    // Record 600 sits in tree#700's right-edge tile 0/002.p/188; tree#1000 needs the full 0/002, which no bundle has.
    await writeSumdbBundle(join(dir, 'c-old.tgz'), { log, logSize: 700, ids: [600], key });
    await writeSumdbBundle(join(dir, 'd-newer.tgz'), { log, logSize: 1100, ids: [3, 300, 1050], key });
    const { log: text, bodies } = await serveOnce([], { bundlesDir: dir }, {}, [
      `/sumdb/${DB}/latest`,
      `/sumdb/${DB}/lookup/example.com/m9@v1.0.300`,
    ]);
    expect(text).toMatch(/^gobundle: serve: loaded \S+a-good\.tgz: /m);
    expect(text).toMatch(
      new RegExp(
        `^gobundle: serve: ignored \\S+b-tile\\.tgz: bundle \\S+b-tile\\.tgz: checksum database ${DB.replace(/\./g, '\\.')}: ${TILE.replace(/\./g, '\\.')}: tile does not match the signed tree$`,
        'm',
      ),
    );
    expect(text).toMatch(
      /^gobundle: serve: ignored \S+c-old\.tgz: checksum database fake\.sum\.test: the records of bundle \S+c-old\.tgz \(tree#700\) are not provably included in tree#1000 of bundle \S+a-good\.tgz, the newest one served: sumdb\/fake\.sum\.test\/tile\/8\/0\/002: missing$/m,
    );
    expect(text).toMatch(
      /^gobundle: serve: checksum database fake\.sum\.test: serving tree#1100 of \S+d-newer\.tgz for 2 bundles \(3 lookups\)$/m,
    );
    expect(bodies[0]).toMatch(/^200 go\.sum database tree\n1100\n/);
    expect(bodies[1]).toMatch(/^200 300\nexample\.com\/m9 v1\.0\.300 h1:.*go\.sum database tree\n1100\n/s);
  });
});
