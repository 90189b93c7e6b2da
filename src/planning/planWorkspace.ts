/**
 * Plan a go.work workspace: read the go.work and the go.mod of every `use`
 * directory from disk (strictly, as the go command reads main modules), feed
 * the resolver remote go.mod files from the GOPROXY chain, and return the
 * plan.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { parseModFile } from '../gomod/modfile.js';
import { parseWorkFile } from '../gomod/gowork.js';
import type { Plan, ResolveOptions } from '../resolve/types.js';
import { resolveWorkspacePlan } from '../resolve/workspacePlan.js';
import type { WorkspaceModule } from '../resolve/workspaceIndex.js';
import { createGoModSource, type FetchedMod, type ModFetcher } from './goModSource.js';

export interface PlannedWorkspace {
  plan: Plan;
  /** The go.work bytes (for the manifest's digest). */
  data: Buffer;
}

/** `name` is how the plan names the workspace (the go.work path as the user sees it). */
export async function planWorkspace(
  name: string,
  workFile: string,
  workDir: string,
  fetcher: ModFetcher,
  opts: ResolveOptions & { onFetched?: (fetched: FetchedMod) => void } = {},
): Promise<PlannedWorkspace> {
  const data = await readInputFile(workFile, 'run gobundle on a go.work workspace, or pass its path');
  const work = parseWorkFile(workFile, data, { windows: process.platform === 'win32' });
  if (work.use.length === 0) {
    throw new GobundleError(ErrorCode.NOGOMOD, `${workFile}: no use directives: the workspace has no modules`, {
      hint: 'add modules with `go work use <dir>`',
    });
  }
  const modules: WorkspaceModule[] = await Promise.all(
    work.use.map(async (u): Promise<WorkspaceModule> => {
      const goMod = join(isAbsolute(u.path) ? u.path : join(workDir, u.path), 'go.mod');
      const bytes = await readInputFile(goMod, `go.work uses ${u.path}: it needs a go.mod there`);
      return { dir: u.path, file: parseModFile(goMod, bytes, { strict: true }) };
    }),
  );
  const { onFetched, mode: _mode, ...resolveOpts } = opts;
  const plan = await resolveWorkspacePlan(
    name,
    { workDir: workDir.split(sep).join('/'), go: work.go, toolchain: work.toolchain, replace: work.replace, modules },
    createGoModSource(fetcher, workDir, onFetched),
    resolveOpts,
  );
  return { plan, data };
}

async function readInputFile(file: string, hint: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GobundleError(ErrorCode.NOGOMOD, `${file}: ${code === 'ENOENT' ? 'no such file' : String(err)}`, { hint });
  }
}
