/**
 * Plan a bundle for one or more main modules: each go.mod is planned on its
 * own (as the go command would build it) and the bundle carries the union of
 * the files every plan needs.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { compare } from '../gomod/semver.js';
import { planGoModFile, type PlanModuleOptions } from '../planning/planModule.js';
import { locateInput } from '../planning/locateInput.js';
import { planWorkspace } from '../planning/planWorkspace.js';
import { planTool } from '../planning/planTool.js';
import type { ResolvedTool } from '../planning/queryTool.js';
import { planExportedList, type ExportedListInput } from '../planning/readExportedList.js';
import { parseWorkFile } from '../gomod/gowork.js';
import type { ModFetcher } from '../planning/goModSource.js';
import type { Plan } from '../resolve/types.js';
import type { ManifestInput } from '../bundle/manifest.js';

export interface PlannedInput {
  input: ManifestInput;
  /** The go.mod or go.work file the input was read from (absent for tools and lists). */
  file?: string;
  /** The main module's directory, or the workspace's. */
  mainDir?: string;
  plan: Plan;
}

export interface UnionPlan {
  inputs: PlannedInput[];
  files: Plan['files'];
  lists: Map<string, string[]>;
  localReplacements: Plan['localReplacements'];
}

/** Inputs that are not paths on disk. */
export interface OtherInputs {
  /** Tools already resolved to module@version (resolveTool). */
  tools?: readonly ResolvedTool[];
  /** Lists exported from inside the air gap, already read (readExportedList). */
  lists?: readonly ExportedListInput[];
}

/** Plan every input (concurrently: they share the fetcher and its cache) and merge the plans. */
export async function planInputs(
  inputs: readonly string[],
  cwd: string,
  fetcher: ModFetcher,
  opts: PlanModuleOptions = {},
  other: OtherInputs = {},
): Promise<UnionPlan> {
  return mergePlans(
    await Promise.all([
      ...inputs.map((input) => planPathInput(input, cwd, fetcher, opts)),
      ...(other.tools ?? []).map((tool) => planToolInput(tool, fetcher, opts)),
      ...(other.lists ?? []).map(async (list): Promise<PlannedInput> => ({
        input: { kind: 'list', module: list.format, goMod: list.name, goModSha256: list.sha256 },
        plan: planExportedList(list),
      })),
    ]),
  );
}

/** A tool, planned, with its manifest record: the tool's module@version and the digest of its go.mod. */
export async function planToolInput(tool: ResolvedTool, fetcher: ModFetcher, opts: PlanModuleOptions = {}): Promise<PlannedInput> {
  const { plan, data } = await planTool(tool, fetcher, { concurrency: opts.concurrency });
  return {
    input: {
      kind: 'tool',
      module: tool.module,
      version: tool.version,
      goMod: `${tool.module}@${tool.version}/go.mod`,
      goModSha256: sha256(data),
    },
    plan,
  };
}

/** One go.mod or go.work input, planned, with its manifest record. */
export async function planPathInput(input: string, cwd: string, fetcher: ModFetcher, opts: PlanModuleOptions = {}): Promise<PlannedInput> {
  const located = await locateInput(input, cwd);
  // Relative to where pack ran, with slashes, so the manifest does not depend on the machine.
  const name = relative(cwd, located.file).split(sep).join('/');
  if (located.kind === 'go.work') {
    const { plan, data } = await planWorkspace(name, located.file, located.dir, fetcher, opts);
    const mainModules = plan.buildList.filter((m) => m.version === '').map((m) => m.path);
    return {
      input: { kind: 'go.work', module: mainModules.join(' '), goMod: name, goModSha256: sha256(data) },
      file: located.file,
      mainDir: located.dir,
      plan,
    };
  }
  const plan = await planGoModFile(located.file, located.dir, fetcher, opts);
  const data = await readFile(located.file);
  return { input: { module: plan.main.path, goMod: name, goModSha256: sha256(data) }, file: located.file, mainDir: located.dir, plan };
}

/** The checksum files the go command consults for an input: go.sum beside a go.mod; go.work.sum and each module's go.sum in a workspace. */
export async function goSumFilesOf(input: string, cwd: string): Promise<string[]> {
  const located = await locateInput(input, cwd);
  if (located.kind === 'go.mod') return [join(located.dir, 'go.sum')];
  const work = parseWorkFile(located.file, await readFile(located.file));
  return [`${located.file}.sum`, ...work.use.map((u) => join(isAbsolute(u.path) ? u.path : join(located.dir, u.path), 'go.sum'))];
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
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
