/**
 * A small text language for module-graph tests, in the spirit of cmd/go's
 * mvs_test.go. A token like `a1` or `b2.3` names module example.com/a at
 * v1.1.0 or example.com/b at v1.2.3 (always major 1, so the go command accepts
 * the paths); `cnone` is version "none"; `main1` is the main module at v1.1.0.
 *
 *   name: pruned-basic            starts a scenario
 *   main go=1.17: a1 b1           the main module (example.com/main) and its requirements
 *   a1 go=1.17: c1                a dependency's go.mod (omit go= for no go line;
 *                                 module=x sets the module line to example.com/x, module=- drops it)
 *   dir ./x go=1.17: a1           the go.mod in a local replacement directory
 *   replace a1 => b2              also `replace a => b2`, `replace a => ./x`
 *   exclude c2
 *   mode: readonly
 *   build: a1 b1 c2               expected build list after main (tokens; `a1=>b2` shows a replacement)
 *   loaded: a1 b1                 expected go.mod reads
 *   error: text                   expected error message (exact)
 *
 * A required module version with no definition is missing from the proxy.
 */
import { NotFoundError } from '../../src/errors.js';
import type { GoModSource, ModSummaryInput, Plan } from '../../src/resolve/types.js';
import { type ModuleVersion } from '../../src/gomod/moduleVersion.js';

export const MAIN_PATH = 'example.com/main';

export interface Scenario {
  name: string;
  main: ModSummaryInput;
  mods: Map<string, ModSummaryInput>;
  dirs: Map<string, ModSummaryInput>;
  mode: 'mod' | 'readonly';
  build?: string[];
  loaded?: string[];
  error?: string;
}

const TOKEN = /^([a-z]+)(none|\d+(?:\.\d+)?)$/;

/** `a1` → example.com/a@v1.1.0, `a1.2` → example.com/a@v1.1.2 */
export function parseToken(tok: string): ModuleVersion {
  const m = TOKEN.exec(tok);
  if (m === null) throw new Error(`bad module token ${JSON.stringify(tok)}`);
  const ver = m[2]!;
  if (ver === 'none') return { path: `example.com/${m[1]}`, version: 'none' };
  const [minor, patch = '0'] = ver.split('.');
  return { path: `example.com/${m[1]}`, version: `v1.${minor}.${patch}` };
}

/** example.com/a@v1.1.0 → `a1`; the inverse of parseToken. */
export function formatToken(m: ModuleVersion): string {
  const name = m.path.replace(/^example\.com\//, '');
  const v = /^v1\.(\d+)\.(\d+)$/.exec(m.version);
  if (v === null) return `${name}@${m.version}`;
  return v[2] === '0' ? `${name}${v[1]}` : `${name}${v[1]}.${v[2]}`;
}

export function modKey(m: ModuleVersion): string {
  return `${m.path}@${m.version}`;
}

function parseHeader(words: string[]): { go?: string; toolchain?: string; module?: string | null } {
  const out: { go?: string; toolchain?: string; module?: string | null } = {};
  for (const w of words) {
    const [k, v] = w.split('=');
    if (k === 'go') out.go = v!;
    else if (k === 'toolchain') out.toolchain = v!;
    else if (k === 'module') out.module = v === '-' ? null : `example.com/${v}`;
    else throw new Error(`bad attribute ${JSON.stringify(w)}`);
  }
  return out;
}

function modFile(path: string | null, attrs: ReturnType<typeof parseHeader>, reqs: string[]): ModSummaryInput {
  const modulePath = attrs.module === undefined ? path : attrs.module;
  return {
    module: modulePath === null ? undefined : { path: modulePath },
    go: attrs.go,
    toolchain: attrs.toolchain,
    require: reqs.map((t) => ({ ...parseToken(t), indirect: false })),
    exclude: [],
    replace: [],
  };
}

export function parseScenarios(text: string): Scenario[] {
  const out: Scenario[] = [];
  let cur: Scenario | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('name:')) {
      cur = { name: line.slice(5).trim(), main: modFile(MAIN_PATH, {}, []), mods: new Map(), dirs: new Map(), mode: 'mod' };
      out.push(cur);
      continue;
    }
    if (cur === undefined) throw new Error(`line before name: ${line}`);
    const words = line.split(/\s+/);
    if (words[0] === 'replace') {
      const [, from, arrow, to] = words;
      if (arrow !== '=>' || from === undefined || to === undefined) throw new Error(`bad replace: ${line}`);
      const old = TOKEN.test(from) ? parseToken(from) : { path: `example.com/${from}`, version: '' };
      if (to.startsWith('.') || to.startsWith('/')) {
        cur.main.replace.push({ old, new: { path: to, version: '' }, local: true });
      } else {
        cur.main.replace.push({ old, new: parseToken(to), local: false });
      }
      continue;
    }
    if (words[0] === 'exclude') {
      for (const t of words.slice(1)) cur.main.exclude.push(parseToken(t));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`missing colon: ${line}`);
    const key = line.slice(0, colon).trim().split(/\s+/);
    const val = line.slice(colon + 1).trim();
    const vals = val === '' ? [] : val.split(/\s+/);
    switch (key[0]) {
      case 'mode':
        cur.mode = val === 'readonly' ? 'readonly' : 'mod';
        break;
      case 'build':
        cur.build = vals;
        break;
      case 'loaded':
        cur.loaded = vals;
        break;
      case 'error':
        cur.error = val.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
        break;
      case 'main': {
        const f = modFile(MAIN_PATH, parseHeader(key.slice(1)), vals);
        cur.main = { ...f, exclude: cur.main.exclude, replace: cur.main.replace };
        break;
      }
      case 'dir':
        cur.dirs.set(key[1]!, modFile(null, parseHeader(key.slice(2)), vals));
        break;
      default: {
        const m = parseToken(key[0]!);
        cur.mods.set(modKey(m), modFile(m.path, parseHeader(key.slice(1)), vals));
      }
    }
  }
  return out;
}

/** A GoModSource over a scenario, recording every read. */
export function scenarioSource(s: Scenario): GoModSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async remote(m) {
      reads.push(modKey(m));
      const f = s.mods.get(modKey(m));
      if (f === undefined) throw new NotFoundError(`not found`);
      return f;
    },
    async local(dir) {
      const f = s.dirs.get(dir);
      if (f === undefined) throw new NotFoundError(`${dir}: no go.mod`);
      return f;
    },
  };
}

/** The plan's build list after main as tokens, `a1=>b2` / `a1=>./x` for replacements. */
export function buildTokens(plan: Plan): string[] {
  return plan.buildList.slice(1).map((m) => {
    const t = formatToken(m);
    if (m.replace === undefined) return t;
    return 'dir' in m.replace ? `${t}=>${m.replace.dir}` : `${t}=>${formatToken(m.replace)}`;
  });
}
