import { describe, expect, test } from 'vitest';
import { isLocalReplacePath, parseModFile, synthesizeModFile, type ModFile } from '../../src/gomod/modfile.js';
import { parseWorkFile } from '../../src/gomod/gowork.js';
import { FileSyntaxError } from '../../src/errors.js';
import { buildModfileOracle, runModfileOracle, type OracleInput, type OracleResult } from './oracle-modfile/build.js';

function empty(over: Partial<ModFile> = {}): ModFile {
  return {
    file: 'go.mod',
    module: undefined,
    go: undefined,
    toolchain: undefined,
    godebug: [],
    require: [],
    exclude: [],
    replace: [],
    retract: [],
    tool: [],
    ignore: [],
    ...over,
  };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof FileSyntaxError) return err.message;
    throw err;
  }
  return '<no error>';
}

const FULL = `// A header comment.
module example.com/m // trailing

go 1.22.1

toolchain go1.23.4

godebug (
	default=go1.21
	panicnil=1
)
godebug asynctimerchan=0

require (
	golang.org/x/mod v0.7.0
	golang.org/x/text v0.3.0 // indirect
	"example.com/q" v1.0.0 // indirect; keep for tests
	example.com/v v1.0.0 // not indirect
)
require example.com/single v2.0.0+incompatible

exclude example.com/bad v1.1.0
exclude (
	example.com/bad v1.2.0
)

replace example.com/old => example.com/new v1.0.0
replace (
	example.com/pinned v1.0.0 => ../pinned
	example.com/win => C:\\mods\\win
	example.com/dot => .
)

retract v1.0.0 // published by mistake
retract [v1.1.0, v1.2.0]

tool example.com/m/cmd/gen
tool (
	golang.org/x/tools/cmd/stringer
)

ignore ./node_modules
ignore (
	"./third party"
)
`;

