/**
 * A deterministic generator of large module graphs for the test upstream.
 *
 * Modules gen.test/mNNN (some gen.test/MNNN, some gen.test/mNNN/v2; the
 * prefix is an option), replacement modules gen.test/replacementNNN, sit in
 * layers; a module version requires only modules of later layers, so the
 * graph has no cycles. Each module has one root package importing the root
 * packages of some of its requirements.
 *
 * The graphs are built so the real go command builds them without adding
 * requirements or asking for @latest (it must never need the network beyond
 * what the graph names):
 * - a module (and main) imports only packages of modules it requires directly;
 * - go 1.21 modules (and main) list every module providing a package their
 *   packages import transitively, at least at the version MVS selects from
 *   their own requirements (what `go mod tidy` writes; `// indirect` when
 *   not imported directly) — main lists exactly the selected versions;
 * - replacements and exclusions are applied by main only and taken into
 *   account when main's requirements are computed.
 *
 * A go 1.16 main lists the same requirements (more than its tidy would keep,
 * which the go command accepts).
 *
 * Main's requirements are computed over the full (unpruned) graph: the
 * pruned graph the go command loads for a go 1.21 main is a subgraph, and
 * since main lists every package-providing module at its full-graph version,
 * the two agree on every module that provides a package.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureFileName, formatModuleFixture } from './txtar.js';

export interface GenerateGraphOptions {
  /** Directory to write into: `<dir>/modules` (txtar fixtures) and `<dir>/main` (project). Replaced if present. */
  dir: string;
  seed: number;
  /** Number of gen.test modules (not counting replacement modules). */
  modules: number;
  /** Versions per module: a fixed count or an inclusive [min, max] range. Default [1, 4]. */
  versionsPerModule?: number | [number, number];
  /**
   * The main module's go version. Default '1.21' (pruned graph). With '1.16'
   * (unpruned) every module is go 1.16 too: a newer dependency would make the
   * go command raise main's go line.
   */
  mainGo?: '1.16' | '1.21';
  /** Fraction of module versions at go 1.16 (unpruned); the rest are go 1.21. Default 0.3 (1 when mainGo is 1.16). */
  go116Fraction?: number;
  /** Main's `replace path version => gen.test/replacementN v1.0.0` directives. Default 0. */
  replaces?: number;
  /** Main's `exclude` directives. Default 0. */
  excludes?: number;
  /** Size of the pseudo-random pad.bin in every module zip. Default 0 (none). */
  padBytes?: number;
  /** Most requirements a module version picks (before tidy adds indirect ones). Default 3. */
  maxRequires?: number;
  /** Fraction of modules with an uppercase path (gen.test/MNNN). Default 0.1. */
  upperFraction?: number;
  /** Fraction of modules with a /v2 path. Default 0.1. */
  v2Fraction?: number;
  /** Path prefix of every module (e.g. "gen.test" or "gen.test/old"), so several graphs can share one upstream. Default "gen.test". */
  pathPrefix?: string;
}

export interface GeneratedGraph {
  modulesDir: string;
  mainDir: string;
  mainModulePath: string;
  /** Number of module version fixtures written (replacement modules included). */
  moduleVersions: number;
  /** Every module providing a package to main's build, at the version the go command selects. */
  packageModules: Map<string, string>;
  replaces: { path: string; version: string; newPath: string; newVersion: string }[];
  excludes: { path: string; version: string }[];
}

const DEFAULT_PATH_PREFIX = 'gen.test';

/** mulberry32: small, fast and identical on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type GoVersion = '1.16' | '1.21';

/** What a module version's go.mod and root package say. */
interface Content {
  go: GoVersion;
  /** path → version, as written in go.mod. */
  requires: Map<string, string>;
  /** Module paths whose root package the root package imports (a subset of requires). */
  imports: string[];
}

interface Mod {
  path: string;
  pkgName: string;
  layer: number;
  versions: string[]; // ascending
  content: Map<string, Content>;
}

interface Replacement {
  path: string;
  version: string;
  newPath: string;
  newVersion: string;
  /** The version of `path` whose content the replacement carries. */
  contentOf: string;
  declaresOwnPath: boolean;
}

