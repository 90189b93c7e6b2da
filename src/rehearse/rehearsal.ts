/**
 * The rehearsal (gobundle verify --build): before a bundle is carried
 * across, serve it on 127.0.0.1 and let the real go command build a project
 * with that server as its only GOPROXY, from empty caches, with the checksum
 * database on — what a developer on the far side will do, so what would
 * fail there fails here, in the go command's own words.
 *
 * The client is set up as the README's serve section tells offline clients:
 * GOPROXY is the server and nothing else (no `direct`), GOSUMDB names the
 * database the bundle carries (the go command reaches it through the proxy,
 * cmd/go/internal/modfetch/sumdb.go dbDial: <proxy>/sumdb/<name>/supported),
 * GONOSUMDB, GOPRIVATE and GONOPROXY empty, GOPATH, GOMODCACHE and GOCACHE
 * fresh temporary directories, GOENV=off so no go env file adds anything,
 * and GOTOOLCHAIN=local unless the bundles carry toolchains
 * (golang.org/toolchain), in which case GOTOOLCHAIN is left at auto so a
 * switch is rehearsed too. The project is copied first (without .git):
 * GOFLAGS=-mod=mod lets the go command fill go.sum from the database as a
 * developer's `go mod tidy` would, and the operator's checkout is never
 * changed.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { OpenedBundle } from '../bundle/reader.js';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { TOOLCHAIN_MODULE } from '../gomod/goenv.js';

/** The go commands a rehearsal runs, in order (each one even when an earlier one failed). */
export const REHEARSAL_COMMANDS: readonly (readonly string[])[] = [
  ['mod', 'download', 'all'],
  ['build', './...'],
  ['list', '-m', 'all'],
  ['mod', 'verify'],
];

/** How long one go command may run before it is killed (cold builds of large projects on a small machine). */
export const GO_COMMAND_TIMEOUT_MS = 20 * 60_000;

export interface RehearsalOptions {
  /** Opened (extracted) bundles, verified. */
  bundles: readonly OpenedBundle[];
  /** Serves the bundles on a loopback port for the go command (serve/serveLocally.ts; passed in, so rehearse is not a server). */
  serve: (bundles: readonly OpenedBundle[]) => Promise<{ url: string; close(): Promise<void> }>;
  /** The project directory (its go.mod). */
  dir: string;
  /** The go command (a path, or a name looked up on PATH). */
  go: string;
  /** Verifier keys of the checksum databases, by name (the bundles' replays need one to keep GOSUMDB on). */
  sumdbKeys: ReadonlyMap<string, { key: string }>;
  /** PATH for the go command (it runs git, gcc… only if the project needs them). */
  path: string | undefined;
  /** Other variables of the operator's environment passed through unchanged (CGO_ENABLED, CC). */
  passThrough?: Readonly<Record<string, string>>;
  commandTimeoutMs?: number;
}

export interface CommandResult {
  args: readonly string[];
  ok: boolean;
  /** Exit code, or the signal that stopped it. */
  exit: string;
  stdout: string;
  stderr: string;
}

export interface RehearsalReport {
  url: string;
  goVersion: string;
  /** The client's variables that matter, as set (GOPROXY, GOSUMDB, GOTOOLCHAIN, GOFLAGS). */
  env: Record<string, string>;
  results: CommandResult[];
}

/** A rehearsal that cannot be made or whose go commands failed (verify --build). */
export class RehearsalError extends GobundleError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(ErrorCode.REHEARSAL, message, options);
  }
}

/** The go command could not be started at all. */
export class GoCommandMissingError extends RehearsalError {
  constructor(go: string, why: string) {
    super(`verify --build: cannot run the go command ${JSON.stringify(go)}: ${why}`, {
      hint: 'install Go on this machine, or pass --go <path to the go binary>',
    });
  }
}