describe('parseModFile valid files', () => {
  test('every directive, line and block forms', () => {
    const got = parseModFile('go.mod', FULL, { windows: true });
    expect(got).toEqual(
      empty({
        module: { path: 'example.com/m', deprecated: undefined, line: 2 },
        go: '1.22.1',
        toolchain: 'go1.23.4',
        godebug: [
          { key: 'default', value: 'go1.21', line: 9 },
          { key: 'panicnil', value: '1', line: 10 },
          { key: 'asynctimerchan', value: '0', line: 12 },
        ],
        require: [
          { path: 'golang.org/x/mod', version: 'v0.7.0', indirect: false, line: 15 },
          { path: 'golang.org/x/text', version: 'v0.3.0', indirect: true, line: 16 },
          { path: 'example.com/q', version: 'v1.0.0', indirect: true, line: 17 },
          { path: 'example.com/v', version: 'v1.0.0', indirect: false, line: 18 },
          { path: 'example.com/single', version: 'v2.0.0+incompatible', indirect: false, line: 20 },
        ],
        exclude: [
          { path: 'example.com/bad', version: 'v1.1.0', line: 22 },
          { path: 'example.com/bad', version: 'v1.2.0', line: 24 },
        ],
        replace: [
          { old: { path: 'example.com/old', version: '' }, new: { path: 'example.com/new', version: 'v1.0.0' }, local: false, line: 27 },
          { old: { path: 'example.com/pinned', version: 'v1.0.0' }, new: { path: '../pinned', version: '' }, local: true, line: 29 },
          { old: { path: 'example.com/win', version: '' }, new: { path: 'C:\\mods\\win', version: '' }, local: true, line: 30 },
          { old: { path: 'example.com/dot', version: '' }, new: { path: '.', version: '' }, local: true, line: 31 },
        ],
        retract: [
          { low: 'v1.0.0', high: 'v1.0.0', rationale: 'published by mistake', line: 34 },
          { low: 'v1.1.0', high: 'v1.2.0', rationale: '', line: 35 },
        ],
        tool: [
          { path: 'example.com/m/cmd/gen', line: 37 },
          { path: 'golang.org/x/tools/cmd/stringer', line: 39 },
        ],
        ignore: [
          { path: './node_modules', line: 42 },
          { path: './third party', line: 44 },
        ],
      }),
    );
  });

  test('lax mode keeps only module, go, require, retract and ignore', () => {
    const got = parseModFile('dep/go.mod', FULL, { strict: false });
    expect(got.module?.path).toBe('example.com/m');
    expect(got.go).toBe('1.22.1');
    expect(got.toolchain).toBeUndefined();
    expect(got.godebug).toEqual([]);
    expect(got.require.map((r) => r.path)).toEqual([
      'golang.org/x/mod',
      'golang.org/x/text',
      'example.com/q',
      'example.com/v',
      'example.com/single',
    ]);
    expect(got.exclude).toEqual([]);
    expect(got.replace).toEqual([]);
    expect(got.tool).toEqual([]);
    expect(got.retract).toHaveLength(2);
    expect(got.ignore).toHaveLength(2);
  });

  test.each<[string, string, Partial<ModFile>]>([
    ['empty file', '', {}],
    ['only comments', '// a\n\n// b\n', {}],
    [
      'CRLF line endings',
      'module example.com/m\r\n\r\ngo 1.21\r\nrequire x.org/y v1.0.0 // indirect\r\n',
      {
        module: { path: 'example.com/m', deprecated: undefined, line: 1 },
        go: '1.21',
        require: [{ path: 'x.org/y', version: 'v1.0.0', indirect: true, line: 4 }],
      },
    ],
    ['no final newline', 'module m', { module: { path: 'm', deprecated: undefined, line: 1 } }],
    ['quoted module path', 'module "example.com/m"\n', { module: { path: 'example.com/m', deprecated: undefined, line: 1 } }],
    ['quoted path with escapes', 'module "example.com/\\x6d"\n', { module: { path: 'example.com/m', deprecated: undefined, line: 1 } }],
    ['module block', 'module (\n\texample.com/m\n)\n', { module: { path: 'example.com/m', deprecated: undefined, line: 2 } }],
    ['empty require block', 'require ()\nrequire (\n)\n', {}],
    ['go with prerelease', 'go 1.21rc1\n', { go: '1.21rc1' }],
    ['toolchain default', 'toolchain default\n', { toolchain: 'default' }],
    ['toolchain with suffix', 'toolchain go1.21.0-custom\n', { toolchain: 'go1.21.0-custom' }],
    ['godebug with empty value', 'godebug x=\n', { godebug: [{ key: 'x', value: '', line: 1 }] }],
    [
      'indirect variants',
      'require (\n\ta.org/x v1.0.0 //indirect\n\tb.org/x v1.0.0 // indirect;comment\n\tc.org/x v1.0.0 // indirect; comment\n\td.org/x v1.0.0 // indirectly\n)\n',
      {
        require: [
          { path: 'a.org/x', version: 'v1.0.0', indirect: true, line: 2 },
          { path: 'b.org/x', version: 'v1.0.0', indirect: false, line: 3 },
          { path: 'c.org/x', version: 'v1.0.0', indirect: true, line: 4 },
          { path: 'd.org/x', version: 'v1.0.0', indirect: false, line: 5 },
        ],
      },
    ],
    [
      'pseudo-version',
      'require a.org/x v0.0.0-20200101000000-abcdefabcdef\n',
      {
        require: [{ path: 'a.org/x', version: 'v0.0.0-20200101000000-abcdefabcdef', indirect: false, line: 1 }],
      },
    ],
    [
      'gopkg.in major',
      'require gopkg.in/yaml.v2 v2.4.0\n',
      { require: [{ path: 'gopkg.in/yaml.v2', version: 'v2.4.0', indirect: false, line: 1 }] },
    ],
    [
      'gopkg.in v1 old pseudo-version',
      'require gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405\n',
      {
        require: [{ path: 'gopkg.in/check.v1', version: 'v0.0.0-20161208181325-20d25e280405', indirect: false, line: 1 }],
      },
    ],
    [
      'major suffix',
      'require example.com/x/v3 v3.1.0\n',
      { require: [{ path: 'example.com/x/v3', version: 'v3.1.0', indirect: false, line: 1 }] },
    ],
    [
      'replace every local form',
      'replace (\n\ta => ./x\n\tb => ../x\n\tc => /abs/x\n\td => ..\n\te => "./with space"\n)\n',
      {
        replace: [
          { old: { path: 'a', version: '' }, new: { path: './x', version: '' }, local: true, line: 2 },
          { old: { path: 'b', version: '' }, new: { path: '../x', version: '' }, local: true, line: 3 },
          { old: { path: 'c', version: '' }, new: { path: '/abs/x', version: '' }, local: true, line: 4 },
          { old: { path: 'd', version: '' }, new: { path: '..', version: '' }, local: true, line: 5 },
          { old: { path: 'e', version: '' }, new: { path: './with space', version: '' }, local: true, line: 6 },
        ],
      },
    ],
    ['comment glued to a token', 'module m//comment\n', { module: { path: 'm', deprecated: undefined, line: 1 } }],
  ])('%s', (_name, text, want) => {
    expect(parseModFile('go.mod', text)).toEqual(empty(want));
  });

  test.each<[string, string, string | undefined]>([
    ['suffix comment', 'module m // Deprecated: use n\n', 'use n'],
    ['comment block above', '// Deprecated: use n\n// instead.\nmodule m\n', 'use n\ninstead.'],
    ['second paragraph', '// Package m.\n//\n// Deprecated: gone\nmodule m\n', 'gone'],
    ['paragraph ends the message', '// Deprecated: a\n// b\n//\n// more\nmodule m\n', 'a\nb'],
    ['not at paragraph start', '// This is Deprecated: no\nmodule m\n', undefined],
    ['case sensitive', '// deprecated: no\nmodule m\n', undefined],
    ['blank line separates the comment', '// Deprecated: no\n\nmodule m\n', undefined],
    ['block comment', '// Deprecated: blk\nmodule (\n\tm\n)\n', 'blk'],
    ['empty message', 'module m // Deprecated:\n', ''],
  ])('deprecation: %s', (_name, text, want) => {
    expect(parseModFile('go.mod', text).module?.deprecated).toBe(want);
  });

  test.each<[string, string, { low: string; high: string; rationale: string }[]]>([
    ['rationale above', 'module m\n// bad build\nretract v1.0.0\n', [{ low: 'v1.0.0', high: 'v1.0.0', rationale: 'bad build' }]],
    ['rationale above and after', 'module m\n// one\nretract v1.0.0 // two\n', [{ low: 'v1.0.0', high: 'v1.0.0', rationale: 'one\ntwo' }]],
    [
      'block rationale shared',
      'module m\n// all bad\nretract (\n\tv1.0.0\n\t[v1.1.0, v1.1.9]\n)\n',
      [
        { low: 'v1.0.0', high: 'v1.0.0', rationale: 'all bad' },
        { low: 'v1.1.0', high: 'v1.1.9', rationale: 'all bad' },
      ],
    ],
    [
      'line rationale wins over block',
      'module m\n// all\nretract (\n\tv1.0.0 // mine\n\tv1.0.1\n)\n',
      [
        { low: 'v1.0.0', high: 'v1.0.0', rationale: 'mine' },
        { low: 'v1.0.1', high: 'v1.0.1', rationale: 'all' },
      ],
    ],
    [
      'blank line hides block rationale',
      'module m\n// all\nretract (\n\tv1.0.0\n\n\tv1.0.1\n)\n',
      [
        { low: 'v1.0.0', high: 'v1.0.0', rationale: 'all' },
        { low: 'v1.0.1', high: 'v1.0.1', rationale: '' },
      ],
    ],
    ['quoted versions', 'module m\nretract ["v1.0.0", "v1.0.1"]\n', [{ low: 'v1.0.0', high: 'v1.0.1', rationale: '' }]],
    ['module after retract', 'retract v1.0.0\nmodule m\n', [{ low: 'v1.0.0', high: 'v1.0.0', rationale: '' }]],
  ])('retract: %s', (_name, text, want) => {
    expect(parseModFile('go.mod', text).retract.map(({ low, high, rationale }) => ({ low, high, rationale }))).toEqual(want);
  });

  test.each<[string, string, Partial<ModFile>]>([
    [
      'non-canonical versions are canonicalized',
      'require a.org/x v1.2\nrequire b.org/x v1.2.3+meta\n',
      {
        require: [
          { path: 'a.org/x', version: 'v1.2.0', indirect: false, line: 1 },
          { path: 'b.org/x', version: 'v1.2.3', indirect: false, line: 2 },
        ],
      },
    ],
    ['go version repaired', 'go 1.17rc1.x\n', { go: '1.17' }],
    ['go version with v', 'go v1.18beta\n', { go: '1.18' }],
    ['unknown directives skipped', 'frobnicate a b c\nfoo (\n\tbar\n)\ntoolchain nonsense\nreplace a => b\nexclude x y\ngodebug ,\n', {}],
    [
      'retract versions unchecked',
      'retract foo\nretract [v1, v2] extra\nretract [broken\n',
      {
        retract: [
          { low: 'foo', high: 'foo', rationale: '', line: 1 },
          { low: 'v1', high: 'v2', rationale: '', line: 2 },
        ],
      },
    ],
  ])('lax: %s', (_name, text, want) => {
    expect(parseModFile('go.mod', text, { strict: false })).toEqual(empty(want));
  });
});

