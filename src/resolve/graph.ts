/**
 * The module graph of a main module, loaded the way cmd/go's modload does it
 * (buildlist.go: Requirements, readModGraph, expandGraph, updatePrunedRoots,
 * updateUnprunedRoots).
 *
 * Pruned graphs (main module at go ≥ 1.17) read the go.mod of every root and
 * add the requirements it lists, but walk no further below a root that itself
 * prunes (go ≥ 1.17); below an unpruned module everything is walked. If the
 * loaded graph selects a root at a version other than the one listed, the
 * roots are updated and the graph is loaded again, which can bring in
 * requirements that were pruned out before; every read of every load counts.
 */
import { GobundleError } from '../errors.js';
import { cmpVersion, DEFAULT_GO_MOD_VERSION, modCompare } from './goVersion.js';
import type { MainModuleIndex } from './mainModule.js';
import { BuildListError, Graph, NONE, req, sortModules, type Reqs } from './mvs.js';
import { pruningForGoVersion, type GoModLoader, type ModFileSummary, type Pruning } from './modSummary.js';
import type { ModMode } from './types.js';
import { type ModuleVersion, moduleKey } from '../gomod/moduleVersion.js';
import { ErrorCode } from '../errorCodes.js';

/** Thrown in readonly mode when the main go.mod's requirements are inconsistent (modload.errGoModDirty). */
export class GoModDirtyError extends GobundleError {
  constructor() {
    super(ErrorCode.GOMODDIRTY, 'updates to go.mod needed; to update it:\n\tgo mod tidy');
  }
}

export interface GraphContext {
  main: MainModuleIndex;
  loader: GoModLoader;
  mode: ModMode;
  /** Told about every module graph loaded, intermediate ones (before root updates) included. */
  onGraph?: (mg: ModuleGraph) => void;
}

/** A logically immutable set of root requirements and the graph loaded from them (modload.Requirements). */
export class Requirements {
  readonly pruning: Pruning;
  /** Sorted by path then version; may repeat a path; always contains "go". */
  readonly rootModules: readonly ModuleVersion[];
  readonly direct: ReadonlySet<string>;
  private readonly maxRootVersion = new Map<string, string>();
  private graphPromise: Promise<ModuleGraph> | undefined;
  private readonly ctx: GraphContext;

  constructor(ctx: GraphContext, pruning: Pruning, rootModules: readonly ModuleVersion[], direct: ReadonlySet<string>) {
    this.ctx = ctx;
    this.pruning = pruning;
    this.rootModules = rootModules;
    this.direct = direct;
    for (const m of rootModules) {
      const v = this.maxRootVersion.get(m.path);
      if (v === undefined || cmpVersion(m.path, v, m.version) < 0) this.maxRootVersion.set(m.path, m.version);
    }
    if (!this.maxRootVersion.has('go')) throw new Error('internal error: requirements without a "go" root');
  }

  /** The version of path among the roots ('' for the main module), or undefined if it is not a root. */
  rootSelected(path: string): string | undefined {
    if (path === this.ctx.main.path) return '';
    return this.maxRootVersion.get(path);
  }

  /** A root path listed twice, or the main module's own path listed as a root. */
  hasRedundantRoot(): boolean {
    return this.rootModules.some((m, i) => m.path === this.ctx.main.path || (i > 0 && m.path === this.rootModules[i - 1]!.path));
  }

  get graphLoaded(): boolean {
    return this.graphPromise !== undefined;
  }

  /** The graph loaded from these roots; loaded once. */
  graph(): Promise<ModuleGraph> {
    this.graphPromise ??= readModGraph(this.ctx, this.pruning, this.rootModules);
    return this.graphPromise;
  }
}

/** A loaded module graph: the MVS graph plus the main module it hangs from. */
export class ModuleGraph {
  readonly g: Graph;
  readonly mainModule: ModuleVersion;

  constructor(g: Graph, mainModule: ModuleVersion) {
    this.g = g;
    this.mainModule = mainModule;
  }

  selected(path: string): string {
    return this.g.selected(path);
  }

  /** Main module first, then every other selected path, sorted (toolchain pseudo-modules included). */
  buildList(): ModuleVersion[] {
    return this.g.buildList();
  }

  allRootsSelected(): boolean {
    return (this.g.requirementsOf(this.mainModule) ?? []).every((m) => this.selected(m.path) === m.version);
  }
}

/**
 * readModGraph: loads the graph reachable from roots. Each go.mod is read as
 * soon as the module version is discovered; the requirements of a module are
 * followed if the graph is unpruned, or if the module itself does not prune
 * (then everything below it is unpruned too).
 */
export async function readModGraph(ctx: GraphContext, pruning: Pruning, roots: readonly ModuleVersion[]): Promise<ModuleGraph> {
  const mainModule = { path: ctx.main.path, version: '' };
  const g = new Graph(cmpVersion, [mainModule]);
  g.require(mainModule, roots);
  await loadGraph(g, ctx.loader, pruning, roots);
  const mg = new ModuleGraph(g, mainModule);
  ctx.onGraph?.(mg);
  return mg;
}

