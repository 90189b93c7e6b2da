/**
 * What the environment says about the network, read once per run (the
 * .netrc file and certificate files with blocking reads, at start): the
 * outbound proxy variables (proxyEnv.ts), GOAUTH with the .netrc file it
 * reads (goAuth.ts), and the extra trusted roots the go command reads on
 * Linux, SSL_CERT_FILE and SSL_CERT_DIR (crypto/x509). gobundle trusts
 * Node's built-in roots plus those, so a TLS-inspecting company proxy's
 * root certificate goes in one place for the go command and gobundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { GoEnvError, type ProcessEnv } from '../gomod/goenv.js';
import { goAuth, GoAuthSyntaxError, type GoAuth } from './goAuth.js';
import { parseNetrc, type NetrcLine } from './netrc.js';
import { proxyEnvironment, type ProxyEnvironment } from './proxyEnv.js';

export interface NetworkSettings {
  proxies: ProxyEnvironment;
  auth: GoAuth;
  /** The .netrc file GOAUTH=netrc reads ($NETRC, else ~/.netrc), and whether it could be read. */
  netrc: { file: string | undefined; found: boolean; machines: string[]; error?: string };
  /** The trusted roots when SSL_CERT_FILE or SSL_CERT_DIR add some (parsed once, when first needed); undefined: Node's built-in roots. */
  readonly secureContext: SecureContext | undefined;
  /** How many distinct certificates those files added. */
  extraRoots: number;
  /** The files SSL_CERT_FILE and SSL_CERT_DIR contributed certificates from. */
  caFiles: string[];
}

/** Settings that use nothing from the environment: direct connections, no credentials, built-in roots. */
export const NO_NETWORK_SETTINGS: NetworkSettings = {
  proxies: proxyEnvironment({}),
  auth: goAuth('off', []),
  netrc: { file: undefined, found: false, machines: [] },
  secureContext: undefined,
  extraRoots: 0,
  caFiles: [],
};

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificatesIn(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').match(PEM_CERT) ?? [];
  } catch {
    return [];
  }
}

function readNetrcFile(env: ProcessEnv): NetworkSettings['netrc'] & { lines: NetrcLine[] } {
  const home = env.HOME;
  const file =
    env.NETRC !== undefined && env.NETRC !== '' ? env.NETRC : home === undefined || home === '' ? undefined : join(home, '.netrc');
  if (file === undefined) return { file, found: false, machines: [], lines: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { file, found: false, machines: [], lines: [], ...(code === 'ENOENT' ? {} : { error: code ?? String(err) }) };
  }
  const lines = parseNetrc(text);
  return { file, found: true, machines: lines.map((l) => l.machine), lines };
}

/**
 * The network settings of `env`. `goauth` is GOAUTH as the go command
 * resolves it (environment, then the go env file; GoEnv.GOAUTH).
 */
export function networkSettings(env: ProcessEnv, goauth: string): NetworkSettings {
  const { lines, ...netrc } = readNetrcFile(env);
  const caFiles: string[] = [];
  const extra = new Set<string>();
  const add = (file: string): void => {
    const certs = certificatesIn(file);
    if (certs.length === 0) return;
    caFiles.push(file);
    for (const c of certs) extra.add(c);
  };
  if (env.SSL_CERT_FILE !== undefined && env.SSL_CERT_FILE !== '') add(env.SSL_CERT_FILE);
  for (const dir of (env.SSL_CERT_DIR ?? '').split(':').filter((d) => d !== '')) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) add(join(dir, name));
  }
  let auth: GoAuth;
  try {
    auth = goAuth(goauth, lines);
  } catch (err) {
    if (!(err instanceof GoAuthSyntaxError)) throw err;
    throw new GoEnvError(err.message, {
      hint: 'GOAUTH is a ";"-separated list of off, netrc, git <dir> or a command; unset it for the default (netrc)',
    });
  }
  // Built on first use: a pack that makes no TLS connection never parses the roots.
  let context: SecureContext | undefined;
  return {
    proxies: proxyEnvironment(env),
    auth,
    netrc,
    get secureContext(): SecureContext | undefined {
      if (extra.size === 0) return undefined;
      context ??= createSecureContext({ ca: [...new Set([...rootCertificates, ...extra])] });
      return context;
    },
    extraRoots: extra.size,
    caFiles,
  };
}
