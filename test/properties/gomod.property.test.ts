/**
 * Properties of the pure Go-semantics parsers: random and mutated go.mod /
 * go.work text either parses or fails with a FileSyntaxError naming the
 * file; escaping round-trips and agrees with validation; semver's compare
 * is a total order that agrees with canonical forms.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FileSyntaxError } from '../../src/errors.js';
import { parseModFile } from '../../src/gomod/modfile.js';
import { parseWorkFile } from '../../src/gomod/gowork.js';
import {
  InvalidEscapeError,
  InvalidVersionError,
  escapePath,
  escapeVersion,
  modulePathError,
  unescapePath,
  unescapeVersion,
} from '../../src/gomod/modulePath.js';
import { InvalidPathError } from '../../src/gomod/invalidPath.js';
import { canonical, compare, isValid } from '../../src/gomod/semver.js';
import { mutatedText, runs } from './propertyRuns.js';

const GO_MOD = `// a module
module example.com/m/v2

go 1.21.0

toolchain go1.22.1

godebug default=go1.21

require (
	example.com/a v1.2.3
	example.com/B v0.0.0-20240101000000-abcdefabcdef // indirect
	"example.com/q" v1.0.0+incompatible
)

exclude example.com/a v1.2.2
replace example.com/a v1.2.3 => ../a
replace example.com/c => example.com/d v1.4.0
retract [v2.0.0, v2.0.5] // broken
retract v2.1.0
tool example.com/a/cmd/x
ignore ./vendor
`;

const GO_WORK = `go 1.23.0
toolchain go1.23.4
godebug panicnil=1
use (
	./a
	"./with space"
)
use ../b
replace example.com/x v1.0.0 => ./x
`;

const TOKENS = [
  'module',
  'go',
  'require',
  'replace',
  'exclude',
  'retract',
  'toolchain',
  'godebug',
  'use',
  'tool',
  'ignore',
  '=>',
  '(',
  ')',
  '[',
  ']',
  ',',
  'v1.0.0',
  'v2',
  '+incompatible',
  '!',
  '@',
  '"x"',
  '`raw`',
  '\\',
  '//',
  '\t',
  '1.21',
];

/** Parse, and return undefined or the FileSyntaxError; anything else thrown fails the property. */
function syntaxErrorOf(parse: () => unknown, file: string): FileSyntaxError | undefined {
  try {
    parse();
    return undefined;
  } catch (err) {
    if (!(err instanceof FileSyntaxError))
      throw new Error(`threw ${String(err)} (${(err as Error)?.constructor?.name}), want FileSyntaxError`);
    if (!err.message.startsWith(`${file}:`)) throw new Error(`message ${JSON.stringify(err.message)} does not start with ${file}:`);
    return err;
  }
}

describe('go.mod and go.work parsers', () => {
  test('the seed files parse', () => {
    expect(syntaxErrorOf(() => parseModFile('go.mod', GO_MOD), 'go.mod')).toBeUndefined();
    expect(syntaxErrorOf(() => parseWorkFile('go.work', GO_WORK), 'go.work')).toBeUndefined();
  });

  test.each([
    ['go.mod strict', (s: string) => parseModFile('go.mod', s)],
    ['go.mod lax', (s: string) => parseModFile('go.mod', s, { strict: false })],
  ] as const)('mutated %s: parses or FileSyntaxError', (_name, parse) => {
    fc.assert(
      fc.property(mutatedText(GO_MOD, TOKENS, 6), (text) => void syntaxErrorOf(() => parse(text), 'go.mod')),
      runs(400),
    );
  });

  test('mutated go.work: parses or FileSyntaxError', () => {
    fc.assert(
      fc.property(mutatedText(GO_WORK, TOKENS, 6), (text) => void syntaxErrorOf(() => parseWorkFile('go.work', text), 'go.work')),
      runs(400),
    );
  });

  test('random bytes: parses or FileSyntaxError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        syntaxErrorOf(() => parseModFile('go.mod', bytes), 'go.mod');
        syntaxErrorOf(() => parseWorkFile('go.work', bytes), 'go.work');
      }),
      runs(400),
    );
  });

  test('a syntax error line is within the file', () => {
    fc.assert(
      fc.property(mutatedText(GO_MOD, TOKENS, 6), (text) => {
        const err = syntaxErrorOf(() => parseModFile('go.mod', text), 'go.mod');
        if (err === undefined) return;
        expect(err.line, err.message).toBeGreaterThanOrEqual(1);
        expect(err.line, err.message).toBeLessThanOrEqual(text.split('\n').length + 1);
      }),
      runs(300),
    );
  });
});

/** Module-path-like strings: mostly valid shapes, with case, tildes, dots and the odd bad character. */
const pathElem = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~+-]{0,8}$/);
const modulePathLike = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,6}\.[a-z]{2,4}$/), fc.array(pathElem, { maxLength: 3 }))
    .map(([host, rest]) => [host, ...rest].join('/')),
  fc.string({ maxLength: 20 }),
  fc
    .array(fc.constantFrom('a', 'B', '.', '/', '!', '~', '-', '_', '+', '\u00e9', 'com', 'v2', ' '), { maxLength: 16 })
    .map((a) => a.join('')),
);

