import { describe, expect, test } from 'vitest';
import { EMPTY_GO_MOD_HASH, GoSum, formatGoSum, parseGoSum, type GoSumLine } from '../../src/gomod/gosum.js';
import { FileSyntaxError } from '../../src/errors.js';
import { buildHashZipOracle, runHashZipOracle } from '../modzip/hashzip-oracle/build.js';

const H1 = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const H2 = 'h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=';

describe('parseGoSum', () => {
  test.each<[string, string, GoSumLine[]]>([
    ['empty', '', []],
    [
      'one module',
      `a.org/x v1.0.0 ${H1}\na.org/x v1.0.0/go.mod ${H2}\n`,
      [
        { path: 'a.org/x', version: 'v1.0.0', hash: H1 },
        { path: 'a.org/x', version: 'v1.0.0/go.mod', hash: H2 },
      ],
    ],
    ['blank and whitespace-only lines', `\n  \t\na.org/x v1.0.0 ${H1}\n\n`, [{ path: 'a.org/x', version: 'v1.0.0', hash: H1 }]],
    [
      'no final newline, CRLF, extra spaces',
      `a.org/x   v1.0.0\t${H1}\r\nb.org/y v1.0.0 ${H2}`,
      [
        { path: 'a.org/x', version: 'v1.0.0', hash: H1 },
        { path: 'b.org/y', version: 'v1.0.0', hash: H2 },
      ],
    ],
    ['empty go.mod hash dropped like cmd/go', `a.org/x v1.0.0/go.mod ${EMPTY_GO_MOD_HASH}\n`, []],
  ])('%s', (_name, text, want) => {
    expect(parseGoSum('go.sum', text)).toEqual(want);
    expect(parseGoSum('go.sum', new TextEncoder().encode(text))).toEqual(want);
  });

  test.each<[string, string, string]>([
    ['two fields', `a.org/x v1.0.0\n`, 'go.sum:1:1: wrong number of fields 2'],
    ['four fields', `\n\na.org/x v1.0.0 ${H1} extra\n`, 'go.sum:3:1: wrong number of fields 4'],
    ['one field', `a.org/x v1.0.0 ${H1}\nx\n`, 'go.sum:2:1: wrong number of fields 1'],
  ])('error: %s', (_name, text, want) => {
    let got = '<no error>';
    try {
      parseGoSum('go.sum', text);
    } catch (err) {
      expect(err).toBeInstanceOf(FileSyntaxError);
      got = (err as Error).message;
    }
    expect(got).toBe(want);
  });
});

const UNSORTED: GoSumLine[] = [
  { path: 'b.org/y', version: 'v1.0.0', hash: H1 },
  { path: 'a.org/x', version: 'v1.10.0/go.mod', hash: H1 },
  { path: 'a.org/x', version: 'v1.10.0', hash: H1 },
  { path: 'a.org/x', version: 'v1.9.0', hash: H2 },
  { path: 'a.org/x', version: 'v1.9.0', hash: H1 },
  { path: 'a.org/x', version: 'v1.9.0', hash: H1 },
  { path: 'a.org/x', version: 'v1.10.0-rc.1', hash: H1 },
  { path: 'a.org/x', version: 'v1.9.0/go.mod', hash: H2 },
  { path: 'a.org/x/v2', version: 'v2.0.0', hash: H1 },
  { path: 'a.org/x', version: 'v2.0.0+incompatible', hash: H1 },
  { path: 'a.org/x', version: 'v0.0.0-20200101000000-abcdefabcdef', hash: H1 },
  { path: 'A.org/x', version: 'v1.0.0', hash: H1 },
  { path: 'a.org/x-y', version: 'v1.0.0', hash: H1 },
  { path: 'a.org/x.y', version: 'v1.0.0', hash: H1 },
];

