/**
 * A wants list on the connected side: each `module@query` resolved through
 * the GOPROXY chain the way the go command would resolve it there. A
 * canonical version must exist (`.info`); `latest` is the highest listed
 * release the module's latest go.mod does not retract, else the highest
 * prerelease, else the proxy's `@latest` (cmd/go modload queryLatest, as
 * pack --tool resolves it); any other query is the version the proxy's
 * `.info` for it names. Toolchain versions (golang.org/toolchain) become
 * toolchain requests. A module the proxies do not have (404/410 on every
 * one) is skipped and reported, not fatal: the go command probes every
 * path prefix of what it looks for (`go get example.com/a/b@v1` also asks
 * for `example.com/a@v1`), so a wants list names modules that exist
 * nowhere. Any other failure stops the pack. Pure: the proxy is passed in.
 */
import { mapLimit } from '../concurrency/mapLimit.js';
import { NotFoundError } from '../errors.js';
import { ProxyResponseError } from '../proxy/proxyErrors.js';
import { parseModFile } from '../gomod/modfile.js';
import { canonical, isValid } from '../gomod/semver.js';
import { highestListed, retractionOf, type Retraction } from '../resolve/toolQuery.js';
import { TOOLCHAIN_MODULE, parseToolchainModuleVersion, type Platform } from '../toolchain/dlVersion.js';
import type { WantedEntry } from '../misses/wantsList.js';

/** What resolving a wants list needs from the GOPROXY chain. */
export interface WantsQuerier {
  list(path: string): Promise<{ version: string }[]>;
  latest(path: string): Promise<{ Version: string }>;
  info(path: string, version: string): Promise<{ Version: string }>;
  mod(path: string, version: string): Promise<Uint8Array>;
}

export interface ResolvedWants {
  /** Module versions to carry, each once, in the order of the list. */
  modules: { path: string; version: string }[];
  /** Toolchains to carry (golang.org/toolchain versions in the list). */
  toolchains: { toolchain: string; platform: Platform }[];
  /** Queries and what they resolved to, for the log. */
  resolved: { what: string; version: string }[];
  /** Entries no proxy has, with why. */
  skipped: { what: string; why: string }[];
}

/** Queries resolved at once (each is one to three small requests). */
export const WANTS_CONCURRENCY = 16;

export async function resolveWants(entries: readonly WantedEntry[], q: WantsQuerier): Promise<ResolvedWants> {
  const out: ResolvedWants = { modules: [], toolchains: [], resolved: [], skipped: [] };
  const results = await mapLimit(entries, WANTS_CONCURRENCY, (e) => resolveOne(e, q));
  const seen = new Set<string>();
  for (const [i, r] of results.entries()) {
    const e = entries[i] as WantedEntry;
    const what = `${e.path}@${e.query}`;
    if ('skip' in r) {
      out.skipped.push({ what, why: r.skip });
      continue;
    }
    const v = r.version;
    if (v !== e.query) out.resolved.push({ what, version: v });
    const key = `${e.path}@${v}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const tc = e.path === TOOLCHAIN_MODULE ? parseToolchainModuleVersion(v) : undefined;
    if (tc !== undefined) out.toolchains.push(tc);
    else out.modules.push({ path: e.path, version: v });
  }
  return out;
}

/** The version an entry resolves to, or why it is skipped. */
async function resolveOne(e: WantedEntry, q: WantsQuerier): Promise<{ version: string } | { skip: string }> {
  if (e.query === 'latest') {
    const listed = (await orNotFound(q.list(e.path)))?.map((l) => l.version);
    if (listed !== undefined && listed.length > 0) {
      const highest = highestListed(listed);
      let retract: Retraction[] = [];
      if (highest !== undefined) {
        const mod = await orNotFound(q.mod(e.path, highest));
        if (mod !== undefined) retract = parseModFile(`${e.path}@${highest}/go.mod`, mod, { strict: false }).retract;
      }
      const v = highestListed(listed, (v) => retractionOf(v, retract) === undefined);
      if (v !== undefined) return { version: v };
      if (highest !== undefined) return { skip: 'every listed version is retracted by the module author' };
    }
    const latest = await orNotFound(q.latest(e.path));
    return latest === undefined ? { skip: 'no such module on any proxy (404/410)' } : checked(e, latest.Version);
  }
  const info = await orNotFound(q.info(e.path, e.query));
  if (info === undefined) return { skip: `no such ${isValid(e.query) ? 'version' : 'module or query'} on any proxy (404/410)` };
  return checked(e, info.Version);
}

/** A version a proxy named, refused unless canonical (it becomes file names). */
function checked(e: WantedEntry, version: string): { version: string } {
  if (!isValid(version) || canonical(version) !== version)
    throw new ProxyResponseError(e.path, e.query, `the proxy resolved it to ${JSON.stringify(version)}`);
  return { version };
}

/** The value, or undefined when no proxy has it (404/410: not found). */
async function orNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}
