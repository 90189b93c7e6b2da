/**
 * The offline side of `npm run live`, run inside a network namespace with
 * only loopback (`unshare -n`, see airGap.ts): for each group it starts
 * `gobundle serve` on 127.0.0.1 (or uses an exported tree as a file://
 * GOPROXY), then runs the go command the way a developer behind the air gap
 * would, and writes what happened as JSON.
 *
 * Input: the JSON spec named by $LIVE_SPEC; output: $LIVE_SPEC.result.json.
 * First it proves the air gap: the connected side's proxy must be unreachable.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServeProcess, type ServeProcess } from '../support/serveProcess.js';
import { run, tail } from './liveEnv.js';

export type OfflineSource = { kind: 'serve'; bundles: string[]; trust: string } | { kind: 'file'; dir: string };

export interface OfflineStep {
  name: string;
  /** The program (default: the go command on PATH). */
  cmd?: string;
  /** `{proxy}` in an argument becomes the group's GOPROXY URL. */
  args: string[];
  /** Keep the step's stdout in the result (e.g. govulncheck's JSON). */
  keepStdout?: boolean;
  /** Exit statuses that count as success (default [0]). */
  okStatus?: number[];
  /** For `go mod tidy`: afterwards go.mod and go.sum must equal these files (go.sum absent when null). */
  expectGoMod?: string;
  expectGoSum?: string | null;
  /** The step's stdout must contain this. */
  expectStdout?: string;
}

export interface OfflineGroup {
  label: string;
  source: OfflineSource;
  /** Copied fresh into `workDir` before the steps. */
  srcDir: string;
  workDir: string;
  /** GOPATH (its pkg/sumdb holds the tree the client remembers); made fresh unless `keepGopath`. */
  gopath: string;
  keepGopath?: boolean;
  /** Always made fresh. */
  modCache: string;
  goCache: string;
  env?: Record<string, string>;
  /** Remove go.sum first: every module is then checked against the checksum database (the client remembers its tree). */
  dropGoSum?: boolean;
  steps: OfflineStep[];
}

export interface OfflineSpec {
  /** A URL that must NOT be reachable from inside (the connected side's proxy). */
  outsideUrl: string;
  /** serve's extraction cache, kept across groups and runs (a .tgz is extracted once per sha256). */
  serveCache: string;
  groups: OfflineGroup[];
}

export interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
  detail: string;
  stdout?: string;
}

export interface GroupResult {
  label: string;
  steps: StepResult[];
  serveLog?: string;
}

export interface OfflineResult {
  airGap: string;
  groups: GroupResult[];
}

/** A fetch of the outside proxy must fail for the run to count as offline. */
async function proveAirGap(url: string): Promise<string> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
    throw new Error(`not offline: ${r.status} from the connected side's proxy`);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('not offline')) throw err;
    // The code only (EAI_AGAIN, ENETUNREACH…): a message would name the proxy's host.
    const cause =
      err instanceof Error && err.cause instanceof Error ? ((err.cause as NodeJS.ErrnoException).code ?? err.cause.name) : 'error';
    return `the connected side's proxy is unreachable (${cause})`;
  }
}

function offlineEnv(g: OfflineGroup, goproxy: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: g.gopath,
    GOENV: 'off',
    GOPATH: g.gopath,
    GOMODCACHE: g.modCache,
    GOCACHE: g.goCache,
    GOPROXY: goproxy,
    GOFLAGS: '-mod=mod -buildvcs=false',
    GONOSUMDB: '',
    GONOPROXY: '',
    GOPRIVATE: '',
    GOINSECURE: '',
    GOWORK: 'off',
    GOTOOLCHAIN: 'local',
    GOTELEMETRY: 'off',
    ...g.env,
  };
  // GOSUMDB at its default: sum.golang.org, found through GOPROXY's /sumdb/.
  delete env.GOSUMDB;
  return env;
}

function fileOrNull(path: string): Buffer | null {
  return existsSync(path) ? readFileSync(path) : null;
}

async function runGroup(g: OfflineGroup, serveCache: string): Promise<GroupResult> {
  rmSync(g.workDir, { recursive: true, force: true, maxRetries: 5 });
  cpSync(g.srcDir, g.workDir, { recursive: true });
  if (g.dropGoSum === true) rmSync(join(g.workDir, 'go.sum'), { force: true });
  if (!g.keepGopath) rmSync(g.gopath, { recursive: true, force: true, maxRetries: 5 });
  mkdirSync(g.gopath, { recursive: true });
  rmSync(g.modCache, { recursive: true, force: true, maxRetries: 5 });
  mkdirSync(g.goCache, { recursive: true });
  let serve: ServeProcess | undefined;
  let goproxy: string;
  if (g.source.kind === 'serve') {
    const trust = g.source.trust;
    serve = await startServeProcess([...g.source.bundles, '--trust', trust, '--listen', '127.0.0.1:0'], {
      cwd: g.workDir,
      env: { PATH: process.env.PATH, HOME: g.gopath, GOBUNDLE_CACHE: serveCache },
      timeoutMs: 600_000,
    });
    goproxy = serve.url;
  } else {
    goproxy = `file://${g.source.dir}`;
  }
  const env = offlineEnv(g, goproxy);
  const steps: StepResult[] = [];
  try {
    for (const s of g.steps) {
      const args = s.args.map((a) => a.replaceAll('{proxy}', goproxy));
      const r = await run(s.cmd ?? 'go', args, { cwd: g.workDir, env, timeoutMs: 1_800_000 });
      let ok = (s.okStatus ?? [0]).includes(r.status ?? -1);
      let detail = ok ? '' : `exit ${r.status}: ${tail(r.stderr || r.stdout, 4)}`;
      if (ok && s.expectStdout !== undefined && !r.stdout.includes(s.expectStdout)) {
        ok = false;
        detail = `stdout ${JSON.stringify(r.stdout.trim())} lacks ${JSON.stringify(s.expectStdout)}`;
      }
      if (ok && s.expectGoMod !== undefined) {
        const modSame = readFileSync(join(g.workDir, 'go.mod')).equals(readFileSync(s.expectGoMod));
        const wantSum = s.expectGoSum == null ? null : readFileSync(s.expectGoSum);
        const gotSum = fileOrNull(join(g.workDir, 'go.sum'));
        const sumSame = wantSum === null ? gotSum === null || gotSum.length === 0 : gotSum !== null && gotSum.equals(wantSum);
        if (!modSame || !sumSame) {
          ok = false;
          detail = `${modSame ? '' : 'go.mod '}${sumSame ? '' : 'go.sum '}differ from what the same go mod tidy wrote online`;
        }
      }
      if (ok && s.expectStdout !== undefined) detail = r.stdout.trim();
      steps.push({ name: s.name, ok, seconds: r.seconds, detail, ...(s.keepStdout === true ? { stdout: r.stdout } : {}) });
    }
  } finally {
    if (serve !== undefined) {
      serve.child.kill('SIGTERM');
      await new Promise((res) => serve?.child.once('exit', res));
    }
  }
  return { label: g.label, steps, ...(serve !== undefined ? { serveLog: tail(serve.stderr(), 30) } : {}) };
}

const specPath = process.env.LIVE_SPEC;
if (specPath === undefined) throw new Error('LIVE_SPEC names the spec file');
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as OfflineSpec;
const airGap = await proveAirGap(spec.outsideUrl);
const groups: GroupResult[] = [];
for (const g of spec.groups) groups.push(await runGroup(g, spec.serveCache));
const result: OfflineResult = { airGap, groups };
writeFileSync(`${specPath}.result.json`, JSON.stringify(result, null, 2));
