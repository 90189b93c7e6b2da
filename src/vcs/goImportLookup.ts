/**
 * Finding a module path's repository (cmd/go/internal/vcs/vcs.go
 * RepoRootForImportPath, the edge): well-known hosts first, else the
 * `<path>?go-get=1` page over HTTPS — plain HTTP only when GOINSECURE
 * matches, as web.Get's Insecure mode does — and the prefix root's own page
 * re-checked when the tag came from a deeper path. Pages are read through
 * the shared transport (network/), so they take the outbound proxy and
 * GOAUTH credentials exactly as module-proxy requests do. Messages never
 * carry credentials.
 */
import { NetworkError } from '../errors.js';
import type { HttpTransport } from '../network/httpTransport.js';
import { goGetUrl, knownRepoRoot, matchGoImport, parseMetaGoImports, repoRootProblem, type RepoRoot } from './repoRoot.js';

/** The largest go-import page read. */
export const MAX_GO_GET_PAGE = 1 << 20;

/** A lookup that failed: cmd/go's `unrecognized import path` message. */
export class RepoLookupError extends Error {}

interface Page {
  url: string;
  status: number;
  body: string;
}

export class GoImportLookup {
  readonly #transport: Pick<HttpTransport, 'page'>;
  readonly #pages = new Map<string, Promise<{ url: string; imports: ReturnType<typeof parseMetaGoImports> }>>();

  constructor(transport: Pick<HttpTransport, 'page'>) {
    this.#transport = transport;
  }

  async #get(url: string): Promise<Page> {
    const page = await this.#transport.page(url, MAX_GO_GET_PAGE, { tag: { kind: 'go-import', server: new URL(url).origin } });
    return { url, status: page.status, body: page.body.toString('utf8') };
  }

  /** web.Get: HTTPS, then (insecure only) HTTP when HTTPS could not be reached. */
  async #fetch(importPath: string, insecure: boolean): Promise<Page> {
    const secure = goGetUrl(importPath, 'https');
    try {
      return await this.#get(secure);
    } catch (err) {
      if (!insecure) throw new RepoLookupError(`https fetch: Get "${secure}": ${why(err)}`);
    }
    const plain = goGetUrl(importPath, 'http');
    try {
      return await this.#get(plain);
    } catch (err) {
      throw new RepoLookupError(`http/https fetch: Get "${plain}": ${why(err)}`);
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

/** What went wrong with a page request, without the transport's `reading <url>: ` (the message names the URL already). */
function why(err: unknown): string {
  if (err instanceof NetworkError && err.reason !== undefined) return err.reason;
  return err instanceof Error ? err.message : String(err);
}
