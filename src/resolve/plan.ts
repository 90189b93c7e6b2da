/**
 * The plan of a bundle: the build list `go list -m all` prints, every go.mod
 * the go command reads while loading the graph, and the files a GOPROXY tree
 * must hold so the go command finds all of them offline (the README's
 * "How we know it agrees with the go command": test/e2e/differential*.ts
 * checks every file the real go command fetched is planned).
 */
import { DEFAULT_CONCURRENCY, Semaphore } from '../concurrency/semaphore.js';
import { compareGoVersion, GO_STRICT_VERSION, isToolchainPath } from './goVersion.js';
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
  // `go mod tidy` also checks the go.mod against the graph of its
  // compatibility version (modload checkTidyCompatibility): below go 1.21 that
  // is the previous release, so a go 1.17 main module is checked against the
  // unpruned go 1.16 graph, which reads every go.mod in the roots' transitive
  // closure (github.com/stretchr/testify v1.9.0: objx v0.5.2 → testify v1.8.4).
  if (mainPruned && main.goVersion !== undefined && pruningForGoVersion(tidyCompatVersion(main.goVersion)) === 'unpruned') {
    await readTidyCompatGraph(loader, main, initialRoots);
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

/**
 * The go version `go mod tidy` keeps a main module compatible with when no
 * -compat is given (modload loadFromRoots): the previous release below go
 * 1.21 (gover.Prev: 1.17.3 → 1.16), the go version itself from 1.21 on.
 */
export function tidyCompatVersion(goVersion: string): string {
  if (compareGoVersion(goVersion, GO_STRICT_VERSION) >= 0) return goVersion;
  const m = /^(\d+)\.(\d+)/.exec(goVersion);
  if (m === null || m[2] === '0') return goVersion;
  return `${m[1]}.${Number(m[2]) - 1}`;
}

/**
 * Read (through the loader, so they are recorded) every go.mod in the
 * unpruned closure of `roots`, as tidy's compatibility check does. Only tidy
 * runs that check, and only tidy fails when a go.mod in it cannot be read, so
 * such a go.mod is left out of the plan instead of failing it.
 */
async function readTidyCompatGraph(loader: GoModLoader, main: MainModuleIndex, roots: readonly ModuleVersion[]): Promise<void> {
  const readBefore = new Set(loader.remoteReads.keys());
  const seen = new Set<string>();
  const visit = async (m: ModuleVersion): Promise<void> => {
    if (isToolchainPath(m.path) || m.version === NONE || seen.has(moduleKey(m))) return;
    seen.add(moduleKey(m));
    const summary = await loader.summary(m).catch(() => undefined);
    if (summary === undefined) {
      const repl = main.replacement(m);
      const actual = repl === undefined ? m : repl.kind === 'dir' ? undefined : { path: repl.path, version: repl.version };
      if (actual !== undefined && !readBefore.has(moduleKey(actual))) loader.remoteReads.delete(moduleKey(actual));
      return;
    }
    await Promise.all(summary.require.map(visit));
  };
  await Promise.all(roots.map(visit));
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
