/**
 * The plan of a go.work workspace: the build list `go list -m all` prints in
 * the workspace and the files a GOPROXY tree must hold for it. In workspace
 * mode the graph is read once with the workspace pruning rule and its roots
 * are never rewritten (go.work implies -mod=readonly; modload/buildlist.go
 * updateWorkspaceRoots), so there is a single graph.
 */
import { DEFAULT_CONCURRENCY, Semaphore } from '../concurrency/semaphore.js';
import { type ModuleVersion, moduleKey } from '../gomod/moduleVersion.js';
import { cmpVersion, compareGoVersion, DEFAULT_GO_MOD_VERSION, GO_STRICT_VERSION, isToolchainPath } from './goVersion.js';
import { posix } from 'node:path';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { readWorkspaceGraph } from './graph.js';
import { toPlanReplacement } from './mainModule.js';
import { GoModLoader } from './modSummary.js';
import { sortModules } from './mvs.js';
import { filesAndLists, sortByPathVersion } from './plan.js';
import type { BuildListEntry, GoModSource, Plan, ResolveOptions } from './types.js';
import { WorkspaceIndex, type WorkspaceInput } from './workspaceIndex.js';

/** gover.DefaultGoWorkVersion: the go version of a go.work without a go line. */
export const DEFAULT_GO_WORK_VERSION = '1.18';

type PlanFile = Plan['files'][number];

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

  const files = new Map<string, PlanFile>();
  const addFile = (f: PlanFile): void => {
    files.set(`${f.path}\u0000${f.version}\u0000${f.kind}`, f);
  };
  for (const m of loader.remoteReads.values()) addFile({ ...m, kind: 'mod' });
  const localReplacements = new Map<string, { path: string; version: string; dir: string }>();
  for (const [key, r] of loader.localReads) localReplacements.set(key, r);
  for (const m of buildList) {
    if (m.version === '' && index.modules.has(m.path)) continue;
    const r = m.replace;
    if (r !== undefined && 'dir' in r) {
      localReplacements.set(moduleKey(m), { path: m.path, version: m.version, dir: r.dir });
      continue;
    }
    const target = r ?? m;
    for (const kind of ['info', 'mod', 'zip'] as const) addFile({ path: target.path, version: target.version, kind });
  }
  const { sortedFiles, lists } = filesAndLists(files.values());
  return {
    main: { path: name, goVersion: work.go ?? DEFAULT_GO_WORK_VERSION, toolchain: work.toolchain },
    dependencyGo: loader.highestGo,
    buildList,
    loaded: sortByPathVersion([...loader.remoteReads.values()]),
    files: sortedFiles,
    lists,
    localReplacements: sortByPathVersion([...localReplacements.values()]),
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
      throw new GobundleError(
        ErrorCode.MODULE,
        `module ${posix.normalize(m.dir)} listed in go.work file requires go >= ${mv}, but go.work ${work.go === undefined ? 'implicitly requires' : 'lists'} go ${wv}; to update it:\n\tgo work use`,
      );
    }
  }
}
