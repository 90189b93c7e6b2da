/**
 * What a path on the command line names: a go.mod, a go.work, or a
 * directory holding one. A directory with a go.mod is that module (as
 * before workspaces were inputs); a directory with only a go.work is that
 * workspace; pass the go.work itself to plan the workspace around a module.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputFileError } from './inputErrors.js';

export interface LocatedInput {
  kind: 'go.mod' | 'go.work';
  /** Absolute path of the go.mod or go.work file. */
  file: string;
  /** Its directory: the main module's, or the workspace's. */
  dir: string;
}

const HINT = 'pass a go.mod or go.work file, or the directory that holds it';

export async function locateInput(input: string, cwd: string): Promise<LocatedInput> {
  const p = resolve(cwd, input);
  let isDir: boolean;
  try {
    isDir = (await stat(p)).isDirectory();
  } catch {
    throw new InputFileError(p, `${input}: no such file or directory`, { hint: HINT });
  }
  if (isDir) {
    const hasGoMod = await isFile(join(p, 'go.mod'));
    if (!hasGoMod && (await isFile(join(p, 'go.work')))) return { kind: 'go.work', file: join(p, 'go.work'), dir: p };
    return { kind: 'go.mod', file: join(p, 'go.mod'), dir: p };
  }
  const name = basename(p);
  // GOWORK may name any file ending in .work (modload.WorkFilePath); go.mod must be called go.mod.
  if (name.endsWith('.work')) return { kind: 'go.work', file: p, dir: dirname(p) };
  if (name !== 'go.mod') throw new InputFileError(p, `${input}: not a go.mod or go.work file`, { hint: HINT });
  return { kind: 'go.mod', file: p, dir: dirname(p) };
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
