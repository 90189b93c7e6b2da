/**
 * The traps the firewall guides spend chapters on, found in the settings
 * (and, for two of them, in how the servers answered): GO111MODULE=off,
 * GOSUMDB=off, GOFLAGS=-insecure, GOPROXY=off, a proxy variable that does
 * not apply or is ignored, ALL_PROXY (curl reads it; Go does not), GOAUTH
 * methods gobundle does not run, a .netrc machine without the port the
 * proxy URL has, patterns that exempt every module, and after the checks:
 * `,direct` where direct cannot work, and `,` where `|` was meant. Pure.
 */
import { redactUrl, type GoEnv, type ProcessEnv, type ProxySpec } from '../gomod/goenv.js';
import { matchPrefixPatterns } from '../gomod/modulePath.js';
import type { NetworkSettings } from '../network/networkSettings.js';
import { proxyFor } from '../network/proxyEnv.js';
import type { CheckLine, Trap } from './report.js';

export interface TrapInput {
  env: ProcessEnv;
  goEnv: GoEnv;
  origins: Readonly<Record<string, string>>;
  specs: readonly ProxySpec[];
  network: NetworkSettings;
  /** Every URL pack would reach: GOPROXY entries, the checksum database, the vulnerability database. */
  urls: readonly string[];
  /** Module paths of the go.mod given (empty without one). */
  modulePaths: readonly string[];
}

function from(origins: Readonly<Record<string, string>>, name: string): string {
  return `${name} (from ${origins[name] ?? 'its default'})`;
}

export function settingTraps(input: TrapInput): Trap[] {
  const { goEnv, origins, env, network } = input;
  const traps: Trap[] = [];
  if (goEnv.GO111MODULE === 'off') {
    traps.push({
      level: 'warning',
      setting: 'GO111MODULE',
      message: `${from(origins, 'GO111MODULE')} is off: the go command runs in GOPATH mode, ignoring go.mod files, GOPROXY and the checksum database, so nothing from a module proxy or a bundle is used`,
      advice: origins.GO111MODULE?.startsWith('the go env file') ? 'go env -u GO111MODULE' : 'unset GO111MODULE (or set it to on)',
    });
  }
  if (goEnv.GOSUMDB === 'off') {
    traps.push({
      level: 'warning',
      setting: 'GOSUMDB',
      message: `${from(origins, 'GOSUMDB')} is off: no module is checked against a checksum database, so a tampered mirror goes unnoticed, and bundles carry no checksum-database replay (offline clients then need GOSUMDB=off or a complete go.sum)`,
      advice:
        'unset GOSUMDB; if sum.golang.org is blocked, the go command and gobundle reach it through a GOPROXY mirror that serves /sumdb/sum.golang.org/',
    });
  }
  if (/(^|\s)--?insecure(=\S*)?(\s|$)/.test(goEnv.GOFLAGS)) {
    traps.push({
      level: 'warning',
      setting: 'GOFLAGS',
      message: `${from(origins, 'GOFLAGS')} holds -insecure: the go command refuses it ("-insecure flag is no longer supported; use GOINSECURE instead"), and it never applied to module proxies`,
      advice:
        'remove -insecure from GOFLAGS; list hosts that speak plain http or have self-signed certificates in GOINSECURE (it affects direct fetches only)',
    });
  }
  if (input.specs.length > 0 && input.specs.every((s) => s.kind === 'off' || s.kind === 'noproxy')) {
    traps.push({
      level: 'warning',
      setting: 'GOPROXY',
      message: `${from(origins, 'GOPROXY')} is off: every module lookup fails`,
      advice: 'set GOPROXY to a module proxy this machine can reach',
    });
  }
  if (matchPrefixPatterns(goEnv.GONOSUMDB, 'example.com/any/module') && goEnv.GONOSUMDB.split(',').some((p) => /^\*\/?$/.test(p.trim()))) {
    traps.push({
      level: 'warning',
      setting: 'GONOSUMDB',
      message: `${from(origins, goEnv.GONOSUMDB === goEnv.GOPRIVATE ? 'GOPRIVATE' : 'GONOSUMDB')} is "*": no module is checked against the checksum database`,
      advice: 'list only private module patterns (e.g. *.corp.example) in GOPRIVATE or GONOSUMDB',
    });
  }
  if (goEnv.GOINSECURE !== '' && goEnv.GOINSECURE.split(',').some((p) => /^\*\/?$/.test(p.trim()))) {
    traps.push({
      level: 'warning',
      setting: 'GOINSECURE',
      message: `${from(origins, 'GOINSECURE')} is "*": every direct fetch may fall back to plain http and skip certificate checks`,
      advice: 'list only the hosts that need it',
    });
  }

  // The outbound proxy variables.
  const proxies = network.proxies;
  for (const bad of proxies.ignored) {
    traps.push({
      level: 'warning',
      setting: bad.from,
      message: `${bad.from} is set but is ${bad.reason}: the go command ignores it and connects directly, and so does gobundle`,
      advice: `set ${bad.from} to http://host:port (a stray quote, space or carriage return is enough to break it)`,
    });
  }
  for (const [upper, lower] of [
    ['HTTPS_PROXY', 'https_proxy'],
    ['HTTP_PROXY', 'http_proxy'],
    ['NO_PROXY', 'no_proxy'],
  ] as const) {
    const u = env[upper] ?? '';
    const l = env[lower] ?? '';
    if (u !== '' && l !== '' && u !== l) {
      traps.push({
        level: 'warning',
        setting: upper,
        message: `${upper} and ${lower} differ: the go command and gobundle use ${upper}; curl, git and others may use ${lower}`,
        advice: `give both the same value, or unset ${lower}`,
      });
    }
  }
  const allProxy = env.ALL_PROXY ?? env.all_proxy ?? '';
  if (allProxy !== '') {
    traps.push({
      level: 'warning',
      setting: 'ALL_PROXY',
      message: 'ALL_PROXY is set: curl uses it, but the go command and gobundle do not',
      advice: 'set HTTPS_PROXY (and HTTP_PROXY) to the proxy as well',
    });
  }
  const httpsUrls = input.urls.filter((u) => u.startsWith('https://'));
  if (proxies.httpsProxy === undefined && proxies.httpProxy !== undefined && httpsUrls.length > 0) {
    traps.push({
      level: 'warning',
      setting: 'HTTPS_PROXY',
      message: `HTTP_PROXY is set but HTTPS_PROXY is not: HTTP_PROXY applies to http:// URLs only, so the go command and gobundle reach ${httpsUrls.map(redactUrl).join(', ')} directly`,
      advice: 'set HTTPS_PROXY to the proxy too (most company proxies take both)',
    });
  }
  for (const p of [proxies.httpsProxy, proxies.httpProxy]) {
    if (p?.scheme === 'socks5') {
      traps.push({
        level: 'warning',
        setting: p.from,
        message: `${p.from} names a SOCKS5 proxy: the go command uses it, gobundle cannot`,
        advice: 'give gobundle an HTTP proxy in HTTPS_PROXY',
      });
    }
  }
  for (const url of input.urls) {
    if (!/^https?:/.test(url)) continue;
    const route = proxyFor(proxies, url);
    if (route.kind === 'proxy') {
      traps.push({
        level: 'note',
        setting: route.proxy.from,
        message: `${redactUrl(url)} is reached through ${route.proxy.display} (${route.proxy.from}), as the go command reaches it`,
      });
    } else if ((proxies.httpsProxy !== undefined || proxies.httpProxy !== undefined) && /matches|never proxied/.test(route.why)) {
      traps.push({ level: 'note', setting: 'NO_PROXY', message: `${redactUrl(url)} is reached directly: ${route.why}` });
    }
  }

  // Credentials.
  for (const method of network.auth.unsupported) {
    traps.push({
      level: 'warning',
      setting: 'GOAUTH',
      message: `${from(origins, 'GOAUTH')} has ${JSON.stringify(method)}: the go command runs it for credentials, gobundle does not`,
      advice: 'give gobundle the credentials in the GOPROXY URL (https://user:token@host) or in .netrc',
    });
  }
  if (network.auth.netrc && !network.auth.off) {
    for (const url of input.urls) {
      if (!url.startsWith('https://')) continue;
      const u = new URL(url);
      if (u.port !== '' && network.netrc.machines.includes(u.hostname) && !network.netrc.machines.includes(u.host)) {
        traps.push({
          level: 'warning',
          setting: '.netrc',
          message: `.netrc has machine ${u.hostname} but ${redactUrl(url)} has a port: Go ≥ 1.24 (and gobundle) look credentials up by host:port, so they are not sent (golang/go#81253)`,
          advice: `add a line for machine ${u.host}`,
        });
      }
    }
  }
  return traps;
}