/** Semantic version comparison for the plain vX.Y.Z versions generated here. */
function compareVersions(a: string, b: string): number {
  const pa = a.slice(1).split('.').map(Number);
  const pb = b.slice(1).split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function key(path: string, version: string): string {
  return `${path}@${version}`;
}

class Graph {
  readonly mods = new Map<string, Mod>();
  readonly replaced = new Map<string, Replacement>(); // key(path, version) → replacement
  readonly excluded = new Set<string>(); // key(path, version)

  mod(path: string): Mod {
    const m = this.mods.get(path);
    if (!m) throw new Error(`generator: unknown module ${path}`);
    return m;
  }

  /** The content the go command sees for path@version in main's graph (after replacement). */
  content(path: string, version: string, applyMain: boolean): Content {
    const m = this.mod(path);
    const r = applyMain ? this.replaced.get(key(path, version)) : undefined;
    const c = m.content.get(r ? r.contentOf : version);
    if (!c) throw new Error(`generator: unknown version ${path}@${version}`);
    return c;
  }

  /**
   * MVS over the full graph from roots; with applyMain, main's replacements
   * and exclusions apply (requirements on excluded versions are dropped, as
   * since Go 1.16). Returns the selected versions and every version visited.
   */
  select(roots: Map<string, string>, applyMain: boolean): { selected: Map<string, string>; visited: Set<string> } {
    const selected = new Map<string, string>();
    const visited = new Set<string>();
    const queue: [string, string][] = [...roots];
    while (queue.length > 0) {
      const [p, v] = queue.pop() as [string, string];
      const k = key(p, v);
      if (visited.has(k)) continue;
      visited.add(k);
      const cur = selected.get(p);
      if (cur === undefined || compareVersions(v, cur) > 0) selected.set(p, v);
      for (const [q, w] of this.content(p, v, applyMain).requires) {
        if (applyMain && this.excluded.has(key(q, w))) continue;
        queue.push([q, w]);
      }
    }
    return { selected, visited };
  }

  /**
   * Modules providing packages imported transitively from `imports`, using
   * the selected versions; `missing` lists imported modules not in the graph.
   */
  importClosure(imports: string[], selected: Map<string, string>, applyMain: boolean): { providing: Set<string>; missing: string[] } {
    const providing = new Set<string>();
    const missing: string[] = [];
    const stack = [...imports];
    while (stack.length > 0) {
      const p = stack.pop() as string;
      if (providing.has(p)) continue;
      providing.add(p);
      const v = selected.get(p);
      if (v === undefined) {
        missing.push(p);
        continue;
      }
      stack.push(...this.content(p, v, applyMain).imports);
    }
    return { providing, missing };
  }
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('generator: pick from an empty list');
  return item;
}

/** Generate a module graph and its main project; the same options always write the same bytes. */
export function generateGraph(opts: GenerateGraphOptions): GeneratedGraph {
  const rand = mulberry32(opts.seed);
  const n = opts.modules;
  if (!Number.isInteger(n) || n < 1) throw new Error(`generator: modules must be a positive integer, got ${n}`);
  const [minVersions, maxVersions] =
    typeof opts.versionsPerModule === 'number' ? [opts.versionsPerModule, opts.versionsPerModule] : (opts.versionsPerModule ?? [1, 4]);
  const mainGo = opts.mainGo ?? '1.21';
  const go116Fraction = opts.go116Fraction ?? (mainGo === '1.16' ? 1 : 0.3);
  if (mainGo === '1.16' && go116Fraction !== 1) {
    throw new Error(`generator: mainGo 1.16 needs go116Fraction 1, got ${go116Fraction}`);
  }
  const maxRequires = opts.maxRequires ?? 3;
  const upperFraction = opts.upperFraction ?? 0.1;
  const v2Fraction = opts.v2Fraction ?? 0.1;
  const prefix = opts.pathPrefix ?? DEFAULT_PATH_PREFIX;
  const digits = Math.max(3, String(n - 1).length);
  const layerCount = Math.max(2, Math.round(Math.sqrt(n)));
  const layerOf = (i: number): number => Math.floor((i * layerCount) / n);
  const firstOfLayer = (layer: number): number => Math.ceil((layer * n) / layerCount);

  const g = new Graph();
  const byIndex: Mod[] = [];
  for (let i = 0; i < n; i++) {
    const num = String(i).padStart(digits, '0');
    const roll = rand();
    const isV2 = roll < v2Fraction;
    const isUpper = !isV2 && roll < v2Fraction + upperFraction;
    const path = isV2 ? `${prefix}/m${num}/v2` : isUpper ? `${prefix}/M${num}` : `${prefix}/m${num}`;
    const major = isV2 ? 2 : 1;
    const count = minVersions + Math.floor(rand() * (maxVersions - minVersions + 1));
    const versions: string[] = [];
    let minor = Math.floor(rand() * 3);
    let patch = 0;
    for (let k = 0; k < count; k++) {
      versions.push(`v${major}.${minor}.${patch}`);
      if (rand() < 0.3) patch++;
      else {
        minor++;
        patch = 0;
      }
    }
    const m: Mod = { path, pkgName: `m${num}`, layer: layerOf(i), versions, content: new Map() };
    byIndex.push(m);
    g.mods.set(path, m);
  }

  // Later layers first, so every requirement's content exists when a module is tidied.
  for (let i = n - 1; i >= 0; i--) {
    const m = byIndex[i] as Mod;
    // Requirements come from the next two layers, so the graph is deep rather than flat.
    const lo = firstOfLayer(m.layer + 1);
    const hi = Math.min(n, firstOfLayer(m.layer + 3));
    for (const version of m.versions) {
      const go: GoVersion = rand() < go116Fraction ? '1.16' : '1.21';
      const requires = new Map<string, string>();
      const imports: string[] = [];
      if (lo < hi) {
        const count = Math.floor(rand() * (maxRequires + 1));
        for (let r = 0; r < count; r++) {
          const target = byIndex[lo + Math.floor(rand() * (hi - lo))] as Mod;
          if (requires.has(target.path)) continue;
          requires.set(target.path, pick(rand, target.versions));
          if (rand() < 0.7) imports.push(target.path);
        }
      }
      imports.sort();
      const content: Content = { go, requires, imports };
      if (go === '1.21') tidyDependency(g, content);
      m.content.set(version, content);
    }
  }

  const mainImports = byIndex.filter((m) => m.layer === 0).map((m) => m.path);
  const initialVersions = new Map(mainImports.map((p) => [p, pick(rand, g.mod(p).versions)]));

  // Replacements: aim at versions main's graph really visits, preferring selected ones.
  const replacements: Replacement[] = [];
  const prelim = solveMain(g, mainImports, initialVersions);
  const replaceable = [...prelim.visited].map(splitKey).filter(([p]) => !p.endsWith('/v2'));
  for (let r = 0; r < (opts.replaces ?? 0) && replaceable.length > 0; r++) {
    const selectedOnes = replaceable.filter(([p, v]) => prelim.selected.get(p) === v);
    const pool = rand() < 0.6 && selectedOnes.length > 0 ? selectedOnes : replaceable;
    const [path, version] = pick(rand, pool);
    replaceable.splice(
      replaceable.findIndex(([p, v]) => p === path && v === version),
      1,
    );
    const rep: Replacement = {
      path,
      version,
      newPath: `${prefix}/replacement${String(r).padStart(3, '0')}`,
      newVersion: 'v1.0.0',
      contentOf: pick(rand, g.mod(path).versions),
      declaresOwnPath: r % 2 === 1,
    };
    replacements.push(rep);
    g.replaced.set(key(path, version), rep);
  }

  // Exclusions: a visited version of a module that has another version, never a replaced one.
  const excludes: { path: string; version: string }[] = [];
  const afterReplace = solveMain(g, mainImports, initialVersions);
  const excludable = [...afterReplace.visited].map(splitKey).filter(([p, v]) => g.mod(p).versions.length > 1 && !g.replaced.has(key(p, v)));
  for (let e = 0; e < (opts.excludes ?? 0) && excludable.length > 0; e++) {
    const [path, version] = pick(rand, excludable);
    for (let j = excludable.length - 1; j >= 0; j--) if (excludable[j]?.[0] === path) excludable.splice(j, 1);
    excludes.push({ path, version });
    g.excluded.add(key(path, version));
  }

  const final = solveMain(g, mainImports, initialVersions);
  return writeGraph(opts, g, byIndex, replacements, excludes, mainImports, final.requires);
}

function splitKey(k: string): [string, string] {
  const at = k.lastIndexOf('@');
  return [k.slice(0, at), k.slice(at + 1)];
}

/** A go 1.21 dependency lists what its packages import transitively, at the versions its own graph selects. */
function tidyDependency(g: Graph, c: Content): void {
  const { selected } = g.select(c.requires, false);
  const { providing } = g.importClosure(c.imports, selected, false);
  for (const p of providing) {
    const v = selected.get(p);
    if (v !== undefined) c.requires.set(p, v);
  }
}

/**
 * Main's requirements, computed to a fixed point: every module providing a
 * package to main's build, at its selected version; an imported module that
 * exclusions dropped from the graph is added at its highest non-excluded version.
 */
function solveMain(
  g: Graph,
  mainImports: string[],
  initial: Map<string, string>,
): { requires: Map<string, string>; selected: Map<string, string>; visited: Set<string> } {
  const requires = new Map<string, string>();
  for (const [p, v] of initial) requires.set(p, allowedVersion(g, p, v));
  for (;;) {
    const { selected, visited } = g.select(requires, true);
    const { providing, missing } = g.importClosure(mainImports, selected, true);
    let changed = false;
    for (const p of missing) {
      requires.set(p, allowedVersion(g, p, g.mod(p).versions.at(-1) as string));
      changed = true;
    }
    for (const p of providing) {
      const v = selected.get(p);
      if (v !== undefined && requires.get(p) !== v) {
        requires.set(p, v);
        changed = true;
      }
    }
    if (!changed) {
      for (const p of [...requires.keys()]) if (!providing.has(p)) requires.delete(p);
      return { requires, selected, visited };
    }
  }
}

/** v itself unless excluded; then the next higher version, else the highest lower one. */
function allowedVersion(g: Graph, path: string, v: string): string {
  if (!g.excluded.has(key(path, v))) return v;
  const versions = g.mod(path).versions.filter((w) => !g.excluded.has(key(path, w)));
  const higher = versions.find((w) => compareVersions(w, v) > 0);
  const chosen = higher ?? versions.at(-1);
  if (chosen === undefined) throw new Error(`generator: every version of ${path} is excluded`);
  return chosen;
}

function goMod(path: string, go: GoVersion, requires: Map<string, string>, direct: Set<string>, tail = ''): string {
  let out = `module ${path}\n\ngo ${go}\n`;
  const paths = [...requires.keys()].sort();
  const directPaths = paths.filter((p) => direct.has(p));
  const indirectPaths = paths.filter((p) => !direct.has(p));
  if (directPaths.length > 0) out += `\nrequire (\n${directPaths.map((p) => `\t${p} ${requires.get(p)}\n`).join('')})\n`;
  if (indirectPaths.length > 0) {
    out += `\nrequire (\n${indirectPaths.map((p) => `\t${p} ${requires.get(p)} // indirect\n`).join('')})\n`;
  }
  return out + tail;
}

function goSource(g: Graph, pkgName: string, imports: string[], name: string): string {
  let out = `package ${pkgName}\n\n`;
  if (imports.length > 0) {
    out += `import (\n${imports.map((p) => `\t${g.mod(p).pkgName} "${p}"\n`).join('')})\n\n`;
  }
  out += `// Name identifies the module version this package was built from.\nfunc Name() string { return "${name}" }\n`;
  out += `\n// Deps names the packages it imports, so that every import is used.\nfunc Deps() []string {\n\treturn []string{${imports
    .map((p) => `${g.mod(p).pkgName}.Name()`)
    .join(', ')}}\n}\n`;
  return out;
}

function writeGraph(
  opts: GenerateGraphOptions,
  g: Graph,
  byIndex: Mod[],
  replacements: Replacement[],
  excludes: { path: string; version: string }[],
  mainImports: string[],
  mainRequires: Map<string, string>,
): GeneratedGraph {
  const modulesDir = join(opts.dir, 'modules');
  const mainDir = join(opts.dir, 'main');
  rmSync(modulesDir, { recursive: true, force: true });
  rmSync(mainDir, { recursive: true, force: true });
  mkdirSync(modulesDir, { recursive: true });
  mkdirSync(mainDir, { recursive: true });
  const pad = opts.padBytes && opts.padBytes > 0 ? opts.padBytes : undefined;
  let moduleVersions = 0;
  const write = (path: string, version: string, modText: string, source: string, comment?: string): void => {
    const fixture = {
      module: path,
      version,
      ...(comment !== undefined ? { comment } : {}),
      ...(pad !== undefined ? { pad } : {}),
      files: [
        { name: 'go.mod', data: modText },
        { name: 'pkg.go', data: source },
      ],
    };
    writeFileSync(join(modulesDir, fixtureFileName(path, version)), formatModuleFixture(fixture));
    moduleVersions++;
  };

  for (const m of byIndex) {
    for (const version of m.versions) {
      const c = m.content.get(version) as Content;
      write(
        m.path,
        version,
        goMod(m.path, c.go, c.requires, new Set(c.imports)),
        goSource(g, m.pkgName, c.imports, `${m.path}@${version}`),
      );
    }
  }
  for (const r of replacements) {
    const m = g.mod(r.path);
    const c = m.content.get(r.contentOf) as Content;
    const declared = r.declaresOwnPath ? r.newPath : r.path;
    write(
      r.newPath,
      r.newVersion,
      goMod(declared, c.go, c.requires, new Set(c.imports)),
      goSource(g, m.pkgName, c.imports, `${r.newPath}@${r.newVersion} replacing ${r.path}@${r.version}`),
      `Replaces ${r.path}@${r.version} in the generated main module, with the content of ${r.path}@${r.contentOf}.`,
    );
  }

  // Sorted as the go command writes them (path, then semver), so `go mod tidy` leaves the file alone.
  const byPathVersion = (a: { path: string; version: string }, b: { path: string; version: string }): number =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : compareVersions(a.version, b.version);
  replacements = [...replacements].sort(byPathVersion);
  excludes = [...excludes].sort(byPathVersion);
  let tail = '';
  if (replacements.length > 0) {
    tail += `\nreplace (\n${replacements.map((r) => `\t${r.path} ${r.version} => ${r.newPath} ${r.newVersion}\n`).join('')})\n`;
  }
  if (excludes.length > 0) {
    tail += `\nexclude (\n${excludes.map((e) => `\t${e.path} ${e.version}\n`).join('')})\n`;
  }
  const mainModulePath = `${opts.pathPrefix ?? DEFAULT_PATH_PREFIX}/main`;
  writeFileSync(join(mainDir, 'go.mod'), goMod(mainModulePath, opts.mainGo ?? '1.21', mainRequires, new Set(mainImports), tail));
  let main = `// Command main is a generated project (seed ${opts.seed}, ${opts.modules} modules).\npackage main\n\nimport (\n\t"fmt"\n\n`;
  main += mainImports.map((p) => `\t${g.mod(p).pkgName} "${p}"\n`).join('');
  main += `)\n\nfunc main() {\n${mainImports.map((p) => `\tfmt.Println(${g.mod(p).pkgName}.Name(), ${g.mod(p).pkgName}.Deps())\n`).join('')}}\n`;
  writeFileSync(join(mainDir, 'main.go'), main);

  return {
    modulesDir,
    mainDir,
    mainModulePath,
    moduleVersions,
    packageModules: new Map([...mainRequires].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    replaces: replacements.map(({ path, version, newPath, newVersion }) => ({ path, version, newPath, newVersion })),
    excludes,
  };
}
