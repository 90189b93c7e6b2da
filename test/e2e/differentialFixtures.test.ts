/**
 * Differential test on every hand-written fixture project and the sample:
 * our build list is byte-identical to `go list -m all` and our plan holds
 * every file the go command fetched.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { differential, summarize, type DiffResult } from './differential.js';

const root = resolve(import.meta.dirname, '..', '..');
const projectsDir = join(root, 'test', 'fixtures', 'projects');
const projects = [
  ...readdirSync(projectsDir)
    .sort()
    .map((name) => [name, join(projectsDir, name)] as const),
  ['samples/hello', join(root, 'samples', 'hello')] as const,
];

let upstream: Upstream;
const results: DiffResult[] = [];

beforeAll(async () => {
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
}, 180_000);

afterAll(async () => {
  await upstream?.stop();
  if (results.length > 0) console.log(`differential (fixtures): ${summarize(results)}`);
});

describe('resolver vs go 1.23 on fixtures', () => {
  test.each(projects)(
    '%s',
    async (name, dir) => {
      const r = await differential(upstream, dir, name);
      results.push(r);
      expect(r.ours, `gobundle plan ${name} = go list -m all`).toBe(r.theirs);
      expect(r.missed, `files the go command fetched that the plan lacks (${name})`).toEqual([]);
    },
    600_000,
  );
});
