/**
 * The plan of a bundle: the build list `go list -m all` prints, every go.mod
 * the go command reads while loading the graph, and the files a GOPROXY tree
 * must hold so the go command finds all of them offline (the README's
 * "How we know it agrees with the go command": test/e2e/differential*.ts
 * checks every file the real go command fetched is planned).
 */
import { DEFAULT_CONCURRENCY, Semaphore } from '../concurrency/semaphore.js';
import { isToolchainPath } from './goVersion.js';
import { loadExpandedGraph, requirementsFromMainModFile, type GraphContext, type ModuleGraph } from './graph.js';
import { NONE } from './mvs.js';
import { MainModuleIndex, toPlanReplacement } from './mainModule.js';
import { GoModLoader, pruningForGoVersion } from './modSummary.js';
import type { BuildListEntry, GoModSource, ModSummaryInput, Plan, ResolveOptions } from './types.js';
import { type ModuleVersion, moduleKey } from '../gomod/moduleVersion.js';
import { PlanFileSet, sortByPathVersion } from './planFiles.js';

export async function resolvePlan(mainModFile: ModSummaryInput, source: GoModSource, opts: ResolveOptions = {}): Promise<Plan> {
  const main = new MainModuleIndex(mainModFile);
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const loader = new GoModLoader(main, source, new Semaphore(concurrency));
  const graphs: ModuleGraph[] = [];
  const ctx: GraphContext = { main, loader, mode: opts.mode ?? 'mod', onGraph: (g) => graphs.push(g) };
  const initialRoots = requirementsFromMainModFile(ctx).rootModules;
  const { mg } = await loadExpandedGraph(ctx);

  const buildList: BuildListEntry[] = [];
  for (const m of mg.buildList()) {
    if (isToolchainPath(m.path)) continue;
    const repl = main.replacement(m);
    buildList.push(repl === undefined ? { path: m.path, version: m.version } : { ...m, replace: toPlanReplacement(repl) });
  }

  const loaded = sortByPathVersion([...loader.remoteReads.values()]);

  // With a pruned main module, a package-loading command (`go build`,
  // `go mod tidy`) makes every module that provides a package a root. A
  // build-list module that was not a root and does not prune (go < 1.17)
  // then has its whole dependency tree read. For a tidy go.mod those modules
  // are roots already; for any other, carry the go.mod files of those trees.
  const mainPruned = main.goVersion !== undefined && pruningForGoVersion(main.goVersion) === 'pruned';
  // When the go.mod lags behind its graph, the build lists of the graphs
  // loaded before the roots were updated count too: package loading works
  // from them before it reconciles the roots.
  if (mainPruned) {
    const candidates = new Map<string, ModuleVersion>();
    for (const g of graphs) {
      for (const m of g.buildList().slice(1)) {
        if (main.replacement(m)?.kind !== 'dir') candidates.set(moduleKey(m), m);
      }
    }
    await readUnprunedClosures(loader, [...candidates.values()]);
  }

  const files = new PlanFileSet();
  files.addGraph({ remote: loader.remoteReads.values(), local: loader.localReads }, buildList, (m) => m === buildList[0]);

  // A go.mod whose requirements lag behind the graph (not tidy) is read
  // lazily by package-loading commands: `go build` imports packages from the
  // root versions as written, and from the build list of the graph loaded
  // before the roots were updated, before it reconciles them. Carry those
  // modules whole too; for a tidy go.mod there is one graph and the roots
  // are selected, so this adds nothing.
  const complete = (m: ModuleVersion): void => {
    if (isToolchainPath(m.path) || m.version === '' || m.version === NONE) return;
    const repl = main.replacement(m);
    if (repl?.kind === 'dir') return;
    files.addModule(repl === undefined ? m : { path: repl.path, version: repl.version });
  };
  if (graphs.length > 1) {
    for (const m of initialRoots) complete(m);
    for (const g of graphs.slice(0, -1)) for (const m of g.buildList()) complete(m);
  }
  return {
    main: { path: main.path, goVersion: main.goVersion, toolchain: main.toolchain },
    dependencyGo: loader.highestGo,
    buildList,
    loaded,
    ...files.result(),
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

/** Read (through the loader, so they are recorded) the go.mod files below every unpruned module in `from`. */
async function readUnprunedClosures(loader: GoModLoader, from: readonly ModuleVersion[]): Promise<void> {
  const seen = new Set<string>();
  const visit = async (m: ModuleVersion, underUnpruned: boolean): Promise<void> => {
    if (isToolchainPath(m.path) || m.version === NONE) return;
    const key = moduleKey(m);
    if (seen.has(key)) return;
    const summary = await loader.summary(m);
    if (!underUnpruned && summary.pruning === 'pruned') return;
    seen.add(key);
    await Promise.all(summary.require.map((r) => visit(r, true)));
  };
  await Promise.all(from.map((m) => visit({ path: m.path, version: m.version }, false)));
}
