/**
 * Starting the test upstream (the Go program in this directory): a module
 * proxy and checksum database built on golang.org/x/mod, serving txtar
 * fixtures, with faults switched live through its admin API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildGoProgram, hermeticGoEnv, testCacheDir } from '../support/gotool.js';
import type { RequestLogEntry } from './requestLog.js';

export type { RequestLogEntry } from './requestLog.js';

const upstreamDir = import.meta.dirname;

/** The fixed signer key of the test checksum database. */
export const testSumdbKeyFile = join(upstreamDir, 'testdata', 'sumdb.key');
/** Its public key, as GOSUMDB takes it. */
export const testSumdbVerifierKey = 'gobundle.test+1b52a358+AeEyTpY49e6KFU3gLKAXeucUo6ndt8675L/9akH56JGg';

/** How long the upstream may take to print its "listening on" line (it builds no zips at start; a checksum-database prefill of 1,000,000 records takes a few seconds). */
const START_TIMEOUT_MS = 30_000;
/** How long stop() waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;
/** Admin API calls are local and tiny. */
const ADMIN_TIMEOUT_MS = 10_000;
/** Growing the checksum database computes about two hashes a record (1,000,000 take a few seconds). */
const GROW_TIMEOUT_MS = 120_000;

export interface Faults {
  /** Delay before answering each request. */
  latencyMs?: number;
  /** Fraction of requests answered 500 or 503. */
  fail5xxRate?: number;
  /** Fraction of requests whose connection is reset (mid-body for zips). */
  resetRate?: number;
  /** Requests whose URL path contains one of these never get an answer. */
  hang?: string[];
  /** "path@version" whose zip is served with an extra file (the checksum database keeps the original hash). */
  tamper?: string[];
  /** Seed for the 5xx and reset dice. */
  seed?: number;
  /** URL path substrings answered with half the body, no Content-Length, and a clean close. */
  truncate?: string[];
  /** URL path substrings answered with a Content-Length 1000 bytes longer than the body, then a clean close. */
  lieLength?: string[];
  /** URL path substrings answered 200 with an HTML error page. */
  html200?: string[];
  /** URL path substrings answered past cmd/go's size limits: a .mod of 16 MiB + 1, a .zip announced as 500 MiB + 1. */
  oversize?: string[];
  /** URL path substrings answered with the whole Content-Length, half the body, then silence (a body that stops mid-stream). */
  stall?: string[];
}

export interface StartUpstreamOptions {
  /** Directories of txtar module fixtures, searched recursively. */
  modules: string[];
  faults?: Faults;
  /** Signer key file; default the fixed test key (testdata/sumdb.key). */
  sumdbKeyFile?: string;
  /** Also append every request as a JSON line to this file. */
  logFile?: string;
  /**
   * Start the checksum database with this many synthetic records, so its
   * tiles reach several levels like sum.golang.org's: the record with id i
   * is example.com/synthetic/m<i> v1.0.0 (lookups of it answer id i).
   * Fixture modules are appended after them on first lookup. Default 0:
   * the tree starts empty.
   */
  sumdbPrefill?: number;
  /** Also serve every `v0.0.1-*.zip` in this directory as a version of golang.org/toolchain (with checksum-database records). */
  toolchainDir?: string;
  startTimeoutMs?: number;
}

export interface Upstream {
  /** Base URL, e.g. http://127.0.0.1:41234 — use it as GOPROXY. */
  url: string;
  /** Name of the checksum database, served under `${url}/sumdb/${sumdbName}/`. */
  sumdbName: string;
  /** `name+hash+key`, for GOSUMDB (without a URL the go command finds the database through the proxy). */
  sumdbVerifierKey: string;
  /** Number of records in the checksum database now. */
  sumdbTreeSize(): Promise<number>;
  /**
   * Append `records` synthetic records to the checksum database (ids and
   * names continue the sequence: example.com/synthetic/m<id>) and return
   * the new tree size — the database moving on between two packs.
   */
  growSumdb(records: number): Promise<number>;
  /** Replace the whole fault configuration (an empty object switches faults off). */
  setFaults(f: Faults): Promise<void>;
  /** Every request except admin ones, in completion order. */
  requestLog(): Promise<RequestLogEntry[]>;
  resetLog(): Promise<void>;
  stop(): Promise<void>;
}

