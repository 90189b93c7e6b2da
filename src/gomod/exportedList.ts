/**
 * Lists of module versions exported from inside an air gap, for code whose
 * own go.mod never leaves it: a go.sum, the output of `go list -m -json all`,
 * or the output of `go mod download -json`. Each becomes the module versions
 * to fetch, which files of each (a go.sum `/go.mod` line means the .mod
 * only), and the hashes the list records for them.
 *
 * The JSON outputs are streams of objects (cmd/go prints one JSON value per
 * module, not an array): `go list -m -json` fields are modinfo.ModulePublic
 * (Path, Version, Main, Replace, Sum, GoModSum); `go mod download -json`
 * prints moduleJSON from cmd/go/internal/modcmd/download.go (Path, Version,
 * Error, Info, GoMod, Zip, Sum, GoModSum), with local file names we ignore.
 */
import { FileSyntaxError } from '../errors.js';
import { parseGoSum } from './gosum.js';

export type ExportedListFormat = 'go.sum' | 'go list -m -json' | 'go mod download -json';

export interface ExportedModule {
  path: string;
  version: string;
  /** Whether the zip (and .info) is needed, not only the go.mod. */
  zip: boolean;
  /** h1: hashes the list records (empty when it records none). */
  zipH1: string[];
  modH1: string[];
}

export interface ExportedList {
  format: ExportedListFormat;
  modules: ExportedModule[];
  /** Entries that name no downloadable version (main modules, directory replacements, errors), with why. */
  ignored: { what: string; why: string }[];
}

export function parseExportedList(file: string, data: string | Uint8Array): ExportedList {
  const text = typeof data === 'string' ? data : new TextDecoder('utf-8', { ignoreBOM: true }).decode(data);
  const first = /\S/.exec(text);
  if (first === null)
    throw new FileSyntaxError(file, 1, 1, 'empty list: want a go.sum, or the output of go list -m -json all or go mod download -json');
  const byKey = new Map<string, ExportedModule>();
  const entry = (path: string, version: string): ExportedModule => {
    const key = `${path}@${version}`;
    let m = byKey.get(key);
    if (m === undefined) {
      m = { path, version, zip: false, zipH1: [], modH1: [] };
      byKey.set(key, m);
    }
    return m;
  };
  const addHash = (list: string[], h: unknown): void => {
    if (typeof h === 'string' && h !== '' && !list.includes(h)) list.push(h);
  };
  const ignored: ExportedList['ignored'] = [];

  if (first[0] !== '{') {
    for (const l of parseGoSum(file, text)) {
      if (l.version.endsWith('/go.mod')) addHash(entry(l.path, l.version.slice(0, -'/go.mod'.length)).modH1, l.hash);
      else {
        const m = entry(l.path, l.version);
        m.zip = true;
        addHash(m.zipH1, l.hash);
      }
    }
    return { format: 'go.sum', modules: [...byKey.values()], ignored };
  }

  const objects = splitJsonStream(file, text);
  const download = objects.some((o) => 'Zip' in o || 'Info' in o || 'Error' in o);
  for (const o of objects) {
    const path = typeof o.Path === 'string' ? o.Path : '';
    const version = typeof o.Version === 'string' ? o.Version : '';
    if (path === '') {
      ignored.push({ what: JSON.stringify(o).slice(0, 80), why: 'no Path' });
      continue;
    }
    if (o.Error !== undefined) {
      ignored.push({
        what: `${path}${version === '' ? '' : `@${version}`}`,
        why: `the go command reported an error: ${typeof o.Error === 'string' ? o.Error : JSON.stringify(o.Error)}`,
      });
      continue;
    }
    if (o.Main === true) {
      ignored.push({ what: path, why: 'main module' });
      continue;
    }
    let target = { path, version };
    const r = o.Replace as Record<string, unknown> | undefined;
    if (r !== undefined && r !== null && typeof r === 'object') {
      if (typeof r.Version !== 'string' || r.Version === '') {
        ignored.push({ what: `${path}${version === '' ? '' : `@${version}`}`, why: `replaced by the directory ${String(r.Path)}` });
        continue;
      }
      // The go command downloads (and go.sum records) a replaced module as its replacement.
      target = { path: String(r.Path), version: r.Version };
    }
    if (target.version === '') {
      ignored.push({ what: path, why: 'no Version' });
      continue;
    }
    const m = entry(target.path, target.version);
    // go list -m all names build-list modules, whose packages may be built: carry them whole.
    m.zip ||= !download || 'Zip' in o || typeof o.Sum === 'string';
    const sums = r !== undefined && r !== null && typeof r === 'object' && (r.Sum !== undefined || r.GoModSum !== undefined) ? r : o;
    addHash(m.zipH1, sums.Sum);
    addHash(m.modH1, sums.GoModSum);
  }
  return { format: download ? 'go mod download -json' : 'go list -m -json', modules: [...byKey.values()], ignored };
}

/** Splits concatenated JSON objects (as json.Encoder writes them) and parses each. */
function splitJsonStream(file: string, text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) {
        start = i;
        startLine = line;
      }
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth < 0) throw new FileSyntaxError(file, line, 1, 'unexpected }');
      if (depth === 0) {
        let v: unknown;
        try {
          v = JSON.parse(text.slice(start, i + 1));
        } catch (err) {
          throw new FileSyntaxError(file, startLine, 1, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
        }
        out.push(v as Record<string, unknown>);
      }
    } else if (depth === 0 && c !== undefined && !/\s/.test(c)) {
      throw new FileSyntaxError(file, line, 1, `unexpected ${JSON.stringify(c)} between JSON objects`);
    }
  }
  if (depth !== 0 || inString) throw new FileSyntaxError(file, startLine, 1, 'unterminated JSON object');
  return out;
}
