/**
 * A bench graph of real-size, real-shaped module zips: the shape of
 * test/upstream/generate.ts's graph (layers, several versions per path, go
 * 1.16 and 1.21 modules), each module version filled with a real Go source
 * tree — a package directory of the Go distribution's own src/ or of
 * Debian's Go library packages (/usr/share/gocode/src), with its
 * subdirectories and testdata — under a subdirectory named after it. So the
 * zips hold what real module zips hold: many small text files, some large.
 *
 * Deterministic (sorted walks, seeded graph) and generated once into a cache
 * directory keyed by its options; never committed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateGraph, type GeneratedGraph } from '../../test/upstream/generate.js';
import { parseModuleFixture, formatModuleFixture, type TxtarFile } from '../../test/upstream/txtar.js';

/** Where real Go sources are read from: the Go 1.23 distribution's src/ (Debian's path) and Debian's Go library packages. */
const SOURCE_ROOTS = ['/usr/share/go-1.23/src', '/usr/share/gocode/src'];

export interface RealSourceGraphOptions {
  cacheDir: string;
  modules?: number;
  seed?: number;
  /** Most source bytes taken from one tree (a module version's real content). */
  treeCapBytes?: number;
}

export interface RealSourceGraph extends GeneratedGraph {
  /** Source files and bytes added over all module versions. */
  files: number;
  sourceBytes: number;
}

const RESERVED = new Set(['con', 'prn', 'aux', 'nul', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((i) => [`com${i}`, `lpt${i}`])]);
const ELEMENT = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
const TXTAR_MARKER = /^-- .+ --$/m;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Source bytes of successive module paths, cycled: most modules small, some large (zips about a quarter of the source). */
const MODULE_SOURCE_BYTES = [80_000, 160_000, 330_000, 550_000, 1_400_000];
/** Largest single file taken (x/mod allows more; txtar fixtures hold text). */
const MAX_FILE_BYTES = 512 << 10;

/** A path element a module zip accepts on every file system (a conservative subset of x/mod CheckFilePath). */
function goodElement(el: string): boolean {
  if (!ELEMENT.test(el) || el.endsWith('.') || el === 'vendor') return false;
  return !RESERVED.has((el.split('.')[0] ?? '').toLowerCase());
}

/** Text files of one tree, sorted, without nested modules, up to `cap` bytes. */
function treeFiles(root: string, cap: number): TxtarFile[] {
  const out: TxtarFile[] = [];
  const folded = new Set<string>();
  let bytes = 0;
  const walk = (dir: string, isRoot: boolean): void => {
    if (!isRoot && existsSync(join(dir, 'go.mod'))) return;
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (bytes >= cap) return;
      if (!goodElement(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        walk(p, false);
        continue;
      }
      if (!e.isFile() || e.name === 'go.mod' || e.name === 'go.sum') continue;
      const size = statSync(p).size;
      if (size === 0 || size > MAX_FILE_BYTES) continue;
      const data = readFileSync(p);
      if (data.includes(0)) continue;
      let text: string;
      try {
        text = UTF8.decode(data);
      } catch {
        continue;
      }
      if (text.includes('\r') || TXTAR_MARKER.test(text)) continue;
      const name = relative(root, p).split('\\').join('/');
      const fold = name.toLowerCase();
      if (folded.has(fold)) continue;
      folded.add(fold);
      out.push({ name, data: text.endsWith('\n') ? text : `${text}\n` });
      bytes += data.length;
    }
  };
  walk(root, true);
  return out;
}

/** Candidate trees: every directory one or two levels below each source root, sorted. */
function candidateTrees(): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const root of SOURCE_ROOTS) {
    if (!existsSync(root)) continue;
    const walk = (dir: string, depth: number): void => {
      for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (!e.isDirectory() || !goodElement(e.name) || e.name === 'testdata') continue;
        const p = join(dir, e.name);
        if (
          depth === 2 ||
          (depth === 1 && ['cmd', 'internal', 'golang.org', 'x', 'crypto', 'net', 'encoding', 'go'].includes(e.name) === false)
        ) {
          const key = relative(root, p);
          if (!seen.has(key)) {
            seen.add(key);
            out.push(p);
          }
        }
        if (depth < 2) walk(p, depth + 1);
      }
    };
    walk(root, 1);
  }
  return out;
}

/** Generate (or reuse from the cache) the real-source graph. */
export function realSourceGraph(opts: RealSourceGraphOptions): RealSourceGraph {
  const modules = opts.modules ?? 117;
  const seed = opts.seed ?? 1117;
  const cap = opts.treeCapBytes ?? 1_400_000;
  const key = createHash('sha256')
    .update(JSON.stringify({ v: 2, modules, seed, cap, roots: SOURCE_ROOTS.filter(existsSync) }))
    .digest('hex')
    .slice(0, 12);
  const dir = join(opts.cacheDir, `realsource-${key}`);
  const doneFile = join(dir, 'done.json');
  const graphOpts = { seed, modules, versionsPerModule: [1, 2] as [number, number], pathPrefix: 'real.test', maxRequires: 4 };
  if (existsSync(doneFile)) {
    const done = JSON.parse(readFileSync(doneFile, 'utf8')) as RealSourceGraph & { packageModules: [string, string][] };
    return { ...done, packageModules: new Map(done.packageModules) };
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const graph = generateGraph({ dir: tmp, ...graphOpts });
  const trees = candidateTrees().map((t) => ({ root: t, files: undefined as TxtarFile[] | undefined }));
  if (trees.length === 0) throw new Error(`no Go source trees under ${SOURCE_ROOTS.join(' or ')}`);
  const fixtures = readdirSync(graph.modulesDir).sort();
  const byPath = new Map<string, { root: string; files: TxtarFile[] | undefined }[]>();
  let files = 0;
  let sourceBytes = 0;
  let next = 0;
  for (const f of fixtures) {
    const file = join(graph.modulesDir, f);
    const fixture = parseModuleFixture(readFileSync(file, 'utf8'), file);
    // Every version of a path holds the same trees, as a real module's versions mostly do;
    // paths get trees until they reach a size from a skewed cycle (most modules small, some large).
    let chosen = byPath.get(fixture.module);
    if (chosen === undefined) {
      chosen = [];
      const target = MODULE_SOURCE_BYTES[byPath.size % MODULE_SOURCE_BYTES.length] ?? 0;
      let have = 0;
      while (have < target) {
        const cand = trees[next % trees.length];
        next++;
        if (cand === undefined) throw new Error('no source trees');
        cand.files ??= treeFiles(cand.root, cap);
        if (cand.files.length === 0) continue;
        chosen.push(cand);
        have += cand.files.reduce((n, tf) => n + tf.data.length, 0);
      }
      byPath.set(fixture.module, chosen);
    }
    for (const tree of chosen) {
      const sub = tree.root.split('/').slice(-2).join('-');
      for (const tf of tree.files ?? []) {
        fixture.files.push({ name: `${sub}/${tf.name}`, data: tf.data });
        files++;
        sourceBytes += Buffer.byteLength(tf.data);
      }
    }
    writeFileSync(file, formatModuleFixture(fixture));
  }
  const result: RealSourceGraph = {
    ...graph,
    modulesDir: join(dir, 'modules'),
    mainDir: join(dir, 'main'),
    files,
    sourceBytes,
  };
  writeFileSync(join(tmp, 'done.json'), JSON.stringify({ ...result, packageModules: [...graph.packageModules] }));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return result;
}
