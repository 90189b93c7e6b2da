/** The pure part of `go install pkg@version`: the argument, the candidate modules, @latest and retractions. */
import { describe, expect, test } from 'vitest';
import { candidateModulePaths, highestListed, parseToolArg, retractionOf } from '../../src/resolve/toolQuery.js';

describe('parseToolArg', () => {
  test.each([
    ['golang.org/x/tools/cmd/stringer@v0.1.0', { pkg: 'golang.org/x/tools/cmd/stringer', query: 'v0.1.0' }],
    ['example.com/tool@latest', { pkg: 'example.com/tool', query: 'latest' }],
    ['example.com/tool', 'example.com/tool: want module/package@version (e.g. golang.org/x/tools/cmd/stringer@v0.1.0 or @latest)'],
    ['example.com/tool@', 'example.com/tool@: version must not be empty'],
    ['./cmd@v1.0.0', './cmd@v1.0.0: argument must be a package path, not a relative or absolute path'],
    ['example.com/...@v1.0.0', 'example.com/...@v1.0.0: patterns are not supported; name one package'],
    [
      'example.com/tool@v1.2',
      'example.com/tool@v1.2: version must be "latest" or a full semantic version such as v1.2.3 (branches, prefixes and queries are resolved by the go command on the inside)',
    ],
    [
      'example.com/tool@master',
      'example.com/tool@master: version must be "latest" or a full semantic version such as v1.2.3 (branches, prefixes and queries are resolved by the go command on the inside)',
    ],
  ])('parseToolArg(%j)', (arg, want) => {
    expect(parseToolArg(arg)).toEqual(want);
  });
});

test('candidateModulePaths: every prefix, longest first', () => {
  expect(candidateModulePaths('example.com/tool/cmd/hello')).toEqual([
    'example.com/tool/cmd/hello',
    'example.com/tool/cmd',
    'example.com/tool',
    'example.com',
  ]);
});

describe('highestListed', () => {
  test.each<[string[], string | undefined]>([
    [['v1.0.0', 'v1.1.0', 'v1.3.0-rc.1'], 'v1.1.0'],
    [['v1.3.0-rc.1', 'v1.2.0-beta'], 'v1.3.0-rc.1'],
    [['v0.0.0-20230102150405-abcdef123456'], undefined],
    [['v1.0.0', 'v2.0.0+incompatible'], 'v1.0.0'],
    [['v2.0.0+incompatible'], 'v2.0.0+incompatible'],
    [[], undefined],
  ])('highestListed(%j) = %j', (versions, want) => {
    expect(highestListed(versions)).toBe(want);
  });

  test('retracted versions are passed over', () => {
    const retract = [{ low: 'v1.2.0', high: 'v1.2.0', rationale: 'mistake' }];
    expect(highestListed(['v1.0.0', 'v1.1.0', 'v1.2.0'], (v) => retractionOf(v, retract) === undefined)).toBe('v1.1.0');
    expect(retractionOf('v1.5.0', [{ low: 'v1.4.0', high: 'v1.6.0', rationale: '' }])).toEqual({
      low: 'v1.4.0',
      high: 'v1.6.0',
      rationale: '',
    });
    expect(retractionOf('v1.7.0', [{ low: 'v1.4.0', high: 'v1.6.0', rationale: '' }])).toBeUndefined();
  });
});
