/**
 * `gobundle verify` checks the checksum-database replay as serve's start-up
 * does (streaming only, nothing extracted), reports which check it did, and
 * names the bundle and the file of a tampered replay.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testKey } from '../bundle/testBundle.js';
import { DB_DIR, DB_KEY, flipByte, writeSumdbBundle } from '../serve/sumdbBundle.js';
import { MemoryLog } from '../sumdb/tlog/memoryLog.js';
import { runCli } from './runCli.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-verify-sumdb-cli-'));
const key = testKey('team');
const log = new MemoryLog();
const TILE = `${DB_DIR}/tile/8/1/000.p/3`;
let tiles = 0;

beforeAll(async () => {
  writeFileSync(join(work, 'team.pub'), `${key.verifier}\n`);
  const replay = await writeSumdbBundle(join(work, 'good.tgz'), { log, logSize: 1000, ids: [3, 300], key });
  tiles = [...replay.keys()].filter((n) => n.includes('/tile/')).length;
  await writeSumdbBundle(join(work, 'bad.tgz'), {
    log,
    logSize: 1000,
    ids: [3, 300],
    key,
    tamper: (f) => f.set(TILE, flipByte(f.get(TILE) as Buffer)),
  });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('gobundle verify and the checksum-database replay', () => {
  test.each([
    [
      'no key known',
      [],
      {},
      `verified against the tree in the signed manifest (no key for fake.sum.test: pass --sumdb-key or set GOSUMDB to also check the database's signature)`,
    ],
    [
      '--sumdb-key',
      ['--sumdb-key', DB_KEY],
      {},
      `verified, tree note signature checked with key ${DB_KEY.split('+').slice(0, 2).join('+')} (from --sumdb-key)`,
    ],
    [
      'GOSUMDB',
      [],
      { GOSUMDB: DB_KEY },
      `verified, tree note signature checked with key ${DB_KEY.split('+').slice(0, 2).join('+')} (from GOSUMDB)`,
    ],
  ])('a good bundle, %s: exit 0, one line for the replay', async (_name, args, env, how) => {
    const r = await runCli(['verify', 'good.tgz', '--trust', 'team.pub', ...args], { cwd: work, env: { GOENV: 'off', ...env } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(`good.tgz: checksum database fake.sum.test: tree#1000, 2 lookups, ${tiles} tiles ${how}`);
  });

  test.each([[[]], [['--sumdb-key', DB_KEY]]])(
    'a flipped byte in a right-edge tile, re-signed manifest, %j: exit 1 naming bundle and tile',
    async (args) => {
      const r = await runCli(['verify', 'bad.tgz', '--trust', 'team.pub', ...args], { cwd: work, env: { GOENV: 'off' } });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(
          `^gobundle: bad\\.tgz: checksum database fake\\.sum\\.test: .*${TILE.replace(/[.]/g, '\\.')}.*: right-edge tiles do not fold to the signed tree hash`,
        ),
      );
    },
  );
});
