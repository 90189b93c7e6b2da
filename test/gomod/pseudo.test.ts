import { describe, expect, test } from 'vitest';
import { InvalidVersionError } from '../../src/gomod/modulePath.js';
import {
  decDecimal,
  incDecimal,
  isPseudoVersion,
  isZeroPseudoVersion,
  pseudoVersion,
  pseudoVersionBase,
  pseudoVersionRev,
  pseudoVersionTime,
  zeroPseudoVersion,
} from '../../src/gomod/pseudo.js';
import { DEC_DECIMAL_TESTS, INC_DECIMAL_TESTS, INVALID_PSEUDO_BASE, PSEUDO_TESTS, PSEUDO_TIME, errOf } from './oracle/tables.js';

const q = JSON.stringify;

describe('x/mod pseudo_test.go pseudoTests', () => {
  test.each(PSEUDO_TESTS)('pseudoVersion(%j, %j)', (major, older, version) => {
    const got = pseudoVersion(major, older, PSEUDO_TIME, 'hash');
    expect(got, `pseudoVersion(${q(major)}, ${q(older)}, ...) = ${q(got)}, want ${q(version)}`).toBe(version);

    expect(isPseudoVersion(version), `isPseudoVersion(${q(version)}) = false, want true`).toBe(true);
    expect(isPseudoVersion(older), `isPseudoVersion(${q(older)}) = true, want false`).toBe(false);

    expect(pseudoVersionTime(version).getTime(), `pseudoVersionTime(${q(version)})`).toBe(PSEUDO_TIME.getTime());
    expect(() => pseudoVersionTime(older), `pseudoVersionTime(${q(older)}) succeeded, want error`).toThrow(InvalidVersionError);

    expect(pseudoVersionRev(version), `pseudoVersionRev(${q(version)})`).toBe('hash');
    expect(() => pseudoVersionRev(older), `pseudoVersionRev(${q(older)}) succeeded, want error`).toThrow(InvalidVersionError);

    const base = pseudoVersionBase(version);
    expect(base, `pseudoVersionBase(${q(version)}) = ${q(base)}, want ${q(older)}`).toBe(older);
  });

  test('pseudoVersionTime("---") fails', () => {
    expect(() => pseudoVersionTime('---')).toThrow(InvalidVersionError);
  });

  test.each(INVALID_PSEUDO_BASE)('pseudoVersionBase(%j) fails', (v) => {
    expect(() => pseudoVersionBase(v), `pseudoVersionBase(${q(v)}) succeeded, want error`).toThrow(InvalidVersionError);
  });

  test.each(INC_DECIMAL_TESTS)('incDecimal(%j)', (input, want) => {
    expect(incDecimal(input), `incDecimal(${q(input)}) = ${q(incDecimal(input))}, want ${q(want)}`).toBe(want);
  });

  test.each(DEC_DECIMAL_TESTS)('decDecimal(%j)', (input, want) => {
    expect(decDecimal(input), `decDecimal(${q(input)}) = ${q(decDecimal(input))}, want ${q(want)}`).toBe(want);
  });
});

describe('error messages agree with x/mod (texts taken from the oracle)', () => {
  test.each([
    ['pseudoVersionTime', 'v0.0.0', 'pseudo-version "v0.0.0" invalid: syntax error'],
    [
      'pseudoVersionTime',
      'v0.0.0-20061302150405-hash',
      'pseudo-version "v0.0.0-20061302150405-hash" invalid: malformed time "20061302150405"',
    ],
    [
      'pseudoVersionTime',
      'v0.0.0-20060230150405-hash',
      'pseudo-version "v0.0.0-20060230150405-hash" invalid: malformed time "20060230150405"',
    ],
    [
      'pseudoVersionTime',
      'v0.0.0-20060102240405-hash',
      'pseudo-version "v0.0.0-20060102240405-hash" invalid: malformed time "20060102240405"',
    ],
    [
      'pseudoVersionBase',
      'v0.0.0-0.20060102150405-hash',
      'pseudo-version "v0.0.0-0.20060102150405-hash" invalid: version before v0.0.0 would have negative patch number',
    ],
    [
      'pseudoVersionBase',
      'v0.0.0-20060102150405-hash+incompatible',
      'pseudo-version "v0.0.0-20060102150405-hash+incompatible" invalid: lacks base version, but has build metadata "+incompatible"',
    ],
    ['pseudoVersionBase', 'v1.2.3', 'pseudo-version "v1.2.3" invalid: syntax error'],
    ['pseudoVersionRev', 'v1.2.3-pre', 'pseudo-version "v1.2.3-pre" invalid: syntax error'],
  ] as const)('%s(%j)', (fn, v, want) => {
    const call = { pseudoVersionTime, pseudoVersionBase, pseudoVersionRev }[fn];
    const got = errOf(() => call(v));
    expect(got, `${fn}(${q(v)}) = ${q(got)}, want ${q(want)}`).toBe(want);
  });
});

