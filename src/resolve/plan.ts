/**
 * The plan of a bundle: the build list `go list -m all` prints, every go.mod
 * the go command reads while loading the graph, and the files a GOPROXY tree
 * must hold so the go command finds all of them offline (GO-PROTOCOLS §5.4).
 */
import { compare } from '../gomod/semver.js';
import { FetchLimiter } from './fetchLimiter.js';
import { isToolchainPath } from './goVersion.js';
import { loadExpandedGraph, type GraphContext } from './graph.js';
import { MainModuleIndex, toPlanReplacement } from './mainModule.js';
import { GoModLoader } from './modSummary.js';
import type { BuildListEntry, GoModSource, ModSummaryInput, ModuleVersion, Plan, ResolveOptions } from './types.js';

type PlanFile = Plan['files'][number];

const KIND_ORDER: Record<PlanFile['kind'], number> = { info: 0, mod: 1, zip: 2 };

export async function resolvePlan(mainModFile: ModSummaryInput, source: GoModSource, opts: ResolveOptions = {}): Promise<Plan> {
  const main = new MainModuleIndex(mainModFile);
  const loader = new GoModLoader(main, source, new FetchLimiter(opts.concurrency));
  const ctx: GraphContext = { main, loader, mode: opts.mode ?? 'mod' };
  const { mg } = await loadExpandedGraph(ctx);

  const buildList: BuildListEntry[] = [];
  for (const m of mg.buildList()) {
    if (isToolchainPath(m.path)) continue;
    const repl = main.replacement(m);
    buildList.push(repl === undefined ? { path: m.path, version: m.version } : { ...m, replace: toPlanReplacement(repl) });
  }

  const loaded = sortByPathVersion([...loader.remoteReads.values()]);

  const files = new Map<string, PlanFile>();
  const addFile = (f: PlanFile): void => {
    files.set(`${f.path}\u0000${f.version}\u0000${f.kind}`, f);
  };
  for (const m of loaded) addFile({ ...m, kind: 'mod' });
  const localReplacements = new Map<string, { path: string; version: string; dir: string }>();
  for (const [key, r] of loader.localReads) localReplacements.set(key, r);
  for (const m of buildList.slice(1)) {
    const r = m.replace;
    if (r !== undefined && 'dir' in r) {
      localReplacements.set(`${m.path}\u0000${m.version}`, { path: m.path, version: m.version, dir: r.dir });
      continue;
    }
    // A replaced module is downloaded (and listed in go.sum) as its replacement.
    const target = r ?? m;
    for (const kind of ['info', 'mod', 'zip'] as const) addFile({ path: target.path, version: target.version, kind });
  }
  const sortedFiles = [...files.values()].sort(
    (a, b) => comparePathVersion(a, b) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind],
  );

  const lists = new Map<string, string[]>();
  for (const f of sortedFiles) {
    const versions = lists.get(f.path) ?? [];
    if (versions[versions.length - 1] !== f.version) versions.push(f.version);
    lists.set(f.path, versions);
  }

  return {
    main: { path: main.path, goVersion: main.goVersion },
    buildList,
    loaded,
    files: sortedFiles,
    lists,
    localReplacements: sortByPathVersion([...localReplacements.values()]),
  };
}

/**
 * What `go list -m all` prints for the plan's build list (modinfo.ModulePublic.String):
 * the main module's path, then `path version`, with ` => path version` or
 * ` => dir` for replaced modules.
 */
export function formatListMAll(plan: Pick<Plan, 'buildList'>): string {
  let out = '';
  for (const m of plan.buildList) {
    let line = m.path;
    if (m.version !== '') line += ` ${m.version}`;
    if (m.replace !== undefined) line += 'dir' in m.replace ? ` => ${m.replace.dir}` : ` => ${m.replace.path} ${m.replace.version}`;
    out += `${line}\n`;
  }
  return out;
}

function comparePathVersion(a: ModuleVersion, b: ModuleVersion): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return compare(a.version, b.version) || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0);
}

function sortByPathVersion<T extends ModuleVersion>(list: T[]): T[] {
  return list.sort(comparePathVersion);
}
