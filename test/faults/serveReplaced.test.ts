/**
 * serve while its bundle file is replaced or deleted on disk: every answer
 * is either the verified bytes (the sha256 the signed manifest lists) or a
 * refusal — never bytes of the tampered replacement. Covers a bundle given
 * on the command line and one picked up from --bundles-dir (whose watcher
 * notices the change and re-verifies).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import { buildTestBundle, moduleFiles, testKey, type TestFile } from '../bundle/testBundle.js';
import { tempDir } from '../pack/packHarness.js';
import { startServeProcess, type ServeProcess } from '../support/serveProcess.js';

const key = testKey('team');
const files: TestFile[] = [
  ...moduleFiles('example.com/a', 'v1.0.0', { zip: Buffer.alloc(300_000, 'a') }),
  ...moduleFiles('example.com/!b', 'v1.2.0', { zip: Buffer.alloc(20_000, 'b') }),
  { name: 'example.com/a/@v/list', data: 'v1.0.0\n' },
];
const sha256 = (d: Buffer | string): string => createHash('sha256').update(d).digest('hex');
const want = new Map(files.map((f) => [f.name, sha256(f.data)]));

let serve: ServeProcess | undefined;
afterEach(() => {
  serve?.child.kill('SIGKILL');
  serve = undefined;
});

/** GET every bundled file; every 200 must carry the verified bytes. Returns the statuses seen. */
async function requestAll(url: string, context: string): Promise<number[]> {
  const statuses: number[] = [];
  for (const [name, hash] of want) {
    let res: Response;
    try {
      res = await fetch(`${url}/${name}`, { signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      // A connection cut mid-body is failing closed, too.
      statuses.push(0);
      void err;
      continue;
    }
    const body = Buffer.from(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
    statuses.push(res.status);
    if (res.status === 200) expect(sha256(body), `${context}: GET ${name} served bytes the manifest does not list`).toBe(hash);
  }
  return statuses;
}

/** The tampered replacement: the signed manifest unchanged, 1,000 bytes of one zip changed in the tar (verification must refuse it). */
async function tamperedBundle(): Promise<Buffer> {
  const tar = gunzipSync((await buildTestBundle(files, key)).tgz);
  const at = tar.indexOf(Buffer.alloc(1000, 'a'));
  if (at < 0) throw new Error('the zip bytes are not in the tar');
  tar.fill('X', at, at + 1000);
  return gzipSync(tar);
}

describe('serve while the bundle file changes under it', () => {
  test.each([
    ['given on the command line', false],
    ['in --bundles-dir', true],
  ])('%s: replaced in place, renamed over, deleted', { timeout: 120_000 }, async (_name, useDir) => {
    const work = tempDir('replaced');
    const bundles = join(work, 'bundles');
    mkdirSync(bundles);
    const file = join(bundles, 'deps.tgz');
    writeFileSync(file, (await buildTestBundle(files, key)).tgz);
    writeFileSync(join(work, 'team.pub'), `${key.verifier}\n`);
    const args = [
      ...(useDir ? ['--bundles-dir', bundles] : [file]),
      '--trust',
      'team.pub',
      '--listen',
      '127.0.0.1:0',
      '--cache-dir',
      join(work, 'cache'),
      '--no-access-log',
    ];
    serve = await startServeProcess(args, { cwd: work, env: { ...process.env, GOENV: 'off', GOSUMDB: 'off' }, timeoutMs: 30_000 });
    expect(await requestAll(serve.url, 'before')).toEqual(files.map(() => 200));

    const tampered = await tamperedBundle();
    // 1. Overwritten in place (same inode), 2. a new file renamed over it, 3. deleted.
    const steps: [string, () => void][] = [
      ['overwritten in place', () => writeFileSync(file, tampered)],
      [
        'renamed over',
        () => {
          writeFileSync(join(bundles, '.next'), tampered);
          renameSync(join(bundles, '.next'), file);
        },
      ],
      ['deleted', () => rmSync(file)],
    ];
    for (const [what, change] of steps) {
      change();
      // Keep asking through the moments the watcher notices and re-verifies (bounded rounds, no sleeps).
      // With --bundles-dir, the tampered file must also have been seen and refused (bounded wait, while requesting).
      const deadline = Date.now() + 30_000;
      for (let round = 0; round < 15 || (useDir && what !== 'deleted' && !serve.stderr().includes(`ignored ${file}`)); round++) {
        if (Date.now() > deadline) throw new Error(`serve did not notice the ${what} bundle within 30 s:\n${serve.stderr()}`);
        await requestAll(serve.url, `${what}, round ${round}`);
      }
    }
    expect(serve.child.exitCode, `serve exited: ${serve.stderr()}`).toBeNull();
    if (useDir) {
      // The watcher noticed, re-verified and refused the replacement, naming the file whose bytes changed.
      expect(serve.stderr()).toContain(`gobundle: serve: ignored ${file}: bundle ${file}: example.com/a/@v/v1.0.0.zip: sha256 `);
    }
    rmSync(work, { recursive: true, force: true });
  });
});
