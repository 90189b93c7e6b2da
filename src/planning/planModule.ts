/**
 * Plan a bundle for one main module: read its go.mod from disk, feed the
 * resolver go.mod files from the GOPROXY chain, and return the plan. This is
 * the edge around the pure resolver; `gobundle plan` and `gobundle pack`
 * both start here.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { GobundleError } from '../errors.js';
import { parseModFile } from '../gomod/modfile.js';
import { resolvePlan } from '../resolve/plan.js';
import { checkToolDirectives } from '../resolve/toolDirectives.js';
import type { Plan, ResolveOptions } from '../resolve/types.js';
import { createGoModSource, type FetchedMod, type ModFetcher } from './goModSource.js';
import { ErrorCode } from '../errorCodes.js';

/** Where the main module's go.mod is, given `<go.mod | module dir>` as typed by the user. */
export async function locateGoMod(input: string, cwd: string): Promise<{ goModPath: string; mainDir: string }> {
  const p = resolve(cwd, input);
  let isDir: boolean;
  try {
    isDir = (await stat(p)).isDirectory();
  } catch {
    throw new GobundleError(ErrorCode.NOGOMOD, `${input}: no such file or directory`, {
      hint: 'pass a go.mod file or the directory that holds it',
    });
  }
  if (isDir) return { goModPath: join(p, 'go.mod'), mainDir: p };
  if (basename(p) !== 'go.mod') {
    throw new GobundleError(ErrorCode.NOGOMOD, `${input}: not a go.mod file`, { hint: 'pass a go.mod file or the directory that holds it' });
  }
  return { goModPath: p, mainDir: dirname(p) };
}

export interface PlanModuleOptions extends ResolveOptions {
  /** Called with the bytes of every go.mod fetched from the proxy chain. */
  onFetched?: (fetched: FetchedMod) => void;
}

export async function planModule(goModInput: string, cwd: string, fetcher: ModFetcher, opts: PlanModuleOptions = {}): Promise<Plan> {
  const { goModPath, mainDir } = await locateGoMod(goModInput, cwd);
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