/** [name, text, strict, want]: every error path, with the whole message. */
export const ERROR_CASES: [string, string, boolean, string][] = [
  // lexer
  ['block comment', '/* c */\n', true, 'go.mod:1:1: mod files must use // comments (not /* */ comments)'],
  ['block comment in a token', 'module x/*y\n', true, 'go.mod:1:9: mod files must use // comments (not /* */ comments)'],
  ['unexpected character', 'module \u0000\n', true, "go.mod:1:8: unexpected input character '\\x00'"],
  ['byte order mark', '\ufeffmodule m\n', true, "go.mod:1:1: unexpected input character '\\ufeff'"],
  ['vertical tab', 'module\u000bm\n', true, "go.mod:1:7: unexpected input character '\\v'"],
  ['no-break space', 'module\u00a0m\n', true, "go.mod:1:7: unexpected input character '\\u00a0'"],
  ['newline in string', 'require "x v1.0.0\n', true, 'go.mod:1:18: unexpected newline in string'],
  ['EOF in string', 'module m\nrequire "x', true, 'go.mod:2:9: unexpected EOF in string'],
  ['EOF after backslash', 'require "x\\', true, 'go.mod:1:9: unexpected EOF in string'],
  ['unterminated block', 'require (\n\ta.org/x v1.0.0\n', true, 'go.mod:3:1: syntax error (unterminated block started at go.mod:1:1)'],
  ['text after closing paren', 'require (\n) x\n', true, 'go.mod:2:4: syntax error (expected newline after closing paren)'],
  // directives
  ['unknown directive', 'module m\nfoo bar\n', true, 'go.mod:2:1: unknown directive: foo'],
  ['unknown block', 'foo (\n)\n', true, 'go.mod:1:1: unknown block type: foo'],
  ['block with two tokens', 'require a (\n)\n', true, 'go.mod:1:1: unknown block type: require a'],
  ['go block', 'go (\n\t1.21\n)\n', true, 'go.mod:1:1: unknown block type: go'],
  ['module usage', 'module a b\n', true, 'go.mod:1:1: usage: module module/path'],
  ['module bare', 'module\n', true, 'go.mod:1:1: usage: module module/path'],
  ['repeated module', 'module a\nmodule b\n', true, 'go.mod:2:1: repeated module statement'],
  ['module raw string', 'module `m`\n', true, 'go.mod:1:1: invalid quoted string: unquoted string cannot contain quote'],
  ['module single quotes', "module 'm'\n", true, 'go.mod:1:1: invalid quoted string: unquoted string cannot contain quote'],
  ['module bad escape', 'module "a\\q"\n', true, 'go.mod:1:1: invalid quoted string: invalid syntax'],
  ['go arguments', 'go 1.21 1.22\n', true, 'go.mod:1:1: go directive expects exactly one argument'],
  ['go version', 'go 1.2.3.4\n', true, "go.mod:1:1: invalid go version '1.2.3.4': must match format 1.23.0"],
  ['go version leading zero', 'go 1.021\n', true, "go.mod:1:1: invalid go version '1.021': must match format 1.23.0"],
  ['go version lax unfixable', 'go 1\n', false, "go.mod:1:1: invalid go version '1': must match format 1.23.0"],
  ['go version not repaired in strict', 'go 1.17rc1.x\n', true, "go.mod:1:1: invalid go version '1.17rc1.x': must match format 1.23.0"],
  ['repeated go', 'go 1.21\ngo 1.22\n', true, 'go.mod:2:1: repeated go statement'],
  ['toolchain arguments', 'toolchain\n', true, 'go.mod:1:1: toolchain directive expects exactly one argument'],
  ['toolchain name', 'toolchain 1.21\n', true, "go.mod:1:1: invalid toolchain version '1.21': must match format go1.23.0 or default"],
  ['toolchain go10', 'toolchain go10\n', true, "go.mod:1:1: invalid toolchain version 'go10': must match format go1.23.0 or default"],
  ['repeated toolchain', 'toolchain go1.21.0\ntoolchain go1.22.0\n', true, 'go.mod:2:1: repeated toolchain statement'],
  ['godebug no equals', 'godebug x\n', true, 'go.mod:1:1: usage: godebug key=value'],
  ['godebug comma', 'godebug a=1,b=2\n', true, 'go.mod:1:1: usage: godebug key=value'],
  ['godebug quote', 'godebug a="1"\n', true, 'go.mod:1:1: usage: godebug key=value'],
  ['godebug block line', 'godebug (\n\ta=1 b=2\n)\n', true, 'go.mod:2:2: usage: godebug key=value'],
  ['require usage', 'require a.org/x\n', true, 'go.mod:1:1: usage: require module/path v1.2.3'],
  ['require block usage', 'require (\n\ta.org/x\n)\n', true, 'go.mod:2:2: usage: require module/path v1.2.3'],
  ['exclude usage', 'exclude a.org/x v1 v2\n', true, 'go.mod:1:1: usage: exclude module/path v1.2.3'],
  [
    'require branch name',
    'require a.org/x master\n',
    true,
    'go.mod:1:1: require a.org/x: version "master" invalid: must be of the form v1.2.3',
  ],
  [
    'require branch name lax',
    'require a.org/x master\n',
    false,
    'go.mod:1:1: require a.org/x: version "master" invalid: must be of the form v1.2.3',
  ],
  [
    'require non-canonical',
    'require a.org/x v1.2\n',
    true,
    'go.mod:1:1: require a.org/x: version "v1.2" invalid: not canonical (the go command would look it up on a module proxy; pin it with go mod tidy)',
  ],
  [
    'require build metadata',
    'require a.org/x v1.2.3+meta\n',
    true,
    'go.mod:1:1: require a.org/x: version "v1.2.3+meta" invalid: not canonical (the go command would look it up on a module proxy; pin it with go mod tidy)',
  ],
  ['require empty version', 'require a.org/x ""\n', true, 'go.mod:1:1: require a.org/x: version "" invalid: must be of the form v1.2.3'],
  [
    'require quoted version bad escape',
    'require a.org/x "v1\\q"\n',
    true,
    'go.mod:1:1: require a.org/x: version "\\"v1\\\\q\\"" invalid: invalid syntax',
  ],
  [
    'require version with quote',
    "require a.org/x v1'\n",
    true,
    'go.mod:1:1: require a.org/x: version "v1\'" invalid: unquoted string cannot contain quote',
  ],
  ['require quote in path', "require 'a' v1.0.0\n", true, 'go.mod:1:1: invalid quoted string: unquoted string cannot contain quote'],
  [
    'require major mismatch',
    'require a.org/x/v2 v1.0.0\n',
    true,
    'go.mod:1:1: require a.org/x/v2: version "v1.0.0" invalid: should be v2, not v1',
  ],
  [
    'require major mismatch lax',
    'require a.org/x/v2 v1.0.0\n',
    false,
    'go.mod:1:1: require a.org/x/v2: version "v1.0.0" invalid: should be v2, not v1',
  ],
  [
    'require v2 without suffix',
    'require a.org/x v2.0.0\n',
    true,
    'go.mod:1:1: require a.org/x: version "v2.0.0" invalid: should be v0 or v1, not v2',
  ],
  [
    'require gopkg.in mismatch',
    'require gopkg.in/yaml.v2 v3.0.0\n',
    true,
    'go.mod:1:1: require gopkg.in/yaml.v2: version "v3.0.0" invalid: should be v2, not v3',
  ],
  [
    'require /v1 path',
    'require a.org/x/v1 v1.0.0\n',
    true,
    'go.mod:1:1: require a.org/x/v1: version "v1.0.0" invalid: malformed module path "a.org/x/v1"',
  ],
  ['require /v1 path lax', 'require a.org/x/v1 v1.0.0\n', false, 'go.mod:1:1: invalid module path'],
  [
    'exclude mismatch',
    'exclude a.org/x/v3 v2.0.0\n',
    true,
    'go.mod:1:1: exclude a.org/x/v3: version "v2.0.0" invalid: should be v3, not v2',
  ],
  [
    'replace usage',
    'replace a.org/x\n',
    true,
    'go.mod:1:1: usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace module/path [v1.2.3] => ../local/directory',
  ],
  [
    'replace no arrow',
    'replace a.org/x v1.0.0 b.org/y v1.0.0\n',
    true,
    'go.mod:1:1: usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace module/path [v1.2.3] => ../local/directory',
  ],
  [
    'replace module without version',
    'replace a.org/x => b.org/y\n',
    true,
    'go.mod:1:1: replacement module without version must be directory path (rooted or starting with . or ..)',
  ],
  [
    'replace path@version',
    'replace a.org/x => b.org/y@v1.0.0\n',
    true,
    "go.mod:1:1: replacement module must match format 'path version', not 'path@version'",
  ],
  [
    'replace directory with version',
    'replace a.org/x => ./y v1.0.0\n',
    true,
    'go.mod:1:1: replacement module directory path "./y" cannot have version',
  ],
  [
    'replace windows path',
    'replace a.org/x => .\\y\n',
    true,
    'go.mod:1:1: replacement directory appears to be Windows path (on a non-windows system)',
  ],
  [
    'replace old bad version',
    'replace a.org/x v1 => ./y\n',
    true,
    'go.mod:1:1: replace a.org/x: version "v1" invalid: not canonical (the go command would look it up on a module proxy; pin it with go mod tidy)',
  ],
  [
    'replace new bad version',
    'replace a.org/x => b.org/y latest\n',
    true,
    'go.mod:1:1: replace b.org/y: version "latest" invalid: must be of the form v1.2.3',
  ],
  ['replace old /v1 path', 'replace a.org/x/v1 => ./y\n', true, 'go.mod:1:1: replace a.org/x/v1: invalid module path'],
  [
    'replace old major mismatch',
    'replace a.org/x/v2 v1.0.0 => ./y\n',
    true,
    'go.mod:1:1: replace a.org/x/v2: version "v1.0.0" invalid: should be v2, not v1',
  ],
  [
    'replace new major mismatch',
    'replace a.org/x => b.org/y/v2 v1.0.0\n',
    true,
    'go.mod:1:1: replace b.org/y/v2: version "v1.0.0" invalid: should be v2, not v1',
  ],
  ['retract no version', 'module m\nretract\n', true, "go.mod:2:1: expected '[' or version"],
  ['retract paren', 'module m\nretract ( v1.0.0\n', true, "go.mod:2:1: expected '[' or version"],
  ['retract open bracket', 'module m\nretract [\n', true, "go.mod:2:1: expected version after '['"],
  ['retract no comma', 'module m\nretract [v1.0.0\n', true, "go.mod:2:1: expected ',' after version"],
  ['retract no high', 'module m\nretract [v1.0.0,\n', true, "go.mod:2:1: expected version after ','"],
  ['retract no close', 'module m\nretract [v1.0.0, v1.1.0\n', true, "go.mod:2:1: expected ']' after version"],
  ['retract extra token', 'module m\nretract v1.0.0 v1.1.0\n', true, 'go.mod:2:1: unexpected token after version: "v1.1.0"'],
  [
    'retract quote',
    "module m\nretract 'v1'\n",
    true,
    'go.mod:2:1: retract: version "\'v1\'" invalid: unquoted string cannot contain quote',
  ],
  ['retract without module', 'retract v1.0.0\n', true, 'go.mod:1:1: no module directive found, so retract cannot be used'],
  [
    'retract non-canonical',
    'module m\nretract v1.0\n',
    true,
    'go.mod:2:1: retract m: version "v1.0" invalid: not canonical (the go command would look it up on a module proxy; pin it with go mod tidy)',
  ],
  [
    'retract major mismatch',
    'module example.com/m\nretract v2.0.0\n',
    true,
    'go.mod:2:1: retract example.com/m: version "v2.0.0" invalid: should be v0 or v1, not v2',
  ],
  ['retract in block', 'module m\nretract (\n\t[v1.0.0 v1.1.0]\n)\n', true, "go.mod:3:2: expected ',' after version"],
  ['tool usage', 'tool a b\n', true, 'go.mod:1:1: tool directive expects exactly one argument'],
  ['tool quote', "tool 'a'\n", true, 'go.mod:1:1: invalid quoted string: unquoted string cannot contain quote'],
  ['ignore usage', 'ignore\n', true, 'go.mod:1:1: ignore directive expects exactly one argument'],
  ['ignore usage lax', 'ignore a b\n', false, 'go.mod:1:1: ignore directive expects exactly one argument'],
  ['parens mid-line are separate tokens', 'require (a) v1.0.0\n', true, 'go.mod:1:1: usage: require module/path v1.2.3'],
  ['first error wins', 'module m\nfoo\nrequire x\n', true, 'go.mod:2:1: unknown directive: foo'],
  ['line errors before retract checks', 'retract v1.0.0\nfoo\n', true, 'go.mod:2:1: unknown directive: foo'],
  ['module path checked in strict mode', 'module "a b"\n', true, 'go.mod:1:1: malformed module path "a b": invalid char \' \''],
  ['indented module path checked', 'module (\n\t"a//b"\n)\n', true, 'go.mod:2:2: malformed module path "a//b": double slash'],
];

