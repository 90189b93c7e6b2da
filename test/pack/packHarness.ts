/**
 * Shared steps of the pack integration tests: run `gobundle pack` against a
 * test upstream, extract a bundle with the system tar, and let the real go
 * command use the extracted tree as GOPROXY=file://.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { goBinary, hermeticGoEnv, testCacheDir } from '../support/gotool.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const fixtureModules = join(repoRoot, 'test', 'fixtures', 'modules');
export const fixtureProjects = join(repoRoot, 'test', 'fixtures', 'projects');
export const signerKeyFile = join(repoRoot, 'test', 'pack', 'testdata', 'signer.key');
export const signerPubFile = join(repoRoot, 'test', 'pack', 'testdata', 'signer.pub');

/** One go command may take this long (cold module downloads and builds on a shared 2-core machine). */
const GO_TIMEOUT_MS = 180_000;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `gobundle-${prefix}-`));
}

/** Environment for in-process `gobundle pack` runs: the upstream as GOPROXY, nothing from the user's Go setup. */
export function packEnv(proxy: string, work: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const gomodcache = join(work, 'empty-gomodcache');
  mkdirSync(gomodcache, { recursive: true });
  return {
    GOENV: 'off',
    HOME: work,
    GOPROXY: proxy,
    GOSUMDB: 'off',
    // Pack carries no vulnerability data unless a test serves a database (test/upstream/vulndbServer.ts).
    GOVULNDB: 'off',
    GOFLAGS: '-mod=mod',
    GOMODCACHE: gomodcache,
    GONOPROXY: '',
    GOPRIVATE: '',
    ...extra,
  };
}

/** `tar xzf bundle -C dir`, then (unless keepMetadata) remove gobundle/ so only the GOPROXY tree remains. */
export function extractBundle(bundle: string, dir: string, opts: { keepMetadata?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true });
  const res = spawnSync('tar', ['xzf', bundle, '-C', dir], { encoding: 'utf8' });
  if (res.status !== 0)
    throw new Error(`tar xzf ${bundle} failed (exit ${res.status}): ${res.stderr}${res.error ? String(res.error) : ''}`);
  if (!opts.keepMetadata) rmSync(join(dir, 'gobundle'), { recursive: true, force: true });
}

export interface GoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runGo(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<GoRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(goBinary('1.23'), args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), GO_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/**
 * Copy the project, then run `go mod download all` and `go build ./...`
 * with GOPROXY=file://<tree>, GOSUMDB=off, -mod=mod, a fresh module cache.
 * Returns the failures (empty when go accepted the tree).
 */
export async function goAcceptsTree(projectDir: string, tree: string, work: string): Promise<string[]> {
  const dir = join(work, 'project');
  cpSync(projectDir, dir, { recursive: true });
  const gopath = join(work, 'gopath');
  const env = hermeticGoEnv({
    GOPROXY: `file://${tree}`,
    GOSUMDB: 'off',
    GOFLAGS: '-mod=mod',
    GOPATH: gopath,
    GOMODCACHE: join(gopath, 'pkg', 'mod'),
    GOCACHE: join(testCacheDir(), 'gocache'),
    HOME: work,
  });
  const failures: string[] = [];
  for (const args of [
    ['mod', 'download', 'all'],
    ['build', './...'],
  ]) {
    const res = await runGo(args, dir, env);
    if (res.code !== 0) failures.push(`go ${args.join(' ')} (exit ${res.code}):\n${res.stderr}`);
  }
  return failures;
}
