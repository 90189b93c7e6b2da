/**
 * The GOPROXY list applied to each request, with cmd/go's fallback rules
 * (modfetch/proxy.go TryProxies, modfetch/repo.go lookup):
 *
 *   - not-found (404/410, a missing file, `off`) → try the next entry;
 *   - any other error → try the next entry only if it was followed by `|`;
 *   - `direct` → the direct source given (version control, src/vcs/), or
 *     without one a clear EDIRECT error naming the variable that led there;
 *   - when everything fails, report the most useful error: a direct error
 *     beats a proxy's real error, which beats not-found.
 */
import { NetworkError, NotFoundError } from '../errors.js';
import { proxiesForModule, redactUrl, type ProxySpec, type RoutedProxySpec } from '../gomod/goenv.js';
import { HttpTransport, type HttpTransportOptions } from '../network/httpTransport.js';
import { DEFAULT_PROXY_LIMITS, ProxyClient, type ListEntry, type ProxyLimits, type RevInfo, type ZipDestination } from './proxyClient.js';
import { DirectUnsupportedError } from './proxyErrors.js';

export interface ProxyChainOptions {
  /** Parsed GOPROXY (parseGoProxy, with GONOPROXY so `noproxy` is first when set). */
  specs: readonly ProxySpec[];
  /** GONOPROXY patterns (already defaulted to GOPRIVATE). */
  gonoproxy?: string;
  /** Whether the GONOPROXY patterns came from GOPRIVATE (for messages). */
  gonoproxySource?: 'GONOPROXY' | 'GOPRIVATE';
  /** A transport to share; when absent the chain makes (and closes) its own. */
  transport?: HttpTransport;
  /** Options for the chain's own transport. */
  transportOptions?: HttpTransportOptions;
  /** File size limits (default: the go command's). */
  limits?: ProxyLimits;
  /** Where the proxy list came from, for hints ("GOPROXY (from the environment)", "--proxy"). */
  proxySource?: string;
  /** What `direct` fetches from (src/vcs/vcsSource.ts); without one, `direct` is a DirectUnsupportedError. */
  direct?: ModuleSource;
}

/** The calls the chain makes on one entry: a proxy's client, or the direct (version-control) source. */
export type ModuleSource = Pick<ProxyClient, 'list' | 'info' | 'infoBytes' | 'latest' | 'mod' | 'zipTo'>;

const DIRECT_REASONS = {
  GOPROXY: 'GOPROXY routes this module to "direct"',
  GONOPROXY: 'GONOPROXY matches this module, so it must be fetched directly',
  GOPRIVATE: 'GOPRIVATE matches this module (and GONOPROXY defaults to it), so it must be fetched directly',
} as const;

const DIRECT_HINTS = {
  GOPROXY: 'make the module available from a proxy listed in GOPROXY before "direct"',
  GONOPROXY: 'serve the module from a proxy and remove it from GONOPROXY',
  GOPRIVATE: 'serve the module from a proxy and set GONOPROXY to patterns that do not match it (GONOPROXY overrides GOPRIVATE)',
} as const;

/**
 * What to try when a proxy cannot be reached or answers with an error:
 * which setting named it, how gobundle got there (directly, or through the
 * outbound proxy the go command would use), and where to look.
 */
function unreachableProxyHint(proxyUrl: string, source: string, route: string): string {
  return (
    `the proxy ${redactUrl(proxyUrl)} was named by ${source}; set GOPROXY (or pack --proxy) to a module proxy this machine can reach, ` +
    'such as a mirror or a gobundle serve; check that its host name resolves and that the network lets this machine connect to it ' +
    `(gobundle connected ${route}); separate proxies with "|" instead of "," to fall through to the next one on any error`
  );
}

const enum Rank {
  NotFound = 0,
  Proxy = 1,
  Direct = 2,
}

type TryResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * cmd/go TryProxies: call `attempt` for each entry until one succeeds or
 * fails with a real error on an entry without `|`. The error kept is the
 * most useful one: a direct (or noproxy) error, else a proxy's real error,
 * else the last not-found. `error` is undefined when there were no entries.
 */
