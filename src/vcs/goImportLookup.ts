/**
 * Finding a module path's repository (cmd/go/internal/vcs/vcs.go
 * RepoRootForImportPath, the edge): well-known hosts first, else the
 * `<path>?go-get=1` page over HTTPS — plain HTTP only when GOINSECURE
 * matches, as web.Get's Insecure mode does — with `.netrc` credentials on
 * HTTPS requests, the proxy from HTTPS_PROXY/HTTP_PROXY/NO_PROXY as Go's
 * http.ProxyFromEnvironment reads them, and the prefix root's own page
 * re-checked when the tag came from a deeper path. Messages never carry
 * credentials.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, EnvHttpProxyAgent, interceptors, request, type Dispatcher } from 'undici';
import type { ProcessEnv } from '../gomod/goenv.js';
import { goGetUrl, knownRepoRoot, matchGoImport, parseMetaGoImports, repoRootProblem, type RepoRoot } from './repoRoot.js';
import { netrcCredentials, parseNetrc, type NetrcLine } from './netrc.js';

/** The largest go-import page read. */
export const MAX_GO_GET_PAGE = 1 << 20;
/** Time for one go-import request. */
export const GO_GET_TIMEOUT_MS = 30_000;

/** A lookup that failed: cmd/go's `unrecognized import path` message. */
export class RepoLookupError extends Error {}

interface Page {
  url: string;
  status: number;
  body: string;
}

export class GoImportLookup {
  readonly #env: ProcessEnv;
  readonly #agent: Dispatcher;
  readonly #dispatcher: Dispatcher;
  #netrc: Promise<NetrcLine[]> | undefined;
  readonly #pages = new Map<string, Promise<{ url: string; imports: ReturnType<typeof parseMetaGoImports> }>>();

  constructor(env: ProcessEnv) {
    this.#env = env;
    const get = (k: string): string | undefined => env[k] ?? env[k.toLowerCase()];
    const httpProxy = get('HTTP_PROXY');
    const httpsProxy = get('HTTPS_PROXY');
    this.#agent =
      httpProxy !== undefined || httpsProxy !== undefined
        ? new EnvHttpProxyAgent({
            proxyTunnel: false,
            ...(httpProxy === undefined ? {} : { httpProxy }),
            ...(httpsProxy === undefined ? {} : { httpsProxy }),
            noProxy: get('NO_PROXY') ?? '',
          })
        : new Agent();
    this.#dispatcher = this.#agent.compose(interceptors.redirect({ maxRedirections: 10 }));
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  #netrcLines(): Promise<NetrcLine[]> {
    this.#netrc ??= (async () => {
      const file = this.#env.NETRC ?? (this.#env.HOME === undefined ? undefined : join(this.#env.HOME, '.netrc'));
      if (file === undefined) return [];
      try {
        return parseNetrc(await readFile(file, 'utf8'));
      } catch {
        return [];
      }
    })();
    return this.#netrc;
  }

  async #get(url: string): Promise<Page> {
    const headers: Record<string, string> = {};
    if (url.startsWith('https:')) {
      const cred = netrcCredentials(await this.#netrcLines(), new URL(url).hostname);
      if (cred !== undefined) headers.authorization = `Basic ${Buffer.from(`${cred.login}:${cred.password}`).toString('base64')}`;
    }
    const res = await request(url, {
      dispatcher: this.#dispatcher,
      headers,
      headersTimeout: GO_GET_TIMEOUT_MS,
      bodyTimeout: GO_GET_TIMEOUT_MS,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_GO_GET_PAGE) {
        res.body.destroy();
        break;
      }
      chunks.push(chunk);
    }
    return { url, status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') };
  }

  /** web.Get: HTTPS, then (insecure only) HTTP when HTTPS could not be reached. */
  async #fetch(importPath: string, insecure: boolean): Promise<Page> {
    const secure = goGetUrl(importPath, 'https');
    try {
      return await this.#get(secure);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (!insecure) throw new RepoLookupError(`https fetch: Get "${secure}": ${why}`);
    }
    const plain = goGetUrl(importPath, 'http');
    try {
      return await this.#get(plain);
    } catch (err) {
      throw new RepoLookupError(`http/https fetch: Get "${plain}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** metaImportsForPrefix: the tags on a prefix's own page (fetched once per prefix). */
  #importsFor(prefix: string, insecure: boolean): Promise<{ url: string; imports: ReturnType<typeof parseMetaGoImports> }> {
    let p = this.#pages.get(prefix);
    if (p === undefined) {
      p = (async () => {
        const page = await this.#fetch(prefix, insecure);
        const imports = parseMetaGoImports(page.body);
        if (imports.length === 0 && page.status !== 200)
          throw new RepoLookupError(`fetching ${prefix}: reading ${page.url}: ${page.status}`);
        if (imports.length === 0) throw new RepoLookupError(`fetching ${prefix}: no go-import meta tag found in ${page.url}`);
        return { url: page.url, imports };
      })();
      this.#pages.set(prefix, p);
    }
    return p;
  }

  /** RepoRootForImportPath with PreferMod. Throws RepoLookupError with cmd/go's text. */
  async repoRoot(importPath: string, insecure: boolean): Promise<RepoRoot> {
    let known: RepoRoot | undefined;
    try {
      known = knownRepoRoot(importPath, insecure);
    } catch (err) {
      throw new RepoLookupError(err instanceof Error ? err.message : String(err));
    }
    if (known !== undefined) return known;
    const fail = (why: string): RepoLookupError => new RepoLookupError(`unrecognized import path "${importPath}": ${why}`);
    const page = await this.#fetch(importPath, insecure).catch((err: unknown) => {
      throw fail(err instanceof Error ? err.message : String(err));
    });
    const imports = parseMetaGoImports(page.body);
    if (imports.length === 0 && page.status !== 200) throw fail(`reading ${page.url}: ${page.status}`);
    const mmi = matchGoImport(imports, importPath);
    if ('error' in mmi)
      throw fail(mmi.mismatch ? `parse ${page.url}: no go-import meta tags (${mmi.error})` : `parse ${page.url}: ${mmi.error}`);
    if (mmi.prefix !== importPath) {
      // The page of a deeper path may not speak for its prefix: the prefix's own page must agree.
      let root;
      try {
        root = await this.#importsFor(mmi.prefix, insecure);
      } catch (err) {
        throw fail(err instanceof Error ? err.message : String(err));
      }
      const again = matchGoImport(root.imports, importPath);
      if (
        'error' in again ||
        again.vcs !== mmi.vcs ||
        again.repoRoot !== mmi.repoRoot ||
        again.prefix !== mmi.prefix ||
        again.subdir !== mmi.subdir
      ) {
        throw fail(`${page.url} and ${root.url} disagree about go-import for ${mmi.prefix}`);
      }
    }
    const problem = repoRootProblem(mmi.repoRoot);
    if (problem !== undefined) throw fail(`${page.url}: invalid repo root "${mmi.repoRoot}": ${problem}`);
    return { root: mmi.prefix, vcs: mmi.vcs, repo: mmi.repoRoot, subdir: mmi.subdir };
  }
}
