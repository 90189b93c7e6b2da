import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { hashZip } from '../../src/modzip/hashZip.js';
import { buildHashZipOracle, runHashZipOracle } from './hashzip-oracle/build.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-hashzip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeTree(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const p = join(root, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

describe('hashZip against x/mod zip.CreateFromDir + dirhash.HashZip', () => {
  test.each<[string, string, string, Record<string, string>]>([
    ['minimal module', 'example.com/m', 'v1.0.0', { 'go.mod': 'module example.com/m\n', 'm.go': 'package m\n' }],
    [
      'nested files and a license',
      'example.com/deep/v2',
      'v2.3.4',
      {
        'go.mod': 'module example.com/deep/v2\n\ngo 1.21\n',
        LICENSE: 'BSD\n',
        'a/b/c/d.go': 'package d\n',
        'a/b/c/testdata/x.txt': 'data\n',
        'README.md': '# deep\n',
      },
    ],
    [
      'names that sort differently in UTF-8 and UTF-16',
      'example.com/u',
      'v0.1.0-pre.1',
      {
        'go.mod': 'module example.com/u\n',
        '\uffa1.txt': 'bmp\n',
        '\u{10000}.txt': 'astral\n',
        'B.txt': 'upper\n',
        'a.txt': 'lower\n',
      },
    ],
    ['no go.mod, incompatible', 'example.com/old', 'v2.0.0+incompatible', { 'old.go': 'package old\n', 'empty.txt': '' }],
    ['larger file', 'example.com/big', 'v1.0.0', { 'go.mod': 'module example.com/big\n', 'big.txt': 'x'.repeat(3_000_000) }],
  ])('%s', { timeout: 180_000 }, async (name, mod, version, files) => {
    const bin = buildHashZipOracle();
    const dir = join(work, name.replace(/\W+/g, '-'));
    writeTree(dir, files);
    const zip = join(work, `${name.replace(/\W+/g, '-')}.zip`);
    const want = runHashZipOracle(bin, ['zip', dir, mod, version, zip]);
    const got = await hashZip(zip);
    expect(got, `hashZip(${name}) = ${got}, want ${want}`).toBe(want);
  });
});

describe('hashZip against dirhash.HashZip of zips written by archive/zip', () => {
  test.each<[string, string[]]>([
    [
      'directory entries are hashed as empty files',
      ['m@v1.0.0/', '', 'm@v1.0.0/go.mod', 'module m\n', 'm@v1.0.0/sub/', '', 'm@v1.0.0/sub/a.go', 'package sub\n'],
    ],
    ['stored and deflated entries, any order', ['z.txt', 'zzz', 'a.txt', 'a'.repeat(10_000), 'm.txt', '']],
    ['repeated name uses the last entry for both lines', ['dup.txt', 'first', 'other.txt', 'x', 'dup.txt', 'second']],
    ['empty zip', []],
  ])('%s', { timeout: 180_000 }, async (name, entries) => {
    const bin = buildHashZipOracle();
    const zip = join(work, `raw-${name.replace(/\W+/g, '-')}.zip`);
    const want = runHashZipOracle(bin, ['rawzip', zip, ...entries]);
    expect(await hashZip(zip)).toBe(want);
  });

  test('a missing file is an error', async () => {
    const p = join(work, 'does-not-exist.zip');
    const err = await hashZip(p).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe('EZIP');
    expect(err?.message).toBe(`hashing ${p}: ENOENT: no such file or directory, open '${p}'`);
  });

  test('a file that is not a zip is an error', async () => {
    const p = join(work, 'not-a.zip');
    writeFileSync(p, 'hello');
    await expect(hashZip(p)).rejects.toThrow(
      `hashing ${p}: end of central directory record signature not found. Either not a zip file, or file is truncated`,
    );
  });
});
