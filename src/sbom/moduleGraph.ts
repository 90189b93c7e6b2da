/**
 * The dependency edges an SBOM records, from the bundled .mod files. The
 * build list is the bundle's module versions with a zip (go.mod-only
 * versions are read by the go command's graph walk but never built, so they
 * are not components). Each build-list module depends on the build-list
 * version of every path its go.mod requires — the version the go command
 * selects, which is what is built, not the (possibly lower) version the
 * require line names; a required path outside the build list (pruned away)
 * is no edge. When a bundle of several main modules carries two versions of
 * a path, the higher one is taken, as MVS over the union would select. Pure.
 */
import { parseModFile } from '../gomod/modfile.js';
import { compare } from '../gomod/semver.js';

export interface GraphModule {
  path: string;
  version: string;
  /** The module's go.mod text. */
  goMod: string;
}

export interface ModuleEdge {
  from: { path: string; version: string };
  to: { path: string; version: string }[];
}

/** The selected version of each path in the build list. */
export function selectedVersions(modules: readonly { path: string; version: string }[]): Map<string, string> {
  const selected = new Map<string, string>();
  for (const m of modules) {
    const prev = selected.get(m.path);
    if (prev === undefined || compare(m.version, prev) > 0) selected.set(m.path, m.version);
  }
  return selected;
}

/** One edge list per build-list module, targets sorted by path. */
export function moduleEdges(buildList: readonly GraphModule[]): ModuleEdge[] {
  const selected = selectedVersions(buildList);
  return buildList.map((m) => {
    const mf = parseModFile(`${m.path}@${m.version}/go.mod`, m.goMod, { strict: false });
    const to = new Map<string, string>();
    for (const r of mf.require) {
      const v = selected.get(r.path);
      if (v !== undefined && r.path !== m.path) to.set(r.path, v);
    }
    return {
      from: { path: m.path, version: m.version },
      to: [...to].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, version]) => ({ path, version })),
    };
  });
}