/** Traps visible only in how the servers answered: `,` where `|` was meant; `,direct` where direct cannot work. */
export function checkTraps(specs: readonly ProxySpec[], checks: readonly CheckLine[], origins: Readonly<Record<string, string>>): Trap[] {
  const traps: Trap[] = [];
  const byTarget = new Map(checks.filter((c) => c.kind === 'proxy').map((c) => [c.target, c]));
  const entries = specs.filter((s) => s.kind !== 'noproxy');
  for (const [i, s] of entries.entries()) {
    const next = entries[i + 1];
    if (s.kind !== 'url' || next === undefined || s.fallBackOnError) continue;
    const check = byTarget.get(redactUrl(s.url ?? ''));
    if (check !== undefined && (check.verdict === 'failing' || check.verdict === 'blocked')) {
      const nextName = next.kind === 'url' ? redactUrl(next.url ?? '') : next.kind;
      traps.push({
        level: 'warning',
        setting: 'GOPROXY',
        message: `${from(origins, 'GOPROXY')} separates ${redactUrl(s.url ?? '')} from ${nextName} with ",": the go command (and gobundle) try ${nextName} only when ${redactUrl(s.url ?? '')} answers 404 or 410, and it is ${check.verdict}, so ${nextName} is never tried`,
        advice: `write "|" after ${redactUrl(s.url ?? '')} to fall through on any error`,
      });
    }
  }
  const last = entries[entries.length - 1];
  const direct = checks.find((c) => c.kind === 'direct');
  if (last?.kind === 'direct' && entries.length > 1 && direct !== undefined && direct.verdict === 'blocked') {
    traps.push({
      level: 'warning',
      setting: 'GOPROXY',
      message: `${from(origins, 'GOPROXY')} ends in direct, but direct fetches cannot work from here (${direct.summary}): a module the proxies lack fails only after a wait, naming the repository rather than the proxy`,
      advice: 'end GOPROXY with ",off" (or drop ",direct") so a missing module fails at once, naming the proxy',
    });
  }
  return traps;
}
