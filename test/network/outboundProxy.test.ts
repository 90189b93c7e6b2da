/**
 * Every request through a company's outbound proxy, as the go command
 * sends it: a real forward proxy on 127.0.0.1 (test/support/forwardProxy.ts)
 * that alone can resolve `mirror.test`, a real HTTP server behind it, and a
 * real TLS front for https. Both variable forms, NO_PROXY, CONNECT for
 * https, 407, a proxy that is down or refuses, and TLS failures: each with
 * its whole message, naming the proxy where the proxy is the problem.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { GobundleError } from '../../src/errors.js';
import { HttpTransport } from '../../src/network/httpTransport.js';
import { networkSettings } from '../../src/network/networkSettings.js';
import { readCapped } from '../../src/network/cappedBody.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { closedPort, unresolvable } from '../support/netFaults.js';
import { testCerts } from '../support/testCerts.js';
import { startTlsFront, type TlsFront } from '../support/tlsFront.js';
import { ok, startServer, type ScriptedServer } from '../proxy/scriptedServer.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-outbound-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let mirror: ScriptedServer;
let tls: TlsFront;
let wrongHost: TlsFront;
let selfSigned: TlsFront;
let proxy: ForwardProxy;
const transports: HttpTransport[] = [];

beforeAll(async () => {
  mirror = await startServer();
  mirror.route('/m/@v/list', ok('v1.0.0\n'));
  const certs = testCerts();
  const port = Number(new URL(mirror.url).port);
  tls = await startTlsFront(port, certs.mirror);
  wrongHost = await startTlsFront(port, certs.other);
  selfSigned = await startTlsFront(port, certs.selfSigned);
});
afterAll(async () => {
  await Promise.all([mirror.close(), tls.close(), wrongHost.close(), selfSigned.close()]);
});
beforeEach(async () => {
  proxy = await startForwardProxy();
  proxy.hosts.set('mirror.test', { host: '127.0.0.1', port: Number(new URL(mirror.url).port) });
  proxy.hosts.set('secure.mirror.test', { host: '127.0.0.1', port: tls.port });
  proxy.hosts.set('wrong.mirror.test', { host: '127.0.0.1', port: wrongHost.port });
  proxy.hosts.set('self.mirror.test', { host: '127.0.0.1', port: selfSigned.port });
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await proxy.close();
});

/** A transport reading `env` as pack does, retrying twice quickly. */
function transport(env: Record<string, string>): HttpTransport {
  const t = new HttpTransport({
    network: networkSettings({ HOME: work, ...env }, 'off'),
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    connectTimeoutMs: 5_000,
  });
  transports.push(t);
  return t;
}

async function list(t: HttpTransport, url: string): Promise<string> {
  return (await t.get(url, (body, meta) => readCapped(body, 1 << 20, meta.contentLength, () => new Error('too large')))).toString();
}

/** The failure of a request: class, code, message and hint. */
async function failure(p: Promise<unknown>): Promise<{ kind: string; code: string; message: string; hint: string | undefined }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GobundleError) return { kind: err.constructor.name, code: err.code, message: err.message, hint: err.hint };
    throw err;
  }
  throw new Error('expected a failure');
}

