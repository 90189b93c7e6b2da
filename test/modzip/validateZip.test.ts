import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { hashZip } from '../../src/modzip/hashZip.js';
import { checkZip, validateZip, DEFAULT_ZIP_LIMITS } from '../../src/modzip/validateZip.js';
import { IN_MEMORY_ENTRY_BYTES } from '../../src/modzip/zipEntries.js';
import { tinyZip, type TinyZipEntry } from '../pack/tinyZip.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-validatezip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const M = 'example.com/m';
const V = 'v1.0.0';
const P = `${M}@${V}/`;
let n = 0;
function writeZip(entries: readonly TinyZipEntry[]): string {
  const file = join(work, `z${n++}.zip`);
  writeFileSync(file, tinyZip(entries));
  return file;
}

describe('validateZip accepts good zips and agrees with hashZip', () => {
  test.each<[string, TinyZipEntry[]]>([
    [
      'plain module',
      [
        { name: `${P}go.mod`, data: 'module example.com/m\n' },
        { name: `${P}m.go`, data: 'package m\n', deflate: true },
      ],
    ],
    ['directory entries tolerated', [{ name: P }, { name: `${P}sub/` }, { name: `${P}sub/a.go`, data: 'package sub\n' }]],
    ['no go.mod', [{ name: `${P}LICENSE`, data: 'BSD\n' }]],
    ['empty zip', []],
    [
      // Small as a zip, but one entry inflates past IN_MEMORY_ENTRY_BYTES: streamed out of the zip held in memory.
      'an entry too large to inflate in memory',
      [
        { name: `${P}big.txt`, data: 'gobundle '.repeat(Math.ceil((IN_MEMORY_ENTRY_BYTES + 1) / 9)), deflate: true },
        { name: `${P}small.go`, data: 'package m\n', deflate: true },
      ],
    ],
  ])('%s', async (_name, entries) => {
    const zip = writeZip(entries);
    const want = await hashZip(zip);
    // Both ways of reading: from memory (small zips) and streamed entry by entry (large ones).
    for (const inMemoryZip of [DEFAULT_ZIP_LIMITS.inMemoryZip, 0]) {
      const got = await validateZip(zip, { path: M, version: V }, { ...DEFAULT_ZIP_LIMITS, inMemoryZip });
      expect(got.h1, `validateZip h1 = ${got.h1} (inMemoryZip ${inMemoryZip}), want ${want}`).toBe(want);
    }
  });
});