async function tryProxies<T>(specs: readonly ProxySpec[], attempt: (spec: ProxySpec) => Promise<T>): Promise<TryResult<T>> {
  let best: unknown;
  let bestRank = Rank.NotFound;
  for (const spec of specs) {
    let err: unknown;
    try {
      return { ok: true, value: await attempt(spec) };
    } catch (e) {
      err = e;
    }
    const notFound = err instanceof NotFoundError;
    if (spec.kind === 'direct' || (spec.kind === 'noproxy' && !notFound)) {
      best = err;
      bestRank = Rank.Direct;
    } else if (bestRank <= Rank.Proxy && !notFound) {
      best = err;
      bestRank = Rank.Proxy;
    } else if (bestRank === Rank.NotFound) {
      best = err;
    }
    if (!spec.fallBackOnError && !notFound) break;
  }
  return { ok: false, error: best };
}

export class ProxyChain {
  readonly specs: readonly ProxySpec[];
  readonly #gonoproxy: string;
  readonly #gonoproxySource: 'GONOPROXY' | 'GOPRIVATE';
  readonly #transport: HttpTransport;
  readonly #ownsTransport: boolean;
  readonly #clients = new Map<string, ProxyClient>();
  readonly #limits: ProxyLimits;
  readonly #sumdbBases = new Map<string, Promise<string>>();
  readonly #proxySource: string;
  readonly #direct: ModuleSource | undefined;

  constructor(options: ProxyChainOptions) {
    this.specs = options.specs;
    this.#proxySource = options.proxySource ?? 'GOPROXY';
    this.#gonoproxy = options.gonoproxy ?? '';
    this.#gonoproxySource = options.gonoproxySource ?? 'GONOPROXY';
    this.#ownsTransport = options.transport === undefined;
    this.#transport = options.transport ?? new HttpTransport(options.transportOptions);
    this.#limits = options.limits ?? DEFAULT_PROXY_LIMITS;
    this.#direct = options.direct;
  }

  /** A chain for a loaded Go configuration (GOPROXY with GONOPROXY/GOPRIVATE). */
  static fromConfig(
    config: { proxies: readonly ProxySpec[]; env: { GONOPROXY: string; GONOPROXYFromGOPRIVATE: boolean }; proxySource?: string },
    options: Omit<ProxyChainOptions, 'specs' | 'gonoproxy' | 'gonoproxySource'> = {},
  ): ProxyChain {
    return new ProxyChain({
      ...(config.proxySource === undefined ? {} : { proxySource: config.proxySource }),
      ...options,
      specs: config.proxies,
      gonoproxy: config.env.GONOPROXY,
      gonoproxySource: config.env.GONOPROXYFromGOPRIVATE ? 'GOPRIVATE' : 'GONOPROXY',
    });
  }