function run(go: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(go, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      const code = (err as NodeJS.ErrnoException).code;
      reject(new GoCommandMissingError(go, code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied' : err.message));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const exit =
        code !== null ? String(code) : `killed by ${signal ?? 'a signal'}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms?)` : ''}`;
      resolveRun({ args, ok: code === 0, exit, stdout, stderr });
    });
  });
}

/** The checksum database the client uses: the bundles' (one name), or off when they carry none. */
function gosumdbFor(bundles: readonly OpenedBundle[], keys: RehearsalOptions['sumdbKeys']): string {
  const names = [...new Set(bundles.flatMap((b) => (b.manifest.sumdb === null ? [] : [b.manifest.sumdb.name])))];
  if (names.length === 0) return 'off';
  if (names.length > 1)
    throw new RehearsalError(
      `verify --build: the bundles carry replays of ${names.length} checksum databases (${names.join(', ')}); a go client uses one`,
    );
  const name = names[0] as string;
  const key = keys.get(name);
  if (key === undefined) {
    throw new RehearsalError(`verify --build: no verifier key for checksum database ${name}, so the go command cannot keep GOSUMDB on`, {
      hint: `pass --sumdb-key <${name}+hash+key> (what your clients set GOSUMDB to), or set GOSUMDB`,
    });
  }
  return key.key;
}

/** Serve the bundles on 127.0.0.1:0, run the go commands in a copy of `dir`, stop the server. */
export async function rehearse(opts: RehearsalOptions): Promise<RehearsalReport> {
  const gosumdb = gosumdbFor(opts.bundles, opts.sumdbKeys);
  const carriesToolchains = opts.bundles.some((b) => b.manifest.modules.some((m) => m.path === TOOLCHAIN_MODULE));
  const server = await opts.serve(opts.bundles);
  const home = await mkdtemp(join(tmpdir(), 'gobundle-rehearsal-'));
  try {
    const project = join(home, 'src', basename(opts.dir) || 'project');
    await cp(opts.dir, project, { recursive: true, filter: (src) => basename(src) !== '.git' });
    const gopath = join(home, 'gopath');
    await mkdir(gopath, { recursive: true });
    const clientEnv: Record<string, string> = {
      GOPROXY: server.url,
      GOSUMDB: gosumdb,
      GOTOOLCHAIN: carriesToolchains ? 'auto' : 'local',
      GOFLAGS: '-mod=mod',
    };
    const env: NodeJS.ProcessEnv = {
      ...opts.passThrough,
      ...(opts.path === undefined ? {} : { PATH: opts.path }),
      HOME: home,
      GOENV: 'off',
      GOPATH: gopath,
      GOMODCACHE: join(gopath, 'pkg', 'mod'),
      GOCACHE: join(home, 'gocache'),
      GONOSUMDB: '',
      GONOPROXY: '',
      GOPRIVATE: '',
      GOINSECURE: '',
      GOTELEMETRY: 'off',
      ...clientEnv,
    };
    const timeout = opts.commandTimeoutMs ?? GO_COMMAND_TIMEOUT_MS;
    // `go version` first: a missing go command is one clear error, not four failures.
    const version = await run(opts.go, ['version'], project, { ...env, GOTOOLCHAIN: 'local' }, timeout);
    if (!version.ok) throw new GoCommandMissingError(opts.go, `go version exited ${version.exit}: ${version.stderr.trim()}`);
    const results: CommandResult[] = [];
    for (const args of REHEARSAL_COMMANDS) results.push(await run(opts.go, args, project, env, timeout));
    return { url: server.url, goVersion: version.stdout.trim(), env: clientEnv, results };
  } finally {
    await server.close();
    // The module cache is read-only (the go command's choice): make it writable to remove it.
    await run(
      opts.go,
      ['clean', '-modcache'],
      home,
      {
        PATH: opts.path,
        HOME: home,
        GOENV: 'off',
        GOPATH: join(home, 'gopath'),
        GOMODCACHE: join(home, 'gopath', 'pkg', 'mod'),
        GOTOOLCHAIN: 'local',
        GOFLAGS: '',
      },
      60_000,
    ).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  }
}
