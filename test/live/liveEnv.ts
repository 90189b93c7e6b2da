/**
 * What every stage of `npm run live` shares: the corpus, the state directory,
 * the connected side's go environment (the machine's GOPROXY, read from
 * `go env GOPROXY` at run time and never written anywhere; GOSUMDB at its
 * default) and a timed runner for child processes.
 *
 * Nothing here is part of `npm test`: these stages talk to the real module
 * mirror and the real checksum database.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const liveDir = join(repoRoot, 'test', 'live');
export const gobundleBin = join(repoRoot, 'bin', 'gobundle');

export interface CorpusProject {
  name: string;
  module: string;
  version: string;
  features: string[];
  vulnerable?: boolean;
}

export interface Corpus {
  projects: CorpusProject[];
  notServed: { module: string; version: string; why: string }[];
}

export function readCorpus(): Corpus {
  return JSON.parse(readFileSync(join(liveDir, 'corpus.json'), 'utf8')) as Corpus;
}

/** The committed go.mod / go.sum of a corpus project (go.sum may be absent: a module with no requirements has none). */
export function corpusFiles(name: string): { goMod: Buffer; goSum: Buffer | undefined } {
  const dir = join(liveDir, 'corpus', name);
  const sum = join(dir, 'go.sum');
  return { goMod: readFileSync(join(dir, 'go.mod')), goSum: existsSync(sum) ? readFileSync(sum) : undefined };
}

/** The machine's GOPROXY as the go command sees it (environment, go env file, defaults). */
export function machineGoproxy(): string {
  const r = spawnSync('go', ['env', 'GOPROXY'], { encoding: 'utf8' });
  if (r.status !== 0 || r.stdout.trim() === '') throw new Error(`go env GOPROXY failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** The first proxy URL of a GOPROXY list (where the checksum database is found through /sumdb/). */
export function firstProxy(goproxy: string): string {
  const first = goproxy.split(/[,|]/)[0]?.trim() ?? '';
  if (!/^https?:\/\//.test(first)) throw new Error(`the machine's GOPROXY does not start with an http(s) proxy`);
  return first.replace(/\/$/, '');
}

/** The state directory: bundles, work trees, caches and results of earlier stages (`--state-dir`, default node_modules/.cache/gobundle-live). */
export function stateDir(fromFlag: string | undefined): string {
  const dir = fromFlag ?? join(repoRoot, 'node_modules', '.cache', 'gobundle-live');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function freshDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The connected side's environment: the machine's GOPROXY, GOSUMDB unset (its
 * default, sum.golang.org with the key built into the go command), nothing
 * private, no go env file, no workspace (some module zips ship a go.work whose
 * modules are not in the zip), `-mod=mod`, the local go.
 */
export function onlineEnv(goproxy: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    GOENV: 'off',
    GOPROXY: goproxy,
    GOFLAGS: '-mod=mod -buildvcs=false',
    GONOSUMDB: '',
    GONOPROXY: '',
    GOPRIVATE: '',
    GOINSECURE: '',
    GOWORK: 'off',
    GOTOOLCHAIN: 'local',
    GOTELEMETRY: 'off',
    GOVULNDB: 'off',
    ...extra,
  };
  // The machine's TLS trust (a mirror may use a private CA): the go command and Node read these.
  for (const k of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR']) if (process.env[k] !== undefined) env[k] = process.env[k];
  delete env.GOSUMDB;
  return env;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Run a command without blocking the event loop; SIGKILLed after `timeoutMs`. */
export function run(cmd: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  const started = performance.now();
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolveRun, rejectRun) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      rejectRun(e);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolveRun({
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        seconds: (performance.now() - started) / 1000,
      });
    });
  });
}

/** Run the built CLI as a user would (`bin/gobundle`). */
export function gobundle(args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  return run(process.execPath, [gobundleBin, ...args], opts);
}

/** Fail with the command's own output. */
export function mustSucceed(what: string, r: Run): Run {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${tail(r.stderr || r.stdout, 40)}`);
  return r;
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Progress on stderr, so stdout stays the table. */
export function log(message: string): void {
  process.stderr.write(`live: ${message}\n`);
}
