/**
 * docs/ARCHITECTURE.md stays true: every folder it lists exists, every
 * folder of src/ is listed (a new capability gets its line), and every
 * runtime dependency of package.json is listed with what it is for.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const doc = readFileSync(join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');

/** The first column of the rows of the table under `heading`, backticks removed. */
export function tableColumn(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return [];
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !/^\|\s*(folder|package)\s*\|/.test(l))
    .flatMap((l) => (l.split('|')[1] ?? '').split(','))
    .map((c) => c.trim().replace(/`/g, ''))
    .filter((c) => c !== '');
}

describe('docs/ARCHITECTURE.md', () => {
  test('tableColumn reads a table and can come back empty', () => {
    const md = '# x\n\n## The folders\n\n| folder | idea |\n|---|---|\n| `src/a/` | a |\n| `src/b/` | b |\n\n## Next\n';
    expect(tableColumn(md, 'The folders')).toEqual(['src/a/', 'src/b/']);
    expect(tableColumn(md, 'Missing')).toEqual([]);
  });

  test('lists exactly the folders of src/', () => {
    const listed = tableColumn(doc, 'The folders').sort();
    const present = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `src/${d.name}/`)
      .sort();
    expect(listed, 'folders listed in docs/ARCHITECTURE.md').toEqual(present);
  });

  test('lists exactly the runtime dependencies of package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(tableColumn(doc, 'Runtime dependencies').sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });
});