describe('parseModFile errors', () => {
  test.each(ERROR_CASES)('%s', (_name, text, strict, want) => {
    const got = errorOf(() => parseModFile('go.mod', text, { strict }));
    expect(got, `parseModFile(${JSON.stringify(text)}) error = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`).toBe(want);
  });

  test('errors carry file, line, column and reason', () => {
    try {
      parseModFile('dir/go.mod', 'module m\n\trequire (\n\t\tx\n\t)\n');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FileSyntaxError);
      const e = err as FileSyntaxError;
      expect([e.file, e.line, e.col, e.reason, e.code]).toEqual(['dir/go.mod', 3, 3, 'usage: require module/path v1.2.3', 'ESYNTAX']);
    }
  });

  test('bytes input decodes UTF-8 and keeps a byte order mark', () => {
    expect(parseModFile('go.mod', new TextEncoder().encode('module example.com/é\n'), { strict: false }).module?.path).toBe(
      'example.com/é',
    );
    expect(errorOf(() => parseModFile('go.mod', new Uint8Array([0xef, 0xbb, 0xbf, 0x6d])))).toBe(
      "go.mod:1:1: unexpected input character '\\ufeff'",
    );
  });
});

describe('isLocalReplacePath', () => {
  test.each<[string, boolean]>([
    ['.', true],
    ['..', true],
    ['./x', true],
    ['../x', true],
    ['.\\x', true],
    ['..\\x', true],
    ['/abs', true],
    ['\\abs', true],
    ['C:\\x', true],
    ['c:/x', true],
    ['z:', true],
    ['.x', false],
    ['...', false],
    ['..x', false],
    ['example.com/x', false],
    ['1:x', false],
    ['', false],
  ])('%j', (p, want) => {
    expect(isLocalReplacePath(p), `isLocalReplacePath(${JSON.stringify(p)}) = ${!want}, want ${want}`).toBe(want);
  });
});