describe('isPseudoVersion', () => {
  test.each([
    ['v0.0.0-20191109021931-daa7c04131f5', true],
    ['v1.2.4-0.20191109021931-daa7c04131f5', true],
    ['v1.2.3-pre.0.20191109021931-daa7c04131f5', true],
    ['v2.0.1-0.20191109021931-daa7c04131f5+incompatible', true],
    ['v0.0.0-00010101000000-000000000000', true],
    ['v0.0.0-2019110902193-daa7c04131f5', false], // 13-digit timestamp
    ['v0.0.0-201911090219311-daa7c04131f5', false], // 15 digits
    ['v1.2.3-20191109021931-daa7c04131f5', false], // form (1) needs .0.0
    ['v1.2.3-1.20191109021931-daa7c04131f5', false], // form (3) needs -0.
    ['v0.0.0-20191109021931-', false],
    ['v0.0.0-20191109021931-daa7c04131f5+', false],
    ['v0.0.0-20191109021931-daa_c04131f5', false],
    ['v1.0.0-rc.1', false],
    ['v0.0.0-20061302150405-hash', true], // a bad month is still the pseudo-version shape
    ['V0.0.0-20191109021931-daa7c04131f5', false],
  ] as const)('isPseudoVersion(%j)', (v, want) => {
    expect(isPseudoVersion(v), `isPseudoVersion(${q(v)}) = ${!want}, want ${want}`).toBe(want);
  });
});

describe('zero pseudo-versions', () => {
  test.each([
    ['', 'v0.0.0-00010101000000-000000000000'],
    ['v0', 'v0.0.0-00010101000000-000000000000'],
    ['v2', 'v2.0.0-00010101000000-000000000000'],
    ['v1000', 'v1000.0.0-00010101000000-000000000000'],
  ])('zeroPseudoVersion(%j)', (major, want) => {
    expect(zeroPseudoVersion(major), `zeroPseudoVersion(${q(major)})`).toBe(want);
    expect(isZeroPseudoVersion(want), `isZeroPseudoVersion(${q(want)})`).toBe(true);
  });

  test.each(['v0.0.0-00010101000000-000000000001', 'v1.0.0', 'v0.0.1-0.00010101000000-000000000000', ''])(
    'isZeroPseudoVersion(%j) = false',
    (v) => {
      expect(isZeroPseudoVersion(v), `isZeroPseudoVersion(${q(v)}) = true, want false`).toBe(false);
    },
  );
});

describe('pseudoVersionTime', () => {
  test.each([
    ['v0.0.0-20040229150405-hash', '2004-02-29T15:04:05.000Z'],
    ['v1.2.3-pre.0.20060102150405-hash+incompatible', '2006-01-02T15:04:05.000Z'],
    ['v0.0.0-00010101000000-000000000000', '0001-01-01T00:00:00.000Z'],
    ['v0.0.0-99991231235959-abc', '9999-12-31T23:59:59.000Z'],
    ['v0.0.0-20000229000000-abc', '2000-02-29T00:00:00.000Z'],
  ])('pseudoVersionTime(%j)', (v, want) => {
    const got = pseudoVersionTime(v).toISOString();
    expect(got, `pseudoVersionTime(${q(v)}) = ${got}, want ${want}`).toBe(want);
  });

  test.each([
    'v0.0.0-19000229000000-abc',
    'v0.0.0-20060431000000-abc',
    'v0.0.0-20060100000000-abc',
    'v0.0.0-20060101006000-abc',
    'v0.0.0-20060101000060-abc',
  ])('pseudoVersionTime(%j) fails: malformed time', (v) => {
    expect(errOf(() => pseudoVersionTime(v))).toMatch(/invalid: malformed time "\d{14}"$/);
  });
});

describe('pseudoVersion', () => {
  test('formats the time in UTC', () => {
    const t = new Date('9999-12-31T23:59:59+05:00');
    expect(pseudoVersion('v1', '', t, 'abc')).toBe('v1.0.0-99991231185959-abc');
  });
});
