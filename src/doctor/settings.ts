/**
 * The settings pack reads, with their effective values and where each came
 * from, as doctor prints them. Pure: the edge (runDoctor.ts) has read the
 * environment, the go env file and the .netrc, and passes them in.
 */
import { GO_SETTINGS, type GoEnv, type ProcessEnv } from '../gomod/goenv.js';
import type { NetworkSettings } from '../network/networkSettings.js';
import type { ProxyVar } from '../network/proxyEnv.js';
import type { SettingLine } from './report.js';

export interface SettingsInput {
  env: ProcessEnv;
  goEnv: GoEnv;
  /** Where each Go setting came from, in words (describeOrigin of loadGoConfig's origins). */
  origins: Readonly<Record<string, string>>;
  network: NetworkSettings;
  /** The go env file consulted (undefined with GOENV=off or no config directory), and whether it exists. */
  envFile: { path: string | undefined; exists: boolean };
  /** The vulnerability database pack would read, and who named it. */
  vulndb: { url: string; from: string } | undefined;
}

/** A proxy URL for display: credentials replaced by a mark that they are there. */
export function showProxyValue(value: string): string {
  return value.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#@]*@/, '$1***@');
}

function proxyVarLine(name: string, v: ProxyVar): SettingLine {
  if (v.value === '') return { name, value: '', origin: 'unset' };
  return { name, value: showProxyValue(v.value), origin: v.from === name ? 'the environment' : `the environment, as ${v.from}` };
}

export function settingLines(input: SettingsInput): SettingLine[] {
  const { goEnv, origins, network, env } = input;
  const lines: SettingLine[] = [];
  for (const name of GO_SETTINGS) {
    let origin = origins[name] ?? 'its default';
    if ((name === 'GONOPROXY' || name === 'GONOSUMDB') && origin === 'its default' && goEnv.GOPRIVATE !== '')
      origin = 'its default: GOPRIVATE';
    lines.push({ name, value: goEnv[name], origin });
  }
  lines.push(
    input.vulndb === undefined
      ? { name: 'GOVULNDB', value: 'off', origin: env.GOVULNDB === 'off' ? 'the environment' : '--no-vulndb' }
      : {
          name: 'GOVULNDB',
          value: input.vulndb.url,
          origin:
            input.vulndb.from === 'default' ? 'its default' : input.vulndb.from === 'GOVULNDB' ? 'the environment' : input.vulndb.from,
        },
  );
  lines.push(proxyVarLine('HTTPS_PROXY', network.proxies.https));
  lines.push(proxyVarLine('HTTP_PROXY', network.proxies.http));
  lines.push(proxyVarLine('NO_PROXY', network.proxies.noProxy));
  const goenvSet = env.GOENV !== undefined && env.GOENV !== '';
  lines.push({
    name: 'GOENV',
    value: input.envFile.path ?? 'off',
    origin: goenvSet ? 'the environment' : 'its default',
    ...(input.envFile.path === undefined ? {} : { note: input.envFile.exists ? 'the go env file: read' : 'the go env file: not present' }),
  });
  const netrc = network.netrc;
  lines.push({
    name: '.netrc',
    value: netrc.file ?? '',
    origin: env.NETRC !== undefined && env.NETRC !== '' ? 'NETRC' : 'its default, $HOME/.netrc',
    note:
      netrc.error !== undefined
        ? `cannot be read: ${netrc.error}`
        : !netrc.found
          ? 'not present'
          : `machines: ${netrc.machines.length === 0 ? 'none' : netrc.machines.join(', ')}${network.auth.netrc ? '' : ' (not used: GOAUTH has no netrc)'}`,
  });
  const certs = [env.SSL_CERT_FILE ?? '', env.SSL_CERT_DIR ?? ''].filter((v) => v !== '').join(' ');
  lines.push({
    name: 'SSL_CERT_FILE',
    value: certs,
    origin: certs === '' ? 'unset' : 'the environment',
    note:
      network.caFiles.length === 0
        ? 'trusted roots: the built-in ones'
        : `trusted roots: the built-in ones and ${network.extraRoots} from ${network.caFiles.length === 1 ? network.caFiles[0] : `${network.caFiles.length} files`}`,
  });
  return lines;
}
