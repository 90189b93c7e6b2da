/**
 * The differential harness: our resolver against the real go command.
 *
 * For one main module served by a test upstream it checks two things:
 *   1. agreement: `gobundle plan` text == `go list -m all` stdout (the go
 *      command of the given release: Go 1.23 and the machine's newest, Go
 *      1.26; fresh GOMODCACHE, GOFLAGS=-mod=mod, GOPROXY = the upstream);
 *   2. coverage: every .mod/.info/.zip the go command fetched from the
 *      upstream while running `go list -m all`, `go mod download all`,
 *      `go build ./...` and `go mod tidy` is in the plan's files. Each
 *      command runs cold (fresh module cache, fresh copy of the project) so
 *      it asks for everything it needs, and once more all in a row in one
 *      copy (a later command sees the go.mod an earlier one rewrote).
 * It also counts planned files the go command never asked for (overhead).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGoProxy } from '../../src/gomod/goenv.js';
import { planInputs, type PlannedInput } from '../../src/inputs/planInputs.js';
import { readInputs } from '../../src/inputs/readInputs.js';
import { ProxyChain } from '../../src/proxy/proxyChain.js';
import { formatListMAll } from '../../src/resolve/plan.js';
import type { Plan } from '../../src/resolve/types.js';
import { goBinary, runGoAsync, type GoVersion } from '../support/gotool.js';
import { parseRequestLog } from '../upstream/requestLog.js';
import { upstreamGoEnv, type Upstream } from '../upstream/server.js';

/** One go command may take this long (cold build of a 300-module graph on 2 cores included). */
const GO_COMMAND_TIMEOUT_MS = 240_000;

export type FileKind = 'mod' | 'info' | 'zip';
export const fileKey = (path: string, version: string, kind: string): string => `${path}@${version}.${kind}`;

export const GO_COMMANDS: readonly (readonly string[])[] = [
  ['list', '-m', 'all'],
  ['mod', 'download', 'all'],
  ['build', './...'],
  ['mod', 'tidy'],
];

export interface DiffResult {
  label: string;
  buildListSize: number;
  planned: number;
  agree: boolean;
  ours: string;
  theirs: string;
  /** Files the go command fetched that the plan lacks, with the command that fetched them. */
  missed: { file: string; command: string }[];
  /** Files the go command fetched, over all commands. */
  requested: number;
  /** Planned files no command fetched. */
  overhead: string[];
  /** `list` / `@latest` requests (a bundle answers them from its own files). */
  listRequests: string[];
}

async function goMust(go: GoVersion, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, label: string): Promise<string> {
  const r = await runGoAsync(goBinary(go), args, { cwd, env, timeoutMs: GO_COMMAND_TIMEOUT_MS });
  if (r.status !== 0) throw new Error(`${label}: go ${go}: go ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** Our plan for a project, fetched through the upstream like `gobundle plan` would. */
export async function ourPlan(upstream: Upstream, projectDir: string): Promise<Plan> {
  const chain = new ProxyChain({ specs: parseGoProxy(upstream.url) });
  try {
    const read = await readInputs({ paths: [projectDir], cwd: process.cwd(), privatePatterns: { GOPRIVATE: '', GONOPROXY: '' } });
    const [{ plan }] = (await planInputs(read, { fetcher: chain, querier: chain, mode: 'mod' })).inputs as [PlannedInput];
    return plan;
  } finally {
    await chain.close();
  }
}

async function fetchedFiles(upstream: Upstream): Promise<{ files: string[]; lists: string[] }> {
  const files: string[] = [];
  const lists: string[] = [];
  for (const r of parseRequestLog(await upstream.requestLog())) {
    if (r.status !== 200) continue;
    if (r.kind === 'list' || r.kind === 'latest') lists.push(`${r.path}/@${r.kind === 'list' ? 'v/list' : 'latest'}`);
    else files.push(fileKey(r.path, r.version ?? '', r.kind));
  }
  return { files, lists };
}

export async function differential(upstream: Upstream, projectDir: string, label: string, go: GoVersion): Promise<DiffResult> {
  const plan = await ourPlan(upstream, projectDir);
  const planned = new Set(plan.files.map((f) => fileKey(f.path, f.version, f.kind)));
  const ours = formatListMAll(plan);

  const work = mkdtempSync(join(tmpdir(), 'gobundle-diff-'));
  const requestedBy = new Map<string, string>();
  const listRequests = new Set<string>();
  let theirs = '';
  try {
    const runs: { name: string; commands: readonly (readonly string[])[] }[] = [
      ...GO_COMMANDS.map((c) => ({ name: `go ${c.join(' ')}`, commands: [c] })),
      { name: 'in a row', commands: [...GO_COMMANDS, ['mod', 'verify']] },
    ];
    for (const [i, run] of runs.entries()) {
      const dir = join(work, `run${i}`);
      cpSync(projectDir, join(dir, 'project'), { recursive: true });
      const env = upstreamGoEnv(upstream, { workDir: dir });
      await upstream.resetLog();
      for (const args of run.commands) {
        const name = `go ${args.join(' ')}${run.commands.length > 1 ? ' (in a row)' : ''}`;
        const out = await goMust(go, args, join(dir, 'project'), env, label);
        if (i === 0) theirs = out;
        const { files, lists } = await fetchedFiles(upstream);
        for (const f of files) if (!requestedBy.has(f)) requestedBy.set(f, name);
        for (const l of lists) listRequests.add(l);
        await upstream.resetLog();
      }
    }
  } finally {
    await makeWritableAndRemove(work);
  }
  const missed = [...requestedBy].filter(([f]) => !planned.has(f)).map(([file, command]) => ({ file, command }));
  const overhead = [...planned].filter((f) => !requestedBy.has(f));
  return {
    label,
    buildListSize: plan.buildList.length,
    planned: planned.size,
    agree: ours === theirs,
    ours,
    theirs,
    missed,
    requested: requestedBy.size,
    overhead,
    listRequests: [...listRequests],
  };
}

async function makeWritableAndRemove(dir: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const chmod = spawn('chmod', ['-R', 'u+w', dir], { stdio: 'ignore' });
    chmod.on('close', () => resolve());
    chmod.on('error', () => resolve());
  });
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** A one-line summary per suite, for the test output and the closing note. */
export function summarize(results: readonly DiffResult[]): string {
  const agree = results.filter((r) => r.agree).length;
  const missed = results.reduce((n, r) => n + r.missed.length, 0);
  const planned = results.reduce((n, r) => n + r.planned, 0);
  const requested = results.reduce((n, r) => n + r.requested, 0);
  const overhead = results.reduce((n, r) => n + r.overhead.length, 0);
  const modules = results.reduce((n, r) => n + r.buildListSize, 0);
  return (
    `${results.length} graphs, ${modules} build-list modules: build lists agree ${agree}/${results.length} ` +
    `(${((100 * agree) / Math.max(1, results.length)).toFixed(1)}%), files missed ${missed}, ` +
    `planned ${planned}, requested ${requested}, overhead ${overhead} (${((100 * overhead) / Math.max(1, planned)).toFixed(1)}% of planned)`
  );
}
