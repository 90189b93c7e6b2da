/**
 * No import cycles in src/: every file's imports (type-only ones too) form
 * a directed acyclic graph, so each layer can be read, tested and replaced
 * without the layers above it. Prints every cycle found, as a chain of files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importsOf, tsFiles } from './support/sourceImports.js';

const root = resolve(import.meta.dirname, '..');

/** The cycles of a directed graph: one list of nodes per strongly connected component of more than one node (or a self-loop). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** src/ as a graph of files: each file → the src files it imports (relative specifiers, .js → .ts). */
function sourceGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(join(root, 'src'))) {
    const deps = importsOf(readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(root, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    graph.set(relative(root, file), [...new Set(deps)]);
  }
  return graph;
}

/** The same graph between capabilities: src/<folder>/ as one node, files directly in src/ as their own. */
function folderGraph(files: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const folder = (f: string): string => f.split('/').slice(0, 2).join('/');
  const graph = new Map<string, string[]>();
  for (const [f, deps] of files) {
    const from = folder(f);
    const out = new Set(graph.get(from) ?? []);
    for (const d of deps) if (folder(d) !== from) out.add(folder(d));
    graph.set(from, [...out]);
  }
  return graph;
}

describe('import cycles', () => {
  test('findCycles finds a cycle and a self-loop, and nothing in a DAG', () => {
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
    expect(findCycles(new Map([['a', ['a']]]))).toEqual([['a']]);
    expect(
      findCycles(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });

  test('src/ has none', () => {
    const graph = sourceGraph();
    expect(graph.size).toBeGreaterThan(50);
    // Every relative import names a file that exists (else the graph would silently miss edges).
    const missing = [...graph].flatMap(([f, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${f} -> ${d}`));
    expect(missing).toEqual([]);
    expect(findCycles(graph).map((c) => c.join(' <-> '))).toEqual([]);
  });

  test('nor between its folders', () => {
    expect(findCycles(folderGraph(sourceGraph())).map((c) => c.join(' <-> '))).toEqual([]);
  });
});

/**
 * Who may import whom, beyond "no cycles": serve/ and pack/ are fronts (the
 * server, the packing run) that only the command line drives; the
 * capabilities they share (the verified bundle set, export, rehearsal, the
 * SBOM, the inputs, …) never reach back into them, and nothing but cli/
 * imports cli/.
 */
describe('layering', () => {
  const imported = (from: string): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const [f, deps] of sourceGraph()) {
      if (!f.startsWith(`src/${from}/`)) continue;
      out.set(f, deps);
    }
    return out;
  };
  const offending = (from: string, forbidden: readonly string[]): string[] =>
    [...imported(from)].flatMap(([f, deps]) =>
      deps.filter((d) => forbidden.some((x) => d.startsWith(`src/${x}/`))).map((d) => `${f} -> ${d}`),
    );

  test.each([
    ['export', ['serve', 'pack', 'cli']],
    ['rehearse', ['serve', 'pack', 'cli']],
    ['sbom', ['serve', 'pack', 'cli']],
    ['bundleset', ['serve', 'pack', 'cli']],
    ['inputs', ['serve', 'pack', 'cli']],
    ['page', ['serve', 'pack', 'cli']],
    ['misses', ['serve', 'pack', 'cli']],
    ['network', ['serve', 'pack', 'cli', 'proxy', 'inputs', 'bundleset']],
    ['doctor', ['serve', 'pack', 'cli']],
    ['serve', ['pack', 'cli']],
    ['pack', ['serve', 'cli']],
  ] as const)('src/%s imports none of %j', (from, forbidden) => {
    expect(imported(from).size, `src/${from} holds files`).toBeGreaterThan(0);
    expect(offending(from, forbidden)).toEqual([]);
  });

  test('the rule can fail: a made-up import of serve from export is found', () => {
    const graph = new Map([['src/export/x.ts', ['src/serve/app.ts']]]);
    const bad = [...graph].flatMap(([f, deps]) => deps.filter((d) => d.startsWith('src/serve/')).map((d) => `${f} -> ${d}`));
    expect(bad).toEqual(['src/export/x.ts -> src/serve/app.ts']);
  });
});