  /** Release connections (only if the chain created its transport). */
  async close(): Promise<void> {
    if (this.#ownsTransport) await this.#transport.close();
  }

  /** `@v/list` from the first proxy that has the module. */
  list(path: string): Promise<ListEntry[]> {
    return this.#try(path, '', (client, p) => client.list(p));
  }

  info(path: string, version: string): Promise<RevInfo> {
    return this.#try(path, version, (client, p) => client.info(p, version));
  }

  infoBytes(path: string, version: string): Promise<Buffer> {
    return this.#try(path, version, (client, p) => client.infoBytes(p, version));
  }

  latest(path: string): Promise<RevInfo> {
    return this.#try(path, '', (client, p) => client.latest(p));
  }

  mod(path: string, version: string): Promise<Buffer> {
    return this.#try(path, version, (client, p) => client.mod(p, version));
  }

  /** Stream the zip into `dest`; a file path is truncated, a factory called anew, for each proxy tried. */
  zipTo(path: string, version: string, dest: ZipDestination): Promise<{ size: number }> {
    return this.#try(path, version, (client, p) => client.zipTo(p, version, dest));
  }

  #client(url: string): ProxyClient {
    let client = this.#clients.get(url);
    if (client === undefined) {
      client = new ProxyClient(url, this.#transport, this.#limits);
      this.#clients.set(url, client);
    }
    return client;
  }

  /** cmd/go TryProxies over the entries routed for this module. */
  async #try<T>(path: string, version: string, op: (client: ModuleSource, path: string) => Promise<T>): Promise<T> {
    const route = proxiesForModule(this.specs, path, this.#gonoproxy, this.#gonoproxySource);
    const prefix = version === '' ? route.path : `${route.path}@${version}`;
    let previous: unknown;
    const result = await tryProxies(route.specs, async (spec) => {
      try {
        return await this.#attempt(spec, route.path, prefix, previous, op);
      } catch (err) {
        previous = err;
        throw err;
      }
    });
    if (result.ok) return result.value;
    if (result.error === undefined) {
      // Every entry was skipped: the module matches GONOPROXY but GOPROXY has no "direct".
      throw new NotFoundError(`${prefix}: disabled by GOPRIVATE/GONOPROXY`, {
        hint: DIRECT_HINTS[this.#gonoproxySource],
      });
    }
    throw result.error;
  }

  /**
   * The base URL for checksum-database requests (cmd/go modfetch/sumdb.go
   * initBase), decided once per database name: an explicit GOSUMDB URL is
   * used as is; otherwise the first proxy answering 200 to
   * `<proxy>/sumdb/<name>/supported` serves it (with no fallback later);
   * not-found, `noproxy`, `direct`, `off` or the end of the list mean the
   * database's own `https://<name>`. A real error that is not passed over
   * with `|` (or is the most useful one left) fails.
   */
  sumdbBase(db: { name: string; url: string; urlExplicit: boolean }): Promise<string> {
    if (db.urlExplicit) return Promise.resolve(db.url);
    let base = this.#sumdbBases.get(db.name);
    if (base === undefined) {
      base = this.#findSumdbBase(db.name, db.url);
      this.#sumdbBases.set(db.name, base);
    }
    return base;
  }

  async #findSumdbBase(name: string, directUrl: string): Promise<string> {
    const result = await tryProxies(this.specs, async (spec) => {
      if (spec.kind !== 'url' || spec.url === undefined) {
        throw new NotFoundError(
          spec.kind === 'noproxy' ? 'path does not match GOPRIVATE/GONOPROXY' : 'module lookup disabled by GOPROXY=off',
        );
      }
      const base = `${spec.url.replace(/\/$/, '')}/sumdb/${name}`;
      const proxyUrl = spec.url;
      await this.#withProxyHint(proxyUrl, () =>
        this.#transport.get(
          `${base}/supported`,
          async (body) => {
            for await (const _ of body) {
              // The body of supported is ignored, but read so the connection is reused.
            }
          },
          { tag: { kind: 'sumdb', server: redactUrl(base) } },
        ),
      );
      return base;
    });
    if (result.ok) return result.value;
    if (result.error === undefined || result.error instanceof NotFoundError) return directUrl;
    throw result.error;
  }

  async #attempt<T>(
    spec: RoutedProxySpec,
    path: string,
    prefix: string,
    previous: unknown,
    op: (client: ModuleSource, path: string) => Promise<T>,
  ): Promise<T> {
    switch (spec.kind) {
      case 'off':
        throw new NotFoundError(`${prefix}: module lookup disabled by GOPROXY=off`, {
          hint: 'set GOPROXY to a module proxy (for example the URL of a gobundle serve instance)',
        });
      case 'direct': {
        if (this.#direct !== undefined) return op(this.#direct, path);
        const via = spec.routedBy ?? 'GOPROXY';
        throw new DirectUnsupportedError(`${prefix}: direct VCS fetches are not supported yet (${DIRECT_REASONS[via]})`, {
          hint: DIRECT_HINTS[via],
          ...(previous === undefined ? {} : { cause: previous }),
        });
      }
      case 'noproxy':
        // proxiesForModule never leaves one in a route.
        throw new NotFoundError(`${prefix}: path does not match GOPRIVATE/GONOPROXY`);
      case 'url': {
        const proxyUrl = spec.url ?? '';
        return this.#withProxyHint(proxyUrl, () => op(this.#client(proxyUrl), path));
      }
    }
  }

  /** A network error from one proxy gets the hint that names the proxy and the setting it came from. */
  async #withProxyHint<T>(proxyUrl: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      // A failure with advice of its own (the outbound proxy, TLS) keeps it.
      if (err.constructor !== NetworkError) throw err;
      throw err.rephrase(undefined, unreachableProxyHint(proxyUrl, this.#proxySource, this.#transport.describeRoute(proxyUrl)));
    }
  }
}
