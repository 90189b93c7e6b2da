/**
 * Which outbound HTTP proxy a request goes through, decided exactly as the
 * go command decides it: net/http's ProxyFromEnvironment, which is
 * golang.org/x/net/http/httpproxy (proxy.go), ported here. Pure.
 *
 *   - HTTPS_PROXY (else https_proxy) for https URLs, HTTP_PROXY (else
 *     http_proxy) for http URLs; an empty value counts as unset;
 *   - a value without a known scheme (http, https, socks5) is read as
 *     `http://<value>`; one that still does not parse is ignored, so the
 *     request goes direct (as in Go, where the error is dropped);
 *   - `localhost` and loopback addresses never go through a proxy;
 *   - NO_PROXY (else no_proxy): comma-separated `*`, IP addresses, CIDRs,
 *     domains (`foo.com` matches it and its subdomains, `.foo.com` only
 *     subdomains, `*.foo.com` as `.foo.com`), each optionally with a port;
 *   - a CGI process (REQUEST_METHOD set) refuses HTTP_PROXY for http URLs.
 *
 * Every decision carries its reason, for messages and `gobundle doctor`.
 */
import { domainToASCII } from 'node:url';
import type { ProcessEnv } from '../gomod/goenv.js';
import { cidrContains, ipEqual, isLoopback, parseCidr, parseIp, type Cidr, type Ip } from './ipAddr.js';

/** A proxy variable as read: its value and the name it was found under ('' when unset). */
export interface ProxyVar {
  value: string;
  from: string;
}

/** A proxy URL as the go command would use it. Credentials stay here and are never printed. */
export interface ParsedProxy {
  scheme: 'http' | 'https' | 'socks5';
  /** Host name or IP address, without IPv6 brackets. */
  host: string;
  port: number;
  /** From the URL's user information: sent as Proxy-Authorization. */
  username?: string;
  password?: string;
  /** `scheme://host:port`, credentials removed: what messages show. */
  display: string;
  /** The variable it came from (HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy). */
  from: string;
}

type Matcher =
  | { kind: 'all'; entry: string }
  | { kind: 'cidr'; entry: string; net: Cidr }
  | { kind: 'ip'; entry: string; ip: Ip; port: string }
  | { kind: 'domain'; entry: string; host: string; port: string; matchHost: boolean };

/** The proxy environment, parsed once (httpproxy.Config after init). */
export interface ProxyEnvironment {
  http: ProxyVar;
  https: ProxyVar;
  noProxy: ProxyVar;
  cgi: boolean;
  httpProxy: ParsedProxy | undefined;
  httpsProxy: ParsedProxy | undefined;
  /** Values the go command ignores (so it connects directly), with why: for doctor. */
  ignored: { from: string; value: string; reason: string }[];
  matchers: Matcher[];
}

/** Where a request goes. */
export type ProxyRoute =
  { kind: 'direct'; why: string } | { kind: 'proxy'; proxy: ParsedProxy; why: string } | { kind: 'refused'; why: string };

/** getEnvAny: the first non-empty of the names. */
function envAny(env: ProcessEnv, ...names: string[]): ProxyVar {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return { value: v, from: n };
  }
  return { value: '', from: '' };
}

/** The scheme of a URL as Go's url.Parse finds it (getScheme), or undefined when there is none. */
function goScheme(raw: string): string | undefined {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) return undefined;
      continue;
    }
    if (c === ':') return i === 0 ? undefined : raw.slice(0, i).toLowerCase();
    return undefined;
  }
  return undefined;
}

/** The parts of a URL a proxy needs, as Go's url.Parse splits them. */
interface GoUrl {
  scheme: string;
  user: { name: string; password: string } | undefined;
  /** Host name or address, brackets removed. */
  hostname: string;
  port: string;
}

/** Characters Go lets stand unescaped in a host (url.shouldEscape, encodeHost). */
const HOST_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"%]*$/;
/** Characters of valid user information (url.validUserinfo). */
const USERINFO_CHARS = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

