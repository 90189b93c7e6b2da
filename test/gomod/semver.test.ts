import { describe, expect, test } from 'vitest';
import {
  build,
  byVersion,
  canonical,
  compare,
  isPrerelease,
  isValid,
  major,
  majorMinor,
  max,
  prerelease,
  sort,
} from '../../src/gomod/semver.js';
import { SEMVER_TESTS } from './oracle/tables.js';

const q = JSON.stringify;

/** The expectations semver_test.go derives from its table, computed the same way. */
function wantMajor(out: string): string {
  const i = out.indexOf('.');
  return i >= 0 ? out.slice(0, i) : '';
}

function wantMajorMinor(input: string, out: string): string {
  if (out === '') return '';
  let want = input;
  const plus = want.indexOf('+');
  if (plus >= 0) want = want.slice(0, plus);
  const dash = want.indexOf('-');
  if (dash >= 0) want = want.slice(0, dash);
  const dots = want.split('.').length - 1;
  if (dots === 0) want += '.0';
  if (dots === 2) want = want.slice(0, want.lastIndexOf('.'));
  return want;
}

function wantPrerelease(out: string): string {
  const i = out.indexOf('-');
  return out !== '' && i >= 0 ? out.slice(i) : '';
}

function wantBuild(input: string, out: string): string {
  const i = input.indexOf('+');
  return out !== '' && i >= 0 ? input.slice(i) : '';
}

describe('x/mod semver_test.go table', () => {
  test.each(SEMVER_TESTS)('%s', (input, out) => {
    expect(isValid(input), `isValid(${q(input)}) = ${isValid(input)}, want ${out !== ''}`).toBe(out !== '');
    expect(canonical(input), `canonical(${q(input)}) = ${q(canonical(input))}, want ${q(out)}`).toBe(out);
    expect(major(input), `major(${q(input)}) = ${q(major(input))}, want ${q(wantMajor(out))}`).toBe(wantMajor(out));
    const mm = wantMajorMinor(input, out);
    expect(majorMinor(input), `majorMinor(${q(input)}) = ${q(majorMinor(input))}, want ${q(mm)}`).toBe(mm);
    const pre = wantPrerelease(out);
    expect(prerelease(input), `prerelease(${q(input)}) = ${q(prerelease(input))}, want ${q(pre)}`).toBe(pre);
    expect(isPrerelease(input), `isPrerelease(${q(input)})`).toBe(pre !== '');
    const b = wantBuild(input, out);
    expect(build(input), `build(${q(input)}) = ${q(build(input))}, want ${q(b)}`).toBe(b);
  });

  test('compare and max over every pair (the table is in increasing order)', () => {
    const failures: string[] = [];
    SEMVER_TESTS.forEach(([vi, oi], i) => {
      SEMVER_TESTS.forEach(([vj, oj], j) => {
        const want = oi === oj ? 0 : i < j ? -1 : 1;
        const got = compare(vi, vj);
        if (got !== want) failures.push(`compare(${q(vi)}, ${q(vj)}) = ${got}, want ${want}`);
        const wantMax = i < j ? canonical(vj) : canonical(vi);
        const gotMax = max(vi, vj);
        if (gotMax !== wantMax) failures.push(`max(${q(vi)}, ${q(vj)}) = ${q(gotMax)}, want ${q(wantMax)}`);
      });
    });
    expect(failures).toEqual([]);
  });

  test('sort puts a shuffled table in ByVersion order', () => {
    const versions = SEMVER_TESTS.map(([v]) => v);
    // A fixed permutation instead of rand.Shuffle keeps the test deterministic.
    const shuffled = versions
      .map((v, i) => [(i * 7919) % versions.length, v] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, v]) => v);
    const sorted = sort(shuffled);
    expect(sorted).toBe(shuffled);
    for (let i = 1; i < sorted.length; i++) {
      expect(byVersion(sorted[i - 1] as string, sorted[i] as string), `${q(sorted[i - 1])} before ${q(sorted[i])}`).toBeLessThanOrEqual(0);
    }
  });
});

describe('compare', () => {
  test.each([
    ['v1.0.0', 'v1.0.0-rc1', 1],
    ['v1.0.0-rc.1', 'v1.0.0-rc.2', -1],
    ['v1.0.0-rc.10', 'v1.0.0-rc.9', 1],
    ['v1.0.0-rc.a', 'v1.0.0-rc.1', 1], // alphanumeric identifiers sort after numeric ones
    ['v1.0.0-alpha', 'v1.0.0-alpha.1', -1],
    ['v1.0.0+a', 'v1.0.0+b', 0], // build metadata is ignored
    ['v1', 'v1.0.0', 0],
    ['v2.0.0+incompatible', 'v2.0.0', 0],
    ['v10.0.0', 'v9.0.0', 1],
    ['v1.10.0', 'v1.9.0', 1],
    ['v1.0.100000000000000000000', 'v1.0.99999999999999999999', 1], // arbitrary precision
    ['bad', 'v0.0.0', -1], // invalid sorts lowest
    ['bad', 'worse', 0], // and equal to every other invalid string
    ['v01.0.0', 'v1.0.0', -1], // leading zero: invalid
    ['v1.0.0-01', 'v1.0.0-1', -1], // leading zero in a numeric prerelease identifier: invalid
    ['v1.0.0-0.20060102150405-hash', 'v1.0.0', -1],
    ['v0.0.1-0.20060102150405-hash', 'v0.0.0', 1],
  ] as const)('compare(%j, %j)', (v, w, want) => {
    expect(compare(v, w), `compare(${q(v)}, ${q(w)}) = ${compare(v, w)}, want ${want}`).toBe(want);
    expect(compare(w, v), `compare(${q(w)}, ${q(v)}) = ${compare(w, v)}, want ${-want}`).toBe(-want || 0);
  });
});

describe('sort', () => {
  test.each([
    [
      ['v1.0.0', 'v1', 'v1.0'],
      ['v1', 'v1.0', 'v1.0.0'],
    ],
    [
      ['v1.0.0+b', 'v1.0.0+a', 'v0.9.0'],
      ['v0.9.0', 'v1.0.0+a', 'v1.0.0+b'],
    ],
    [
      ['v2.0.0', 'junk', 'v1.0.0-pre', 'Junk', ''],
      ['', 'Junk', 'junk', 'v1.0.0-pre', 'v2.0.0'],
    ],
    // Go orders strings by UTF-8 bytes: U+FF5E sorts before U+1F600 (JavaScript's < says otherwise).
    [
      ['x\u{1F600}', 'x\uFF5E'],
      ['x\uFF5E', 'x\u{1F600}'],
    ],
  ])('sort(%j)', (input, want) => {
    const got = sort([...input]);
    expect(got, `sort(${q(input)}) = ${q(got)}, want ${q(want)}`).toEqual(want);
  });
});

describe('max', () => {
  test.each([
    ['v1.2', 'v1.1.9', 'v1.2.0'],
    ['v1.0.0+meta', 'v0.1', 'v1.0.0'],
    ['bad', 'v0.1', 'v0.1.0'],
    ['bad', 'worse', ''],
  ])('max(%j, %j)', (v, w, want) => {
    expect(max(v, w), `max(${q(v)}, ${q(w)}) = ${q(max(v, w))}, want ${q(want)}`).toBe(want);
  });
});
