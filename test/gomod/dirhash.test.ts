import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Hash1Collector, compareUtf8, hash1, hashGoMod, sha256Hex } from '../../src/gomod/dirhash.js';
import { InvalidPathError } from '../../src/gomod/invalidPath.js';
import { EMPTY_GO_MOD_HASH } from '../../src/gomod/gosum.js';
import { xModDir } from '../support/gotool.js';
import { buildHashZipOracle, runHashZipOracle } from '../modzip/hashzip-oracle/build.js';

describe('hash1', () => {
  test('empty go.mod is the hash of the old go.sum bug', () => {
    expect(hashGoMod('')).toBe(EMPTY_GO_MOD_HASH);
  });

  test('no files hashes the empty summary', () => {
    // sha256("") in base64.
    expect(hash1([])).toBe('h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  test('order of the input does not matter', () => {
    const a = { name: 'a', sha256Hex: sha256Hex('x') };
    const b = { name: 'b', sha256Hex: sha256Hex('y') };
    expect(hash1([b, a])).toBe(hash1([a, b]));
  });

  test('names sort by UTF-8 bytes, not UTF-16 code units', () => {
    const bmp = '\uffa1'; // UTF-8 ef be a1, UTF-16 ffa1
    const astral = '\u{10000}'; // UTF-8 f0 90 80 80, UTF-16 d800 dc00
    expect(compareUtf8(bmp, astral)).toBeLessThan(0);
    expect(bmp < astral).toBe(false);
    const files = [
      { name: astral, sha256Hex: sha256Hex('1') },
      { name: bmp, sha256Hex: sha256Hex('2') },
    ];
    const summary = `${sha256Hex('2')}  ${bmp}\n${sha256Hex('1')}  ${astral}\n`;
    expect(hash1(files)).toBe('h1:' + Buffer.from(sha256Hex(summary), 'hex').toString('base64'));
  });

  test('raw byte names are hashed as given', () => {
    expect(hash1([{ name: new Uint8Array([0x61]), sha256Hex: sha256Hex('x') }])).toBe(hash1([{ name: 'a', sha256Hex: sha256Hex('x') }]));
  });

  test('a name with a newline is rejected', () => {
    expect(() => hash1([{ name: 'a\nb', sha256Hex: sha256Hex('') }])).toThrow(InvalidPathError);
    expect(() => hash1([{ name: 'a\nb', sha256Hex: sha256Hex('') }])).toThrow(
      'malformed file path "a\\nb": dirhash: file names with newlines are not supported',
    );
  });

  test('Hash1Collector equals hash1 over the same digests', () => {
    const c = new Hash1Collector();
    c.add('m@v1.0.0/go.mod', sha256Hex('module m\n'));
    c.add('m@v1.0.0/a.go', sha256Hex('package a\n'));
    expect(c.sum()).toBe(
      hash1([
        { name: 'm@v1.0.0/a.go', sha256Hex: sha256Hex('package a\n') },
        { name: 'm@v1.0.0/go.mod', sha256Hex: sha256Hex('module m\n') },
      ]),
    );
  });
});

describe('hashGoMod against x/mod dirhash', () => {
  test.each<[string, string]>([
    ['simple', 'module example.com/m\n'],
    ['with requirements', 'module example.com/m\n\ngo 1.21\n\nrequire golang.org/x/mod v0.7.0 // indirect\n'],
    ['no final newline', 'module m'],
    ['non-ASCII', 'module example.com/é // ünïcode\n'],
    ['CRLF', 'module m\r\n'],
  ])('%s', { timeout: 180_000 }, (_name, text) => {
    const bin = buildHashZipOracle();
    const dir = mkdtempSync(join(tmpdir(), 'gobundle-dirhash-'));
    try {
      const file = join(dir, 'go.mod');
      writeFileSync(file, text);
      const want = runHashZipOracle(bin, ['gomod', file]);
      expect(hashGoMod(text), `hashGoMod(${JSON.stringify(text)}) = ${hashGoMod(text)}, want ${want}`).toBe(want);
      expect(hashGoMod(new TextEncoder().encode(text))).toBe(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("x/mod's own go.mod", { timeout: 180_000 }, () => {
    const file = join(xModDir(), 'go.mod');
    expect(hashGoMod(readFileSync(file))).toBe(runHashZipOracle(buildHashZipOracle(), ['gomod', file]));
  });
});