function unescapeOrUndefined(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * url.Parse as far as a proxy value needs it: the scheme, user and host of
 * an absolute URL; 'relative' for a URL without a scheme (which Go parses
 * fine but cannot use as a proxy); undefined where Go's parse fails.
 */
function goParseUrl(raw: string): GoUrl | 'relative' | undefined {
  if (/[\u0000-\u001f\u007f]/.test(raw)) return undefined;
  const noFragment = raw.split('#')[0] ?? '';
  const scheme = goScheme(noFragment);
  if (scheme === undefined) {
    if (noFragment.startsWith(':')) return undefined;
    // "first path segment in URL cannot contain colon"
    if ((noFragment.split('?')[0]?.split('/')[0] ?? '').includes(':')) return undefined;
    return 'relative';
  }
  let rest = noFragment.slice(scheme.length + 1).split('?')[0] ?? '';
  if (!rest.startsWith('//')) return { scheme, user: undefined, hostname: '', port: '' };
  rest = rest.slice(2);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  let user: GoUrl['user'];
  if (at >= 0) {
    const info = authority.slice(0, at);
    if (!USERINFO_CHARS.test(info)) return undefined;
    const colon = info.indexOf(':');
    const name = unescapeOrUndefined(colon < 0 ? info : info.slice(0, colon));
    const password = unescapeOrUndefined(colon < 0 ? '' : info.slice(colon + 1));
    if (name === undefined || password === undefined) return undefined;
    user = { name, password };
  }
  const host = authority.slice(at + 1);
  let hostname = host;
  let port = '';
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return undefined;
    const after = host.slice(close + 1);
    if (after !== '' && !/^:\d*$/.test(after)) return undefined;
    hostname = host.slice(1, close);
    port = after.slice(1);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      if (!/^\d*$/.test(host.slice(colon + 1))) return undefined;
      hostname = host.slice(0, colon);
      port = host.slice(colon + 1);
    }
  }
  if (!HOST_CHARS.test(hostname)) return undefined;
  const decoded = unescapeOrUndefined(hostname);
  if (decoded === undefined) return undefined;
  return { scheme, user, hostname: decoded, port };
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, socks5: 1080 };

function isProxyScheme(s: string): s is ParsedProxy['scheme'] {
  return s === 'http' || s === 'https' || s === 'socks5';
}

/** parseProxy: the value as a URL, `http://` prepended when its scheme is not a proxy's. */
export function parseProxyValue(v: ProxyVar): ParsedProxy | { error: string } {
  const first = goParseUrl(v.value);
  let u = first === undefined || first === 'relative' || !isProxyScheme(first.scheme) ? undefined : first;
  if (u === undefined) {
    const withHttp = goParseUrl(`http://${v.value}`);
    if (withHttp === undefined || withHttp === 'relative') return { error: 'not a URL' };
    u = withHttp;
  }
  const scheme = u.scheme;
  if (!isProxyScheme(scheme)) return { error: `unsupported proxy scheme ${JSON.stringify(scheme)}` };
  const port = u.port === '' ? (DEFAULT_PORTS[scheme] ?? 80) : Number(u.port);
  const shownHost = u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname;
  return {
    scheme,
    host: u.hostname,
    port,
    ...(u.user === undefined ? {} : { username: u.user.name, password: u.user.password }),
    display: `${scheme}://${shownHost}:${port}`,
    from: v.from,
  };
}

/** One NO_PROXY entry as config.init reads it; undefined for an entry that is ignored. */
function noProxyMatcher(entry: string): Matcher | undefined {
  const p = entry.trim().toLowerCase();
  if (p === '') return undefined;
  if (p === '*') return { kind: 'all', entry: p };
  const net = parseCidr(p);
  if (net !== undefined) return { kind: 'cidr', entry: p, net };
  let host = p;
  let port = '';
  const hp = splitHostPort(p);
  if (hp !== undefined) {
    if (hp.host === '') return undefined;
    host = hp.host;
    port = hp.port;
  }
  const ip = parseIp(host);
  if (ip !== undefined) return { kind: 'ip', entry: p, ip, port };
  if (host === '') return undefined;
  if (host.startsWith('*.')) host = host.slice(1);
  let matchHost = false;
  if (!host.startsWith('.')) {
    matchHost = true;
    host = `.${host}`;
  }
  return { kind: 'domain', entry: p, host: toAscii(host), port, matchHost };
}

/** net.SplitHostPort for `host:port` and `[v6]:port`; undefined when there is no port part. */
function splitHostPort(s: string): { host: string; port: string } | undefined {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0 || s[end + 1] !== ':' || s.slice(end + 2).includes(':')) return undefined;
    return { host: s.slice(1, end), port: s.slice(end + 2) };
  }
  const i = s.lastIndexOf(':');
  if (i < 0 || s.indexOf(':') !== i) return undefined;
  return { host: s.slice(0, i), port: s.slice(i + 1) };
}

