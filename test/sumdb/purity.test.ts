/**
 * src/sumdb is pure except fetchOps.ts, the HTTP edge: notes, the log,
 * verification and replay take their I/O as functions. (test/boundary.test.ts
 * covers the folders; this covers the sumdb files by name.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const dir = resolve(import.meta.dirname, '..', '..', 'src', 'sumdb');
const IO = /^(node:)?(fs|fs\/promises|http|https|http2|net|tls|dgram|child_process)$|^(undici|express|tar-stream|yauzl)/;
const files = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts') && f !== 'fetchOps.ts');

test.each(files)('src/sumdb/%s imports no I/O module', (file) => {
  const src = readFileSync(join(dir, file), 'utf8');
  const specs = [...src.matchAll(/from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
  const io = specs.filter((s) => IO.test(s) || s.includes('/proxy/'));
  expect(io, `imports of ${file}`).toEqual([]);
});
