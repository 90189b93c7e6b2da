/**
 * TLS material for tests, made with openssl once per process into a
 * temporary directory: a test root CA (trusted only where a test says so,
 * with SSL_CERT_FILE), a server certificate it signs for `mirror.test`,
 * `*.mirror.test` and 127.0.0.1, one it signs for `other.test` only (a
 * wrong host), and a self-signed one (trusted by nothing).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  /** The root CA certificate file (PEM): point SSL_CERT_FILE at it to trust it. */
  caFile: string;
  /** Signed by the CA for mirror.test, *.mirror.test and 127.0.0.1. */
  mirror: { key: string; cert: string };
  /** Signed by the CA for other.test only. */
  other: { key: string; cert: string };
  /** Self-signed, for mirror.test: no root vouches for it. */
  selfSigned: { key: string; cert: string };
}

let made: TestCerts | undefined;

function openssl(args: string[], cwd: string): void {
  const res = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (res.status !== 0)
    throw new Error(`openssl ${args.join(' ')} failed (exit ${res.status}): ${res.stderr}${res.error ? String(res.error) : ''}`);
}

function leaf(dir: string, name: string, cn: string, san: string): { key: string; cert: string } {
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-subj',
      `/CN=${cn}`,
      '-out',
      `${name}.csr`,
    ],
    dir,
  );
  writeFileSync(
    join(dir, `${name}.ext`),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '3650',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.pem`), 'utf8') };
}

export function testCerts(): TestCerts {
  if (made !== undefined) return made;
  const dir = mkdtempSync(join(tmpdir(), 'gobundle-certs-'));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      '/CN=gobundle test root CA/O=gobundle tests',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const mirror = leaf(dir, 'mirror', 'mirror.test', 'DNS:mirror.test,DNS:*.mirror.test,IP:127.0.0.1');
  const other = leaf(dir, 'other', 'other.test', 'DNS:other.test');
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'self.key',
      '-out',
      'self.pem',
      '-days',
      '3650',
      '-subj',
      '/CN=mirror.test/O=self-signed',
      '-addext',
      'subjectAltName=DNS:mirror.test,IP:127.0.0.1',
    ],
    dir,
  );
  made = {
    caFile: join(dir, 'ca.pem'),
    mirror,
    other,
    selfSigned: { key: readFileSync(join(dir, 'self.key'), 'utf8'), cert: readFileSync(join(dir, 'self.pem'), 'utf8') },
  };
  return made;
}
