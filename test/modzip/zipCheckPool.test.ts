/**
 * zipCheckPool on the compiled worker (dist/, which npm test builds first):
 * a zip checked on a thread gives exactly what inspectZip gives in-thread,
 * results and errors alike (class, code, message).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { GobundleError, ModuleError } from '../../src/errors.js';
import { hashZip } from '../../src/modzip/hashZip.js';
import { DEFAULT_ZIP_LIMITS, inspectZip } from '../../src/modzip/validateZip.js';
import { ZipCheckPool } from '../../src/modzip/zipCheckPool.js';
import { tinyZip, type TinyZipEntry } from '../pack/tinyZip.js';

const script = new URL('../../dist/modzip/zipCheckWorker.js', import.meta.url);
if (!existsSync(fileURLToPath(script))) throw new Error(`${fileURLToPath(script)} is missing: run npm run build first`);

const work = mkdtempSync(join(tmpdir(), 'gobundle-zipcheckpool-'));
const pool = new ZipCheckPool(script, 2);
afterAll(async () => {
  await pool.close();
  rmSync(work, { recursive: true, force: true });
});

const M = 'example.com/m';
const V = 'v1.0.0';
const P = `${M}@${V}/`;
const mod = { path: M, version: V };
let n = 0;
function writeZip(bytes: Uint8Array): string {
  const file = join(work, `z${n++}.zip`);
  writeFileSync(file, bytes);
  return file;
}

/** What a promise settled to, comparable across threads. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { result: await p };
  } catch (err) {
    return {
      error: err instanceof ModuleError ? 'ModuleError' : err instanceof GobundleError ? 'GobundleError' : 'Error',
      code: (err as { code?: unknown }).code,
      message: (err as Error).message,
    };
  }
}

describe('zipCheckPool', () => {
  test.each<[string, TinyZipEntry[] | string]>([
    [
      'good zip',
      [
        { name: `${P}go.mod`, data: 'module example.com/m\n' },
        { name: `${P}m.go`, data: 'package m\n', deflate: true },
      ],
    ],
    [
      'names the go command refuses',
      [
        { name: `${P}ok.go`, data: 'x' },
        { name: `${P}../a`, data: 'x' },
        { name: `${P}A.go`, data: 'x' },
        { name: `${P}a.go`, data: 'y' },
      ],
    ],
    ['declared size smaller than the data', [{ name: `${P}a.go`, data: 'x'.repeat(1000), deflate: true, declaredSize: 10 }]],
    ['not a zip', 'hello'],
  ])('%s: same outcome on a thread as in-thread', async (_name, entries) => {
    const bytes = typeof entries === 'string' ? Buffer.from(entries) : tinyZip(entries);
    const file = writeZip(bytes);
    const inThread = await outcome(inspectZip(file, mod, DEFAULT_ZIP_LIMITS, readFileSync(file)));
    const onThread = await outcome(pool.inspect({ zipPath: file, mod, limits: DEFAULT_ZIP_LIMITS, data: readFileSync(file) }));
    expect(onThread).toEqual(inThread);
  });

  test('more zips than threads, and buffers that share memory, all come back right', async () => {
    const files = Array.from({ length: 12 }, (_, i) =>
      writeZip(tinyZip([{ name: `${P}f${i}.go`, data: `package m // ${i}\n`.repeat(50 + i), deflate: true }])),
    );
    // Each zip as a view into one larger buffer: the pool must copy it out, not transfer (and detach) the whole.
    const slab = Buffer.concat(files.map((f) => readFileSync(f)));
    let at = 0;
    const views = files.map((f) => {
      const size = readFileSync(f).length;
      const view = slab.subarray(at, at + size);
      at += size;
      return view;
    });
    const got = await Promise.all(files.map((f, i) => pool.inspect({ zipPath: f, mod, limits: DEFAULT_ZIP_LIMITS, data: views[i]! })));
    const want = await Promise.all(files.map((f) => hashZip(f)));
    expect(got.map((g) => g.h1)).toEqual(want);
    expect(slab.length, 'the shared buffer is still whole').toBe(at);
  });
});