function toAscii(host: string): string {
  if (/^[\u0000-\u007f]*$/.test(host)) return host;
  const leadingDot = host.startsWith('.');
  const ascii = domainToASCII(leadingDot ? host.slice(1) : host);
  return ascii === '' ? host : `${leadingDot ? '.' : ''}${ascii}`;
}

/** httpproxy.FromEnvironment + init: the proxy variables of `env`, parsed. */
export function proxyEnvironment(env: ProcessEnv): ProxyEnvironment {
  const http = envAny(env, 'HTTP_PROXY', 'http_proxy');
  const https = envAny(env, 'HTTPS_PROXY', 'https_proxy');
  const noProxy = envAny(env, 'NO_PROXY', 'no_proxy');
  const ignored: ProxyEnvironment['ignored'] = [];
  const parse = (v: ProxyVar): ParsedProxy | undefined => {
    if (v.value === '') return undefined;
    const p = parseProxyValue(v);
    if ('error' in p) {
      ignored.push({ from: v.from, value: v.value, reason: p.error });
      return undefined;
    }
    return p;
  };
  const matchers: Matcher[] = [];
  for (const entry of noProxy.value.split(',')) {
    const m = noProxyMatcher(entry);
    if (m === undefined) continue;
    if (m.kind === 'all') {
      matchers.splice(0, matchers.length, m);
      break;
    }
    matchers.push(m);
  }
  return {
    http,
    https,
    noProxy,
    cgi: (env.REQUEST_METHOD ?? '') !== '',
    httpProxy: parse(http),
    httpsProxy: parse(https),
    ignored,
    matchers,
  };
}

/** The NO_PROXY entry that exempts `host` (lowercase, no brackets) on `port`, if any (config.useProxy). */
function exemptedBy(cfg: ProxyEnvironment, host: string, port: string): string | undefined {
  const ip = parseIp(host);
  for (const m of cfg.matchers) {
    switch (m.kind) {
      case 'all':
        return m.entry;
      case 'cidr':
        if (ip !== undefined && cidrContains(m.net, ip)) return m.entry;
        break;
      case 'ip':
        if (ip !== undefined && ipEqual(m.ip, ip) && (m.port === '' || m.port === port)) return m.entry;
        break;
      case 'domain':
        if ((host.endsWith(m.host) || (m.matchHost && host === m.host.slice(1))) && (m.port === '' || m.port === port)) return m.entry;
        break;
    }
  }
  return undefined;
}

/** proxyForURL: where a request for `url` goes, and why. */
export function proxyFor(cfg: ProxyEnvironment, url: string): ProxyRoute {
  const u = new URL(url);
  const scheme = u.protocol.replace(/:$/, '');
  let proxy: ParsedProxy | undefined;
  let variable: ProxyVar;
  if (scheme === 'https') {
    proxy = cfg.httpsProxy;
    variable = cfg.https;
  } else if (scheme === 'http') {
    proxy = cfg.httpProxy;
    variable = cfg.http;
    if (proxy !== undefined && cfg.cgi) {
      return { kind: 'refused', why: 'refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy' };
    }
  } else {
    return { kind: 'direct', why: `no proxy for ${scheme} URLs` };
  }
  const name = scheme === 'https' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  if (proxy === undefined) {
    return { kind: 'direct', why: variable.value === '' ? `${name} is not set` : `${variable.from} is not a usable URL, so it is ignored` };
  }
  const host = toAscii(u.hostname.replace(/^\[|\]$/g, '').toLowerCase());
  const port = u.port === '' ? String(DEFAULT_PORTS[scheme] ?? '') : u.port;
  if (host === 'localhost') return { kind: 'direct', why: 'localhost is never proxied' };
  const ip = parseIp(host);
  if (ip !== undefined && isLoopback(ip)) return { kind: 'direct', why: 'loopback addresses are never proxied' };
  const entry = exemptedBy(cfg, host, port);
  if (entry !== undefined) return { kind: 'direct', why: `${cfg.noProxy.from} entry ${JSON.stringify(entry)} matches` };
  return { kind: 'proxy', proxy, why: `${variable.from}` };
}
