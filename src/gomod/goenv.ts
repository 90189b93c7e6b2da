/**
 * Go environment configuration, parsed exactly as the go command parses it.
 *
 * Everything here is pure: the caller reads the process environment, the
 * `go env -w` file and `$GOROOT/go.env` (src/config/) and passes their
 * contents in. The references are cmd/go's `cfg/cfg.go` (precedence),
 * `modfetch/proxy.go` (`proxyList`, `TryProxies`), `modfetch/repo.go`
 * (`lookup`), `modfetch/sumdb.go` (`useSumDB`, `dbDial`) and
 * `base/goflags.go` with `cmd/internal/quoted` (GOFLAGS).
 */
import { createHash } from 'node:crypto';
import { posix as posixPath, win32 as win32Path } from 'node:path';
import { GobundleError } from '../errors.js';
import { matchPrefixPatterns } from './modulePath.js';
import { ErrorCode } from '../errorCodes.js';

/** One entry of the parsed GOPROXY list. */
export interface ProxySpec {
  /**
   * `url`: a module proxy. `direct`: fetch from version control (and stop).
   * `off`: every lookup fails as not-found (and stop). `noproxy`: the
   * pseudo-entry cmd/go puts first when GONOPROXY is set; it fetches directly
   * for matching modules and is skipped for the rest.
   */
  kind: 'url' | 'direct' | 'off' | 'noproxy';
  /** The proxy base URL as written (after an implied `https://`); only for `url`. */
  url?: string;
  /**
   * True when the separator after this entry was `|`: fall through to the
   * next entry on any error. False (`,` or end of list): fall through only
   * on not-found (HTTP 404/410).
   */
  fallBackOnError: boolean;
}

/** A proxy entry as routed for one module path by {@link proxiesForModule}. */
export interface RoutedProxySpec extends ProxySpec {
  /**
   * For `direct` only: which variable sent the module to direct fetching,
   * so an error can tell the user what to change.
   */
  routedBy?: 'GOPROXY' | 'GONOPROXY' | 'GOPRIVATE';
}

/** The proxies to try for one module, after GONOPROXY and the toolchain alias. */
export interface ModuleRoute {
  /** The module path to request (`go` and `toolchain` become `golang.org/toolchain`). */
  path: string;
  specs: RoutedProxySpec[];
}

/** A parsed GOSUMDB: disabled, or a database name with its verifier key and URL. */
export type GoSumDB =
  | { off: true }
  | {
      off?: false;
      /** The database name, e.g. `sum.golang.org`. */
      name: string;
      /** The full verifier key `name+hash+key`. */
      key: string;
      /** The explicit URL from GOSUMDB, or `https://<name>` when none was given. */
      url: string;
      /** True when GOSUMDB named a URL: proxies are then bypassed for the database. */
      urlExplicit: boolean;
    };

/** The Go environment variables gobundle reads, with their effective values. */
export interface GoEnv {
  GOPROXY: string;
  GONOPROXY: string;
  GONOSUMDB: string;
  GOPRIVATE: string;
  GOINSECURE: string;
  /** Which version control systems direct fetches may use (vcs.go checkGOVCS). */
  GOVCS: string;
  GOSUMDB: string;
  GOFLAGS: string;
  GOPATH: string;
  GOMODCACHE: string;
  GOTOOLCHAIN: string;
  /** Credentials for https requests (Go ≥ 1.24; default netrc): network/goAuth.ts. */
  GOAUTH: string;
  /** Module mode: `off` means GOPATH mode, where the go command uses no module proxy at all. */
  GO111MODULE: string;
  /** Whether GONOPROXY's value came from GOPRIVATE (for error messages). */
  GONOPROXYFromGOPRIVATE: boolean;
}

/** The go command's settings pack reads (GoEnv's keys), in the order gobundle lists them. */
export const GO_SETTINGS = [
  'GOPROXY',
  'GONOPROXY',
  'GOPRIVATE',
  'GONOSUMDB',
  'GOSUMDB',
  'GOINSECURE',
  'GOFLAGS',
  'GOTOOLCHAIN',
  'GO111MODULE',
  'GOAUTH',
  'GOVCS',
  'GOPATH',
  'GOMODCACHE',
] as const;
export type GoSetting = (typeof GO_SETTINGS)[number];

