/**
 * Reading what to bundle from disk, each file once: every go.mod and
 * go.work named on the command line (located once, read once, parsed
 * strictly as the go command parses main modules), the go.mod of every
 * module a go.work uses, the go.sum files the go command would consult
 * (go.sum beside a go.mod; go.work.sum and each used module's go.sum in a
 * workspace), and every --from-list file. Tools are only named here: they
 * are resolved through the GOPROXY chain when the inputs are planned
 * (planInputs.ts).
 *
 * A go.sum that does not exist is no go.sum; one that exists but cannot be
 * read stops here, naming it: a go.sum silently not checked is a
 * verification silently skipped.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { GoSum, parseGoSum } from '../gomod/gosum.js';
import { parseModFile, type ModFile } from '../gomod/modfile.js';
import { parseWorkFile, type WorkFile } from '../gomod/gowork.js';
import { InputFileError } from './inputErrors.js';
import { readExportedList, type ExportedListInput } from './exportedList.js';
import { locateInput } from './locateInput.js';

/** What the command line names. */
export interface InputRequest {
  /** go.mod or go.work files or their directories; none (and no tools or lists) means the current directory. */
  paths: readonly string[];
  /** --tool arguments, `pkg@version`. */
  tools?: readonly string[];
  /** --from-list files. */
  lists?: readonly string[];
  cwd: string;
  /** Modules matching these live only inside the air gap: a list's entries for them are set aside. */
  privatePatterns: { GOPRIVATE: string; GONOPROXY: string };
}

/** A main module read from disk. */
export interface ReadModule {
  kind: 'go.mod';
  /** As recorded in the manifest: relative to where pack ran, with slashes. */
  name: string;
  /** Absolute path of the go.mod. */
  file: string;
  /** The module's directory (local replacements are relative to it). */
  dir: string;
  data: Buffer;
  modFile: ModFile;
}

/** A workspace read from disk: the go.work and the go.mod of each module it uses. */
export interface ReadWorkspace {
  kind: 'go.work';
  name: string;
  file: string;
  dir: string;
  data: Buffer;
  work: WorkFile;
  /** One per `use` directive, in go.work order. */
  modules: { dir: string; file: string; modFile: ModFile }[];
}

export interface ReadTool {
  kind: 'tool';
  /** As typed: pkg@version. */
  arg: string;
}

export interface ReadList {
  kind: 'list';
  list: ExportedListInput;
}

export type ReadInput = ReadModule | ReadWorkspace | ReadTool | ReadList;

/** Everything read, in command-line order (paths, then tools, then lists). */
export interface ReadInputs {
  inputs: ReadInput[];
  /**
   * The hashes downloads must match: every go.sum the inputs name, merged,
   * plus the hashes the --from-list files give (trusted like go.sum lines).
   */
  sums: GoSum;
  /** Where `--write-gosum` writes by default: beside the first go.mod or go.work named (else the current directory). */
  firstDir: string;
}

export async function readInputs(req: InputRequest): Promise<ReadInputs> {
  const tools = req.tools ?? [];
  const lists = req.lists ?? [];
  const paths = req.paths.length === 0 && tools.length === 0 && lists.length === 0 ? ['.'] : req.paths;
  const inputs: ReadInput[] = [];
  const sumFiles: string[] = [];
  for (const p of paths) {
    const located = await locateInput(p, req.cwd);
    // Relative to where pack ran, with slashes, so the manifest does not depend on the machine.
    const name = relative(req.cwd, located.file).split(sep).join('/');
    if (located.kind === 'go.mod') {
      const data = await readInputFile(located.file, 'run gobundle in a Go module (a directory with a go.mod), or pass its path');
      inputs.push({
        kind: 'go.mod',
        name,
        file: located.file,
        dir: located.dir,
        data,
        modFile: parseModFile(located.file, data, { strict: true }),
      });
      sumFiles.push(join(located.dir, 'go.sum'));
      continue;
    }
    const data = await readInputFile(located.file, 'run gobundle on a go.work workspace, or pass its path');
    const work = parseWorkFile(located.file, data, { windows: process.platform === 'win32' });
    const modules = await Promise.all(
      work.use.map(async (u) => {
        const dir = isAbsolute(u.path) ? u.path : join(located.dir, u.path);
        const file = join(dir, 'go.mod');
        const bytes = await readInputFile(file, `go.work uses ${u.path}: it needs a go.mod there`);
        return { dir: u.path, file, modFile: parseModFile(file, bytes, { strict: true }) };
      }),
    );
    inputs.push({ kind: 'go.work', name, file: located.file, dir: located.dir, data, work, modules });
    sumFiles.push(`${located.file}.sum`, ...work.use.map((u) => join(isAbsolute(u.path) ? u.path : join(located.dir, u.path), 'go.sum')));
  }
  for (const arg of tools) inputs.push({ kind: 'tool', arg });
  const sums = new GoSum();
  for (const file of sumFiles) {
    const data = await readGoSum(file);
    if (data !== undefined) for (const l of parseGoSum(file, data)) sums.add(l.path, l.version, l.hash);
  }
  for (const file of lists) {
    const list = await readExportedList(file, req.cwd, req.privatePatterns);
    inputs.push({ kind: 'list', list });
    // A list's hashes are trusted like go.sum lines: a download that disagrees is refused.
    for (const m of list.modules) {
      for (const h of m.zipH1) sums.add(m.path, m.version, h);
      for (const h of m.modH1) sums.add(m.path, `${m.version}/go.mod`, h);
    }
  }
  const first = inputs.find((i): i is ReadModule | ReadWorkspace => i.kind === 'go.mod' || i.kind === 'go.work');
  return { inputs, sums, firstDir: first?.dir ?? req.cwd };
}

/** The sha256 of an input's bytes, as the manifest records it. */
export function inputSha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readInputFile(file: string, hint: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw InputFileError.reading(file, err, hint);
  }
}

/** A go.sum's bytes, or undefined when there is none; any other failure to read it is an error naming it. */
async function readGoSum(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw InputFileError.reading(
      file,
      err,
      'pack checks every download against go.sum, so a go.sum it cannot read stops it; fix its permissions, or move it aside to pack without it',
    );
  }
}