describe('module path and version escaping', () => {
  test('escapePath agrees with validation and round-trips', () => {
    fc.assert(
      fc.property(modulePathLike, (path) => {
        const reason = modulePathError(path);
        let escaped: string;
        try {
          escaped = escapePath(path);
        } catch (err) {
          expect(err, `escapePath(${JSON.stringify(path)})`).toBeInstanceOf(InvalidPathError);
          expect(reason, `escapePath(${JSON.stringify(path)}) threw but modulePathError says valid`).toBeDefined();
          return;
        }
        expect(
          reason,
          `escapePath(${JSON.stringify(path)}) = ${JSON.stringify(escaped)} but modulePathError says ${reason}`,
        ).toBeUndefined();
        expect(escaped, 'escaped paths have no upper case').toBe(escaped.toLowerCase());
        expect(unescapePath(escaped), `unescapePath(escapePath(${JSON.stringify(path)}))`).toBe(path);
      }),
      runs(1000),
    );
  });

  test('unescapePath of anything: the inverse of escapePath, or InvalidEscapeError', () => {
    fc.assert(
      fc.property(fc.oneof(modulePathLike, fc.string({ maxLength: 20 })), (escaped) => {
        let path: string;
        try {
          path = unescapePath(escaped);
        } catch (err) {
          expect(err, `unescapePath(${JSON.stringify(escaped)})`).toBeInstanceOf(InvalidEscapeError);
          return;
        }
        expect(escapePath(path), `escapePath(unescapePath(${JSON.stringify(escaped)}))`).toBe(escaped);
      }),
      runs(1000),
    );
  });

  test('versions: escapeVersion round-trips; unescapeVersion is its inverse or InvalidEscapeError', () => {
    const versionLike = fc.oneof(
      fc.stringMatching(/^v[0-9]{1,2}\.[0-9]\.[0-9](-[A-Za-z0-9.]{1,6})?(\+[A-Za-z]{1,4})?$/),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(versionLike, (v) => {
        let escaped: string | undefined;
        try {
          escaped = escapeVersion(v);
        } catch (err) {
          expect(err, `escapeVersion(${JSON.stringify(v)})`).toBeInstanceOf(InvalidVersionError);
        }
        if (escaped !== undefined) expect(unescapeVersion(escaped), `unescapeVersion(escapeVersion(${JSON.stringify(v)}))`).toBe(v);
        try {
          const back = unescapeVersion(v);
          expect(escapeVersion(back), `escapeVersion(unescapeVersion(${JSON.stringify(v)}))`).toBe(v);
        } catch (err) {
          expect(err, `unescapeVersion(${JSON.stringify(v)})`).toBeInstanceOf(InvalidEscapeError);
        }
      }),
      runs(1000),
    );
  });
});

const num = fc.oneof(fc.constantFrom('0', '1', '2', '10', '01'), fc.nat(30).map(String));
const ident = fc.oneof(num, fc.constantFrom('alpha', 'beta', 'rc', 'a', 'A', 'x-y', '0a', ''));
const semverLike = fc.oneof(
  fc
    .tuple(
      num,
      fc.option(num),
      fc.option(num),
      fc.array(ident, { maxLength: 3 }),
      fc.option(fc.constantFrom('build', 'x.1', 'incompatible')),
    )
    .map(
      ([a, b, c, pre, bld]) =>
        `v${a}${b === null ? '' : `.${b}`}${b !== null && c !== null ? `.${c}` : ''}${pre.length ? `-${pre.join('.')}` : ''}${bld === null ? '' : `+${bld}`}`,
    ),
  fc.string({ maxLength: 10 }),
);

describe('semver ordering', () => {
  test('compare is reflexive, antisymmetric and agrees with canonical forms', () => {
    fc.assert(
      fc.property(semverLike, semverLike, (v, w) => {
        expect(compare(v, v), `compare(${v}, ${v})`).toBe(0);
        expect(compare(v, w), `compare(${v}, ${w}) vs compare(${w}, ${v})`).toBe(compare(w, v) === 0 ? 0 : -compare(w, v));
        if (isValid(v)) {
          expect(compare(v, canonical(v)), `compare(${v}, canonical = ${canonical(v)})`).toBe(0);
          expect(isValid(canonical(v)), `isValid(canonical(${v}))`).toBe(true);
          expect(canonical(canonical(v)), `canonical is idempotent for ${v}`).toBe(canonical(v));
        } else {
          expect(canonical(v), `canonical(invalid ${JSON.stringify(v)})`).toBe('');
          if (isValid(w)) expect(compare(v, w), `invalid ${JSON.stringify(v)} sorts before valid ${w}`).toBe(-1);
        }
        if (compare(v, w) === 0 && isValid(v)) expect(canonical(v).replace(/\+.*$/, '')).toBe(canonical(w).replace(/\+.*$/, ''));
      }),
      runs(1000),
    );
  });

  test('compare is transitive and total (sorting agrees pairwise)', () => {
    fc.assert(
      fc.property(semverLike, semverLike, semverLike, (a, b, c) => {
        const s = [a, b, c];
        for (const x of s) for (const y of s) expect([-1, 0, 1], `compare(${x}, ${y}) is one of -1, 0, 1`).toContain(compare(x, y));
        if (compare(a, b) <= 0 && compare(b, c) <= 0) expect(compare(a, c), `${a} <= ${b} <= ${c}`).toBeLessThanOrEqual(0);
        if (compare(a, b) === 0 && compare(b, c) === 0) expect(compare(a, c), `${a} = ${b} = ${c}`).toBe(0);
        const sorted = [...s].sort(compare);
        for (let i = 0; i + 1 < sorted.length; i++) expect(compare(sorted[i] as string, sorted[i + 1] as string)).toBeLessThanOrEqual(0);
      }),
      runs(1000),
    );
  });
});