/** A malformed Go setting (GOPROXY, GOSUMDB, GOFLAGS, GOAUTH, GOVCS, …): the message names it, the hint gives its shape. */
export class GoEnvError extends GobundleError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(ErrorCode.GOENV, message, options);
  }
}

/** The module path of Go toolchain downloads; `go` and `toolchain` are aliases for it. */
export const TOOLCHAIN_MODULE = 'golang.org/toolchain';

/** cmd/go's `knownGOSUMDB` (modfetch/key.go): bare names with a built-in verifier key. */
export const KNOWN_GOSUMDB: ReadonlyMap<string, string> = new Map([
  ['sum.golang.org', 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8'],
]);

/**
 * The contents of `$GOROOT/go.env` since Go 1.21, used when no GOROOT file is
 * given and as the last fallback for an empty value. (Go itself falls back to
 * the empty string when go.env lacks a key; we prefer the documented default.)
 */
export const DEFAULT_GOROOT_ENV: ReadonlyMap<string, string> = new Map([
  ['GOPROXY', 'https://proxy.golang.org,direct'],
  ['GOSUMDB', 'sum.golang.org'],
  ['GOTOOLCHAIN', 'auto'],
]);

/**
 * Go's unicode.IsSpace, which strings.Fields and strings.TrimSpace use.
 * JavaScript's `\s` differs (it includes U+FEFF), so spell the set out.
 */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_SPACE_RUN = new RegExp(`[${GO_SPACE}]+`, 'u');
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'gu');
const HAS_GO_SPACE = new RegExp(`[${GO_SPACE}]`, 'u');

function trimSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}

function fields(s: string): string[] {
  return s.split(GO_SPACE_RUN).filter((f) => f !== '');
}

function goenvError(message: string, hint?: string): GoEnvError {
  return new GoEnvError(message, hint === undefined ? {} : { hint });
}

const GOPROXY_HINT =
  'set GOPROXY to a list of proxy URLs (https://, http:// or file:///) and the keywords "direct" or "off", ' +
  'separated by "," (fall through on not-found) or "|" (fall through on any error)';

/**
 * A URL with its user information removed, for error messages: proxy URLs
 * may carry tokens (`https://user:token@host`), and the username alone can be
 * a secret too, so both go (cmd/go keeps the username; we do not).
 */
export function redactUrl(raw: string): string {
  return raw.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1');
}

/** The scheme of a URL as Go's url.Parse finds it: letters first, then letters, digits, `+-.`. */
function urlScheme(raw: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw);
  return m?.[1]?.toLowerCase() ?? '';
}

/**
 * Check a proxy URL the way cmd/go's newProxyRepo does, with its messages.
 * file:// URLs must be exactly `file://` + path: no host, user, query or
 * fragment (and not the host-less `file:/path` form).
 */
