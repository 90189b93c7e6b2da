/**
 * `npm run test:unit` is the quick loop for the pure core and must not need
 * the go command or x/mod sources (the comparisons against them run in the
 * full suite). Runs the script with both made unreachable.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..');

test('npm run test:unit passes with no go command and no x/mod sources', () => {
  const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts[
    'test:unit'
  ] as string;
  expect(script).toMatch(/^vitest run /);
  const args = script.replace(/^vitest /, '').split(/\s+/);
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), ...args], {
    cwd: root,
    env: {
      ...process.env,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      PATH: '/nonexistent',
      GOBUNDLE_GO_1_23: '/nonexistent/go',
      GOBUNDLE_GO_1_19: '/nonexistent/go',
      GOBUNDLE_XMOD_DIR: '/nonexistent',
    },
    encoding: 'utf8',
    timeout: 300_000,
  });
  expect(r.status, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
  expect(r.stdout).toMatch(/Tests\s+\d+ passed/);
}, 320_000);
