/**
 * proxyFor against the go command's own rules: every case is also run
 * through net/http's ProxyFromEnvironment (test/network/proxyoracle, built
 * with the real Go), and both must give the written answer.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { proxyEnvironment, proxyFor } from '../../src/network/proxyEnv.js';
import { buildGoProgram, hermeticGoEnv } from '../support/gotool.js';

/** [environment, url, where the request goes: DIRECT, ERROR, or scheme://host:port [user=name]] */
type Case = [Record<string, string>, string, string];

const P = 'http://proxy.corp:3128';
const cases: Case[] = [
  // Which variable applies.
  [{ HTTPS_PROXY: P }, 'https://mirror.example/x', 'http://proxy.corp:3128'],
  [{ HTTPS_PROXY: P }, 'http://mirror.example/x', 'DIRECT'],
  [{ HTTP_PROXY: P }, 'http://mirror.example/x', 'http://proxy.corp:3128'],
  [{ HTTP_PROXY: P }, 'https://mirror.example/x', 'DIRECT'],
  // Lowercase forms, and the uppercase one winning.
  [{ https_proxy: P }, 'https://mirror.example/x', 'http://proxy.corp:3128'],
  [{ http_proxy: P }, 'http://mirror.example/x', 'http://proxy.corp:3128'],
  [{ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' }, 'https://m.example/', 'http://upper:1'],
  [{ HTTPS_PROXY: '', https_proxy: 'http://lower:2' }, 'https://m.example/', 'http://lower:2'],
  // Values without a scheme, default ports, credentials, https and socks5 proxies.
  [{ HTTPS_PROXY: 'proxy.corp:3128' }, 'https://m.example/', 'http://proxy.corp:3128'],
  [{ HTTPS_PROXY: '10.0.0.1:8080' }, 'https://m.example/', 'http://10.0.0.1:8080'],
  [{ HTTPS_PROXY: 'proxy.corp' }, 'https://m.example/', 'http://proxy.corp:80'],
  [{ HTTPS_PROXY: 'https://proxy.corp' }, 'https://m.example/', 'https://proxy.corp:443'],
  [{ HTTPS_PROXY: 'socks5://proxy.corp' }, 'https://m.example/', 'socks5://proxy.corp:1080'],
  [{ HTTPS_PROXY: 'http://alice:s3cret@proxy.corp:3128' }, 'https://m.example/', 'http://proxy.corp:3128 user=alice'],
  [{ HTTPS_PROXY: 'http://[::1]:3128' }, 'https://m.example/', 'http://[::1]:3128'],
  // A value Go cannot parse (a control character: a CR from a CRLF file) is dropped, so the request goes direct;
  // one that parses once `http://` is prepended is used, however odd.
  [{ HTTPS_PROXY: 'http://proxy.corp:3128\r' }, 'https://m.example/', 'DIRECT'],
  [{ HTTPS_PROXY: 'http://proxy corp:3128' }, 'https://m.example/', 'http://http:80'],
  [{ HTTPS_PROXY: 'http://proxy.corp:port' }, 'https://m.example/', 'http://http:80'],
  // Loopback and localhost never go through a proxy.
  [{ HTTPS_PROXY: P, HTTP_PROXY: P }, 'http://127.0.0.1:8080/x', 'DIRECT'],
  [{ HTTPS_PROXY: P, HTTP_PROXY: P }, 'http://127.3.4.5/x', 'DIRECT'],
  [{ HTTPS_PROXY: P, HTTP_PROXY: P }, 'https://[::1]:8443/x', 'DIRECT'],
  [{ HTTPS_PROXY: P, HTTP_PROXY: P }, 'http://localhost:8080/x', 'DIRECT'],
  [{ HTTPS_PROXY: P, HTTP_PROXY: P }, 'http://10.1.2.3/x', 'http://proxy.corp:3128'],
  // NO_PROXY: domains, leading dots and stars, ports, IPs, CIDRs, *, lowercase form, spaces.
  [{ HTTPS_PROXY: P, NO_PROXY: 'corp.example' }, 'https://corp.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: 'corp.example' }, 'https://git.corp.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: 'corp.example' }, 'https://notcorp.example/', 'http://proxy.corp:3128'],
  [{ HTTPS_PROXY: P, NO_PROXY: '.corp.example' }, 'https://corp.example/', 'http://proxy.corp:3128'],
  [{ HTTPS_PROXY: P, NO_PROXY: '.corp.example' }, 'https://git.corp.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: '*.corp.example' }, 'https://git.corp.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: '*.corp.example' }, 'https://corp.example/', 'http://proxy.corp:3128'],
  [{ HTTPS_PROXY: P, NO_PROXY: 'corp.example:8443' }, 'https://corp.example:8443/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: 'corp.example:8443' }, 'https://corp.example/', 'http://proxy.corp:3128'],
  [{ HTTPS_PROXY: P, NO_PROXY: 'corp.example:443' }, 'https://corp.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: 'Corp.Example' }, 'https://CORP.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: ' a.example , corp.example ' }, 'https://corp.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: '10.0.0.0/8' }, 'https://10.20.30.40/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: '10.0.0.0/8' }, 'https://11.0.0.1/', 'http://proxy.corp:3128'],
  [{ HTTPS_PROXY: P, NO_PROXY: '10.1.2.3' }, 'https://10.1.2.3/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: '10.1.2.3:8443' }, 'https://10.1.2.3/', 'http://proxy.corp:3128'],
  [{ HTTPS_PROXY: P, NO_PROXY: '10.1.2.3:8443' }, 'https://10.1.2.3:8443/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: 'fd00::/8' }, 'https://[fd12::1]/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: '[fd00::1]:443' }, 'https://[fd00::1]/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: '*' }, 'https://anything.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: 'a.example,*' }, 'https://b.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, no_proxy: 'corp.example' }, 'https://corp.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: '', no_proxy: 'corp.example' }, 'https://corp.example/', 'DIRECT'],
  [{ HTTPS_PROXY: P, NO_PROXY: 'other.example', no_proxy: 'corp.example' }, 'https://corp.example/', 'http://proxy.corp:3128'],
  // A CGI process refuses HTTP_PROXY (httpoxy), not HTTPS_PROXY.
  [{ HTTP_PROXY: P, REQUEST_METHOD: 'GET' }, 'http://m.example/', 'ERROR'],
  [{ HTTPS_PROXY: P, REQUEST_METHOD: 'GET' }, 'https://m.example/', 'http://proxy.corp:3128'],
];

function ours(env: Record<string, string>, url: string): string {
  const route = proxyFor(proxyEnvironment(env), url);
  if (route.kind === 'direct') return 'DIRECT';
  if (route.kind === 'refused') return 'ERROR';
  const user = route.proxy.username === undefined ? '' : ` user=${route.proxy.username}`;
  return `${route.proxy.display}${user}`;
}

describe('proxyFor', () => {
  test.each(cases)('%j %s → %s', (env, url, want) => {
    expect(ours(env, url), `proxyFor(${JSON.stringify(env)}, ${url})`).toBe(want);
  });

  test('the go command decides every case the same way', { timeout: 120_000 }, () => {
    const bin = buildGoProgram(join(import.meta.dirname, 'proxyoracle'), 'proxyoracle');
    const got: string[] = [];
    const want: string[] = [];
    for (const [env, url, answer] of cases) {
      const res = spawnSync(bin, [url], { env: { PATH: hermeticGoEnv().PATH, ...env }, encoding: 'utf8' });
      expect(res.status, res.stderr).toBe(0);
      const line = res.stdout.trim();
      got.push(`${JSON.stringify(env)} ${url} → ${line.startsWith('ERROR') ? 'ERROR' : line}`);
      want.push(`${JSON.stringify(env)} ${url} → ${answer}`);
    }
    expect(got).toEqual(want);
  });

  test('reasons name the variable or the NO_PROXY entry', () => {
    const cfg = proxyEnvironment({
      https_proxy: 'http://u:pw@proxy.corp:3128',
      no_proxy: 'corp.example',
      HTTP_PROXY: 'http://proxy.corp:3128\r',
    });
    expect(proxyFor(cfg, 'https://m.example/')).toMatchObject({ kind: 'proxy', why: 'https_proxy' });
    expect(proxyFor(cfg, 'https://git.corp.example/')).toEqual({ kind: 'direct', why: 'no_proxy entry "corp.example" matches' });
    expect(proxyFor(cfg, 'https://127.0.0.1/')).toEqual({ kind: 'direct', why: 'loopback addresses are never proxied' });
    expect(proxyFor(cfg, 'http://m.example/')).toEqual({ kind: 'direct', why: 'HTTP_PROXY is not a usable URL, so it is ignored' });
    expect(cfg.ignored).toEqual([{ from: 'HTTP_PROXY', value: 'http://proxy.corp:3128\r', reason: 'not a URL' }]);
  });
});
