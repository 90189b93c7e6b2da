/**
 * Finding and using the real go command in tests.
 *
 * The go command is our oracle, so tests never skip when it is missing: they
 * fail with a message that says how to install it (.ci/run does).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export type GoVersion = '1.26' | '1.23' | '1.22' | '1.21' | '1.19';

/** What a go command run printed, and its exit status (null when killed). */
export interface GoRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a go command without blocking the event loop (a serve child's log pipe
 * must keep draining while go talks to it); SIGKILLed after `timeoutMs`.
 */
export function runGoAsync(
  goBin: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<GoRun> {
  const child = spawn(goBin, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolveRun, rejectRun) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      rejectRun(err);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolveRun({ status, stdout, stderr });
    });
  });
}

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** Path of the go binary for a Go release: $GOBUNDLE_GO_1_23 / $GOBUNDLE_GO_1_19, else Debian's location. */
export function goBinary(version: GoVersion = '1.23'): string {
  const envName = `GOBUNDLE_GO_${version.replace('.', '_')}`;
  const fromEnv = process.env[envName];
  // Go 1.26 (GOAUTH, the tests of serve --auth) is the machine's own Go; the older releases are Debian's.
  const fallback = version === '1.26' ? '/usr/local/go/bin/go' : `/usr/lib/go-${version}/bin/go`;
  const candidate = fromEnv && fromEnv !== '' ? fromEnv : fallback;
  if (!existsSync(candidate)) {
    throw new Error(`go ${version} not found at ${candidate}: install golang-${version}-go (see .ci/run) or set ${envName}`);
  }
  return candidate;
}

/** Directory of golang.org/x/mod sources (Debian's golang-golang-x-mod-dev), used via `replace`. */
export function xModDir(): string {
  const dir = process.env.GOBUNDLE_XMOD_DIR || '/usr/share/gocode/src/golang.org/x/mod';
  if (!existsSync(join(dir, 'go.mod'))) {
    throw new Error(`golang.org/x/mod sources not found at ${dir}: install golang-golang-x-mod-dev (see .ci/run)`);
  }
  return dir;
}

/** Where compiled test helpers are cached between runs. */
export function testCacheDir(): string {
  const dir = join(repoRoot, 'node_modules', '.cache', 'gobundle-test');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Environment for running the go command hermetically: nothing from the
 * user's go env file, no toolchain switching, no network unless the caller
 * sets GOPROXY.
 */
export function hermeticGoEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    GOENV: 'off',
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOSUMDB: 'off',
    // gobundle pack: no vulnerability database unless a test serves one.
    GOVULNDB: 'off',
    GOFLAGS: '-mod=mod',
    GONOSUMDB: '',
    GONOPROXY: '',
    GOPRIVATE: '',
    GOINSECURE: '',
    GOWORK: 'off',
    CGO_ENABLED: '0',
    GOTELEMETRY: 'off',
  };
  return { ...base, ...extra };
}

function hashTree(dir: string, h = createHash('sha256'), prefix = ''): ReturnType<typeof createHash> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      hashTree(p, h, `${prefix}${name}/`);
    } else if (name.endsWith('.go') || name === 'go.mod') {
      h.update(`${prefix}${name}\0`);
      h.update(readFileSync(p));
      h.update('\0');
    }
  }
  return h;
}

/** The release of a go binary, from its GOROOT's VERSION file (else the binary's path and size). */
function goRelease(goBin: string): string {
  const real = realpathSync(goBin);
  try {
    return readFileSync(join(dirname(dirname(real)), 'VERSION'), 'utf8').split('\n')[0] ?? '';
  } catch {
    return `${real} ${statSync(real).size}`;
  }
}

/**
 * Compile the Go program in `srcDir`, a module whose go.mod may say
 * `replace golang.org/x/mod => <dir>`: the build uses a copy of that go.mod
 * (-modfile) pointing at xModDir() instead, so GOBUNDLE_XMOD_DIR is honoured.
 * The binary is cached by a hash of the sources, the Go release and the x/mod
 * tree it was built with, written atomically so parallel test files can race
 * safely. Returns the binary path.
 */
export function buildGoProgram(srcDir: string, name: string): string {
  const goBin = goBinary('1.23');
  const xmod = xModDir();
  // Only the Debian x/mod named in the committed go.mod files is swapped; a program that brings its own x/mod keeps it.
  const goMod = readFileSync(join(srcDir, 'go.mod'), 'utf8').replace(
    /^(replace golang\.org\/x\/mod =>) \/usr\/share\/gocode\/src\/golang\.org\/x\/mod$/m,
    `$1 ${xmod}`,
  );
  const h = hashTree(srcDir);
  h.update(`\0go ${goRelease(goBin)}\0`);
  h.update(goMod);
  const replaced = /^replace golang\.org\/x\/mod => (\S+)$/m.exec(goMod)?.[1];
  if (replaced !== undefined && existsSync(replaced)) hashTree(replaced, h);
  const digest = h.digest('hex').slice(0, 16);
  const out = join(testCacheDir(), `${name}-${digest}`);
  if (existsSync(out)) return out;
  const modfile = join(testCacheDir(), `${name}-${digest}.go.mod`);
  writeFileSync(modfile, goMod);
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  const res = spawnSync(goBin, ['build', `-modfile=${modfile}`, '-o', tmp, '.'], {
    cwd: srcDir,
    env: hermeticGoEnv({ GOCACHE: join(testCacheDir(), 'gocache'), GOMODCACHE: join(testCacheDir(), 'gomodcache-build') }),
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (res.status !== 0) {
    throw new Error(`building ${srcDir} failed (exit ${res.status}):\n${res.stderr}${res.error ? String(res.error) : ''}`);
  }
  renameSync(tmp, out);
  return out;
}