/**
 * readModGraph in workspace mode: the roots are the workspace modules (at
 * version '') and the go.work's go and toolchain lines, and they are the
 * graph's roots themselves. The requirements of every workspace module are
 * read, then pruned or not as each required module says; a dependency of a
 * workspace module selected above the version it requires is loaded again
 * with its own requirements, until nothing changes (buildlist.go, "Reload any
 * dependencies of the main modules which are not at their selected versions").
 */
export async function readWorkspaceGraph(loader: GoModLoader, roots: readonly ModuleVersion[]): Promise<Graph> {
  const g = new Graph(cmpVersion, roots);
  await loadGraph(g, loader, 'workspace', roots);
  return g;
}

/** How the graph below a module is read: pruned, unpruned, or the workspace rule for the workspace's own modules. */
type GraphPruning = Pruning | 'workspace';

async function loadGraph(g: Graph, loader: GoModLoader, pruning: GraphPruning, roots: readonly ModuleVersion[]): Promise<void> {
  const loadCache = new Map<string, Promise<ModFileSummary | undefined>>();
  const loadErrors = new Map<string, unknown>();
  const enqueued = new Set<string>();
  const pending: Promise<void>[] = [];

  // Loads m's requirements into the graph once, however many times it is enqueued.
  const loadOne = (m: ModuleVersion): Promise<ModFileSummary | undefined> => {
    const key = moduleKey(m);
    let p = loadCache.get(key);
    if (p === undefined) {
      p = loader.summary(m).then(
        (summary) => {
          g.require(m, summary.require);
          return summary;
        },
        (err: unknown) => {
          loadErrors.set(key, err);
          return undefined;
        },
      );
      loadCache.set(key, p);
    }
    return p;
  };

  const enqueue = (m: ModuleVersion, pruning: GraphPruning): void => {
    if (m.version === NONE) return;
    // Unpruned loading follows cycles, so dedupe on (module, pruning).
    const dedupKey = `${pruning}\u0000${moduleKey(m)}`;
    if (enqueued.has(dedupKey)) return;
    enqueued.add(dedupKey);
    pending.push(
      loadOne(m).then((summary) => {
        if (summary === undefined) return;
        const nextPruning = pruning === 'unpruned' ? 'unpruned' : summary.pruning;
        if (pruning === 'pruned' && summary.pruning === 'pruned') return;
        for (const r of summary.require) enqueue(r, nextPruning);
      }),
    );
  };
  const idle = async (): Promise<void> => {
    for (let i = 0; i < pending.length; i++) await pending[i];
  };

  for (const m of roots) enqueue(m, pruning);
  await idle();

  if (pruning === 'workspace') {
    const hasDepsInAll = new Set(roots.map((m) => m.path));
    const seen = new Set<string>();
    // Terminates: each version of each dependency is enqueued at most once, and only successively higher ones.
    for (;;) {
      const needsEnqueueing = new Map<string, ModuleVersion>();
      for (const p of hasDepsInAll) {
        const m = { path: p, version: g.selected(p) };
        if (!seen.has(moduleKey(m))) {
          needsEnqueueing.set(moduleKey(m), m);
          continue;
        }
        for (const r of g.requirementsOf(m) ?? []) {
          const s = { path: r.path, version: g.selected(r.path) };
          // gover.ModCompare, not cmpVersion: a workspace module ('') required at a version is not a higher selection.
          if (modCompare(r.path, s.version, r.version) > 0 && !seen.has(moduleKey(s))) needsEnqueueing.set(moduleKey(s), s);
        }
      }
      if (needsEnqueueing.size === 0) break;
      for (const [key, m] of needsEnqueueing) {
        enqueue(m, 'workspace');
        seen.add(key);
        hasDepsInAll.add(m.path);
      }
      await idle();
    }
  }

  if (loadErrors.size > 0) {
    const path = g.findPath((m) => loadErrors.has(moduleKey(m)));
    if (path === undefined) throw new Error('internal error: could not reconstruct path to module with error');
    throw new BuildListError(path, loadErrors.get(moduleKey(path[path.length - 1]!)));
  }
}

/**
 * The initial requirements from the main go.mod (requirementsFromModFiles):
 * every requirement except excluded versions, plus the "go" root (1.16 when
 * there is no go line) and a "toolchain" root if the file names one.
 */
export function requirementsFromMainModFile(ctx: GraphContext): Requirements {
  const file = ctx.main.file;
  const roots: ModuleVersion[] = [];
  const direct = new Set<string>();
  for (const r of file.require) {
    if (ctx.main.isExcluded(r)) continue; // "go: dropping requirement on excluded version"
    roots.push({ path: r.path, version: r.version });
    if (!r.indirect) direct.add(r.path);
  }
  const goVersion = file.go ?? DEFAULT_GO_MOD_VERSION;
  roots.push({ path: 'go', version: goVersion });
  direct.add('go');
  if (file.toolchain !== undefined) roots.push({ path: 'toolchain', version: file.toolchain });
  // A go.mod without a go line predates pruning. (With -mod=mod cmd/go adds a go
  // line and converts the roots to the full unpruned build list, which selects
  // and reads exactly what the unpruned graph does.)
  return new Requirements(ctx, pruningForGoVersion(file.go), sortModules(roots, cmpVersion), direct);
}

