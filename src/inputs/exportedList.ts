/**
 * Read a list exported from inside the air gap (--from-list): parse it,
 * set aside the modules that match GOPRIVATE or GONOPROXY (they live only
 * inside, so no proxy outside has them), and plan the files of every other
 * module version: .info, .mod and .zip, or the .mod alone where the list
 * says only the go.mod is needed. A wants list (gobundle wants: what an
 * inside server could not answer) names queries, not versions: its entries
 * are resolved through the GOPROXY chain when the inputs are planned
 * (resolveWants.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { InputFileError } from './inputErrors.js';
import { parseExportedList, type ExportedList, type ExportedModule } from '../gomod/exportedList.js';
import { matchPrefixPatterns } from '../gomod/modulePath.js';
import { filesAndLists } from '../resolve/planFiles.js';
import type { Plan } from '../resolve/types.js';
import { WANTS_FORMAT, isWantsList, parseWantsList, type WantedEntry } from '../misses/wantsList.js';

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
  /** A wants list: its entries (other than private ones), still to be resolved; `modules` is then empty. */
  wanted?: WantedEntry[];
}

export async function readExportedList(
  file: string,
  cwd: string,
  env: { GOPRIVATE: string; GONOPROXY: string },
): Promise<ExportedListInput> {
  const abs = resolve(cwd, file);
  let data: Buffer;
  try {
    data = await readFile(abs);
  } catch (err) {
    throw InputFileError.reading(
      abs,
      err,
      'export the list inside the air gap: cp go.sum, or go list -m -json all > list.json, or go mod download -json > list.json',
      `--from-list ${file}`,
    );
  }
  const isPrivate = (path: string): boolean => matchPrefixPatterns(env.GONOPROXY, path) || matchPrefixPatterns(env.GOPRIVATE, path);
  const name = relative(cwd, abs).split(sep).join('/');
  const sha256 = createHash('sha256').update(data).digest('hex');
  const text = data.toString('utf8');
  if (isWantsList(text)) {
    const entries = parseWantsList(abs, text);
    return {
      name,
      sha256,
      format: WANTS_FORMAT,
      modules: [],
      private: entries.filter((e) => isPrivate(e.path)).map((e) => wantedModule(e.path, e.query)),
      ignored: [],
      wanted: entries.filter((e) => !isPrivate(e.path)),
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

/** A module version a wants list asks for: all its files, no hashes known (the checksum database vouches for them). */
export function wantedModule(path: string, version: string): ExportedModule {
  return { path, version, zip: true, zipH1: [], modH1: [] };
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