describe('validateZip refuses what the go command refuses', () => {
  test.each<[string, TinyZipEntry[], string]>([
    ['entry outside the prefix', [{ name: 'example.com/other@v1.0.0/a.go', data: 'x' }], `path does not have prefix "${P}"`],
    ['escaped path in prefix', [{ name: `example.com/!m@${V}/a.go`, data: 'x' }], 'path does not have prefix'],
    ['dot-dot element', [{ name: `${P}../evil.go`, data: 'x' }], 'file path contains ".."'],
    ['dot-dot deep', [{ name: `${P}a/../../evil.go`, data: 'x' }], 'file path contains ".."'],
    ['absolute after prefix', [{ name: `${P}/etc/passwd`, data: 'x' }], 'file path is not relative'],
    ['backslash', [{ name: `${P}a\\b.go`, data: 'x' }], 'file path contains a backslash'],
    ['not clean', [{ name: `${P}a/./b.go`, data: 'x' }], 'file path is not clean'],
    ['bad character', [{ name: `${P}a:b.go`, data: 'x' }], 'malformed file path "a:b.go": invalid char \':\''],
    ['windows reserved name', [{ name: `${P}con.go`, data: 'x' }], 'malformed file path "con.go"'],
    [
      'duplicate name',
      [
        { name: `${P}a.go`, data: 'x' },
        { name: `${P}a.go`, data: 'y' },
      ],
      'multiple entries for file "a.go"',
    ],
    [
      'case-folding collision',
      [
        { name: `${P}README`, data: 'x' },
        { name: `${P}readme`, data: 'y' },
      ],
      'case-insensitive file name collision: "README" and "readme"',
    ],
    [
      'file and directory',
      [
        { name: `${P}a`, data: 'x' },
        { name: `${P}a/b.go`, data: 'y' },
      ],
      'entry "a" is both a file and a directory',
    ],
    ['go.mod below the root', [{ name: `${P}sub/go.mod`, data: 'module x\n' }], 'go.mod file not in module root directory'],
    ['go.mod in upper case', [{ name: `${P}GO.MOD`, data: 'module x\n' }], 'go.mod files must have lowercase names'],
    [
      'name not UTF-8',
      [{ name: Buffer.concat([Buffer.from(P), Buffer.from([0xff, 0x2e, 0x67, 0x6f])]), data: 'x' }],
      'file path is not valid UTF-8',
    ],
  ])('%s', async (_name, entries, want) => {
    const zip = writeZip(entries);
    const err = await validateZip(zip, { path: M, version: V }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(err, 'validateZip succeeded, want an error').toBeDefined();
    expect(err?.code).toBe('EBADZIP');
    expect(err?.message.startsWith(`${M}@${V}: invalid module zip:\n\t`), err?.message).toBe(true);
    expect(err?.message).toContain(want);
  });

  test('every problem is reported as data', async () => {
    const zip = writeZip([
      { name: `${P}ok.go`, data: 'x' },
      { name: `${P}../a`, data: 'x' },
      { name: `${P}sub/go.mod`, data: 'x' },
    ]);
    const checked = await checkZip(zip, { path: M, version: V });
    expect(checked.valid).toEqual([`${P}ok.go`]);
    expect(checked.invalid).toEqual([
      { name: `${P}../a`, reason: 'file path contains ".."' },
      { name: `${P}sub/go.mod`, reason: 'go.mod file not in module root directory' },
    ]);
  });

  test.each<[string, TinyZipEntry[], Partial<typeof DEFAULT_ZIP_LIMITS>, string]>([
    ['zip file over the limit', [{ name: `${P}a.go`, data: 'x'.repeat(200) }], { zipFile: 100 }, 'module zip file is too large'],
    [
      'uncompressed total over the limit',
      [{ name: `${P}a.go`, data: 'x'.repeat(5000), deflate: true }],
      { zipFile: 1000 },
      'total uncompressed size of module contents too large (max size is 1000 bytes)',
    ],
    [
      'go.mod over the limit',
      [{ name: `${P}go.mod`, data: 'x'.repeat(50) }],
      { goMod: 10 },
      'go.mod file too large (max size is 10 bytes)',
    ],
    [
      'LICENSE over the limit',
      [{ name: `${P}LICENSE`, data: 'x'.repeat(50) }],
      { license: 10 },
      'LICENSE file too large (max size is 10 bytes)',
    ],
  ])('%s', async (_name, entries, limits, want) => {
    const zip = writeZip(entries);
    await expect(validateZip(zip, { path: M, version: V }, { ...DEFAULT_ZIP_LIMITS, ...limits })).rejects.toThrow(want);
  });

  test.each([
    ['from memory', DEFAULT_ZIP_LIMITS.inMemoryZip],
    ['streamed', 0],
  ])('declared size smaller than the data (%s)', async (_how, inMemoryZip) => {
    const zip = writeZip([{ name: `${P}a.go`, data: 'x'.repeat(1000), deflate: true, declaredSize: 10 }]);
    await expect(validateZip(zip, { path: M, version: V }, { ...DEFAULT_ZIP_LIMITS, inMemoryZip })).rejects.toThrow(
      /invalid module zip .*: too many bytes in the stream/,
    );
  });

  test.each([
    ['from memory', DEFAULT_ZIP_LIMITS.inMemoryZip],
    ['streamed', 0],
  ])('declared size larger than the data (%s)', async (_how, inMemoryZip) => {
    const zip = writeZip([{ name: `${P}a.go`, data: 'x'.repeat(1000), deflate: true, declaredSize: 5000 }]);
    await expect(validateZip(zip, { path: M, version: V }, { ...DEFAULT_ZIP_LIMITS, inMemoryZip })).rejects.toThrow(
      /invalid module zip .*: not enough bytes in the stream/,
    );
  });

  test('not a zip', async () => {
    const file = join(work, 'notzip.zip');
    writeFileSync(file, 'hello');
    await expect(validateZip(file, { path: M, version: V })).rejects.toThrow(
      /invalid module zip .*notzip\.zip: end of central directory record signature not found/,
    );
  });

  test.each<[string, string, string]>([
    ['non-canonical version', 'v1.0', 'version "v1.0" is not canonical (should be "v1.0.0")'],
    ['major version mismatch', 'v2.0.0', 'invalid version'],
  ])('%s', async (_name, version, want) => {
    const zip = writeZip([]);
    await expect(validateZip(zip, { path: M, version })).rejects.toThrow(want);
  });
});
