/**
 * The plan of a go.work workspace: the build list `go list -m all` prints in
 * the workspace and the files a GOPROXY tree must hold for it. In workspace
 * mode the graph is read once with the workspace pruning rule and its roots
 * are never rewritten (go.work implies -mod=readonly; modload/buildlist.go
 * updateWorkspaceRoots), so there is a single graph.
 */
import { DEFAULT_CONCURRENCY, Semaphore } from '../concurrency/semaphore.js';
import type { ModuleVersion } from '../gomod/moduleVersion.js';
import { cmpVersion, compareGoVersion, DEFAULT_GO_MOD_VERSION, GO_STRICT_VERSION, isToolchainPath } from './goVersion.js';
import { posix } from 'node:path';
import { readWorkspaceGraph } from './graph.js';
import { toPlanReplacement } from './mainModule.js';
import { GoModLoader } from './modSummary.js';
import { sortModules } from './mvs.js';
import { PlanFileSet, sortByPathVersion } from './planFiles.js';
import type { BuildListEntry, GoModSource, Plan, ResolveOptions } from './types.js';
import { WorkspaceIndex, type WorkspaceInput } from './workspaceIndex.js';
import { MainModuleError } from './mainModuleError.js';

/** gover.DefaultGoWorkVersion: the go version of a go.work without a go line. */
export const DEFAULT_GO_WORK_VERSION = '1.18';

/**
 * `name` labels the workspace where a plan names its main module (the go.work
 * file as the user gave it). `source.local` resolves directories relative to
 * the go.work directory, where every directory replacement points after
 * canonicalization.
 */
export async function resolveWorkspacePlan(
  name: string,
  work: WorkspaceInput,
  source: GoModSource,
  opts: Omit<ResolveOptions, 'mode'> = {},
): Promise<Plan> {
  checkWorkGoVersion(work);
  const index = new WorkspaceIndex(work);
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const loader = new GoModLoader(index, source, new Semaphore(concurrency));

  // requirementsFromModFiles in workspace mode: the main modules, then go and toolchain from go.work.
  const roots: ModuleVersion[] = [...index.modules.keys()].map((path) => ({ path, version: '' }));
  roots.push({ path: 'go', version: work.go ?? DEFAULT_GO_WORK_VERSION });
  if (work.toolchain !== undefined) roots.push({ path: 'toolchain', version: work.toolchain });
  const g = await readWorkspaceGraph(loader, sortModules(roots, cmpVersion));

  const buildList: BuildListEntry[] = [];
  for (const m of g.buildList()) {
    if (isToolchainPath(m.path)) continue;
    const repl = index.replacement(m);
    buildList.push(repl === undefined ? { path: m.path, version: m.version } : { ...m, replace: toPlanReplacement(repl) });
  }

  const files = new PlanFileSet();
  files.addGraph(
    { remote: loader.remoteReads.values(), local: loader.localReads },
    buildList,
    (m) => m.version === '' && index.modules.has(m.path),
  );
  return {
    main: { path: name, goVersion: work.go ?? DEFAULT_GO_WORK_VERSION, toolchain: work.toolchain },
    dependencyGo: loader.highestGo,
    buildList,
    loaded: sortByPathVersion([...loader.remoteReads.values()]),
    ...files.result(),
  };
}

/**
 * modload.loadModFile in workspace mode refuses a go.work older than one of
 * its modules (from go 1.21 on, when go lines became requirements): errWorkTooOld.
 */
function checkWorkGoVersion(work: WorkspaceInput): void {
  const wv = work.go ?? DEFAULT_GO_WORK_VERSION;
  for (const m of work.modules) {
    const mv = m.file.go ?? DEFAULT_GO_MOD_VERSION;
    if (compareGoVersion(mv, wv) > 0 && compareGoVersion(mv, GO_STRICT_VERSION) >= 0) {
      throw new MainModuleError(
        `module ${posix.normalize(m.dir)} listed in go.work file requires go >= ${mv}, but go.work ${work.go === undefined ? 'implicitly requires' : 'lists'} go ${wv}; to update it:\n\tgo work use`,
      );
    }
  }
}
