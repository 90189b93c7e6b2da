/**
 * Read a list exported from inside the air gap (--from-list): parse it,
 * set aside the modules that match GOPRIVATE or GONOPROXY (they live only
 * inside, so no proxy outside has them), and plan the files of every other
 * module version: .info, .mod and .zip, or the .mod alone where the list
 * says only the go.mod is needed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { parseExportedList, type ExportedList, type ExportedModule } from '../gomod/exportedList.js';
import { matchPrefixPatterns } from '../gomod/modulePath.js';
import { filesAndLists } from '../resolve/plan.js';
import type { Plan } from '../resolve/types.js';
import { WANTS_FORMAT, isWantsList, parseWantsList } from '../misses/wantsList.js';
import { type ResolvedWants, type WantsQuerier, resolveWants } from '../misses/resolveWants.js';

export interface ExportedListInput {
  /** As recorded in the manifest: relative to where pack ran, with slashes. */
  name: string;
  sha256: string;
  format: ExportedList['format'] | typeof WANTS_FORMAT;
  /** The module versions to fetch, with the hashes the list gives. */
  modules: ExportedModule[];
  /** Matched GOPRIVATE/GONOPROXY: not fetched. */
  private: ExportedModule[];
  ignored: ExportedList['ignored'];
  /** A wants list (gobundle wants): entries no proxy has, skipped; queries resolved; toolchains to carry. */
  wants?: Pick<ResolvedWants, 'skipped' | 'resolved' | 'toolchains'>;
}

export async function readExportedList(
  file: string,
  cwd: string,
  env: { GOPRIVATE: string; GONOPROXY: string },
  /** Resolves a wants list's entries (the GOPROXY chain); a wants list without it is refused. */
  wantsQuerier?: WantsQuerier,
): Promise<ExportedListInput> {
  const abs = resolve(cwd, file);
  let data: Buffer;
  try {
    data = await readFile(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GobundleError(ErrorCode.NOGOMOD, `--from-list ${file}: ${code === 'ENOENT' ? 'no such file' : String(err)}`, {
      hint: 'export the list inside the air gap: cp go.sum, or go list -m -json all > list.json, or go mod download -json > list.json',
    });
  }
  const isPrivate = (path: string): boolean => matchPrefixPatterns(env.GONOPROXY, path) || matchPrefixPatterns(env.GOPRIVATE, path);
  const name = relative(cwd, abs).split(sep).join('/');
  const sha256 = createHash('sha256').update(data).digest('hex');
  const text = data.toString('utf8');
  if (isWantsList(text)) {
    if (wantsQuerier === undefined)
      throw new GobundleError(ErrorCode.USAGE, `--from-list ${file}: a wants list needs a module proxy to resolve it`);
    const entries = parseWantsList(abs, text);
    const r = await resolveWants(
      entries.filter((e) => !isPrivate(e.path)),
      wantsQuerier,
    );
    const asModule = (path: string, version: string): ExportedModule => ({ path, version, zip: true, zipH1: [], modH1: [] });
    return {
      name,
      sha256,
      format: WANTS_FORMAT,
      modules: r.modules.map((m) => asModule(m.path, m.version)),
      private: entries.filter((e) => isPrivate(e.path)).map((e) => asModule(e.path, e.query)),
      ignored: [],
      wants: { skipped: r.skipped, resolved: r.resolved, toolchains: r.toolchains },
    };
  }
  const list = parseExportedList(abs, data);
  return {
    name,
    sha256,
    format: list.format,
    modules: list.modules.filter((m) => !isPrivate(m.path)),
    private: list.modules.filter((m) => isPrivate(m.path)),
    ignored: list.ignored,
  };
}

/** The files the list asks for, as a plan with no build list of its own. */
export function planExportedList(list: ExportedListInput): Plan {
  const files: Plan['files'] = [];
  for (const m of list.modules) {
    files.push({ path: m.path, version: m.version, kind: 'mod' });
    if (m.zip) files.push({ path: m.path, version: m.version, kind: 'info' }, { path: m.path, version: m.version, kind: 'zip' });
  }
  const { sortedFiles, lists } = filesAndLists(files);
  return {
    main: { path: list.name, goVersion: undefined, toolchain: undefined },
    dependencyGo: undefined,
    buildList: [],
    loaded: [],
    files: sortedFiles,
    lists,
    localReplacements: [],
  };
}