function checkProxyUrl(raw: string): void {
  const redacted = redactUrl(raw);
  const scheme = urlScheme(raw);
  switch (scheme) {
    case 'http':
    case 'https':
      if (!URL.canParse(raw)) throw goenvError(`invalid proxy URL: ${redacted}`, GOPROXY_HINT);
      return;
    case 'file': {
      const rest = raw.slice('file:'.length);
      if (!rest.startsWith('//') || /^\/\/[^/]/.test(rest) || /[?#]/.test(rest)) {
        throw goenvError(`invalid file:// proxy URL with non-path elements: ${redacted}`, GOPROXY_HINT);
      }
      return;
    }
    case '':
      throw goenvError(`invalid proxy URL missing scheme: ${redacted}`, GOPROXY_HINT);
    default:
      throw goenvError(`invalid proxy URL scheme (must be https, http, file): ${redacted}`, GOPROXY_HINT);
  }
}

/**
 * Parse GOPROXY like cmd/go's proxyList.
 *
 * The separator *after* an entry sets its fallback mode. `off` and `direct`
 * end the list (later entries are ignored for forward compatibility). Tokens
 * that look like host names get `https://`. With a non-empty GONOPROXY (and
 * GOPROXY not exactly `direct`) a `noproxy` entry goes first.
 */
export function parseGoProxy(value: string, gonoproxy = ''): ProxySpec[] {
  const list: ProxySpec[] = [];
  if (gonoproxy !== '' && value !== 'direct') list.push({ kind: 'noproxy', fallBackOnError: false });

  let rest = value;
  while (rest !== '') {
    let token: string;
    let fallBackOnError = false;
    const i = rest.search(/[,|]/);
    if (i >= 0) {
      token = rest.slice(0, i);
      fallBackOnError = rest[i] === '|';
      rest = rest.slice(i + 1);
    } else {
      token = rest;
      rest = '';
    }
    token = trimSpace(token);
    if (token === '') continue;
    if (token === 'off' || token === 'direct') {
      list.push({ kind: token, fallBackOnError });
      break;
    }
    // Single words are reserved for built-in behaviours; anything with ":/"
    // or an absolute path must be a complete URL; the rest gets https://.
    if (/[.:/]/.test(token) && !token.includes(':/') && !token.startsWith('/')) token = `https://${token}`;
    checkProxyUrl(token);
    list.push({ kind: 'url', url: token, fallBackOnError });
  }

  if (list.length === 0 || (list.length === 1 && list[0]?.kind === 'noproxy')) {
    throw goenvError('GOPROXY list is not the empty string, but contains no entries', GOPROXY_HINT);
  }
  return list;
}

/**
 * The proxies to try for one module path (cmd/go modfetch `lookup`).
 *
 * A path matching GONOPROXY is fetched only directly (the `noproxy` entry,
 * or `direct`); every proxy is skipped for it. Other paths skip `noproxy`.
 * `gonoproxySource` says whether the patterns came from GOPRIVATE so a
 * direct-fetch error can name the variable to change.
 */
export function proxiesForModule(
  specs: readonly ProxySpec[],
  path: string,
  gonoproxy: string,
  gonoproxySource: 'GONOPROXY' | 'GOPRIVATE' = 'GONOPROXY',
): ModuleRoute {
  const target = path === 'go' || path === 'toolchain' ? TOOLCHAIN_MODULE : path;
  const routed: RoutedProxySpec[] = [];
  const private_ = gonoproxy !== '' && matchPrefixPatterns(gonoproxy, target);
  for (const spec of specs) {
    if (private_) {
      if (spec.kind === 'noproxy' || spec.kind === 'direct') {
        routed.push({ kind: 'direct', fallBackOnError: spec.fallBackOnError, routedBy: gonoproxySource });
        break;
      }
      continue;
    }
    if (spec.kind === 'noproxy') continue;
    routed.push(spec.kind === 'direct' ? { ...spec, routedBy: 'GOPROXY' } : { ...spec });
  }
  return { path: target, specs: routed };
}

/**
 * Whether the checksum database must vouch for a module (cmd/go `useSumDB`).
 *
 * Toolchain zips cannot be listed in go.sum, so golang.org/toolchain always
 * needs the database, even with GOSUMDB=off or a GONOSUMDB match, unless
 * GOPROXY is a single file:// entry (testing a local distribution).
 */
export function sumdbApplies(path: string, cfg: Pick<GoEnv, 'GOSUMDB' | 'GONOSUMDB' | 'GOPROXY'>): boolean {
  if (path === TOOLCHAIN_MODULE && !(cfg.GOPROXY.startsWith('file://') && !/[,|]/.test(cfg.GOPROXY))) return true;
  return cfg.GOSUMDB !== 'off' && !matchPrefixPatterns(cfg.GONOSUMDB, path);
}

/** x/mod note.isValidName: non-empty, no Unicode spaces, no `+`. */
function isValidKeyName(name: string): boolean {
  // A lone surrogate is what invalid UTF-8 looks like in a JavaScript string.
  return name !== '' && !HAS_GO_SPACE.test(name) && !name.includes('+') && !/[\ud800-\udfff]/u.test(name);
}

/** Go's base64.StdEncoding.DecodeString accepts only padded standard base64. */
function decodeStdBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

const ED25519_ALG = 1;
const ED25519_PUBLIC_KEY_SIZE = 32;

/**
 * Validate a verifier key `name+hash+base64(alg ‖ key)` as x/mod's
 * note.NewVerifier does, returning the name or the error text it gives.
 */
function checkVerifierKey(vkey: string): { name: string } | { error: string } {
  const plus1 = vkey.indexOf('+');
  const name = plus1 < 0 ? vkey : vkey.slice(0, plus1);
  const after = plus1 < 0 ? '' : vkey.slice(plus1 + 1);
  const plus2 = after.indexOf('+');
  const hash16 = plus2 < 0 ? after : after.slice(0, plus2);
  const key64 = plus2 < 0 ? '' : after.slice(plus2 + 1);
  const key = decodeStdBase64(key64);
  if (!/^[0-9a-fA-F]{8}$/.test(hash16) || key === undefined || !isValidKeyName(name) || key.length === 0) {
    return { error: 'malformed verifier id' };
  }
  const digest = createHash('sha256').update(name).update('\n').update(key).digest();
  if (digest.readUInt32BE(0) !== Number.parseInt(hash16, 16)) return { error: 'invalid verifier hash' };
  if (key[0] !== ED25519_ALG) return { error: 'unknown verifier algorithm' };
  if (key.length - 1 !== ED25519_PUBLIC_KEY_SIZE) return { error: 'malformed verifier id' };
  return { name };
}

const GOSUMDB_HINT =
  'set GOSUMDB to "off", a known database name (sum.golang.org), or a verifier key "name+hash+key" optionally followed by a URL';

/**
 * Parse GOSUMDB like cmd/go's dbDial: `off`, or a verifier key (or known
 * bare name) optionally followed by the database URL.
 */
export function parseGoSumDB(value: string): GoSumDB {
  // sum.golang.google.cn is an alias of sum.golang.org reachable in mainland China.
  const gosumdb = value === 'sum.golang.google.cn' ? 'sum.golang.org https://sum.golang.google.cn' : value;
  if (gosumdb === 'off') return { off: true };

  const f = fields(gosumdb);
  const first = f[0];
  if (first === undefined) throw goenvError('missing GOSUMDB', GOSUMDB_HINT);
  if (f.length > 2) throw goenvError('invalid GOSUMDB: too many fields', GOSUMDB_HINT);
  const key = KNOWN_GOSUMDB.get(first) ?? first;
  const checked = checkVerifierKey(key);
  if ('error' in checked) throw goenvError(`invalid GOSUMDB: ${checked.error}`, GOSUMDB_HINT);
  const name = checked.name;

  // No funny business in the database name: https://<name> must be just a host and path.
  let direct: URL | undefined;
  try {
    direct = new URL(`https://${name}`);
  } catch {
    direct = undefined;
  }
  if (
    direct === undefined ||
    name.endsWith('/') ||
    direct.host === '' ||
    direct.username !== '' ||
    direct.password !== '' ||
    direct.search !== '' ||
    direct.hash !== '' ||
    `${direct.host}${direct.pathname === '/' ? '' : direct.pathname}`.toLowerCase() !== name.toLowerCase()
  ) {
    throw goenvError(`invalid sumdb name (must be host[/path]): ${name}`, GOSUMDB_HINT);
  }

  const explicit = f[1];
  if (explicit !== undefined) {
    if (!URL.canParse(explicit)) throw goenvError(`invalid GOSUMDB URL: ${redactUrl(explicit)}`, GOSUMDB_HINT);
    return { name, key, url: explicit, urlExplicit: true };
  }
  return { name, key, url: `https://${name}`, urlExplicit: false };
}

/**
 * Split GOFLAGS like cmd/go (cmd/internal/quoted.Split): words separated by
 * space, tab, CR or LF; a word may be wrapped in '…' or "…" (no escapes
 * inside). Every word must look like `-flag`, `--flag`, `-flag=value`.
 * Whether a flag is known to some go command is not checked here.
 */
export function parseGoFlags(value: string): string[] {
  const words: string[] = [];
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  let s = value;
  while (s.length > 0) {
    while (s.length > 0 && isSpace(s[0])) s = s.slice(1);
    if (s.length === 0) break;
    const quote = s[0];
    if (quote === '"' || quote === "'") {
      const end = s.indexOf(quote, 1);
      if (end < 0) throw goenvError(`parsing $GOFLAGS: unterminated ${quote} string`);
      words.push(s.slice(1, end));
      s = s.slice(end + 1);
      continue;
    }
    let i = 0;
    while (i < s.length && !isSpace(s[i])) i++;
    words.push(s.slice(0, i));
    s = s.slice(i);
  }
  for (const f of words) {
    if (!f.startsWith('-') || f === '-' || f === '--' || f.startsWith('---') || f.startsWith('-=') || f.startsWith('--=')) {
      throw goenvError(
        `parsing $GOFLAGS: non-flag ${JSON.stringify(f)}`,
        'GOFLAGS holds flags like -mod=mod separated by spaces; use -flag=value, not -flag value',
      );
    }
  }
  return words;
}

/**
 * The value of one flag in a GOFLAGS list (last one wins, as with the flag
 * package): `-name=value` gives value, a bare `-name` gives "true".
 */
export function lookupGoFlag(flags: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (const f of flags) {
    const body = f.startsWith('--') ? f.slice(2) : f.slice(1);
    const eq = body.indexOf('=');
    const flagName = eq < 0 ? body : body.slice(0, eq);
    if (flagName === name) found = eq < 0 ? 'true' : body.slice(eq + 1);
  }
  return found;
}

/**
 * Parse a `go env -w` file or `$GOROOT/go.env` like cmd/go's readEnvFile:
 * `KEY=VALUE` lines, no quoting, no trimming; lines without `=` or not
 * starting with `A`–`Z` (comments, blanks) are ignored; later lines win.
 */
export function parseEnvFile(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    const c = line.charCodeAt(0);
    if (eq < 0 || c < 0x41 || c > 0x5a) continue;
    vars.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return vars;
}

/** Environment variables as Node exposes them. */
export type ProcessEnv = Readonly<Record<string, string | undefined>>;

/**
 * The effective Go environment, with cmd/go's precedence: a non-empty
 * process variable, else the user's env file, else `$GOROOT/go.env` (a key
 * present in the user file, even empty, hides go.env's, as in cmd/go), else
 * the built-in default. An empty value counts as unset.
 *
 * GONOPROXY and GONOSUMDB default to GOPRIVATE; GOPATH to `$HOME/go`
 * (`%USERPROFILE%\go` on Windows); GOMODCACHE to `<first GOPATH>/pkg/mod`.
 */
export function resolveGoEnv(
  processEnv: ProcessEnv,
  envFileVars: ReadonlyMap<string, string>,
  goRootEnv: ReadonlyMap<string, string> = DEFAULT_GOROOT_ENV,
  platform: string = 'linux',
): GoEnv {
  const getenv = (key: string): string => {
    const fromProcess = processEnv[key];
    if (fromProcess !== undefined && fromProcess !== '') return fromProcess;
    if (envFileVars.has(key)) return envFileVars.get(key) ?? '';
    return goRootEnv.get(key) ?? '';
  };
  const envOr = (key: string, def: string): string => {
    const v = getenv(key);
    return v === '' ? def : v;
  };

  const windows = platform === 'win32';
  const pathApi = windows ? win32Path : posixPath;
  const home = processEnv[windows ? 'USERPROFILE' : platform === 'plan9' ? 'home' : 'HOME'] ?? '';
  const GOPATH = envOr('GOPATH', home === '' ? '' : pathApi.join(home, 'go'));
  const firstGopath = GOPATH.split(windows ? ';' : ':')[0] ?? '';
  const GOPRIVATE = getenv('GOPRIVATE');
  const gonoproxy = getenv('GONOPROXY');

  return {
    GOPROXY: envOr('GOPROXY', DEFAULT_GOROOT_ENV.get('GOPROXY') ?? ''),
    GOSUMDB: envOr('GOSUMDB', DEFAULT_GOROOT_ENV.get('GOSUMDB') ?? ''),
    GOTOOLCHAIN: envOr('GOTOOLCHAIN', DEFAULT_GOROOT_ENV.get('GOTOOLCHAIN') ?? ''),
    GOAUTH: envOr('GOAUTH', 'netrc'),
    GO111MODULE: getenv('GO111MODULE'),
    GOPRIVATE,
    GONOPROXY: gonoproxy === '' ? GOPRIVATE : gonoproxy,
    GONOPROXYFromGOPRIVATE: gonoproxy === '' && GOPRIVATE !== '',
    GONOSUMDB: envOr('GONOSUMDB', GOPRIVATE),
    GOINSECURE: getenv('GOINSECURE'),
    GOVCS: getenv('GOVCS'),
    GOFLAGS: getenv('GOFLAGS'),
    GOPATH,
    GOMODCACHE: envOr('GOMODCACHE', firstGopath === '' ? '' : pathApi.join(firstGopath, 'pkg', 'mod')),
  };
}
