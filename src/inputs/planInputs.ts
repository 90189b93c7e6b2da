/**
 * Planning what was read (readInputs.ts): each input is planned on its own,
 * as the go command would build it — a go.mod as the main module, a go.work
 * as a workspace, a tool as `go install module@version` outside a module
 * (resolved through the GOPROXY chain first), a list as exactly its module
 * versions — and the bundle carries the union of the files every plan
 * needs. The resolver reads remote go.mod files through `fetcher` (pack
 * passes its download cache, plan the GOPROXY chain).
 */
import { sep } from 'node:path';
import type { GoSum } from '../gomod/gosum.js';
import type { ManifestInput } from '../bundle/manifest.js';
import { resolvePlan } from '../resolve/plan.js';
import { mergePlanFiles } from '../resolve/planFiles.js';
import { checkToolDirectives } from '../resolve/toolDirectives.js';
import type { ModMode, Plan } from '../resolve/types.js';
import { resolveWorkspacePlan } from '../resolve/workspacePlan.js';
import { planExportedList, wantedModule, type ExportedListInput } from './exportedList.js';
import type { WantedEntry } from '../misses/wantsList.js';
import { resolveWants } from './resolveWants.js';
import type { WantedToolchain } from './toolchains.js';
import { createGoModSource, type ModFetcher } from './goModSource.js';
import { planTool } from './planTool.js';
import { InputFileError } from './inputErrors.js';
import { inputSha256, type ReadInput, type ReadInputs, type ReadModule, type ReadWorkspace } from './readInputs.js';
import { resolveTool, type ToolQuerier } from './resolveTool.js';

/** One input, planned, with the record the manifest keeps of it. */
export interface PlannedInput {
  input: ManifestInput;
  plan: Plan;
}

/** Everything a bundle of these inputs carries: one value for pack and plan. */
export interface PlannedInputs {
  inputs: PlannedInput[];
  /** The union of the plans' files, sorted and deduplicated. */
  files: Plan['files'];
  /** Module path → versions for @v/list, from the union of files. */
  lists: Plan['lists'];
  localReplacements: Plan['localReplacements'];
  /** The hashes downloads must match (go.sum files and lists). */
  sums: GoSum;
  /** Toolchains wants lists ask for (added to the toolchain request). */
  wantedToolchains: WantedToolchain[];
}

export interface PlanInputsOptions {
  /** Remote go.mod bytes. */
  fetcher: ModFetcher;
  /** What resolving a tool asks the GOPROXY chain (list, latest, info, mod). */
  querier: ToolQuerier;
  /** How an inconsistent main go.mod is treated (the -mod flag): an error, or updated as cmd/go would. */
  mode: ModMode;
  concurrency?: number;
  /** Told what each tool and wants entry resolved to, and what a wants list skipped. */
  onNote?: (note: InputNote) => void;
}

/** Something a person may want to know about an input: a warning is always shown, information unless --quiet. */
export interface InputNote {
  level: 'info' | 'warning';
  text: string;
}

export async function planInputs(read: ReadInputs, opts: PlanInputsOptions): Promise<PlannedInputs> {
  const wantedToolchains: WantedToolchain[] = [];
  const inputs = await Promise.all(read.inputs.map((input) => planOne(input, opts, wantedToolchains)));
  return { inputs, ...mergePlanFiles(inputs.map((i) => i.plan)), sums: read.sums, wantedToolchains };
}

async function planOne(input: ReadInput, opts: PlanInputsOptions, wantedToolchains: WantedToolchain[]): Promise<PlannedInput> {
  switch (input.kind) {
    case 'go.mod':
      return planModule(input, opts);
    case 'go.work':
      return planWorkspace(input, opts);
    case 'tool': {
      const tool = await resolveTool(input.arg, opts.querier);
      opts.onNote?.({ level: 'info', text: `tool ${input.arg}: ${tool.module}@${tool.version}` });
      const { plan, data } = await planTool(tool, opts.fetcher, { concurrency: opts.concurrency });
      return {
        input: {
          kind: 'tool',
          module: tool.module,
          version: tool.version,
          goMod: `${tool.module}@${tool.version}/go.mod`,
          goModSha256: inputSha256(data),
        },
        plan,
      };
    }
    case 'list': {
      const list =
        input.list.wanted === undefined ? input.list : await resolveWantedList(input.list, input.list.wanted, opts, wantedToolchains);
      return {
        input: { kind: 'list', module: list.format, goMod: list.name, goModSha256: list.sha256 },
        plan: planExportedList(list),
      };
    }
  }
}

async function planModule(m: ReadModule, opts: PlanInputsOptions): Promise<PlannedInput> {
  const plan = await resolvePlan(m.modFile, createGoModSource(opts.fetcher, m.dir), { mode: opts.mode, concurrency: opts.concurrency });
  checkToolDirectives(m.file, m.modFile.tool, plan.buildList);
  return { input: { module: plan.main.path, goMod: m.name, goModSha256: inputSha256(m.data) }, plan };
}

async function planWorkspace(w: ReadWorkspace, opts: PlanInputsOptions): Promise<PlannedInput> {
  if (w.work.use.length === 0) {
    throw new InputFileError(w.file, `${w.file}: no use directives: the workspace has no modules`, {
      hint: 'add modules with `go work use <dir>`',
    });
  }
  // A workspace implies -mod=readonly: its roots are never rewritten.
  const plan = await resolveWorkspacePlan(
    w.name,
    {
      workDir: w.dir.split(sep).join('/'),
      go: w.work.go,
      toolchain: w.work.toolchain,
      replace: w.work.replace,
      modules: w.modules.map((u) => ({ dir: u.dir, file: u.modFile })),
    },
    createGoModSource(opts.fetcher, w.dir),
    { concurrency: opts.concurrency },
  );
  const mainModules = plan.buildList.filter((b) => b.version === '').map((b) => b.path);
  return { input: { kind: 'go.work', module: mainModules.join(' '), goMod: w.name, goModSha256: inputSha256(w.data) }, plan };
}

/**
 * A wants list's entries resolved through the GOPROXY chain: what exists is
 * fetched and verified like any list entry; what no proxy has (the go
 * command probes path prefixes that exist nowhere) is reported and skipped.
 */
async function resolveWantedList(
  list: ExportedListInput,
  wanted: readonly WantedEntry[],
  opts: PlanInputsOptions,
  wantedToolchains: WantedToolchain[],
): Promise<ExportedListInput> {
  const r = await resolveWants(wanted, opts.querier);
  for (const x of r.skipped) opts.onNote?.({ level: 'warning', text: `${list.name}: skipped ${x.what}: ${x.why}` });
  for (const x of r.resolved) opts.onNote?.({ level: 'info', text: `${list.name}: ${x.what}: ${x.version}` });
  wantedToolchains.push(...r.toolchains);
  const modules = r.modules.map((m) => wantedModule(m.path, m.version));
  opts.onNote?.({
    level: 'info',
    text: `${list.name} (${list.format}): ${modules.length} module versions to fetch, ${list.private.length} private skipped`,
  });
  return { ...list, modules };
}
