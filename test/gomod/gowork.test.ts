import { describe, expect, test } from 'vitest';
import { parseWorkFile, type WorkFile } from '../../src/gomod/gowork.js';
import { FileSyntaxError } from '../../src/errors.js';
import { buildModfileOracle, runModfileOracle, type OracleResult } from './oracle-modfile/build.js';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof FileSyntaxError) return err.message;
    throw err;
  }
  return '<no error>';
}

const FULL = `go 1.23.0

toolchain go1.23.4

godebug (
	panicnil=1
)
godebug x=y

use ./a
use (
	../b
	"./with space" // comment
	/abs/c
)

replace example.com/x => ./x
replace (
	example.com/y v1.0 => example.com/z v1.2.3
)
`;

describe('parseWorkFile', () => {
  test('every directive, line and block forms', () => {
    expect(parseWorkFile('go.work', FULL)).toEqual<WorkFile>({
      file: 'go.work',
      go: '1.23.0',
      toolchain: 'go1.23.4',
      godebug: [
        { key: 'panicnil', value: '1', line: 6 },
        { key: 'x', value: 'y', line: 8 },
      ],
      use: [
        { path: './a', line: 10 },
        { path: '../b', line: 12 },
        { path: './with space', line: 13 },
        { path: '/abs/c', line: 14 },
      ],
      replace: [
        { old: { path: 'example.com/x', version: '' }, new: { path: './x', version: '' }, local: true, line: 17 },
        // go.work versions are canonicalized (ParseWork has no fixer).
        { old: { path: 'example.com/y', version: 'v1.0.0' }, new: { path: 'example.com/z', version: 'v1.2.3' }, local: false, line: 19 },
      ],
    });
  });

  test('empty file', () => {
    expect(parseWorkFile('go.work', '')).toEqual({
      file: 'go.work',
      go: undefined,
      toolchain: undefined,
      godebug: [],
      use: [],
      replace: [],
    });
  });

  test('bytes input', () => {
    expect(parseWorkFile('go.work', new TextEncoder().encode('go 1.22\nuse .\n')).use).toEqual([{ path: '.', line: 2 }]);
  });
});

export const WORK_ERRORS: [string, string, string][] = [
  ['module directive', 'module x\n', 'go.work:1:1: unknown directive: module'],
  ['require directive', 'require x v1.0.0\n', 'go.work:1:1: unknown directive: require'],
  ['unknown block', 'require (\n)\n', 'go.work:1:1: unknown block type: require'],
  ['block with two tokens', 'use a (\n)\n', 'go.work:1:1: unknown block type: use a'],
  ['use usage', 'use\n', 'go.work:1:1: usage: use local/dir'],
  ['use block usage', 'use (\n\ta b\n)\n', 'go.work:2:2: usage: use local/dir'],
  ['use quote', "use 'a'\n", 'go.work:1:1: invalid quoted string: unquoted string cannot contain quote'],
  ['go version', 'go 1.21.x\n', "go.work:1:1: invalid go version '1.21.x': must match format 1.23.0"],
  ['go arguments', 'go\n', 'go.work:1:1: go directive expects exactly one argument'],
  ['repeated go', 'go 1.21\ngo 1.21\n', 'go.work:2:1: repeated go statement'],
  ['toolchain', 'toolchain local\n', "go.work:1:1: invalid toolchain version 'local': must match format go1.23.0 or default"],
  ['repeated toolchain', 'toolchain default\ntoolchain default\n', 'go.work:2:1: repeated toolchain statement'],
  ['godebug', 'godebug x\n', 'go.work:1:1: usage: godebug key=value'],
  [
    'replace module without version',
    'replace a => b\n',
    'go.work:1:1: replacement module without version must be directory path (rooted or starting with . or ..)',
  ],
  [
    'replace bad version',
    'replace a v1 x => ./b\n',
    'go.work:1:1: usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace module/path [v1.2.3] => ../local/directory',
  ],
  ['replace branch', 'replace a master => ./b\n', 'go.work:1:1: replace a: version "master" invalid: must be of the form v1.2.3'],
  ['lexer error', 'use "a\n', 'go.work:1:7: unexpected newline in string'],
  ['unterminated block', 'use (\n', 'go.work:2:1: syntax error (unterminated block started at go.work:1:1)'],
];

describe('parseWorkFile errors', () => {
  test.each(WORK_ERRORS)('%s', (_name, text, want) => {
    const got = errorOf(() => parseWorkFile('go.work', text));
    expect(got, `parseWorkFile(${JSON.stringify(text)}) error = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`).toBe(want);
  });
});

describe('differential: parseWorkFile against x/mod ParseWork vendored in Go 1.23', () => {
  test('agrees on validity, errors and extracted data', { timeout: 180_000 }, () => {
    const texts = [
      FULL,
      '',
      'go 1.22\nuse .\n',
      ...WORK_ERRORS.map((c) => c[1]),
      'use ./a // c\nuse ../b\n',
      'replace a v1.2.3+meta => b v1.0.0\n',
    ];
    const oracle = runModfileOracle(
      buildModfileOracle(),
      texts.map((text) => ({ name: 'go.work', text, mode: 'work' as const })),
    );
    const mismatches: string[] = [];
    for (const [i, text] of texts.entries()) {
      const want = normalize(oracle[i] as OracleResult);
      const got = ours(text);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(`${JSON.stringify(text)}:\n  ours ${JSON.stringify(got)}\n  go   ${JSON.stringify(want)}`);
      }
    }
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  });
});

function ours(text: string): unknown {
  try {
    const f = parseWorkFile('go.work', text);
    return {
      ok: true,
      go: f.go ?? null,
      toolchain: f.toolchain ?? null,
      godebug: f.godebug.map((g) => [g.key, g.value]),
      use: f.use.map((u) => u.path),
      replace: f.replace.map((r) => [r.old, r.new]),
    };
  } catch (err) {
    if (!(err instanceof FileSyntaxError)) throw err;
    return { ok: false, error: `${err.line}:${err.col}: ${err.reason}` };
  }
}

function normalize(r: OracleResult): unknown {
  if (!r.ok) return { ok: false, error: `${r.errLine}:${r.errCol}: ${r.error}` };
  return { ok: true, go: r.go, toolchain: r.toolchain, godebug: r.godebug ?? [], use: r.use ?? [], replace: r.replace ?? [] };
}
