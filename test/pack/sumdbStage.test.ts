/**
 * The pack checksum-database stage against the in-memory database: which
 * modules are looked up (GOSUMDB=off, GONOSUMDB), the mismatch error in
 * cmd/go's shape, go.mod-only versions, and the replay it hands the bundle.
 * The real database and go client are in sumdbPack.test.ts.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { ChecksumMismatchError, ModuleError, NetworkError } from '../../src/errors.js';
import { parseGoSumDB } from '../../src/gomod/goenv.js';
import type { ModuleHashes } from '../../src/pack/packBundle.js';
import { createSumdbStage, modulesForSumdb, type SumdbTarget } from '../../src/pack/sumdbStage.js';
import { goSumText } from '../../src/pack/writeGoSum.js';
import { verifyReplay } from '../../src/sumdb/replay.js';
import { formatHash } from '../../src/sumdb/tlog/hash.js';
import { treeHash } from '../../src/sumdb/tlog/storedHash.js';
import { FAKE_DB_NAME, FakeDatabase, fakeKeys, moduleOf } from '../sumdb/fakeDatabase.js';
import { MemoryLog, recordText } from '../sumdb/tlog/memoryLog.js';

const LOG_SIZE = 300;
const log = new MemoryLog();
beforeAll(async () => {
  await log.growTo(LOG_SIZE);
});

/** Module i with the hashes the database records for it. */
function honest(i: number, opts: { goModOnly?: boolean } = {}): ModuleHashes {
  const [zipLine, modLine] = recordText(i).split('\n') as [string, string];
  const m = moduleOf(i);
  return { ...m, zipH1: opts.goModOnly ? null : (zipLine.split(' ')[2] as string), modH1: modLine.split(' ')[2] as string };
}

const ENV_ON = { GOSUMDB: fakeKeys.verifierKey, GONOSUMDB: '', GOPROXY: 'https://proxy.example' };

async function stageFor(env: { GOSUMDB: string; GONOSUMDB: string; GOPROXY: string } = ENV_ON) {
  const db = await FakeDatabase.create(log, { logSize: LOG_SIZE });
  const connected: SumdbTarget[] = [];
  const stage = createSumdbStage({
    sumdb: parseGoSumDB(env.GOSUMDB),
    env,
    connect: async (target) => {
      connected.push(target);
      return db;
    },
  });
  return { db, stage, connected };
}

const SECURITY_TEXT =
  '\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server or recorded in go.sum.\n' +
  'The bits may have been replaced on the origin server, or an attacker may have intercepted the download attempt.';

