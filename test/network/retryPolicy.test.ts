import { describe, expect, test } from 'vitest';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  isTransientError,
  nextDelay,
  retryAfterMs,
} from '../../src/network/retryPolicy.js';

describe('isRetryableStatus', () => {
  const cases: Array<[number, boolean]> = [
    [200, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [410, false],
    [408, true],
    [429, true],
    [500, true],
    [501, false],
    [502, true],
    [503, true],
    [504, true],
    [505, false],
    [599, true],
  ];
  test.each(cases)('isRetryableStatus(%i) = %s', (status, want) => {
    expect(isRetryableStatus(status)).toBe(want);
  });
});

describe('isTransientError', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['ECONNRESET', Object.assign(new Error('x'), { code: 'ECONNRESET' }), true],
    ['ECONNREFUSED in cause', new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }), true],
    ['undici headers timeout', Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), true],
    ['undici socket', Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }), true],
    ['ENOTFOUND (no such host)', Object.assign(new Error('x'), { code: 'ENOTFOUND' }), false],
    ['ENOSPC', Object.assign(new Error('x'), { code: 'ENOSPC' }), false],
    ['plain error', new Error('x'), false],
    ['not an error', 'ECONNRESET', false],
  ];
  test.each(cases)('isTransientError(%s) = %s', (_name, err, want) => {
    expect(isTransientError(err)).toBe(want);
  });
});

describe('backoff', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
  const cases: Array<{ retry: number; random: number; want: number }> = [
    { retry: 0, random: 0, want: 50 },
    { retry: 0, random: 0.999999, want: 100 },
    { retry: 1, random: 0, want: 100 },
    { retry: 2, random: 0.5, want: 300 },
    { retry: 3, random: 0, want: 400 },
    { retry: 4, random: 0, want: 500 },
    { retry: 10, random: 0.5, want: 750 },
  ];
  test.each(cases)('backoffDelay(retry $retry, random $random) = $want', ({ retry, random, want }) => {
    expect(backoffDelay(policy, retry, () => random)).toBe(want);
  });

  const after: Array<{ retryAfter: number | undefined; want: number }> = [
    { retryAfter: undefined, want: 50 },
    { retryAfter: 10, want: 50 },
    { retryAfter: 2000, want: 2000 },
    { retryAfter: 60_000, want: 5000 },
  ];
  test.each(after)('nextDelay with Retry-After $retryAfter = $want', ({ retryAfter, want }) => {
    expect(nextDelay(policy, 0, retryAfter, () => 0)).toBe(want);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  const cases: Array<[string | undefined, number | undefined]> = [
    [undefined, undefined],
    ['0', 0],
    ['2', 2000],
    [' 3 ', 3000],
    ['Mon, 01 Jan 2024 00:00:05 GMT', 5000],
    ['Sun, 31 Dec 2023 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['1.5', undefined],
  ];
  test.each(cases)('retryAfterMs(%j) = %s', (header, want) => {
    expect(retryAfterMs(header, now)).toBe(want);
  });
});
