/** The tables of cmd/go internal/gover's gover_test.go and toolchain_test.go, plus toolchainFor. */
import { describe, expect, test } from 'vitest';
import {
  compare,
  fromToolchain,
  isLang,
  isPrerelease,
  isValid,
  lang,
  max,
  maybeToolchainVersion,
  toolchainFor,
} from '../../src/toolchain/gover.js';

const q = JSON.stringify;

const COMPARE: [string, string, number][] = [
  ['', '', 0],
  ['x', 'x', 0],
  ['', 'x', 0],
  ['1', '1.1', -1],
  ['1.5', '1.6', -1],
  ['1.5', '1.10', -1],
  ['1.6', '1.6.1', -1],
  ['1.19', '1.19.0', 0],
  ['1.19rc1', '1.19', -1],
  ['1.20', '1.20.0', 0],
  ['1.20rc1', '1.20', -1],
  ['1.21', '1.21.0', -1],
  ['1.21', '1.21rc1', -1],
  ['1.21rc1', '1.21.0', -1],
  ['1.6', '1.19', -1],
  ['1.19', '1.19.1', -1],
  ['1.19rc1', '1.19', -1],
  ['1.19rc1', '1.19.1', -1],
  ['1.19rc1', '1.19rc2', -1],
  ['1.19.0', '1.19.1', -1],
  ['1.19rc1', '1.19.0', -1],
  ['1.19alpha3', '1.19beta2', -1],
  ['1.19beta2', '1.19rc1', -1],
  ['1.1', '1.99999999999999998', -1],
  ['1.99999999999999998', '1.99999999999999999', -1],
];

describe('compare (gover.Compare)', () => {
  test.each(COMPARE)('compare(%j, %j)', (x, y, want) => {
    expect(compare(x, y), `compare(${q(x)}, ${q(y)})`).toBe(want);
    expect(compare(y, x), `compare(${q(y)}, ${q(x)})`).toBe(want === 0 ? 0 : -want);
  });
});

test.each<[string, string, string]>([
  ['1.21', '1.21.0', '1.21.0'],
  ['1.22.12', '1.22', '1.22.12'],
  ['1.20', '1.20.0', '1.20'],
  ['x', '1.2', '1.2'],
])('max(%j, %j) = %j', (x, y, want) => {
  expect(max(x, y), `max(${q(x)}, ${q(y)})`).toBe(want);
});

test.each<[string, string]>([
  ['1.2rc3', '1.2'],
  ['1.2.3', '1.2'],
  ['1.2', '1.2'],
  ['1', '1'],
  ['1.999testmod', '1.999'],
])('lang(%j) = %j', (x, want) => {
  expect(lang(x), `lang(${q(x)})`).toBe(want);
});

test.each<[string, boolean]>([
  ['1.2rc3', false],
  ['1.2.3', false],
  ['1.999testmod', false],
  ['1.22', true],
  ['1.21', true],
  ['1.20', false],
  ['1.19', false],
  ['1.3', false],
  ['1.2', false],
  ['1', false],
  ['', false],
])('isLang(%j) = %j', (x, want) => {
  expect(isLang(x), `isLang(${q(x)})`).toBe(want);
});

test.each<[string, boolean]>([
  ['1.2rc3', true],
  ['1.2.3', true],
  ['1.999testmod', true],
  ['1.600+auto', false],
  ['1.22', true],
  ['1.21.0', true],
  ['1.21rc2', true],
  ['1.21', true],
  ['1.20.0', true],
  ['1.20', true],
  ['1.19', true],
  ['1.3', true],
  ['1.2', true],
  ['1', true],
  ['go1.21', false],
  ['1.21.3rc1', false],
  ['01.2', false],
  ['1.02', false],
])('isValid(%j) = %j', (x, want) => {
  expect(isValid(x), `isValid(${q(x)})`).toBe(want);
});

test.each<[string, boolean]>([
  ['1.22rc1', true],
  ['1.22beta2', true],
  ['1.22', false],
  ['1.22.0', false],
])('isPrerelease(%j) = %j', (x, want) => {
  expect(isPrerelease(x), `isPrerelease(${q(x)})`).toBe(want);
});

test.each<[string, string]>([
  ['go1.2.3', '1.2.3'],
  ['go1.2.3-bigcorp', '1.2.3'],
  ['go1.2.3 extra', '1.2.3'],
  ['go1.22', '1.22'],
  ['go1.21rc1', '1.21rc1'],
  ['invalid', ''],
  ['1.2.3', ''],
  ['go', ''],
  ['go1.2.3/../x', ''],
  ['goX', ''],
])('fromToolchain(%j) = %j', (x, want) => {
  expect(fromToolchain(x), `fromToolchain(${q(x)})`).toBe(want);
});

test.each<[string, string]>([
  ['1.21.0', '1.21.0'],
  ['go1.21.0', '1.21.0'],
  ['default', ''],
])('maybeToolchainVersion(%j) = %j', (x, want) => {
  expect(maybeToolchainVersion(x), `maybeToolchainVersion(${q(x)})`).toBe(want);
});

test.each<[string, string]>([
  ['1.22', 'go1.22.0'],
  ['1.21', 'go1.21.0'],
  ['1.22.12', 'go1.22.12'],
  ['1.22rc1', 'go1.22rc1'],
  ['1.20', 'go1.20'],
  ['1.19', 'go1.19'],
])('toolchainFor(%j) = %j', (x, want) => {
  expect(toolchainFor(x), `toolchainFor(${q(x)})`).toBe(want);
});
