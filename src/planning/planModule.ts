/**
 * Plan a bundle for one main module: read its go.mod from disk, feed the
 * resolver go.mod files from the GOPROXY chain, and return the plan. This is
 * the edge around the pure resolver; `gobundle plan` and `gobundle pack`
 * both start here.
 */
import { readFile } from 'node:fs/promises';
import { GobundleError } from '../errors.js';
import { parseModFile } from '../gomod/modfile.js';
import { resolvePlan } from '../resolve/plan.js';
import { checkToolDirectives } from '../resolve/toolDirectives.js';
import type { Plan, ResolveOptions } from '../resolve/types.js';
import { createGoModSource, type FetchedMod, type ModFetcher } from './goModSource.js';
import { ErrorCode } from '../errorCodes.js';
import { locateInput } from './locateInput.js';

export interface PlanModuleOptions extends ResolveOptions {
  /** Called with the bytes of every go.mod fetched from the proxy chain. */
  onFetched?: (fetched: FetchedMod) => void;
}

/** Plan the module whose go.mod `goModInput` names (a go.mod, or the directory holding it). */
export async function planModule(goModInput: string, cwd: string, fetcher: ModFetcher, opts: PlanModuleOptions = {}): Promise<Plan> {
  const { file, dir } = await locateInput(goModInput, cwd);
  return planGoModFile(file, dir, fetcher, opts);
}

/** Plan the main module of the go.mod at `goModPath` (in `mainDir`, which local replaces are relative to). */
export async function planGoModFile(goModPath: string, mainDir: string, fetcher: ModFetcher, opts: PlanModuleOptions = {}): Promise<Plan> {
  let data: Buffer;
  try {
    data = await readFile(goModPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GobundleError(ErrorCode.NOGOMOD, `${goModPath}: ${code === 'ENOENT' ? 'no such file' : String(err)}`, {
      hint: code === 'ENOENT' ? 'run gobundle in a Go module (a directory with a go.mod), or pass its path' : undefined,
    });
  }
  const mainModFile = parseModFile(goModPath, data, { strict: true });
  const { onFetched, ...resolveOpts } = opts;
  const plan = await resolvePlan(mainModFile, createGoModSource(fetcher, mainDir, onFetched), resolveOpts);
  checkToolDirectives(goModPath, mainModFile.tool, plan.buildList);
  return plan;
}