describe('through the outbound proxy', () => {
  test.each([
    ['HTTP_PROXY', 'http'],
    ['http_proxy', 'http'],
  ])('%s carries http requests in absolute form', async (variable) => {
    const t = transport({ [variable]: proxy.url });
    expect(await list(t, 'http://mirror.test/m/@v/list')).toBe('v1.0.0\n');
    expect(proxy.log).toEqual([{ method: 'GET', target: 'http://mirror.test/m/@v/list', auth: 'none', status: 200 }]);
    expect(t.describeRoute('http://mirror.test/')).toBe(
      `through the outbound proxy ${proxy.url} (from ${variable}), as the go command would`,
    );
  });

  test.each(['HTTPS_PROXY', 'https_proxy'])('%s carries https requests through CONNECT', async (variable) => {
    const t = transport({ [variable]: proxy.url, SSL_CERT_FILE: testCerts().caFile });
    expect(await list(t, 'https://secure.mirror.test/m/@v/list')).toBe('v1.0.0\n');
    expect(proxy.log).toEqual([{ method: 'CONNECT', target: 'secure.mirror.test:443', auth: 'none', status: 200 }]);
  });

  test('HTTPS_PROXY is not used for http, HTTP_PROXY not for https', async () => {
    const t = transport({ HTTPS_PROXY: proxy.url });
    expect(await failure(list(t, 'http://mirror.test/m/@v/list'))).toMatchObject({
      kind: 'NetworkError',
      message: `reading http://mirror.test/m/@v/list: ${await unresolvable('mirror.test', 2)}`,
    });
    expect(proxy.log).toEqual([]);
  });

  test('NO_PROXY sends a matching host directly (and it does not resolve here); other hosts still go through', async () => {
    const t = transport({ HTTP_PROXY: proxy.url, NO_PROXY: 'other.example,.test' });
    expect(await failure(list(t, 'http://mirror.test/m/@v/list'))).toMatchObject({
      kind: 'NetworkError',
      code: 'ENETWORK',
      message: `reading http://mirror.test/m/@v/list: ${await unresolvable('mirror.test', 2)}`,
    });
    expect(t.describeRoute('http://mirror.test/')).toBe('directly, as the go command would: NO_PROXY entry ".test" matches');
    const u = transport({ HTTP_PROXY: proxy.url, no_proxy: 'other.example' });
    expect(await list(u, 'http://mirror.test/m/@v/list')).toBe('v1.0.0\n');
  });

  test('loopback is never proxied', async () => {
    const t = transport({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    expect(await list(t, `${mirror.url}/m/@v/list`)).toBe('v1.0.0\n');
    expect(proxy.log).toEqual([]);
  });
});

describe('a proxy that wants credentials', () => {
  beforeEach(async () => {
    await proxy.close();
    proxy = await startForwardProxy({ credentials: { user: 'alice', password: 's3cret' } });
    proxy.hosts.set('mirror.test', { host: '127.0.0.1', port: Number(new URL(mirror.url).port) });
    proxy.hosts.set('secure.mirror.test', { host: '127.0.0.1', port: tls.port });
  });

  test('407 on CONNECT names the proxy and where to put credentials', async () => {
    const t = transport({ HTTPS_PROXY: proxy.url, SSL_CERT_FILE: testCerts().caFile });
    expect(await failure(list(t, 'https://secure.mirror.test/m/@v/list'))).toEqual({
      kind: 'ProxyAuthError',
      code: 'EPROXYAUTH',
      message:
        `reading https://secure.mirror.test/m/@v/list: the outbound proxy ${proxy.url} (from HTTPS_PROXY) answered CONNECT secure.mirror.test:443 ` +
        'with 407 Proxy Authentication Required\n\tproxy response: proxy credentials required',
      hint: `the proxy wants credentials: set HTTPS_PROXY to http://USER:PASSWORD@127.0.0.1:${proxy.port} (the go command reads them there too; gobundle never prints them)`,
    });
  });

  test('407 on a plain http request', async () => {
    const t = transport({ HTTP_PROXY: proxy.url });
    expect(await failure(list(t, 'http://mirror.test/m/@v/list'))).toMatchObject({
      kind: 'ProxyAuthError',
      code: 'EPROXYAUTH',
      message: `reading http://mirror.test/m/@v/list: the outbound proxy ${proxy.url} (from HTTP_PROXY) answered 407 Proxy Authentication Required`,
    });
  });

  test('credentials in the proxy URL are sent, and never printed', async () => {
    const withCreds = proxy.url.replace('http://', 'http://alice:s3cret@');
    const t = transport({ HTTPS_PROXY: withCreds, HTTP_PROXY: withCreds, SSL_CERT_FILE: testCerts().caFile });
    expect(await list(t, 'https://secure.mirror.test/m/@v/list')).toBe('v1.0.0\n');
    expect(await list(t, 'http://mirror.test/m/@v/list')).toBe('v1.0.0\n');
    expect(proxy.log.map((e) => [e.method, e.auth, e.status])).toEqual([
      ['CONNECT', 'ok', 200],
      ['GET', 'ok', 200],
    ]);
    const wrong = transport({ HTTPS_PROXY: proxy.url.replace('http://', 'http://alice:wrong@'), SSL_CERT_FILE: testCerts().caFile });
    const f = await failure(list(wrong, 'https://secure.mirror.test/m/@v/list'));
    expect(f).toMatchObject({
      kind: 'ProxyAuthError',
      hint: 'the proxy refused the user name and password given in HTTPS_PROXY: check them (gobundle never prints them)',
    });
    expect(JSON.stringify(f)).not.toMatch(/alice|wrong|s3cret/);
  });
});

describe('a proxy that fails', () => {
  test('down: named as the proxy, not the mirror', async () => {
    const port = await closedPort();
    const t = transport({ HTTPS_PROXY: `http://127.0.0.1:${port}` });
    expect(await failure(list(t, 'https://secure.mirror.test/m/@v/list'))).toEqual({
      kind: 'ProxyUnreachableError',
      code: 'EPROXYUNREACHABLE',
      message: `reading https://secure.mirror.test/m/@v/list: cannot reach the outbound proxy http://127.0.0.1:${port} (from HTTPS_PROXY): connection refused (gave up after 2 attempts)`,
      hint:
        `gobundle sends this request through http://127.0.0.1:${port} because HTTPS_PROXY is set, as the go command would; check that the proxy runs ` +
        'and this machine can reach it, or unset HTTPS_PROXY (or list the host in NO_PROXY) if this machine connects directly',
    });
  });

  test('refusing a host (403 with a reason)', async () => {
    proxy.deny.add('mirror.test');
    const t = transport({ HTTPS_PROXY: proxy.url });
    expect(await failure(list(t, 'https://mirror.test/m/@v/list'))).toEqual({
      kind: 'ProxyRefusedError',
      code: 'EPROXYREFUSED',
      message: `reading https://mirror.test/m/@v/list: the outbound proxy ${proxy.url} (from HTTPS_PROXY) refused CONNECT mirror.test:443: 403 Forbidden\n\tproxy response: blocked by policy: mirror.test`,
      hint: 'the proxy does not allow mirror.test:443: ask its operators to allow it, or list the host in NO_PROXY if this machine can reach it directly',
    });
  });

  test('unable to reach the host itself (502)', async () => {
    const t = transport({ HTTPS_PROXY: proxy.url });
    expect(await failure(list(t, 'https://nowhere.test/m/@v/list'))).toEqual({
      kind: 'ProxyRefusedError',
      code: 'EPROXYREFUSED',
      message: `reading https://nowhere.test/m/@v/list: the outbound proxy ${proxy.url} (from HTTPS_PROXY) refused CONNECT nowhere.test:443: 502 Bad Gateway\n\tproxy response: cannot resolve nowhere.test`,
      hint: "the proxy could not reach nowhere.test:443 itself: check the host name, or ask the proxy's operators whether it may connect there",
    });
  });
});

describe('TLS', () => {
  test('an untrusted certificate names its issuer and SSL_CERT_FILE', async () => {
    const t = transport({ HTTPS_PROXY: proxy.url });
    expect(await failure(list(t, 'https://secure.mirror.test/m/@v/list'))).toEqual({
      kind: 'TlsError',
      code: 'ETLS',
      message:
        'reading https://secure.mirror.test/m/@v/list: TLS: the certificate of secure.mirror.test:443 (CN=mirror.test, issued by CN=gobundle test root CA, O=gobundle tests) ' +
        'is not trusted: it is signed by an unknown authority',
      hint:
        'if this network inspects TLS (a company proxy that re-signs connections), put its root certificate in a PEM file and set SSL_CERT_FILE to it ' +
        '(the go command reads SSL_CERT_FILE too); otherwise something between this machine and the server is intercepting the connection',
    });
  });

  test('a self-signed certificate', async () => {
    const t = transport({ HTTPS_PROXY: proxy.url, SSL_CERT_FILE: testCerts().caFile });
    expect((await failure(list(t, 'https://self.mirror.test/m/@v/list'))).message).toBe(
      'reading https://self.mirror.test/m/@v/list: TLS: the certificate of self.mirror.test:443 (CN=mirror.test, O=self-signed, issued by CN=mirror.test, O=self-signed) is not trusted: it is self-signed',
    );
  });

  test('a certificate for another host', async () => {
    const t = transport({ HTTPS_PROXY: proxy.url, SSL_CERT_FILE: testCerts().caFile });
    expect(await failure(list(t, 'https://wrong.mirror.test/m/@v/list'))).toEqual({
      kind: 'TlsError',
      code: 'ETLS',
      message:
        'reading https://wrong.mirror.test/m/@v/list: TLS: the certificate presented for wrong.mirror.test:443 is for CN=other.test ' +
        '(issued by CN=gobundle test root CA, O=gobundle tests), not for this host name',
      hint: 'use the host name the server has a certificate for; a proxy or load balancer on the way may be presenting its own certificate',
    });
  });

  test('direct (no proxy), trusted through SSL_CERT_FILE', async () => {
    const t = transport({ SSL_CERT_FILE: testCerts().caFile });
    expect(await list(t, `https://127.0.0.1:${tls.port}/m/@v/list`)).toBe('v1.0.0\n');
    writeFileSync(join(work, 'empty.pem'), '');
    const u = transport({ SSL_CERT_FILE: join(work, 'empty.pem') });
    expect((await failure(list(u, `https://127.0.0.1:${tls.port}/m/@v/list`))).kind).toBe('TlsError');
  });
});
