/**
 * Reading the imports of the project's own TypeScript sources, for the
 * architecture tests (test/boundary.test.ts, test/cycles.test.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file at or below `dir` (or `dir` itself when it is a file). */
export function tsFiles(dir: string): string[] {
  if (dir.endsWith('.ts')) return [dir];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** The module specifiers a source imports or re-exports: static (type-only too), side-effect and dynamic. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3]) as string);
  return specs;
}
