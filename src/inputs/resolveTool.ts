/**
 * Resolve a tool argument the way `go install pkg@version` does outside a
 * module (cmd/go internal/load PackagesAndErrorsOutsideModule, modload
 * QueryPackages and queryProxy): the longest module path prefix of the
 * package that the proxies know at that version; for `@latest` the highest
 * release in @v/list (else prerelease, else the proxy's @latest) that the
 * module's latest go.mod does not retract; an explicit version that is
 * retracted is refused, as the go command refuses it.
 */
import { ModuleError, NotFoundError, UsageError } from '../errors.js';
import { parseModFile } from '../gomod/modfile.js';
import type { ListEntry, RevInfo } from '../proxy/proxyClient.js';
import { candidateModulePaths, highestListed, parseToolArg, retractionOf, type Retraction } from '../resolve/toolQuery.js';

/** What resolving a tool needs from the GOPROXY chain. */
export interface ToolQuerier {
  list(path: string): Promise<ListEntry[]>;
  latest(path: string): Promise<RevInfo>;
  info(path: string, version: string): Promise<RevInfo>;
  mod(path: string, version: string): Promise<Uint8Array>;
}

export interface ResolvedTool {
  /** As typed, e.g. golang.org/x/tools/cmd/stringer@latest. */
  arg: string;
  pkg: string;
  module: string;
  version: string;
  /**
   * The highest listed version, whose go.mod the go command reads for the
   * module's retractions (modload.CheckRetractions); the bundle carries it.
   */
  retractionsFrom: string | undefined;
}

export async function resolveTool(arg: string, q: ToolQuerier): Promise<ResolvedTool> {
  const parsed = parseToolArg(arg);
  if (typeof parsed === 'string') throw new UsageError(`tool ${parsed}`);
  for (const path of candidateModulePaths(parsed.pkg)) {
    // An exact version is looked up first (Stat, .info); a path the proxies lack is the next candidate.
    if (parsed.query !== 'latest' && (await orNotFound(q.info(path, parsed.query))) === undefined) continue;
    const versions = await orNotFound(q.list(path));
    if (versions === undefined && parsed.query === 'latest') continue;
    const listed = (versions ?? []).map((e) => e.version);
    const retractionsFrom = highestListed(listed);
    const retract: Retraction[] =
      retractionsFrom === undefined
        ? []
        : parseModFile(`${path}@${retractionsFrom}/go.mod`, await q.mod(path, retractionsFrom), { strict: false }).retract;
    let version: string | undefined;
    if (parsed.query === 'latest') {
      version = highestListed(listed, (v) => retractionOf(v, retract) === undefined);
      if (version === undefined && listed.length === 0) version = (await orNotFound(q.latest(path)))?.Version;
      if (version === undefined) {
        throw new ModuleError(path, 'latest', 'every listed version is retracted by the module author', {
          hint: 'name a version explicitly if you need a retracted one',
        });
      }
    } else {
      version = parsed.query;
    }
    const r = retractionOf(version, retract);
    if (r !== undefined) {
      throw new ModuleError(path, version, `retracted by module author${r.rationale === '' ? '' : `: ${r.rationale}`}`, {
        hint: 'go install refuses a retracted version; pick another one, or @latest',
      });
    }
    return { arg, pkg: parsed.pkg, module: path, version, retractionsFrom };
  }
  throw new NotFoundError(`tool ${arg}: no module provides package ${parsed.pkg} at ${parsed.query}`, {
    hint: 'check the package path and version against the module proxy',
  });
}

/** The value, or undefined when the proxies do not have it (404/410: not found). */
async function orNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}
