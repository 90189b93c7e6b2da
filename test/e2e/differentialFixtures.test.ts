/**
 * Differential test on every hand-written fixture project and the sample,
 * with Go 1.23 and with the machine's newest go command (Go 1.26): our build
 * list is byte-identical to `go list -m all` and our plan holds every file
 * the go command fetched. The Go 1.24–1.26 projects (tool, ignore and
 * godebug directives, a toolchain line, dependencies whose go.mod files use
 * them) are checked against Go 1.26 only: Go 1.23 cannot parse them.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GoVersion } from '../support/gotool.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { differential, summarize, type DiffResult } from './differential.js';

const root = resolve(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures');

function projectsIn(dir: string): (readonly [string, string])[] {
  return readdirSync(dir)
    .sort()
    .map((name) => [name, join(dir, name)] as const);
}

const projects = [...projectsIn(join(fixtures, 'projects')), ['samples/hello', join(root, 'samples', 'hello')] as const];
const modernProjects = projectsIn(join(fixtures, 'go1.26', 'projects'));

let upstream: Upstream;
const results = new Map<GoVersion, DiffResult[]>();

beforeAll(async () => {
  upstream = await startUpstream({
    modules: [join(fixtures, 'modules'), join(fixtures, 'tools'), join(fixtures, 'go1.26', 'modules')],
  });
}, 180_000);

afterAll(async () => {
  await upstream?.stop();
  for (const [go, r] of results) if (r.length > 0) console.log(`differential (fixtures, go ${go}): ${summarize(r)}`);
});

const cases: (readonly [GoVersion, string, string])[] = [
  ...projects.map(([name, dir]) => ['1.23', name, dir] as const),
  ...[...projects, ...modernProjects].map(([name, dir]) => ['1.26', name, dir] as const),
];

describe('resolver vs the go command on fixtures', () => {
  test.each(cases)(
    'go %s: %s',
    async (go, name, dir) => {
      const r = await differential(upstream, dir, name, go);
      results.set(go, [...(results.get(go) ?? []), r]);
      expect(r.ours, `gobundle plan ${name} = go ${go} list -m all`).toBe(r.theirs);
      expect(r.missed, `files go ${go} fetched that the plan lacks (${name})`).toEqual([]);
    },
    600_000,
  );
});
