/**
 * Which credentials go with a request to a module proxy, gobundle beside
 * the go command (Go 1.26, GOAUTH's default netrc): the same .netrc, the
 * same https mirror (a real TLS front on 127.0.0.1 trusted through
 * SSL_CERT_FILE), and the Authorization header each one sent, as the
 * server saw it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readCapped } from '../../src/network/cappedBody.js';
import { HttpTransport } from '../../src/network/httpTransport.js';
import { networkSettings } from '../../src/network/networkSettings.js';
import { startServer, type ScriptedServer } from '../proxy/scriptedServer.js';
import { goBinary, hermeticGoEnv, runGoAsync } from '../support/gotool.js';
import { testCerts } from '../support/testCerts.js';
import { startTlsFront, type TlsFront } from '../support/tlsFront.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-goauth-'));
let server: ScriptedServer;
let tls: TlsFront;
/** The Authorization header of every .info request, in order. */
const seen: string[] = [];

beforeAll(async () => {
  server = await startServer();
  server.route('/example.com/m/@v/v1.0.0.info', (req, res) => {
    seen.push(req.headers.authorization ?? 'none');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"Version":"v1.0.0"}');
  });
  tls = await startTlsFront(Number(new URL(server.url).port), testCerts().mirror);
});
afterAll(async () => {
  await Promise.all([server.close(), tls.close()]);
  rmSync(work, { recursive: true, force: true });
});

const basic = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;

/** [case, GOAUTH ('' unset), the .netrc machine, whether the mirror is https, what both must send] */
const cases: [string, string, (port: number) => string, boolean, string][] = [
  ['machine host:port, https', '', (p) => `127.0.0.1:${p}`, true, basic],
  ['machine host without the port (golang/go#81253)', '', () => '127.0.0.1', true, 'none'],
  ['GOAUTH=off', 'off', (p) => `127.0.0.1:${p}`, true, 'none'],
  ['GOAUTH=netrc', 'netrc', (p) => `127.0.0.1:${p}`, true, basic],
  ['plain http: never', '', (p) => `127.0.0.1:${p}`, false, 'none'],
];

describe('GOAUTH and .netrc, as the go command sends them', () => {
  test.each(cases)('%s', { timeout: 120_000 }, async (name, goauth, machine, https, want) => {
    const dir = join(work, name.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    const port = https ? tls.port : Number(new URL(server.url).port);
    const mirror = `${https ? 'https' : 'http'}://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'netrc'), `machine ${machine(port)} login alice password s3cret\n`);
    const env = {
      HOME: dir,
      NETRC: join(dir, 'netrc'),
      SSL_CERT_FILE: testCerts().caFile,
      ...(goauth === '' ? {} : { GOAUTH: goauth }),
    };

    seen.length = 0;
    const go = await runGoAsync(goBinary('1.26'), ['mod', 'download', '-json', 'example.com/m@v1.0.0'], {
      cwd: dir,
      env: hermeticGoEnv({ ...env, GOPROXY: mirror, GOSUMDB: 'off', GOMODCACHE: join(dir, 'gomodcache'), GOPATH: join(dir, 'gopath') }),
      timeoutMs: 60_000,
    });
    const goSent = seen[0] ?? `no request (go: ${go.stderr})`;

    seen.length = 0;
    const transport = new HttpTransport({ network: networkSettings(env, goauth === '' ? 'netrc' : goauth) });
    try {
      await transport.get(`${mirror}/example.com/m/@v/v1.0.0.info`, (body, meta) =>
        readCapped(body, 1 << 20, meta.contentLength, () => new Error('large')),
      );
    } finally {
      await transport.close();
    }
    expect({ go: goSent, gobundle: seen[0] }).toEqual({ go: want, gobundle: want });
  });
});
