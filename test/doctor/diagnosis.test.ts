/**
 * doctor's pure diagnosis, as tables: percentiles, the suggested GOPROXY
 * and its separator, how a GOPROXY chain is described, which pattern routed
 * a module.
 */
import { describe, expect, test } from 'vitest';
import { parseGoProxy, resolveGoEnv } from '../../src/gomod/goenv.js';
import { goAuth } from '../../src/network/goAuth.js';
import { proxyEnvironment } from '../../src/network/proxyEnv.js';
import { settingTraps } from '../../src/doctor/traps.js';
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

describe('settingTraps', () => {
  /** The traps of an environment, as `level setting` pairs (the messages are in the golden reports). */
  function trapsOf(env: Record<string, string>, netrc: { machine: string }[] = []): string[] {
    const goEnv = resolveGoEnv(env, new Map());
    const network = {
      proxies: proxyEnvironment(env),
      auth: goAuth(
        goEnv.GOAUTH,
        netrc.map((n) => ({ ...n, login: 'u', password: 'p' })),
      ),
      netrc: { file: '/n', found: netrc.length > 0, machines: netrc.map((n) => n.machine) },
      secureContext: undefined,
      extraRoots: 0,
      caFiles: [],
    };
    const specs = parseGoProxy(goEnv.GOPROXY, goEnv.GONOPROXY);
    const urls = specs.filter((s) => s.kind === 'url').map((s) => s.url ?? '');
    return settingTraps({ env, goEnv, origins: {}, specs, network, urls, modulePaths: [] }).map((t) => `${t.level} ${t.setting}`);
  }
  test.each<[string, Record<string, string>, { machine: string }[], string[]]>([
    ['nothing set', {}, [], []],
    ['GOSUMDB=off', { GOSUMDB: 'off' }, [], ['warning GOSUMDB']],
    ['GOPROXY=off', { GOPROXY: 'off' }, [], ['warning GOPROXY']],
    ['GOPRIVATE=*', { GOPRIVATE: '*' }, [], ['warning GONOSUMDB']],
    ['GOINSECURE=*', { GOINSECURE: '*' }, [], ['warning GOINSECURE']],
    ['two forms that differ', { HTTPS_PROXY: 'http://a:1', https_proxy: 'http://b:2' }, [], ['warning HTTPS_PROXY', 'note HTTPS_PROXY']],
    ['a SOCKS5 proxy', { HTTPS_PROXY: 'socks5://p:1080' }, [], ['warning HTTPS_PROXY', 'note HTTPS_PROXY']],
    ['GOAUTH with a command', { GOAUTH: 'netrc;/usr/bin/creds' }, [], ['warning GOAUTH']],
    ['a .netrc machine without the port', { GOPROXY: 'https://m.example:8443' }, [{ machine: 'm.example' }], ['warning .netrc']],
    ['a .netrc machine with the port', { GOPROXY: 'https://m.example:8443' }, [{ machine: 'm.example:8443' }], []],
    [
      'NO_PROXY exempts the mirror',
      { GOPROXY: 'https://m.example', HTTPS_PROXY: 'http://p:1', NO_PROXY: 'm.example' },
      [],
      ['note NO_PROXY'],
    ],
  ])('%s', (_name, env, netrc, want) => {
    expect(trapsOf(env, netrc)).toEqual(want);
  });
});