const SYNTHESIZE_CASES: [string, string][] = [
  ['example.com/m', 'module example.com/m\n'],
  ['github.com/Azure/x', 'module github.com/Azure/x\n'],
  ['a b', 'module "a b"\n'],
  ['a"b', 'module "a\\"b"\n'],
  ['a//b', 'module "a//b"\n'],
  ['a/*b', 'module "a/*b"\n'],
  ['(x)', 'module "(x)"\n'],
  ['(', 'module (\n'],
  ['', 'module ""\n'],
  ['a\u0007b', 'module "a\\ab"\n'],
  ['a\u00a0b', 'module "a\\u00a0b"\n'],
  ['é.com/x', 'module é.com/x\n'],
  ['a\u200bb', 'module "a\\u200bb"\n'],
  ['a\u{1d173}b', 'module "a\\U0001d173b"\n'],
  ['a\tb', 'module "a\\tb"\n'],
  ['a\\b', 'module a\\b\n'],
  ["a'b", 'module "a\'b"\n'],
];

describe('synthesizeModFile', () => {
  test.each(SYNTHESIZE_CASES)('%j', (path, want) => {
    expect(synthesizeModFile(path)).toBe(want);
  });

  test('quotes exactly like modfile.AutoQuote', { timeout: 180_000 }, () => {
    const paths = [...SYNTHESIZE_CASES.map((c) => c[0]), 'x\u007f', 'x\u0085', 'x\u00ad', 'x\u2028', 'x\ufeff', '\u{10ffff}', 'a,b', ','];
    const got = runModfileOracle(
      buildModfileOracle(),
      paths.map((text) => ({ name: '', text, mode: 'autoquote' as const })),
    );
    for (const [i, p] of paths.entries()) {
      const want = `module ${(got[i] as OracleResult).error}\n`;
      expect(
        synthesizeModFile(p),
        `synthesizeModFile(${JSON.stringify(p)}) = ${JSON.stringify(synthesizeModFile(p))}, want ${JSON.stringify(want)}`,
      ).toBe(want);
    }
  });
});

