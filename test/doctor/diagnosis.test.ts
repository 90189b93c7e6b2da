/**
 * doctor's pure diagnosis, as tables: percentiles, the suggested GOPROXY
 * and its separator, how a GOPROXY chain is described, which pattern routed
 * a module.
 */
import { describe, expect, test } from 'vitest';
import { parseGoProxy } from '../../src/gomod/goenv.js';
import { describeChain, matchingPattern } from '../../src/doctor/routing.js';
import { percentile, probeRow, suggestGoproxy } from '../../src/doctor/suggestion.js';

describe('percentile (nearest rank)', () => {
  test.each<[number[], number, number | null]>([
    [[], 50, null],
    [[5], 99, 5],
    [[1, 2, 3, 4], 50, 2],
    [[4, 3, 2, 1], 90, 4],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
  ])('percentile(%j, %d) = %j', (values, p, want) => {
    expect(percentile(values, p)).toBe(want);
  });
});

describe('suggestGoproxy', () => {
  const fast = probeRow('https://fast.example', [10, 12, 11, 10], []);
  const slow = probeRow('https://slow.example', [300, 310, 320, 330], []);
  const flaky = probeRow('https://flaky.example', [5, 5], ['timeout', '502']);
  const dead = probeRow('https://dead.example', [], ['dns', 'dns']);
  test.each<[string, Parameters<typeof suggestGoproxy>, string | null]>([
    ['fastest first, "," when none failed', [[slow, fast], undefined], 'https://fast.example,https://slow.example'],
    ['reliable before fast, "|" when one failed', [[flaky, fast], undefined], 'https://fast.example|https://flaky.example'],
    ['a proxy no request reached is left out', [[dead, slow], undefined], 'https://slow.example'],
    ['direct kept when it works', [[fast], 'ok'], 'https://fast.example,direct'],
    ['direct dropped when blocked', [[fast], 'blocked'], 'https://fast.example'],
    ['nothing to suggest', [[dead], undefined], null],
  ])('%s', (_name, args, want) => {
    expect(suggestGoproxy(...args)?.goproxy ?? null).toBe(want);
  });
});

describe('routing words', () => {
  test.each([
    ['https://a.example,https://b.example|direct', 'https://a.example, then https://b.example on 404/410, then direct on any error'],
    ['https://u:secret@a.example|off', 'https://a.example, then off on any error'],
  ])('describeChain(%s)', (goproxy, want) => {
    expect(describeChain(parseGoProxy(goproxy))).toBe(want);
  });
  test.each<[string, string, string | undefined]>([
    ['*.corp.example,example.com/private', 'git.corp.example/x/y', '*.corp.example'],
    ['*.corp.example,example.com/private', 'example.com/private/sub', 'example.com/private'],
    ['example.com/a', 'example.com/ab', undefined],
  ])('matchingPattern(%s, %s) = %s', (patterns, path, want) => {
    expect(matchingPattern(patterns, path)).toBe(want);
  });
});
