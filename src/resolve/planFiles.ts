/**
 * The files of a plan: what a GOPROXY tree must hold for the go command to
 * find every module it reads. One key per file, one way to collect a build
 * list's files, one way to merge plans. Pure.
 */
import { compare } from '../gomod/semver.js';
import type { ModuleVersion } from '../gomod/moduleVersion.js';
import type { BuildListEntry, Plan } from './types.js';

export type PlanFile = Plan['files'][number];
export type LocalReplacement = Plan['localReplacements'][number];

const KIND_ORDER: Record<PlanFile['kind'], number> = { info: 0, mod: 1, zip: 2 };

/** The identity of a planned file: path, version and kind. */
export function planFileKey(f: PlanFile): string {
  return `${f.path}\u0000${f.version}\u0000${f.kind}`;
}

/** A set of planned files and local-directory replacements, each kept once. */
export class PlanFileSet {
  readonly #files = new Map<string, PlanFile>();
  readonly #local = new Map<string, LocalReplacement>();

  add(f: PlanFile): void {
    this.#files.set(planFileKey(f), f);
  }

  /** The .info, .mod and .zip of a module version: what the go command downloads to build with it. */
  addModule(m: ModuleVersion): void {
    for (const kind of ['info', 'mod', 'zip'] as const) this.add({ path: m.path, version: m.version, kind });
  }

  addLocal(r: LocalReplacement): void {
    this.#local.set(`${r.path}\u0000${r.version}\u0000${r.dir}`, r);
  }

  /**
   * What a resolved graph needs: the .mod of every module version whose
   * go.mod was read remotely, every local directory read, and the files of
   * every build-list module that is not a main module (`isMain`), downloaded
   * (and listed in go.sum) as its replacement when it has one.
   */
  addGraph(
    reads: { remote: Iterable<ModuleVersion>; local: Iterable<[string, LocalReplacement]> },
    buildList: readonly BuildListEntry[],
    isMain: (m: BuildListEntry) => boolean,
  ): void {
    for (const m of reads.remote) this.add({ path: m.path, version: m.version, kind: 'mod' });
    for (const [, r] of reads.local) this.addLocal(r);
    for (const m of buildList) {
      if (isMain(m)) continue;
      const r = m.replace;
      if (r !== undefined && 'dir' in r) {
        this.addLocal({ path: m.path, version: m.version, dir: r.dir });
        continue;
      }
      this.addModule(r ?? m);
    }
  }

  /** The files sorted by path, version and kind, the @v/list versions of each path, and the local replacements by path and version. */
  result(): Pick<Plan, 'files' | 'lists' | 'localReplacements'> {
    const { sortedFiles, lists } = filesAndLists(this.#files.values());
    return { files: sortedFiles, lists, localReplacements: sortByPathVersion([...this.#local.values()]) };
  }
}

/** The plan's files sorted by path, version and kind, and the @v/list versions of each path. */
export function filesAndLists(files: Iterable<PlanFile>): { sortedFiles: PlanFile[]; lists: Map<string, string[]> } {
  const sortedFiles = [...files].sort((a, b) => comparePathVersion(a, b) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  const lists = new Map<string, string[]>();
  for (const f of sortedFiles) {
    const versions = lists.get(f.path) ?? [];
    if (versions[versions.length - 1] !== f.version) versions.push(f.version);
    lists.set(f.path, versions);
  }
  return { sortedFiles, lists };
}

/** The union of several plans' files, lists and local replacements (the one merge; lists follow from the files). */
export function mergePlanFiles(
  plans: Iterable<Pick<Plan, 'files' | 'localReplacements'>>,
): Pick<Plan, 'files' | 'lists' | 'localReplacements'> {
  const set = new PlanFileSet();
  for (const p of plans) {
    for (const f of p.files) set.add(f);
    for (const r of p.localReplacements) set.addLocal(r);
  }
  return set.result();
}

function comparePathVersion(a: ModuleVersion, b: ModuleVersion): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return compare(a.version, b.version) || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0);
}

export function sortByPathVersion<T extends ModuleVersion>(list: T[]): T[] {
  return list.sort(comparePathVersion);
}