describe('sumdb stage', () => {
  test('honest modules: manifest entry and a replay that verifies', async () => {
    const { db, stage, connected } = await stageFor();
    const modules = [honest(3), honest(10, { goModOnly: true }), honest(200)];
    const got = await stage(modules);
    expect(connected).toEqual([{ name: FAKE_DB_NAME, key: fakeKeys.verifierKey, url: `https://${FAKE_DB_NAME}`, urlExplicit: false }]);
    expect(got?.sumdb).toEqual({
      name: FAKE_DB_NAME,
      treeSize: LOG_SIZE,
      treeHash: formatHash(await treeHash(LOG_SIZE, log)),
      consistentWith: [],
    });
    const files = new Map(got!.files.map((f) => [f.name, f.data]));
    for (const name of files.keys()) expect(name.startsWith(`sumdb/${FAKE_DB_NAME}/`), name).toBe(true);
    expect(verifyReplay(files, fakeKeys.verifierKey).lookups).toBe(3);
    expect(db.requests.filter((r) => r.startsWith('/lookup/')).sort()).toEqual(
      ['/lookup/example.com/m3@v1.0.3', '/lookup/example.com/m10@v1.0.10', '/lookup/example.com/m6@v1.0.200'].sort(),
    );
  });

  test.each<[string, ModuleHashes, string]>([
    [
      'zip',
      { ...honest(5), zipH1: 'h1:tamperedzipAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      `verifying example.com/m5@v1.0.5: checksum mismatch\n\tdownloaded: h1:tamperedzipAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\t${FAKE_DB_NAME}: ${honest(5).zipH1}${SECURITY_TEXT}`,
    ],
    [
      'go.mod',
      { ...honest(5), modH1: 'h1:tamperedmodAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      `verifying example.com/m5@v1.0.5/go.mod: checksum mismatch\n\tdownloaded: h1:tamperedmodAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\t${FAKE_DB_NAME}: ${honest(5).modH1}${SECURITY_TEXT}`,
    ],
    [
      'go.mod of a go.mod-only version',
      { ...honest(5, { goModOnly: true }), modH1: 'h1:tamperedmodAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      `verifying example.com/m5@v1.0.5/go.mod: checksum mismatch\n\tdownloaded: h1:tamperedmodAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\t${FAKE_DB_NAME}: ${honest(5).modH1}${SECURITY_TEXT}`,
    ],
  ])('a %s hash that disagrees with the database is a security error', async (_name, bad, want) => {
    const { stage } = await stageFor();
    const err = await stage([honest(1), bad]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'stage resolved, want ChecksumMismatchError').toBeInstanceOf(ChecksumMismatchError);
    expect((err as Error).message).toBe(want);
    expect((err as ChecksumMismatchError).code).toBe('ECHECKSUM');
  });

  test('GONOSUMDB: excluded modules are not looked up', async () => {
    const env = { ...ENV_ON, GONOSUMDB: 'example.com/m3' };
    const { db, stage } = await stageFor(env);
    const got = await stage([honest(3), honest(4), { ...honest(3 + 97), zipH1: 'h1:notcheckedAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }]);
    expect(got?.sumdb.name).toBe(FAKE_DB_NAME);
    expect(db.requests.filter((r) => r.startsWith('/lookup/'))).toEqual(['/lookup/example.com/m4@v1.0.4']);
    expect([...got!.files.map((f) => f.name)].filter((n) => n.includes('/lookup/'))).toEqual([
      `sumdb/${FAKE_DB_NAME}/lookup/example.com/m4@v1.0.4`,
    ]);
  });

  test.each<[string, { GOSUMDB: string; GONOSUMDB: string; GOPROXY: string }]>([
    ['GOSUMDB=off', { ...ENV_ON, GOSUMDB: 'off' }],
    ['GONOSUMDB matching everything', { ...ENV_ON, GONOSUMDB: 'example.com' }],
    ['GONOSUMDB glob matching everything', { ...ENV_ON, GONOSUMDB: '*.com' }],
  ])('%s: no database, no files, never connected', async (_name, env) => {
    const { db, stage, connected } = await stageFor(env);
    expect(await stage([honest(3), honest(4)])).toBeNull();
    expect(connected).toEqual([]);
    expect(db.requests).toEqual([]);
  });

  test.each<[string, string, string[]]>([
    ['empty', '', ['example.com/a', 'example.com/ab', 'golang.org/x/text']],
    ['a path (whole elements only)', 'example.com/a', ['example.com/ab', 'golang.org/x/text']],
    ['a glob', '*.org', ['example.com/a', 'example.com/ab']],
    ['a host prefix', 'example.com', ['golang.org/x/text']],
  ])('modulesForSumdb with GONOSUMDB %s', (_name, gonosumdb, want) => {
    const mods = ['example.com/a', 'example.com/ab', 'golang.org/x/text'].map((path) => ({
      path,
      version: 'v1.0.0',
      zipH1: null,
      modH1: 'h1:x',
    }));
    const got = modulesForSumdb(mods, { GOSUMDB: 'sum.golang.org', GONOSUMDB: gonosumdb, GOPROXY: 'https://p' }).map((m) => m.path);
    expect(got, `modulesForSumdb(GONOSUMDB=${JSON.stringify(gonosumdb)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`).toEqual(
      want,
    );
  });
});

describe('goSumText', () => {
  test('zip lines only for carried zips, go.mod lines always, in cmd/go order', () => {
    const got = goSumText([
      { path: 'example.com/b', version: 'v1.10.0', zipH1: 'h1:b10', modH1: 'h1:b10mod' },
      { path: 'example.com/b', version: 'v1.9.0', zipH1: null, modH1: 'h1:b9mod' },
      { path: 'example.com/a', version: 'v1.0.0', zipH1: 'h1:a', modH1: 'h1:amod' },
    ]);
    expect(got).toBe(
      'example.com/a v1.0.0 h1:a\nexample.com/a v1.0.0/go.mod h1:amod\n' +
        'example.com/b v1.9.0/go.mod h1:b9mod\nexample.com/b v1.10.0 h1:b10\nexample.com/b v1.10.0/go.mod h1:b10mod\n',
    );
  });
});

describe('sumdb stage failures', () => {
  test('a module the database does not know: the error names it and hints at GONOSUMDB', async () => {
    const { stage } = await stageFor();
    const unknown: ModuleHashes = { path: 'corp.example/private', version: 'v1.0.0', zipH1: null, modH1: 'h1:x' };
    const err = (await stage([honest(1), unknown]).then(
      () => undefined,
      (e: unknown) => e,
    )) as ModuleError;
    expect(err).toBeInstanceOf(ModuleError);
    expect(err.code).toBe('ENOTEXIST');
    expect(err.message).toBe(
      'corp.example/private@v1.0.0: verifying module: checksum database lookup failed: fake database: /lookup/corp.example/private@v1.0.0 not found',
    );
    expect(err.hint).toBe(
      `${FAKE_DB_NAME} (reached at the first GOPROXY entry serving /sumdb/${FAKE_DB_NAME}/supported, else https://${FAKE_DB_NAME}) ` +
        'does not know this module version: if it is private, list it in GONOSUMDB or GOPRIVATE (the go command needs that too); ' +
        'if it is public, the server may not really serve this checksum database',
    );
  });

  test('an unreachable database: the hint says where it was looked for', async () => {
    const stage = createSumdbStage({
      sumdb: parseGoSumDB(fakeKeys.verifierKey),
      env: ENV_ON,
      connect: async () => ({
        readRemote: async (path) => {
          throw new NetworkError(`https://${FAKE_DB_NAME}${path}`, `reading https://${FAKE_DB_NAME}${path}: connection refused`);
        },
      }),
    });
    const err = (await stage([honest(1)]).then(
      () => undefined,
      (e: unknown) => e,
    )) as ModuleError;
    expect(err).toBeInstanceOf(ModuleError);
    expect(err.message).toBe(
      `example.com/m1@v1.0.1: verifying module: checksum database lookup failed: reading https://${FAKE_DB_NAME}/lookup/example.com/m1@v1.0.1: connection refused`,
    );
    expect(err.hint).toBe(
      `the checksum database is reached at the first GOPROXY entry serving /sumdb/${FAKE_DB_NAME}/supported, else https://${FAKE_DB_NAME}: ` +
        'check GOSUMDB and GOPROXY, or set GOSUMDB=off to pack without it (offline clients then need GOSUMDB=off or a complete go.sum)',
    );
  });

  test('lookAhead: lookups start early, run through schedule, and are not asked again', async () => {
    const { db, stage, connected } = await stageFor();
    const scheduled: number[] = [];
    const schedule = <T>(request: () => Promise<T>): Promise<T> => {
      scheduled.push(1);
      return request();
    };
    const modules = [honest(3), honest(10, { goModOnly: true }), honest(200)];
    for (const m of modules) stage.lookAhead?.({ path: m.path, version: m.version }, schedule);
    stage.lookAhead?.({ path: modules[0]!.path, version: modules[0]!.version }, schedule);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(scheduled.length, 'lookups scheduled early').toBe(3);
    const got = await stage(modules);
    expect(verifyReplay(new Map(got!.files.map((f) => [f.name, f.data])), fakeKeys.verifierKey).lookups).toBe(3);
    expect(connected.length, 'connections').toBe(1);
    expect(db.requests.filter((r) => r.startsWith('/lookup/')).length, 'lookup requests').toBe(3);
  });

  test('lookAhead: a failed early lookup is asked again by the stage; GONOSUMDB modules are never looked up early', async () => {
    const env = { ...ENV_ON, GONOSUMDB: 'example.com/m10' };
    const { db, stage } = await stageFor(env);
    let failFirst = true;
    const schedule = <T>(request: () => Promise<T>): Promise<T> => {
      if (failFirst) {
        failFirst = false;
        return Promise.reject(new NetworkError('/lookup', 'connection reset'));
      }
      return request();
    };
    const modules = [honest(3), honest(10), honest(200)];
    for (const m of modules) stage.lookAhead?.({ path: m.path, version: m.version }, schedule);
    const got = await stage(modules);
    expect(verifyReplay(new Map(got!.files.map((f) => [f.name, f.data])), fakeKeys.verifierKey).lookups).toBe(2);
    expect(db.requests.filter((r) => r.startsWith('/lookup/')).sort()).toEqual(
      ['/lookup/example.com/m3@v1.0.3', '/lookup/example.com/m6@v1.0.200'].sort(),
    );
  });
});
