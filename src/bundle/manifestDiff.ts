/**
 * What `gobundle diff` reports between two bundles' module versions, as
 * data. Pure. Per module path: when the highest version differs the path
 * was upgraded or downgraded (semver order, src/gomod/semver.ts); every
 * other version only one side has is added or removed.
 */
import { compare } from '../gomod/semver.js';
import type { ModuleVersion } from '../gomod/moduleVersion.js';

export interface VersionChange {
  path: string;
  from: string;
  to: string;
}

export interface ManifestDiff {
  added: ModuleVersion[];
  removed: ModuleVersion[];
  upgraded: VersionChange[];
  downgraded: VersionChange[];
  /** Module versions both sides carry. */
  unchanged: number;
}

function byPath(modules: readonly ModuleVersion[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const { path, version } of modules) {
    let set = m.get(path);
    if (set === undefined) m.set(path, (set = new Set()));
    set.add(version);
  }
  return m;
}

function highest(versions: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  for (const v of versions) if (best === undefined || compare(v, best) > 0) best = v;
  return best;
}

export function diffModules(oldModules: readonly ModuleVersion[], newModules: readonly ModuleVersion[]): ManifestDiff {
  const before = byPath(oldModules);
  const after = byPath(newModules);
  const out: ManifestDiff = { added: [], removed: [], upgraded: [], downgraded: [], unchanged: 0 };
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const path of paths) {
    const o = before.get(path) ?? new Set<string>();
    const n = after.get(path) ?? new Set<string>();
    const oMax = highest(o);
    const nMax = highest(n);
    let moved: VersionChange | undefined;
    if (oMax !== undefined && nMax !== undefined && oMax !== nMax) {
      moved = { path, from: oMax, to: nMax };
      (compare(nMax, oMax) > 0 ? out.upgraded : out.downgraded).push(moved);
    }
    const sorted = (s: Set<string>): string[] => [...s].sort(compare);
    for (const v of sorted(n)) {
      if (o.has(v)) out.unchanged++;
      else if (v !== moved?.to) out.added.push({ path, version: v });
    }
    for (const v of sorted(o)) if (!n.has(v) && v !== moved?.from) out.removed.push({ path, version: v });
  }
  return out;
}
