/**
 * Turning a generated (tidy) main module into one whose go.mod lags behind
 * its graph, as go.mod files do when nobody ran `go mod tidy` after a
 * dependency moved on.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../../src/gomod/semver.js';
import { mulberry32, type GeneratedGraph } from '../upstream/generate.js';

/** Versions of each module in a generated modules dir, from the fixture file names. */
function versionsByModule(modulesDir: string): Map<string, string[]> {
  const unescape = (s: string): string => s.replace(/!([a-z])/g, (_m, c: string) => c.toUpperCase());
  const out = new Map<string, string[]>();
  for (const name of readdirSync(modulesDir)) {
    const m = /^(.*)@(.*)\.txt$/.exec(name);
    if (!m) continue;
    const path = unescape((m[1] as string).replaceAll('+', '/'));
    const list = out.get(path) ?? [];
    list.push(unescape(m[2] as string));
    out.set(path, list);
  }
  return out;
}

/**
 * Make main's go.mod lag: each `// indirect` requirement is lowered (with
 * probability 1/2) to a lower version that exists and is neither excluded
 * nor replaced, so the graph selects a higher version than main lists and
 * the go command has to update the roots (expandGraph → updateRoots).
 */
export function lagIndirectRequirements(graph: GeneratedGraph, seed: number): number {
  const rand = mulberry32(seed ^ 0x5eed);
  const versions = versionsByModule(graph.modulesDir);
  const excluded = new Set(graph.excludes.map((e) => `${e.path}@${e.version}`));
  const replaced = new Set(graph.replaces.map((r) => r.path));
  const goModPath = join(graph.mainDir, 'go.mod');
  let lowered = 0;
  const text = readFileSync(goModPath, 'utf8').replace(
    /^(\s*(?:require\s+)?)(\S+) (v\S+)( \/\/ indirect)$/gm,
    (line, lead: string, path: string, version: string, comment: string) => {
      if (replaced.has(path) || rand() < 0.5) return line;
      const lower = (versions.get(path) ?? []).filter((v) => compare(v, version) < 0 && !excluded.has(`${path}@${v}`));
      if (lower.length === 0) return line;
      lowered++;
      return `${lead}${path} ${lower[Math.floor(rand() * lower.length)]}${comment}`;
    },
  );
  writeFileSync(goModPath, text);
  return lowered;
}
