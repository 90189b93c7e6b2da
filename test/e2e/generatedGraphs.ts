/**
 * The differential test on 50 generated graphs (different seeds, 20 to 300
 * modules, pruned and unpruned, mixed go 1.16 / 1.21 dependencies, replaces,
 * excludes, and main go.mod files whose indirect requirements lag behind
 * the graph so the go command must update its roots): our build list is
 * byte-identical to `go list -m all` and our plan holds every file the go
 * command fetched while listing, downloading, building and tidying. Run
 * once per go command (differentialGenerated*.test.ts), in files of their
 * own so vitest runs them side by side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { GoVersion } from '../support/gotool.js';
import { generateGraph, type GenerateGraphOptions } from '../upstream/generate.js';
import { lagIndirectRequirements } from './laggingRoots.js';
import { startUpstream } from '../upstream/server.js';
import { differential, summarize, type DiffResult } from './differential.js';

const SIZES = [20, 50, 100, 200, 300] as const;
const GRAPHS = 50;

interface Case {
  name: string;
  options: Omit<GenerateGraphOptions, 'dir'>;
  /** Lower some `// indirect` requirements of main below what the graph selects. */
  lagging: boolean;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (let i = 0; i < GRAPHS; i++) {
    const seed = 1000 + i;
    const modules = SIZES[i % SIZES.length] as number;
    const unpruned = i % 10 === 7;
    const options: Omit<GenerateGraphOptions, 'dir'> = {
      seed,
      modules,
      mainGo: unpruned ? '1.16' : '1.21',
      go116Fraction: unpruned ? 1 : ([0, 0.3, 0.6, 0.9][i % 4] as number),
      replaces: i % 3 === 0 ? 0 : Math.min(10, Math.ceil(modules / 20)),
      excludes: i % 4 === 1 ? 0 : Math.min(10, Math.ceil(modules / 25)),
      versionsPerModule: [1, 4],
      pathPrefix: `gen.test/s${seed}`,
    };
    const lagging = !unpruned && i % 5 === 2;
    out.push({
      name: `seed ${seed}: ${modules} modules, main go ${options.mainGo}, go1.16 share ${options.go116Fraction}, ${options.replaces} replaces, ${options.excludes} excludes${lagging ? ', lagging roots' : ''}`,
      options,
      lagging,
    });
  }
  return out;
}

/** Every graph against one go command, in a describe block of its own. */
export function describeGeneratedGraphs(go: GoVersion): void {
  const results: DiffResult[] = [];

  afterAll(() => {
    if (results.length > 0) console.log(`differential (generated, go ${go}): ${summarize(results)}`);
  });

  describe(`resolver vs go ${go} on generated graphs`, () => {
    test.each(cases().map((c) => [c.name, c] as const))(
      '%s',
      async (_name, c) => {
        const dir = mkdtempSync(join(tmpdir(), 'gobundle-gen-'));
        const graph = generateGraph({ ...c.options, dir });
        if (c.lagging) lagIndirectRequirements(graph, c.options.seed);
        const upstream = await startUpstream({ modules: [graph.modulesDir] });
        try {
          const r = await differential(upstream, graph.mainDir, c.name, go);
          results.push(r);
          expect(r.ours, `gobundle plan = go ${go} list -m all`).toBe(r.theirs);
          expect(r.missed, 'files the go command fetched that the plan lacks').toEqual([]);
          expect(r.listRequests, 'the go command needed no version listing').toEqual([]);
        } finally {
          await upstream.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      },
      900_000,
    );
  });
}