/** Extra texts for the differential test, beyond the tables above. */
const DIFF_EXTRA: string[] = [
  FULL.replace(/\ntool[\s\S]*$/, '\n'),
  'module example.com/m\n\ngo 1.21.0\n\nrequire (\n\tgolang.org/x/mod v0.7.0 // indirect\n)\n',
  'module example.com/m\nrequire example.com/x v0.0.0-20191109021931-daa7c04131f5\n',
  'module example.com/m\nrequire "example.com/q" "v1.0.0"\n',
  'module example.com/m\nreplace example.com/a v1.0.0 => example.com/b v1.2.3\nreplace example.com/c => /abs/path\n',
  'module example.com/m\nexclude example.com/a v1.0.0+incompatible\n',
  'module example.com/m\nrequire example.com/a/v2 v2.0.0+incompatible\n',
  'module example.com/m\n// rationale\nretract (\n\tv1.0.0 // one\n\n\t[v1.1.0, v1.2.0]\n)\n',
  '// Deprecated: use example.com/n\nmodule example.com/m\n',
  'module example.com/m // Deprecated: x\n// Deprecated: y\n',
  'module example.com/m\nrequire example.com/x v1.0.0 // indirect; note\nrequire example.com/y v1.0.0 //indirect\n',
  'module example.com/m\ngodebug (\n\tpanicnil=1\n\tx=y=z\n)\n',
  'module example.com/m\ntoolchain go1.21\n',
  'module example.com/m\r\ngo 1.20\r\n',
  'module example.com/m\nrequire (a) v1.0.0\n',
  'module example.com/m\nrequire ( ) x\n',
  'module example.com/m\nrequire ()\n',
  'module example.com/m\nrequire (\n\texample.com/x v1.0.0 // c\n) // after\n',
  'module example.com/m\n[\n',
  'module example.com/m\n, x\n',
  'module example.com/m\nrequire example.com/x v1.0.0 ) \n',
  'module example.com/m\nrequire {example.com/x} v1.0.0\n',
  'module "example.com/\\u00e9"\n',
  'module "example.com/\\U0001F600"\n',
  'module "\\101.com/m"\n',
  'module example.com/M\n',
  'module example.com\n',
  'module gopkg.in/yaml.v2\nretract v2.0.0\n',
  'module example.com/m/v2\nretract v1.0.0\n',
  'module example.com/m/v1\nretract v1.0.0\n',
  'module example.com/m\ngo 1.21rc1\ngo 1.21\n',
  'go 1.1\nmodule x\n',
  'module example.com/m\nreplace example.com/a => "../with space"\n',
  'module example.com/m\nreplace example.com/a => D:/x\n',
  'module example.com/m\nreplace example.com/a => ./x v1.0.0\n',
  'module example.com/m\nreplace example.com/a v1.2.3 => example.com/b\n',
  'module example.com/m\nrequire example.com/x v1.0.0-rc.1\n',
  'module example.com/m\nrequire example.com/x v1.0.0-01\n',
  'module example.com/m\nrequire example.com/x v01.0.0\n',
  'module example.com/m\nrequire example.com/x V1.0.0\n',
  'module m\nrequire x v1.0.0\n',
  '  module   m  \n\n\n  go 1.21  // c\n',
  'module m\n\t// floating\n\trequire x v1.0.0\n',
  'module m\nrequire x v1.0.0 // a\n// b\n',
  '// c1\n\n// c2\nmodule m\n',
  'module m\nretract [v1.0.0, v1.0.0] // same\n',
  'module m\nretract "v1.0.0"\n',
  'module m\nretract [v1.0.0 , v1.1.0]\n',
  'module m\nretract v1.0.0,\n',
  'module m\nretract [v1.0.0,v1.1.0]\n',
  'module m\nexclude x v1.0.0 // indirect\n',
];

