/**
 * The archive readers on mutated input: a bundle .tgz (bytes mutated, or
 * its tar mutated and re-gzipped) opens with exactly the signed files or is
 * refused with a BundleError, and a refused bundle leaves no extraction
 * behind; a module zip passes validateZip with the h1 hashZip computes or is
 * refused with a ModuleError EBADZIP.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BundleError } from '../../src/bundle/bundleErrors.js';
import { openBundle } from '../../src/bundle/reader.js';
import { ErrorCode } from '../../src/errorCodes.js';
import { ModuleError } from '../../src/errors.js';
import { hashZip } from '../../src/modzip/hashZip.js';
import { validateZip } from '../../src/modzip/validateZip.js';
import { buildTestBundle, moduleFiles, testKey, type TestFile } from '../bundle/testBundle.js';
import { tinyZip } from '../pack/tinyZip.js';
import { mutatedBytes, runs } from './propertyRuns.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-props-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

const key = testKey('team');
const files: TestFile[] = [...moduleFiles('example.com/a', 'v1.0.0'), { name: 'example.com/a/@v/list', data: 'v1.0.0\n' }];
const sha256 = (d: Buffer | string): string => createHash('sha256').update(d).digest('hex');
const want = new Map(files.map((f) => [f.name, sha256(f.data)]));
let tgz: Buffer;
let tar: Buffer;
beforeAll(async () => {
  tgz = (await buildTestBundle(files, key)).tgz;
  tar = gunzipSync(tgz);
});

/** Open `bytes` as a bundle: either every file is one of the signed originals, or a BundleError and no extraction. */
async function openOrRefuse(bytes: Buffer, allowUnsigned: boolean): Promise<void> {
  const dir = join(work, `b${n++}`);
  const cacheRoot = join(dir, 'cache');
  const file = join(dir, 'bundle.tgz');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, bytes);
  try {
    const opened = await openBundle(file, { trust: [key.verifier], allowUnsigned, cacheRoot });
    const dirOut = opened.dir as string;
    for (const [name, hash] of want) expect(sha256(readFileSync(join(dirOut, name))), `${name} after opening a mutated bundle`).toBe(hash);
  } catch (err) {
    if (!(err instanceof BundleError)) throw new Error(`openBundle threw ${String(err)}, want BundleError`);
    const left = readdirSync(cacheRoot, { withFileTypes: true }).filter((e) => /^[0-9a-f]{64}$/.test(e.name));
    expect(
      left.map((e) => e.name),
      `extractions left after a refusal: ${err.message}`,
    ).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bundle reader on mutated bundles', () => {
  test('mutated .tgz bytes', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes(tgz, 3), fc.boolean(), (b, allow) => openOrRefuse(b, allow)),
      runs(60, 10_000),
    );
  });
  test('mutated tar, gzipped again', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes(tar, 3), fc.boolean(), (b, allow) => openOrRefuse(gzipSync(b), allow)),
      runs(60, 10_000),
    );
  });
});

describe('validateZip on mutated zips', () => {
  const M = 'example.com/m';
  const V = 'v1.0.0';
  const P = `${M}@${V}/`;
  const zip = tinyZip([
    { name: `${P}go.mod`, data: 'module example.com/m\n' },
    { name: `${P}m.go`, data: 'package m\n\nfunc F() {}\n', deflate: true },
    { name: `${P}sub/LICENSE`, data: 'BSD\n'.repeat(20), deflate: true },
  ]);

  test("mutated zip bytes: valid with hashZip's h1, or ModuleError EBADZIP", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes(zip, 3), async (bytes) => {
        const file = join(work, `z${n++}.zip`);
        writeFileSync(file, bytes);
        try {
          const got = await validateZip(file, { path: M, version: V });
          expect(got.h1, 'validateZip h1 vs hashZip').toBe(await hashZip(file));
        } catch (err) {
          if (!(err instanceof ModuleError)) throw new Error(`validateZip threw ${String(err)}, want ModuleError`);
          expect(err.code, err.message).toBe(ErrorCode.BADZIP);
          expect(err.message.startsWith(`${M}@${V}: `), err.message).toBe(true);
        } finally {
          rmSync(file, { force: true });
        }
      }),
      runs(150, 10_000),
    );
  });

  test('random entry names and contents', async () => {
    const name = fc.oneof(
      fc.string({ maxLength: 12 }).map((s) => `${P}${s}`),
      fc.constantFrom(
        `${P}../x`,
        `${P}a\\b`,
        `${P}A.go`,
        `${P}a.go`,
        `${P}go.mod`,
        `${P}.git/x`,
        `${P}vendor/modules.txt`,
        P,
        'other@v1/x',
        `${P}\u00e9`,
        `${P}x/`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name, data: fc.string({ maxLength: 40 }), deflate: fc.boolean() }), { maxLength: 6 }),
        async (entries) => {
          const file = join(work, `z${n++}.zip`);
          writeFileSync(file, tinyZip(entries));
          try {
            const got = await validateZip(file, { path: M, version: V });
            expect(got.h1).toBe(await hashZip(file));
          } catch (err) {
            if (!(err instanceof ModuleError)) throw new Error(`validateZip threw ${String(err)}, want ModuleError`);
            expect(err.code, err.message).toBe(ErrorCode.BADZIP);
          } finally {
            rmSync(file, { force: true });
          }
        },
      ),
      runs(150, 10_000),
    );
  });
});
