/**
 * Minimal version selection, ported from cmd/go/internal/mvs.
 *
 * The algorithm sees the requirement graph only through Reqs (required(m) and
 * max), so it never knows about proxies, replacements or exclusions. Versions
 * are opaque here except for "none", which means "no version" and has no
 * requirements.
 */
import { type ModuleVersion, moduleKey } from '../gomod/moduleVersion.js';
import { GobundleError, ModuleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

export const NONE = 'none';

export interface Reqs {
  /** The module versions m itself requires (after whatever the caller applies: replacements, exclusions). */
  required(m: ModuleVersion): Promise<readonly ModuleVersion[]> | readonly ModuleVersion[];
  /**
   * The larger of v1 and v2 for path p (one of them, unchanged). max(v, "none")
   * must be v, and for a target passed to buildList, max(target, v) must be target.
   */
  max(p: string, v1: string, v2: string): string;
}

export type VersionCmp = (path: string, v1: string, v2: string) => number;

export function moduleString(m: ModuleVersion): string {
  return m.version === '' ? m.path : `${m.path}@${m.version}`;
}

/** Sorts by path, then version under cmp (gover.ModSort without the "/go.mod" suffix rule). */
export function sortModules<T extends ModuleVersion>(list: T[], cmp: VersionCmp): T[] {
  return list.sort((a, b) => (a.path !== b.path ? (a.path < b.path ? -1 : 1) : cmp(a.path, a.version, b.version)));
}

/**
 * An incremental MVS graph (mvs.Graph): requirements are pushed in by the
 * caller as they are read, and the selected version of each path is kept up
 * to date as they arrive.
 */
export class Graph {
  private readonly cmp: VersionCmp;
  readonly roots: readonly ModuleVersion[];
  private readonly requiredBy = new Map<string, readonly ModuleVersion[]>();
  /** Key → true for roots, false for reachable non-roots. */
  private readonly isRoot = new Map<string, boolean>();
  private readonly selectedVersion = new Map<string, string>();

  constructor(cmp: VersionCmp, roots: readonly ModuleVersion[]) {
    this.cmp = cmp;
    this.roots = [...roots];
    for (const m of roots) {
      this.isRoot.set(moduleKey(m), true);
      if (this.cmp(m.path, this.selected(m.path), m.version) < 0) this.selectedVersion.set(m.path, m.version);
    }
  }

  /** Records that m requires reqs. m must be reachable and not yet have requirements. */
  require(m: ModuleVersion, reqs: readonly ModuleVersion[]): void {
    const key = moduleKey(m);
    if (!this.isRoot.has(key)) throw new Error(`internal error: ${moduleString(m)} is not reachable from any root`);
    if (this.requiredBy.has(key)) throw new Error(`internal error: requirements of ${moduleString(m)} have already been set`);
    this.requiredBy.set(key, reqs);
    for (const dep of reqs) {
      const depKey = moduleKey(dep);
      if (!this.isRoot.has(depKey)) this.isRoot.set(depKey, false);
      if (this.cmp(dep.path, this.selected(dep.path), dep.version) < 0) this.selectedVersion.set(dep.path, dep.version);
    }
  }

  /** The requirements recorded for m, or undefined if they were never read (pruned out). */
  requirementsOf(m: ModuleVersion): readonly ModuleVersion[] | undefined {
    return this.requiredBy.get(moduleKey(m));
  }

  /** The selected version of path, or "none". */
  selected(path: string): string {
    return this.selectedVersion.get(path) ?? NONE;
  }

  /** Selected versions: those of the root paths first (in root order), then the rest sorted by path. */
  buildList(): ModuleVersion[] {
    const seenRoot = new Set<string>();
    const list: ModuleVersion[] = [];
    for (const r of this.roots) {
      if (seenRoot.has(r.path)) continue;
      const v = this.selected(r.path);
      if (v !== NONE) list.push({ path: r.path, version: v });
      seenRoot.add(r.path);
    }
    const rest: ModuleVersion[] = [];
    for (const [path, version] of this.selectedVersion) {
      if (!seenRoot.has(path)) rest.push({ path, version });
    }
    return list.concat(sortModules(rest, this.cmp));
  }

  /** Every module version other than "none" in the graph, selected or not, breadth-first from the roots. */
  walkBreadthFirst(f: (m: ModuleVersion) => void): void {
    const queue: ModuleVersion[] = [];
    const enqueued = new Set<string>();
    for (const m of this.roots) {
      if (m.version !== NONE && !enqueued.has(moduleKey(m))) {
        queue.push(m);
        enqueued.add(moduleKey(m));
      }
    }
    for (let i = 0; i < queue.length; i++) {
      const m = queue[i]!;
      f(m);
      for (const r of this.requirementsOf(m) ?? []) {
        if (r.version !== NONE && !enqueued.has(moduleKey(r))) {
          queue.push(r);
          enqueued.add(moduleKey(r));
        }
      }
    }
  }

  /** A shortest requirement path from a root to a module for which f is true, or undefined. */
  findPath(f: (m: ModuleVersion) => boolean): ModuleVersion[] | undefined {
    const firstRequiredBy = new Map<string, ModuleVersion | undefined>();
    const queue: ModuleVersion[] = [];
    for (const m of this.roots) {
      if (!firstRequiredBy.has(moduleKey(m))) {
        firstRequiredBy.set(moduleKey(m), undefined);
        queue.push(m);
      }
    }
    for (let i = 0; i < queue.length; i++) {
      let m: ModuleVersion | undefined = queue[i]!;
      if (f(m)) {
        const path: ModuleVersion[] = [];
        for (; m !== undefined; m = firstRequiredBy.get(moduleKey(m))) path.push(m);
        return path.reverse();
      }
      for (const r of this.requirementsOf(m) ?? []) {
        if (!firstRequiredBy.has(moduleKey(r))) {
          firstRequiredBy.set(moduleKey(r), m);
          queue.push(r);
        }
      }
    }
    return undefined;
  }
}

/**
 * An error reading the requirements of a module, with the chain of
 * requirements that led to it (mvs.BuildListError):
 *
 *   a@v1.0.0 requires
 *   	b@v1.2.0: cause
 */
export class BuildListError extends ModuleError {
  /** The chain of requirements from the main module to the module that failed. */
  readonly requirementPath: readonly ModuleVersion[];
  /** The failing module's own code (its zip is bad, it is not found, …): this class adds only the path to it. */
  override readonly code: ErrorCode;

  constructor(stack: readonly ModuleVersion[], cause: unknown) {
    // Leading versionless entries are the main module: cmd/go does not print them.
    let i = 0;
    while (i < stack.length - 1 && stack[i]!.version === '') i++;
    const shown = stack.slice(i);
    const last = shown[shown.length - 1] ?? { path: '', version: '' };
    const prefix = shown
      .slice(0, -1)
      .map((m) => `${moduleString(m)} requires\n\t`)
      .join('');
    let tail: string;
    if (cause instanceof ModuleError) {
      const actual = { path: cause.path, version: cause.version };
      const own = `${moduleString(actual)}: `;
      const inner = cause.message.startsWith(own) ? cause.message.slice(own.length) : cause.message;
      // An error about a replacement names both the module and what replaced it.
      tail =
        actual.path === last.path && actual.version === last.version
          ? cause.message
          : `${moduleString(last)} (replaced by ${moduleString(actual)}): ${inner}`;
    } else {
      const text = cause instanceof Error ? cause.message : String(cause);
      // Proxy errors already name the module version they were fetching.
      tail = text.startsWith(`${moduleString(last)}: `) ? text : `${moduleString(last)}: ${text}`;
    }
    super(last.path, last.version, '', {
      hint: cause instanceof GobundleError ? cause.hint : undefined,
      cause,
    });
    this.code = cause instanceof GobundleError ? cause.code : ErrorCode.MODULE;
    this.message = prefix + tail;
    this.requirementPath = stack;
  }
}

/**
 * The build list for targets (mvs.BuildList): the targets first, then the
 * selected version of every other path reached, sorted by path. Requirements
 * are read concurrently as they are discovered.
 */
export async function buildList(targets: readonly ModuleVersion[], reqs: Reqs): Promise<ModuleVersion[]> {
  const cmp: VersionCmp = (p, v1, v2) => {
    if (reqs.max(p, v1, v2) !== v1) return -1;
    if (reqs.max(p, v2, v1) !== v2) return 1;
    return 0;
  };
  const g = new Graph(cmp, targets);
  const errs = new Map<string, unknown>();
  const started = new Set<string>();
  const pending: Promise<void>[] = [];

  const visit = async (m: ModuleVersion): Promise<void> => {
    let required: readonly ModuleVersion[] = [];
    if (m.version !== NONE) {
      try {
        required = await reqs.required(m);
      } catch (err) {
        errs.set(moduleKey(m), err);
      }
    }
    g.require(m, required);
    for (const r of required) add(r);
  };
  const add = (m: ModuleVersion): void => {
    if (started.has(moduleKey(m))) return;
    started.add(moduleKey(m));
    pending.push(visit(m));
  };
  for (const t of targets) add(t);
  for (let i = 0; i < pending.length; i++) await pending[i];

  if (errs.size > 0) {
    const path = g.findPath((m) => errs.has(moduleKey(m)));
    if (path === undefined) throw new Error('internal error: could not reconstruct path to module with error');
    throw new BuildListError(path, errs.get(moduleKey(path[path.length - 1]!)));
  }

  const list = g.buildList();
  for (let i = 0; i < targets.length; i++) {
    if (list[i]?.path !== targets[i]!.path || list[i]?.version !== targets[i]!.version) {
      throw new Error(
        `internal error: chose versions ${JSON.stringify(list.slice(0, targets.length))} instead of targets ${JSON.stringify(targets)}`,
      );
    }
  }
  return list;
}

/**
 * The minimal requirement list for mainModule (mvs.Req): a smallest set of
 * requirements whose build list is the same, always listing the paths in base.
 */
export async function req(mainModule: ModuleVersion, base: readonly string[], reqs: Reqs): Promise<ModuleVersion[]> {
  const list = await buildList([mainModule], reqs);
  const max = new Map<string, string>();
  for (const m of list) max.set(m.path, m.version);

  // Postorder of the requirement graph, caching requirements.
  const postorder: ModuleVersion[] = [];
  const reqCache = new Map<string, readonly ModuleVersion[]>([[moduleKey(mainModule), []]]);
  const walkPost = async (m: ModuleVersion): Promise<void> => {
    if (reqCache.has(moduleKey(m))) return;
    const required = await reqs.required(m);
    reqCache.set(moduleKey(m), required);
    for (const r of required) await walkPost(r);
    postorder.push(m);
  };
  for (const m of list) await walkPost(m);

  // Walk in reverse postorder, adding only what is not already implied.
  const have = new Set<string>();
  const walk = (m: ModuleVersion): void => {
    if (have.has(moduleKey(m))) return;
    have.add(moduleKey(m));
    for (const r of reqCache.get(moduleKey(m)) ?? []) walk(r);
  };
  const min: ModuleVersion[] = [];
  const haveBase = new Set<string>();
  for (const path of base) {
    if (haveBase.has(path)) continue;
    const m = { path, version: max.get(path) ?? '' };
    min.push(m);
    walk(m);
    haveBase.add(path);
  }
  for (let i = postorder.length - 1; i >= 0; i--) {
    const m = postorder[i]!;
    if (max.get(m.path) !== m.version) continue; // an older version
    if (!have.has(moduleKey(m))) {
      min.push(m);
      walk(m);
    }
  }
  return min.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
