import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildIndex } from '../../src/vuln/dbIndex.js';
import { mergeEntries } from '../../src/vuln/mergeEntries.js';
import { parseOsvEntry } from '../../src/vuln/osv.js';
import type { OsvRange } from '../../src/vuln/osvEntry.js';
import { affects, latestFixedVersion } from '../../src/vuln/semverRange.js';
import { fixtureVulnDbDir } from '../upstream/vulndbServer.js';

const S = (...events: ({ introduced: string } | { fixed: string })[]): OsvRange => ({ type: 'SEMVER', events });

// golang/vuln internal/semver affects_test.go TestAffectsSemver, case by case.
const affectsCases: [string, OsvRange[], string, boolean][] = [
  ['no ranges: every version', [], 'v0.0.0', true],
  ['an empty SEMVER range: every version', [{ type: 'SEMVER', events: [] }], 'v0.0.0', true],
  ['introduced 0 only', [S({ introduced: '0' })], 'v0.0.0', true],
  ['v1.0.0 < 2.0.0', [S({ introduced: '0' }, { fixed: '2.0.0' })], 'v1.0.0', true],
  ['0.0.1 <= v1.0.0', [S({ introduced: '0.0.1' })], 'v1.0.0', true],
  ['1.0.0 <= v1.0.0', [S({ introduced: '1.0.0' })], 'v1.0.0', true],
  ['1.0.0 <= v1.0.0 < 2.0.0', [S({ introduced: '1.0.0' }, { fixed: '2.0.0' })], 'v1.0.0', true],
  ['0.0.1 <= v1.0.0 < 2.0.0', [S({ introduced: '0.0.1' }, { fixed: '2.0.0' })], 'v1.0.0', true],
  ['v3.0.0 after the fix', [S({ introduced: '1.0.0' }, { fixed: '2.0.0' })], 'v3.0.0', false],
  ['re-introduced at 3.0.0', [S({ introduced: '1.0.0' }, { fixed: '2.0.0' }, { introduced: '3.0.0' })], 'v3.0.0', true],
  ['at the first fix', [S({ introduced: '0' }, { fixed: '1.18.6' }, { introduced: '1.19.0' }, { fixed: '1.19.1' })], 'v1.18.6', false],
  ['introduced 0 then 1.19.0', [S({ introduced: '0' }, { introduced: '1.19.0' }, { fixed: '1.19.1' })], 'v1.18.6', true],
  ['events out of order', [S({ introduced: '1.19.0' }, { fixed: '1.19.1' }, { introduced: '0' }, { fixed: '1.18.6' })], 'v1.18.1', true],
  ['only a non-SEMVER range', [{ type: 'unspecified', events: [{ introduced: '3.0.0' }] }], 'v3.0.0', true],
  [
    'SEMVER range does not match',
    [{ type: 'unspecified', events: [{ introduced: '3.0.0' }] }, S({ introduced: '4.0.0' })],
    'v3.0.0',
    false,
  ],
  ['SEMVER range matches', [{ type: 'unspecified', events: [{ introduced: '3.0.0' }] }, S({ introduced: '3.0.0' })], 'v3.0.0', true],
  ['go prefix', [S({ introduced: '3.0.0' })], 'go3.0.1', true],
  // Go module versions the go command orders: +incompatible ignores its build metadata, pseudo-versions sort before their base.
  [
    '+incompatible inside [2.0.0, 2.0.1)',
    [S({ introduced: '0' }, { fixed: '1.0.1' }, { introduced: '2.0.0' }, { fixed: '2.0.1' })],
    'v2.0.0+incompatible',
    true,
  ],
  ['pseudo-version before the fix', [S({ introduced: '0' }, { fixed: '1.2.4' })], 'v1.2.4-0.20230102150405-abcdef123456', true],
  [
    'pseudo-version after the fix',
    [S({ introduced: '0' }, { fixed: '0.0.0-20230101000000-aaaaaaaaaaaa' })],
    'v0.0.0-20230102150405-abcdef123456',
    false,
  ],
];

describe('affects (golang/vuln internal/semver)', () => {
  test.each(affectsCases)('%s', (_name, ranges, version, want) => {
    expect(affects(ranges, version), `affects(${JSON.stringify(ranges)}, ${version})`).toBe(want);
  });
});

test.each<[OsvRange[], string]>([
  [[S({ introduced: '0' }, { fixed: '1.2.0' })], '1.2.0'],
  [[S({ introduced: '0' }, { fixed: '1.0.1' }, { introduced: '2.0.0' }, { fixed: '2.0.1' })], '2.0.1'],
  [[S({ introduced: '0' }, { fixed: '1.0.1' }, { introduced: '2.0.0' })], ''],
  [[S({ introduced: '0' })], ''],
])('latestFixedVersion(%j) = %j', (ranges, want) => {
  expect(latestFixedVersion(ranges)).toBe(want);
});

const fixtureEntries = readdirSync(join(fixtureVulnDbDir, 'ID'))
  .sort()
  .map((f) => parseOsvEntry(readFileSync(join(fixtureVulnDbDir, 'ID', f)), f));

test('buildIndex of the fixture entries is the fixture index, byte for byte', () => {
  const idx = buildIndex(fixtureEntries);
  const read = (p: string): string => readFileSync(join(fixtureVulnDbDir, 'index', p), 'utf8').trimEnd();
  expect(idx.db.toString()).toBe(read('db.json'));
  expect(idx.modules.toString()).toBe(read('modules.json'));
  expect(idx.vulns.toString()).toBe(read('vulns.json'));
});

test('mergeEntries: by id, the newest modified wins, ties keep the first', () => {
  const e = (id: string, modified: string, from: string) => ({
    entry: { ...fixtureEntries[0]!, id, modified },
    data: Buffer.from(from),
    from,
  });
  const merged = mergeEntries([
    [e('GO-1', '2099-01-01T00:00:00Z', 'a'), e('GO-2', '2099-01-05T00:00:00Z', 'a')],
    [e('GO-1', '2099-02-01T00:00:00Z', 'b'), e('GO-2', '2099-01-05T00:00:00Z', 'b')],
  ]);
  expect(merged.map((m) => `${m.entry.id} ${m.from}`)).toEqual(['GO-1 b', 'GO-2 a']);
});

test.each<[string, string, string]>([
  ['not an object', '[]', 'x.json: not a JSON object'],
  [
    'bad id',
    '{"id":"../x","modified":"2099-01-01T00:00:00Z","affected":[]}',
    'x.json: "id" must be a string of letters, digits, ".", "_" and "-", got "../x"',
  ],
  [
    'other ecosystem',
    '{"id":"A-1","modified":"2099-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"}}]}',
    'x.json: affected[0]: package.ecosystem must be "Go", got "npm"',
  ],
  [
    'two events in one',
    '{"id":"A-1","modified":"2099-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1.0.0"}]}]}]}',
    'x.json: affected[0].ranges[0].events[0] must have exactly one of "introduced" and "fixed"',
  ],
  [
    'not semver',
    '{"id":"A-1","modified":"2099-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"x"},"ranges":[{"type":"SEMVER","events":[{"fixed":"one"}]}]}]}',
    'x.json: affected[0].ranges[0].events[0]: fixed "one" is not a semantic version',
  ],
])('parseOsvEntry refuses %s', (_name, json, want) => {
  expect(() => parseOsvEntry(Buffer.from(json), 'x.json')).toThrow(want);
});