describe("differential: our parser against the go command's (x/mod vendored in Go 1.23)", () => {
  // tool and ignore are newer than Go 1.23's parser.
  const knownToGo123 = (text: string) => !/^\s*(tool|ignore)\b/m.test(text);

  test('agrees on validity, errors and extracted data', { timeout: 180_000 }, () => {
    const texts = [...ERROR_CASES.map((c) => c[1]), ...DIFF_EXTRA, FULL].filter(knownToGo123);
    const inputs: OracleInput[] = [];
    for (const text of texts) {
      inputs.push({ name: 'go.mod', text, mode: 'strict' }, { name: 'go.mod', text, mode: 'lax' });
    }
    const oracle = runModfileOracle(buildModfileOracle(), inputs);
    expect(oracle).toHaveLength(inputs.length);
    const mismatches: string[] = [];
    for (const [i, input] of inputs.entries()) {
      const want = oracle[i] as OracleResult;
      const got = ours(input);
      if (JSON.stringify(got) !== JSON.stringify(normalize(want))) {
        mismatches.push(
          `${input.mode} ${JSON.stringify(input.text)}:\n  ours ${JSON.stringify(got)}\n  go   ${JSON.stringify(normalize(want))}`,
        );
      }
    }
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  });
});

function ours(input: OracleInput): unknown {
  if (input.mode === 'work') return oursWork(input.text);
  let f: ModFile;
  try {
    f = parseModFile(input.name, input.text, { strict: input.mode === 'strict' });
  } catch (err) {
    if (!(err instanceof FileSyntaxError)) throw err;
    return { ok: false, error: `${err.line}:${err.col}: ${err.reason}` };
  }
  return {
    ok: true,
    module: f.module?.path ?? null,
    deprecated: f.module?.deprecated ?? '',
    go: f.go ?? null,
    toolchain: f.toolchain ?? null,
    godebug: f.godebug.map((g) => [g.key, g.value]),
    require: f.require.map((r) => ({ path: r.path, version: r.version, indirect: r.indirect })),
    exclude: f.exclude.map((r) => ({ path: r.path, version: r.version })),
    replace: f.replace.map((r) => [r.old, r.new]),
    retract: f.retract.map((r) => ({ low: r.low, high: r.high, rationale: r.rationale })),
  };
}

