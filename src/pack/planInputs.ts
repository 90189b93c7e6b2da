/**
 * Plan a bundle for one or more main modules: each go.mod is planned on its
 * own (as the go command would build it) and the bundle carries the union of
 * the files every plan needs.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { compare } from '../gomod/semver.js';
import { locateGoMod, planModule, type PlanModuleOptions } from '../planning/planModule.js';
import type { ModFetcher } from '../planning/goModSource.js';
import type { Plan } from '../resolve/types.js';
import type { ManifestInput } from '../bundle/manifest.js';

export interface PlannedInput {
  input: ManifestInput;
  goModPath: string;
  mainDir: string;
  plan: Plan;
}

export interface UnionPlan {
  inputs: PlannedInput[];
  files: Plan['files'];
  lists: Map<string, string[]>;
  localReplacements: Plan['localReplacements'];
}

/** Plan every input (concurrently: they share the fetcher and its cache) and merge the plans. */
export async function planInputs(inputs: readonly string[], cwd: string, fetcher: ModFetcher, opts: PlanModuleOptions = {}): Promise<UnionPlan> {
  const planned = await Promise.all(
    inputs.map(async (input): Promise<PlannedInput> => {
      const { goModPath, mainDir } = await locateGoMod(input, cwd);
      const plan = await planModule(goModPath, cwd, fetcher, opts);
      const data = await readFile(goModPath);
      return {
        input: {
          module: plan.main.path,
          // Relative to where pack ran, with slashes, so the manifest does not depend on the machine.
          goMod: relative(cwd, goModPath).split(sep).join('/'),
          goModSha256: createHash('sha256').update(data).digest('hex'),
        },
        goModPath,
        mainDir,
        plan,
      };
    }),
  );
  return mergePlans(planned);
}

/** The union of several plans' files and version lists (pure). */
export function mergePlans(planned: PlannedInput[]): UnionPlan {
  const files = new Map<string, Plan['files'][number]>();
  const lists = new Map<string, Set<string>>();
  const local = new Map<string, Plan['localReplacements'][number]>();
  for (const p of planned) {
    for (const f of p.plan.files) files.set(`${f.path}\u0000${f.version}\u0000${f.kind}`, f);
    for (const [path, versions] of p.plan.lists) {
      const set = lists.get(path) ?? new Set<string>();
      for (const v of versions) set.add(v);
      lists.set(path, set);
    }
    for (const r of p.plan.localReplacements) local.set(`${r.path}\u0000${r.version}\u0000${r.dir}`, r);
  }
  const kindOrder = { info: 0, mod: 1, zip: 2 } as const;
  return {
    inputs: planned,
    files: [...files.values()].sort(
      (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : compare(a.version, b.version)) || kindOrder[a.kind] - kindOrder[b.kind],
    ),
    lists: new Map([...lists].map(([path, set]) => [path, [...set].sort(compare)])),
    localReplacements: [...local.values()],
  };
}