/**
 * What `go list -m all` and `go mod download` do before listing
 * (loadModFile + LoadModGraph + expandGraph): load the graph and, if some root
 * is not selected at its listed version, update the roots and load again.
 */
export async function loadExpandedGraph(ctx: GraphContext): Promise<{ rs: Requirements; mg: ModuleGraph }> {
  let rs = requirementsFromMainModFile(ctx);
  if (rs.hasRedundantRoot()) rs = await updateRoots(ctx, rs);

  let mg = await rs.graph();
  if (!mg.allRootsSelected()) {
    rs = await updateRoots(ctx, rs);
    mg = await rs.graph();
  }
  return { rs, mg };
}

function updateRoots(ctx: GraphContext, rs: Requirements): Promise<Requirements> {
  return rs.pruning === 'pruned' ? updatePrunedRoots(ctx, rs) : updateUnprunedRoots(ctx, rs);
}

/**
 * updatePrunedRoots with no packages and nothing to add: move every root to
 * its selected version and reload until the roots stop changing. Each reload
 * reads the go.mod files of the new root versions (and of anything below the
 * ones that do not prune).
 */
async function updatePrunedRoots(ctx: GraphContext, rs: Requirements): Promise<Requirements> {
  let roots = rs.rootModules;
  let rootsUpgraded = false;
  for (;;) {
    let mg: ModuleGraph | undefined;
    if (rootsUpgraded) {
      if (ctx.mode !== 'mod') throw new GoModDirtyError();
      rs = new Requirements(ctx, 'pruned', roots, rs.direct);
      mg = await rs.graph();
    } else if (rs.graphLoaded) {
      mg = await rs.graph();
    }
    // Otherwise cmd/go spot-checks the roots that provided loaded packages;
    // with no packages that check passes, and roots keep their listed versions.

    const next: ModuleVersion[] = [];
    rootsUpgraded = false;
    const inRootPaths = new Set([ctx.main.path]);
    for (const m of rs.rootModules) {
      // Duplicate roots and roots on the main module are dropped.
      if (inRootPaths.has(m.path)) continue;
      const v = mg === undefined ? rs.rootSelected(m.path)! : mg.selected(m.path);
      next.push({ path: m.path, version: v });
      inRootPaths.add(m.path);
      if (v !== m.version) rootsUpgraded = true;
    }
    roots = next;
    if (!rootsUpgraded) {
      if (ctx.mode !== 'mod') return rs;
      break;
    }
  }
  if (rs.pruning === 'pruned' && sameModules(roots, rs.rootModules)) return rs;
  return new Requirements(ctx, 'pruned', roots, rs.direct);
}

/**
 * updateUnprunedRoots with nothing to add: keep the selected version of every
 * module, listing as roots the old roots still selected plus the direct
 * dependencies, minimized with mvs.Req.
 */
async function updateUnprunedRoots(ctx: GraphContext, rs: Requirements): Promise<Requirements> {
  const mg = await rs.graph();
  if (ctx.mode !== 'mod') {
    if (rs.rootModules.some((m) => m.version !== mg.selected(m.path))) throw new GoModDirtyError();
    return rs;
  }
  const rootPaths: string[] = [];
  const inRootPaths = new Set<string>();
  for (const root of rs.rootModules) {
    if (!inRootPaths.has(root.path) && mg.selected(root.path) === root.version) {
      rootPaths.push(root.path);
      inRootPaths.add(root.path);
    }
  }
  const keep = mg.buildList().slice(1);
  for (const m of keep) {
    if (rs.direct.has(m.path) && !inRootPaths.has(m.path)) {
      rootPaths.push(m.path);
      inRootPaths.add(m.path);
    }
  }
  const roots = await req(mg.mainModule, rootPaths, mvsReqs(ctx, mg.mainModule, keep));
  if (sameModules(roots, rs.rootModules)) return rs;
  return new Requirements(ctx, 'unpruned', roots, rs.direct);
}

/** modload.mvsReqs: the main module requires roots; everything else requires what its go.mod summary says. */
export function mvsReqs(ctx: GraphContext, mainModule: ModuleVersion, roots: readonly ModuleVersion[]): Reqs {
  return {
    required: async (m) => {
      if (m.path === mainModule.path && m.version === '') return roots;
      if (m.version === NONE) return [];
      return (await ctx.loader.summary(m)).require;
    },
    max: (p, v1, v2) => (cmpVersion(p, v1, v2) < 0 ? v2 : v1),
  };
}

function sameModules(a: readonly ModuleVersion[], b: readonly ModuleVersion[]): boolean {
  return a.length === b.length && a.every((m, i) => m.path === b[i]!.path && m.version === b[i]!.version);
}
