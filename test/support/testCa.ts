/**
 * A throwaway certificate authority for the TLS tests, made with openssl:
 * a CA, and leaf certificates it signs for serve — valid for 127.0.0.1, for
 * another host only, or expired (openssl ca with explicit dates).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCa {
  dir: string;
  caCert: string;
  /** Make a key and a certificate signed by the CA; returns their paths. */
  leaf(name: string, opts: { san: string; startDate?: string; endDate?: string }): { cert: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

export function makeTestCa(dir: string): TestCa {
  mkdirSync(join(dir, 'issued'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]
default_ca = test
[test]
dir = ${dir}
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir/issued
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
`,
  );
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3',
      '-subj',
      '/CN=gobundle test CA',
    ],
    dir,
  );
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    leaf(name, opts) {
      const key = join(dir, `${name}.key`);
      const cert = join(dir, `${name}.pem`);
      openssl(
        [
          'req',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          key,
          '-out',
          `${name}.csr`,
          '-subj',
          `/CN=${name}`,
        ],
        dir,
      );
      writeFileSync(
        join(dir, `${name}.ext`),
        `[leaf]\nsubjectAltName = ${opts.san}\nextendedKeyUsage = serverAuth\nbasicConstraints = CA:FALSE\n`,
      );
      openssl(
        [
          'ca',
          '-batch',
          '-config',
          'ca.cnf',
          '-in',
          `${name}.csr`,
          '-out',
          cert,
          '-notext',
          '-extfile',
          `${name}.ext`,
          '-extensions',
          'leaf',
          ...(opts.startDate ? ['-startdate', opts.startDate] : []),
          ...(opts.endDate ? ['-enddate', opts.endDate] : ['-days', '2']),
        ],
        dir,
      );
      return { cert, key };
    },
  };
}
