/**
 * Builds test/gomod/oracle-modfile against the golang.org/x/mod copy that Go
 * 1.23 vendors in src/cmd/vendor — the parser the go command itself runs,
 * which (unlike Debian's x/mod v0.7.0) knows toolchain, godebug and
 * three-part go versions. The vendored packages are assembled into a module
 * under the test cache and the program's go.mod replaces x/mod with it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildGoProgram, goBinary, testCacheDir } from '../../support/gotool.js';

/** The x/mod packages modfile needs; all are self-contained in the vendored tree. */
const XMOD_PACKAGES = ['modfile', 'module', 'semver', 'internal/lazyregexp'];

export function buildModfileOracle(): string {
  const goRoot = resolve(dirname(goBinary('1.23')), '..');
  const vendored = join(goRoot, 'src', 'cmd', 'vendor', 'golang.org', 'x', 'mod');
  if (!existsSync(join(vendored, 'modfile', 'rule.go'))) {
    throw new Error(`Go 1.23's vendored golang.org/x/mod not found at ${vendored}: install golang-1.23-src (see .ci/run)`);
  }
  const xmod = join(testCacheDir(), 'xmod-go1.23');
  if (!existsSync(join(xmod, 'go.mod'))) {
    for (const p of XMOD_PACKAGES) cpSync(join(vendored, p), join(xmod, p), { recursive: true });
    writeFileSync(join(xmod, 'go.mod'), 'module golang.org/x/mod\n\ngo 1.22\n');
  }
  const src = join(testCacheDir(), 'oracle-modfile-src');
  mkdirSync(src, { recursive: true });
  copyFileSync(join(import.meta.dirname, 'main.go'), join(src, 'main.go'));
  writeFileSync(
    join(src, 'go.mod'),
    `module gobundle.test/oraclemodfile\n\ngo 1.22\n\nrequire golang.org/x/mod v0.19.0\n\nreplace golang.org/x/mod => ${xmod}\n`,
  );
  return buildGoProgram(src, 'oracle-modfile');
}

export interface OracleInput {
  name: string;
  text: string;
  mode: 'strict' | 'lax' | 'work' | 'autoquote';
}

export interface OracleResult {
  ok: boolean;
  error: string;
  errLine: number;
  errCol: number;
  module: string | null;
  deprecated: string;
  go: string | null;
  toolchain: string | null;
  godebug: [string, string][] | null;
  require: { path: string; version: string; indirect: boolean }[] | null;
  exclude: { path: string; version: string }[] | null;
  replace: [{ path: string; version: string }, { path: string; version: string }][] | null;
  retract: { low: string; high: string; rationale: string }[] | null;
  use: string[] | null;
}

/** The oracle answers in one JSON document; the fuzz corpus needs more than spawnSync's 1 MiB default. */
const ORACLE_MAX_OUTPUT = 256 * 1024 * 1024;

export function runModfileOracle(bin: string, inputs: OracleInput[]): OracleResult[] {
  const res = spawnSync(bin, [], { input: JSON.stringify(inputs), encoding: 'utf8', timeout: 60_000, maxBuffer: ORACLE_MAX_OUTPUT });
  if (res.status !== 0) throw new Error(`oracle-modfile failed (exit ${res.status}): ${res.stderr}${res.error ? String(res.error) : ''}`);
  return JSON.parse(res.stdout) as OracleResult[];
}