describe('formatGoSum', () => {
  test('sorted by path, semver, /go.mod, hash; duplicates removed', () => {
    expect(formatGoSum(UNSORTED)).toBe(
      [
        `A.org/x v1.0.0 ${H1}`,
        `a.org/x v0.0.0-20200101000000-abcdefabcdef ${H1}`,
        `a.org/x v1.9.0 ${H1}`,
        `a.org/x v1.9.0 ${H2}`,
        `a.org/x v1.9.0/go.mod ${H2}`,
        `a.org/x v1.10.0-rc.1 ${H1}`,
        `a.org/x v1.10.0 ${H1}`,
        `a.org/x v1.10.0/go.mod ${H1}`,
        `a.org/x v2.0.0+incompatible ${H1}`,
        `a.org/x-y v1.0.0 ${H1}`,
        `a.org/x.y v1.0.0 ${H1}`,
        `a.org/x/v2 v2.0.0 ${H1}`,
        `b.org/y v1.0.0 ${H1}`,
        '',
      ].join('\n'),
    );
  });

  test('empty', () => {
    expect(formatGoSum([])).toBe('');
  });

  test('round trip', () => {
    const text = formatGoSum(UNSORTED);
    expect(formatGoSum(parseGoSum('go.sum', text))).toBe(text);
  });

  test('agrees with x/mod module.Sort as cmd/go writes go.sum', { timeout: 180_000 }, () => {
    const lines = [
      ...UNSORTED,
      { path: 'c.org/z', version: 'v1.0.0-alpha', hash: H1 },
      { path: 'c.org/z', version: 'v1.0.0-alpha.1', hash: H1 },
      { path: 'c.org/z', version: 'v1.0.0-alpha.beta', hash: H1 },
      { path: 'c.org/z', version: 'v1.0.0-beta.2', hash: H1 },
      { path: 'c.org/z', version: 'v1.0.0-beta.11', hash: H1 },
      { path: 'c.org/z', version: 'v1.0.0', hash: H1 },
      { path: 'c.org/z', version: 'v1.0.0/go.mod', hash: H2 },
      { path: 'c.org/z', version: 'v1.0.1-0.20200101000000-abcdefabcdef', hash: H1 },
      { path: 'c.org/z', version: 'v10.0.0+incompatible', hash: H2 },
      { path: 'c.org/z', version: 'v9.0.0+incompatible/go.mod', hash: H2 },
      { path: 'é.org/z', version: 'v1.0.0', hash: H1 },
      { path: 'z.org/z', version: 'v1.0.0', hash: H1 },
    ];
    const input = lines.map((l) => `${l.path} ${l.version} ${l.hash}\n`).join('');
    const want = runHashZipOracle(buildHashZipOracle(), ['sortsum'], input) + '\n';
    expect(formatGoSum(lines)).toBe(want);
  });
});

describe('GoSum', () => {
  const sum = new GoSum(
    parseGoSum('go.sum', `a.org/x v1.0.0 ${H1}\na.org/x v1.0.0/go.mod ${H2}\na.org/x v1.0.0 ${H2}\na.org/x v1.0.0 ${H1}\n`),
  );

  test.each<[string, () => readonly string[], string[]]>([
    ['get', () => sum.get('a.org/x', 'v1.0.0'), [H1, H2]],
    ['getMod', () => sum.getMod('a.org/x', 'v1.0.0'), [H2]],
    ['get missing version', () => sum.get('a.org/x', 'v1.0.1'), []],
    ['getMod missing path', () => sum.getMod('b.org/x', 'v1.0.0'), []],
  ])('%s', (_name, fn, want) => {
    expect(fn()).toEqual(want);
  });

  test('add and lines', () => {
    const s = new GoSum();
    s.add('b.org/y', 'v1.0.0/go.mod', H1);
    s.add('b.org/y', 'v1.0.0/go.mod', H1);
    expect(s.getMod('b.org/y', 'v1.0.0')).toEqual([H1]);
    expect(formatGoSum(s.lines())).toBe(`b.org/y v1.0.0/go.mod ${H1}\n`);
  });
});
