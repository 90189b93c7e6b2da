/** serve --auth's pure parts: the file, the hashes, the authorizer and the throttle. */
import { describe, expect, test } from 'vitest';
import { parseAuthFile, withEntry } from '../../src/auth/authFile.js';
import { Authorizer } from '../../src/auth/authorizer.js';
import { hashPassword, tokenDigest } from '../../src/auth/credentials.js';
import { FailureThrottle } from '../../src/auth/throttle.js';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the --auth file', () => {
  test('passwd adds, replaces and keeps comments; the file parses back', () => {
    const a = withEntry('', { kind: 'user', name: 'alice', hash: hashPassword('first-password') });
    expect(a.replaced).toBe(false);
    const b = withEntry(a.text, { kind: 'token', name: 'ci', digest: tokenDigest('tok') });
    const c = withEntry(b.text, { kind: 'user', name: 'alice', hash: hashPassword('second-password') });
    expect(c.replaced).toBe(true);
    const lines = c.text.split('\n');
    expect(lines[0]).toMatch(/^# gobundle serve --auth: /);
    expect(lines.slice(1).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['user alice', 'token ci', '']);
    expect(parseAuthFile('users.auth', c.text).map((e) => `${e.kind} ${e.name}`)).toEqual(['user alice', 'token ci']);
  });

  test.each([
    ['user alice', 'users.auth:1:1: want "user NAME HASH" or "token NAME HASH"'],
    ['user al:ice scrypt$1', 'users.auth:1:6: malformed name "al:ice"'],
    ['token ci sha256$abc', 'users.auth:1:10: ci: want sha256$<64 hex digits>'],
    ['user bob scrypt$3$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==', 'users.auth:1:10: bob: scrypt N 3: want a power of 2 up to 1048576'],
  ])('%s is refused', (line, message) => {
    expect(() => parseAuthFile('users.auth', `${line}\n`)).toThrow(message);
  });
});

describe('the authorizer', () => {
  const auth = new Authorizer([
    { kind: 'user', name: 'alice', hash: hashPassword('alice-password') },
    { kind: 'token', name: 'ci', digest: tokenDigest('the-token') },
  ]);
  test.each([
    ['a good password', basic('alice', 'alice-password'), { ok: true, name: 'alice' }],
    ['a wrong password', basic('alice', 'nope'), { ok: false, reason: 'rejected' }],
    ['an unknown user', basic('mallory', 'alice-password'), { ok: false, reason: 'rejected' }],
    ['a bearer token', 'Bearer the-token', { ok: true, name: 'ci' }],
    ['a token as a .netrc password', basic('ci', 'the-token'), { ok: true, name: 'ci' }],
    ["a token under another's name", basic('alice', 'the-token'), { ok: false, reason: 'rejected' }],
    ['a wrong token', 'Bearer other', { ok: false, reason: 'rejected' }],
    ['nothing', undefined, { ok: false, reason: 'missing' }],
    ['another scheme', 'Digest x', { ok: false, reason: 'malformed' }],
  ])('%s', async (_name, header, want) => {
    expect(await auth.check(header)).toEqual(want);
  });
  test('a verified header is answered at once the next time', async () => {
    await auth.check(basic('alice', 'alice-password'));
    expect(auth.check(basic('alice', 'alice-password'))).toEqual({ ok: true, name: 'alice' });
  });
});

describe('the throttle', () => {
  test('a burst, then Retry-After until a failure is earned back', () => {
    let now = 0;
    const t = new FailureThrottle(3, () => now);
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterMs('10.0.0.1')).toBe(0);
      t.failed('10.0.0.1');
    }
    expect(t.retryAfterMs('10.0.0.1')).toBe(20_000);
    expect(t.retryAfterMs('10.0.0.2')).toBe(0);
    now = 20_000;
    expect(t.retryAfterMs('10.0.0.1')).toBe(0);
  });
});