/** Build (cached by source hash) the upstream binary and return its path. */
export function upstreamBinary(): string {
  return buildGoProgram(upstreamDir, 'upstream');
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startUpstream(opts: StartUpstreamOptions): Promise<Upstream> {
  const bin = upstreamBinary();
  const args = ['-listen', '127.0.0.1:0', '-sumdb-key', opts.sumdbKeyFile ?? testSumdbKeyFile];
  for (const dir of opts.modules) args.push('-modules', resolve(dir));
  if (opts.logFile) args.push('-log', opts.logFile);
  if (opts.sumdbPrefill !== undefined) args.push('-sumdb-prefill', String(opts.sumdbPrefill));
  if (opts.toolchainDir) args.push('-toolchains', resolve(opts.toolchainDir));

  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  exited.then(() => running.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });

  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  let url: string;
  try {
    url = await readListeningLine(child, () => stderr, opts.startTimeoutMs ?? START_TIMEOUT_MS);
  } catch (err) {
    await kill();
    throw err;
  }

  const admin = async (method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = ADMIN_TIMEOUT_MS): Promise<unknown> => {
    const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${url}${path}`, init);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`upstream admin ${method} ${path}: ${res.status} ${text.trim()}`);
    return JSON.parse(text) as unknown;
  };

  try {
    const info = (await admin('GET', '/_admin/sumdb')) as { name: string; verifierKey: string };
    const upstream: Upstream = {
      url,
      sumdbName: info.name,
      sumdbVerifierKey: info.verifierKey,
      sumdbTreeSize: async () => ((await admin('GET', '/_admin/sumdb')) as { treeSize: number }).treeSize,
      growSumdb: async (records) =>
        ((await admin('POST', '/_admin/sumdb/grow', { records }, GROW_TIMEOUT_MS)) as { treeSize: number }).treeSize,
      setFaults: async (f) => {
        await admin('POST', '/_admin/faults', f);
      },
      requestLog: async () => (await admin('GET', '/_admin/log')) as RequestLogEntry[],
      resetLog: async () => {
        await admin('POST', '/_admin/log/reset');
      },
      stop: kill,
    };
    if (opts.faults) await upstream.setFaults(opts.faults);
    return upstream;
  } catch (err) {
    await kill();
    throw err;
  }
}

function readListeningLine(child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      finish(new Error(`upstream did not start within ${timeoutMs} ms: ${stderr().trim()}`));
    }, timeoutMs);
    const onData = (chunk: string): void => {
      buffered += chunk;
      const m = /^listening on (http:\/\/\S+)\n/m.exec(buffered);
      if (m?.[1]) finish(undefined, m[1]);
    };
    const onExit = (code: number | null): void => {
      finish(new Error(`upstream exited (code ${code}) before listening: ${stderr().trim()}`));
    };
    const finish = (err?: Error, url?: string): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolveUrl(url ?? '');
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

export interface UpstreamGoEnvOptions {
  /** Private directory for this go run: GOPATH and GOMODCACHE go under it (fresh per run). */
  workDir: string;
  extra?: Record<string, string>;
}

/**
 * Environment for the real go command against an upstream: GOPROXY is the
 * upstream, GOSUMDB its verifier key without URL (so the go command asks
 * `<proxy>/sumdb/<name>/supported`), a fresh GOPATH and GOMODCACHE, and the
 * shared build cache so compiled packages are reused across tests.
 */
export function upstreamGoEnv(upstream: Upstream, opts: UpstreamGoEnvOptions): NodeJS.ProcessEnv {
  const gopath = join(opts.workDir, 'gopath');
  mkdirSync(gopath, { recursive: true });
  return hermeticGoEnv({
    GOPROXY: upstream.url,
    GOSUMDB: upstream.sumdbVerifierKey,
    GOPATH: gopath,
    GOMODCACHE: join(gopath, 'pkg', 'mod'),
    GOCACHE: join(testCacheDir(), 'gocache'),
    HOME: opts.workDir,
    ...opts.extra,
  });
}
