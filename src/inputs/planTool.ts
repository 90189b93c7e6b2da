/**
 * Plan a tool resolved from `module@version`: that module's own go.mod is
 * the main module, as for `go install module@version` outside a module; the
 * bundle carries the tool module itself and the go.mod the go command reads
 * for its retractions, besides the tool's module graph. A go.mod with
 * replace or exclude directives is refused with the go command's own message
 * (cmd/go internal/load PackagesAndErrorsOutsideModule), since go install
 * refuses it too.
 */
import { ToolModuleError } from './inputErrors.js';
import { parseModFile } from '../gomod/modfile.js';
import { resolvePlan } from '../resolve/plan.js';
import { PlanFileSet } from '../resolve/planFiles.js';
import type { Plan, ResolveOptions } from '../resolve/types.js';
import { createGoModSource, type ModFetcher } from './goModSource.js';
import type { ResolvedTool } from './resolveTool.js';

export async function planTool(
  tool: ResolvedTool,
  fetcher: ModFetcher,
  opts: ResolveOptions = {},
): Promise<{ plan: Plan; data: Uint8Array }> {
  const name = `${tool.module}@${tool.version}/go.mod`;
  const data = await fetcher.mod(tool.module, tool.version);
  const file = parseModFile(name, data, { strict: true });
  for (const [directive, present] of [
    ['replace', file.replace.length > 0],
    ['exclude', file.exclude.length > 0],
  ] as const) {
    if (present) {
      throw new ToolModuleError(
        `${tool.arg} (in ${tool.module}@${tool.version}):\n\tThe go.mod file for the module providing named packages contains one or\n\tmore ${directive} directives. It must not contain directives that would cause\n\tit to be interpreted differently than if it were the main module.`,
        { hint: 'go install refuses this module version too; build the tool from a module that requires it instead' },
      );
    }
  }
  // Remote module graph only: with no replace directives there is no local directory to read.
  const plan = await resolvePlan(file, createGoModSource(fetcher, '/'), { ...opts, mode: 'mod' });
  const files = new PlanFileSet();
  for (const f of plan.files) files.add(f);
  for (const r of plan.localReplacements) files.addLocal(r);
  files.addModule({ path: tool.module, version: tool.version });
  if (tool.retractionsFrom !== undefined) {
    await fetcher.mod(tool.module, tool.retractionsFrom);
    // The go command finds that version through @v/list and Stat (.info), then reads its go.mod.
    files.add({ path: tool.module, version: tool.retractionsFrom, kind: 'info' });
    files.add({ path: tool.module, version: tool.retractionsFrom, kind: 'mod' });
  }
  return { plan: { ...plan, ...files.result() }, data };
}