function oursWork(text: string): unknown {
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

function normalize(r: OracleResult, mode: OracleInput['mode'] = 'strict'): unknown {
  if (!r.ok) return { ok: false, error: `${r.errLine}:${r.errCol}: ${r.error}` };
  if (mode === 'work')
    return { ok: true, go: r.go, toolchain: r.toolchain, godebug: r.godebug ?? [], use: r.use ?? [], replace: r.replace ?? [] };
  return {
    ok: true,
    module: r.module,
    deprecated: r.deprecated,
    go: r.go,
    toolchain: r.toolchain,
    godebug: r.godebug ?? [],
    require: r.require ?? [],
    exclude: r.exclude ?? [],
    replace: r.replace ?? [],
    retract: r.retract ?? [],
  };
}

/** A small seeded generator (mulberry32) so the fuzz corpus is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUZZ_VERBS = ['module', 'go', 'toolchain', 'godebug', 'require', 'exclude', 'replace', 'retract', 'use', 'foo'];
const FUZZ_WORDS = [
  'example.com/m',
  'example.com/m/v2',
  'example.com/m/v1',
  'gopkg.in/x.v1',
  'gopkg.in/x',
  'm',
  'a.org/x',
  '"a.org/x"',
  '"a b"',
  'v1.0.0',
  'v1.2',
  'v2.0.0',
  'v2.0.0+incompatible',
  'v1.0.0-rc.1',
  'v0.0.0-20200101000000-abcdefabcdef',
  'master',
  '"v1.0.0"',
  '1.21',
  '1.21.0',
  '1.21rc1',
  'go1.21',
  'default',
  'x=y',
  'a=b,c',
  '=>',
  './dir',
  '../dir',
  '/abs',
  'C:\\x',
  '.\\x',
  'p@v1.0.0',
  '[',
  ']',
  ',',
  '(',
  ')',
  '{',
  '}',
  "'q'",
  '`raw`',
  '"esc\\n"',
  '"bad\\q"',
  'é',
  '// indirect',
  '// Deprecated: old',
  '// note',
  '/*c*/',
  '"open',
  'a//b',
  '\u00a0',
  '\u000b',
  'x\ry',
  '""',
  '"\\u00e9"',
];

function fuzzText(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const lines: string[] = [];
  const n = 1 + Math.floor(next() * 6);
  for (let i = 0; i < n; i++) {
    const r = next();
    const indent = next() < 0.2 ? '\t' : '';
    if (r < 0.1) {
      lines.push(`${indent}// comment ${i}`);
    } else if (r < 0.15) {
      lines.push('');
    } else if (r < 0.3) {
      const verb = pick(FUZZ_VERBS);
      lines.push(`${verb} (${next() < 0.3 ? ' // c' : ''}`);
      const m = Math.floor(next() * 3);
      for (let j = 0; j < m; j++) lines.push(`\t${Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(FUZZ_WORDS)).join(' ')}`);
      if (next() < 0.9) lines.push(next() < 0.1 ? ') x' : ')');
    } else {
      const words = Array.from({ length: Math.floor(next() * 5) }, () => pick(FUZZ_WORDS));
      lines.push(`${indent}${pick(FUZZ_VERBS)} ${words.join(' ')}`);
    }
  }
  return lines.join(next() < 0.1 ? '\r\n' : '\n') + (next() < 0.8 ? '\n' : '');
}

describe('differential fuzz: generated go.mod texts', () => {
  test('agree with the go command on 3000 texts as go.mod (strict, lax) and go.work', { timeout: 180_000 }, () => {
    const next = rng(20240611);
    const inputs: OracleInput[] = [];
    for (let i = 0; i < 3000; i++) {
      const text = fuzzText(next);
      inputs.push({ name: 'go.mod', text, mode: 'strict' }, { name: 'go.mod', text, mode: 'lax' }, { name: 'go.work', text, mode: 'work' });
    }
    const oracle = runModfileOracle(buildModfileOracle(), inputs);
    const mismatches: string[] = [];
    let valid = 0;
    for (const [i, input] of inputs.entries()) {
      const want = normalize(oracle[i] as OracleResult, input.mode);
      const got = ours(input);
      if ((want as { ok: boolean }).ok) valid++;
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(`${input.mode} ${JSON.stringify(input.text)}:\n  ours ${JSON.stringify(got)}\n  go   ${JSON.stringify(want)}`);
      }
    }
    expect(mismatches.slice(0, 10), mismatches.slice(0, 10).join('\n')).toEqual([]);
    // The corpus must exercise both outcomes to mean anything.
    expect(valid).toBeGreaterThan(300);
    expect(valid).toBeLessThan(inputs.length - 300);
  });
});
