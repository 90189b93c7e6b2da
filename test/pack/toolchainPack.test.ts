/**
 * gobundle pack --toolchain against the test upstream serving synthetic
 * golang.org/toolchain zips (tiny, distpack-shaped) with records in its real
 * x/mod checksum database:
 *
 *   - every version × platform carries .zip, .mod and .info, plus the
 *     linux-amd64 .info (toolchainRepo.Stat always stats linux-amd64);
 *   - @v/list lists only versions carried for every platform;
 *   - auto follows the main go.mod and the highest dependency go line;
 *   - the toolchains go into the manifest's modules and the replay, even
 *     with GONOSUMDB/GOPRIVATE matching golang.org/toolchain; GOSUMDB=off
 *     is refused; a tampered toolchain zip is a checksum mismatch;
 *   - verify refuses a bundle whose toolchain zip was changed, naming it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseManifest, type Manifest } from '../../src/bundle/manifest.js';
import { TOOLCHAIN_NEEDS_SUMDB } from '../../src/cli/pack.js';
import { runCli } from '../cli/runCli.js';
import { tamperBundleEntry } from '../support/tamperBundle.js';
import { writeSyntheticToolchainZip } from '../support/toolchainModule.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { extractBundle, fixtureModules, packEnv, signerKeyFile, signerPubFile, tempDir } from './packHarness.js';

const work = tempDir('toolchain-pack');
const toolchainDir = join(work, 'toolchains');
const depModules = join(work, 'modules');
let upstream: Upstream;

beforeAll(async () => {
  writeSyntheticToolchainZip(toolchainDir, 'go1.22.12', 'linux', 'amd64');
  writeSyntheticToolchainZip(toolchainDir, 'go1.22.12', 'darwin', 'arm64');
  writeSyntheticToolchainZip(toolchainDir, 'go1.23.5', 'linux', 'amd64');
  // A dependency whose go.mod needs a newer Go than its user's.
  mkdirSync(depModules, { recursive: true });
  writeFileSync(
    join(depModules, 'needsgo_v1.0.0.txt'),
    'module=example.com/needsgo\nversion=v1.0.0\n-- go.mod --\nmodule example.com/needsgo\n\ngo 1.23.5\n-- needsgo.go --\npackage needsgo\n',
  );
  upstream = await startUpstream({ modules: [fixtureModules, depModules], toolchainDir });
}, 120_000);
afterAll(async () => {
  await upstream?.stop();
});

let n = 0;
/** A main module with this go.mod body (after the module line). */
function project(body: string): string {
  const dir = join(work, `project-${++n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), `module example.com/m\n\n${body}`);
  writeFileSync(join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
  return dir;
}

async function pack(dir: string, args: string[], env: Record<string, string> = {}) {
  const out = join(dir, 'out.tgz');
  const r = await runCli(['pack', dir, '-o', out, '--sign-key', signerKeyFile, '--cache-dir', join(work, 'cache'), ...args], {
    cwd: dir,
    env: packEnv(upstream.url, dir, { GOSUMDB: upstream.sumdbVerifierKey, GONOSUMDB: '', ...env }),
  });
  return { ...r, out };
}

function manifestOf(bundle: string): Manifest {
  const dir = join(work, `extract-${++n}`);
  extractBundle(bundle, dir, { keepMetadata: true });
  return parseManifest(readFileSync(join(dir, 'gobundle', 'manifest.json')));
}

function listOf(bundle: string): string {
  const dir = join(work, `extract-${++n}`);
  extractBundle(bundle, dir);
  return readFileSync(join(dir, 'golang.org', 'toolchain', '@v', 'list'), 'utf8');
}

const toolchainNames = (m: Manifest): string[] => m.files.map((f) => f.name).filter((f) => f.startsWith('golang.org/toolchain/'));

describe('pack --toolchain', () => {
  test('auto, two platforms: zip, mod, info per platform; the list has both', async () => {
    const dir = project('go 1.22.12\n');
    const r = await pack(dir, ['--toolchain', 'auto', '--platform', 'linux/amd64,darwin/arm64']);
    expect(r.stderr, r.stderr).toMatch(/toolchains go1\.22\.12 for linux\/amd64, darwin\/arm64/);
    expect(r.code, r.stderr).toBe(0);
    const m = manifestOf(r.out);
    expect(toolchainNames(m)).toEqual([
      'golang.org/toolchain/@v/list',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.darwin-arm64.info',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.darwin-arm64.mod',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.darwin-arm64.zip',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.linux-amd64.info',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.linux-amd64.mod',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.linux-amd64.zip',
    ]);
    expect(listOf(r.out)).toBe('v0.0.1-go1.22.12.linux-amd64\nv0.0.1-go1.22.12.darwin-arm64\n');
    // In the manifest's modules with both hashes, and looked up in the checksum database.
    const tc = m.modules.filter((x) => x.path === 'golang.org/toolchain');
    expect(tc.map((x) => x.version)).toEqual(['v0.0.1-go1.22.12.darwin-arm64', 'v0.0.1-go1.22.12.linux-amd64']);
    for (const x of tc) {
      expect(x.zipH1).toMatch(/^h1:/);
      // h1 of the go.mod distpack writes, `module golang.org/toolchain\n`.
      expect(x.modH1).toBe('h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0=');
    }
    const name = upstream.sumdbName;
    expect(m.files.map((f) => f.name).filter((f) => f.startsWith(`sumdb/${name}/lookup/`))).toEqual([
      `sumdb/${name}/lookup/golang.org/toolchain@v0.0.1-go1.22.12.darwin-arm64`,
      `sumdb/${name}/lookup/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64`,
    ]);
  }, 120_000);

  test('a named toolchain for darwin/arm64 only: the linux-amd64 .info is carried too, the list has darwin only', async () => {
    const dir = project('go 1.21\n');
    const r = await pack(dir, ['--toolchain', 'toolchain@go1.22.12', '--platform', 'darwin/arm64']);
    expect(r.code, r.stderr).toBe(0);
    const m = manifestOf(r.out);
    expect(toolchainNames(m)).toEqual([
      'golang.org/toolchain/@v/list',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.darwin-arm64.info',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.darwin-arm64.mod',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.darwin-arm64.zip',
      'golang.org/toolchain/@v/v0.0.1-go1.22.12.linux-amd64.info',
    ]);
    expect(listOf(r.out)).toBe('v0.0.1-go1.22.12.darwin-arm64\n');
    expect(m.modules.filter((x) => x.path === 'golang.org/toolchain').map((x) => x.version)).toEqual(['v0.0.1-go1.22.12.darwin-arm64']);
  }, 120_000);

  test('default platform: linux/amd64 plus this machine', async () => {
    const dir = project('go 1.21\n\ntoolchain go1.22.12\n');
    const r = await pack(dir, ['--toolchain', 'auto']);
    expect(r.code, r.stderr).toBe(0);
    const zips = toolchainNames(manifestOf(r.out)).filter((f) => f.endsWith('.zip'));
    const here = { linux: 'linux', darwin: 'darwin' }[process.platform as 'linux'] ?? process.platform;
    const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64'] ?? process.arch;
    expect(zips).toEqual(
      [...new Set(['linux-amd64', `${here}-${arch}`])]
        .sort()
        .reverse()
        .map((p) => `golang.org/toolchain/@v/v0.0.1-go1.22.12.${p}.zip`)
        .sort(),
    );
  }, 120_000);

  test('auto with a dependency needing a newer Go: both toolchains, so the forced switch lands on a carried one', async () => {
    const dir = project('go 1.22.12\n\nrequire example.com/needsgo v1.0.0\n');
    const r = await pack(dir, ['--toolchain', 'auto', '--platform', 'linux/amd64']);
    expect(r.code, r.stderr).toBe(0);
    expect(listOf(r.out)).toBe('v0.0.1-go1.22.12.linux-amd64\nv0.0.1-go1.23.5.linux-amd64\n');
  }, 120_000);

  test('a toolchain missing for one platform stops the pack, naming it', async () => {
    const dir = project('go 1.21\n');
    const r = await pack(dir, ['--toolchain', 'go1.23.5', '--platform', 'linux/amd64,darwin/arm64']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/golang\.org\/toolchain@v0\.0\.1-go1\.23\.5\.darwin-arm64/);
  }, 120_000);

  test('GOSUMDB=off is refused with --toolchain', async () => {
    const dir = project('go 1.22.12\n');
    const r = await pack(dir, ['--toolchain', 'auto'], { GOSUMDB: 'off' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `gobundle: ${TOOLCHAIN_NEEDS_SUMDB}\n` +
        'hint: unset GOSUMDB (the default is sum.golang.org) or set it to the database your offline clients use; to pack modules without the database, pack toolchains in a separate run\n',
    );
    expect(TOOLCHAIN_NEEDS_SUMDB).toBe(
      'pack: --toolchain needs the checksum database but GOSUMDB=off: the go command verifies every golang.org/toolchain download against the checksum database even with GOSUMDB=off, GONOSUMDB or GOPRIVATE, so the bundle must carry its records',
    );
  });

  test.each([
    ['GONOSUMDB', { GONOSUMDB: 'golang.org/toolchain' }],
    ['GOPRIVATE', { GOPRIVATE: 'golang.org' }],
  ])(
    '%s matching golang.org/toolchain does not exempt it',
    async (_name, env) => {
      const dir = project('go 1.22.12\n');
      const r = await pack(dir, ['--toolchain', 'auto', '--platform', 'linux/amd64'], env);
      expect(r.code, r.stderr).toBe(0);
      const lookups = manifestOf(r.out)
        .files.map((f) => f.name)
        .filter((f) => f.includes('/lookup/'));
      expect(lookups).toEqual([`sumdb/${upstream.sumdbName}/lookup/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64`]);
    },
    120_000,
  );

  test('a tampered toolchain zip is a checksum mismatch against the database, even with GONOSUMDB', async () => {
    await upstream.setFaults({ tamper: ['golang.org/toolchain@v0.0.1-go1.22.12.darwin-arm64'] });
    try {
      const dir = project('go 1.22.12\n');
      const r = await pack(dir, ['--toolchain', 'auto', '--platform', 'darwin/arm64', '--cache-dir', join(dir, 'fresh-cache')], {
        GONOSUMDB: 'golang.org/toolchain',
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /\ngobundle: verifying golang\.org\/toolchain@v0\.0\.1-go1\.22\.12\.darwin-arm64: checksum mismatch\n\tdownloaded: h1:\S+\n\tgobundle\.test: h1:\S+\n/,
      );
    } finally {
      await upstream.setFaults({});
    }
  }, 120_000);

  test('--write-gosum leaves toolchains out (the go command never lists them in go.sum)', async () => {
    const dir = project('go 1.22.12\n\nrequire example.com/needsgo v1.0.0\n');
    const r = await pack(dir, ['--toolchain', 'auto', '--platform', 'linux/amd64', `--write-gosum=${join(dir, 'go.sum')}`]);
    expect(r.code, r.stderr).toBe(0);
    const sum = readFileSync(join(dir, 'go.sum'), 'utf8');
    expect(sum).toMatch(/^example\.com\/needsgo v1\.0\.0 h1:/);
    expect(sum).not.toContain('golang.org/toolchain');
  }, 120_000);
});

test('verify refuses a bundle whose toolchain zip was changed, naming the file', async () => {
  const dir = project('go 1.22.12\n');
  const r = await pack(dir, ['--toolchain', 'auto', '--platform', 'linux/amd64']);
  expect(r.code, r.stderr).toBe(0);
  const ok = await runCli(['verify', r.out, '--trust', signerPubFile, '--sumdb-key', upstream.sumdbVerifierKey], {
    cwd: dir,
    env: { GOENV: 'off' },
  });
  expect(ok.code, ok.stderr).toBe(0);
  tamperBundleEntry(r.out, 'golang.org/toolchain/@v/v0.0.1-go1.22.12.linux-amd64.zip');
  const bad = await runCli(['verify', r.out, '--trust', signerPubFile], { cwd: dir, env: { GOENV: 'off' } });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/golang\.org\/toolchain\/@v\/v0\.0\.1-go1\.22\.12\.linux-amd64\.zip: sha256 mismatch/);
}, 120_000);

test('verify refuses a bundle whose toolchain checksum record was changed, naming the file', async () => {
  const dir = project('go 1.22.12\n');
  const r = await pack(dir, ['--toolchain', 'auto', '--platform', 'linux/amd64']);
  expect(r.code, r.stderr).toBe(0);
  const record = `sumdb/${upstream.sumdbName}/lookup/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64`;
  tamperBundleEntry(r.out, record);
  const bad = await runCli(['verify', r.out, '--trust', signerPubFile], { cwd: dir, env: { GOENV: 'off' } });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain(`${record}: sha256 mismatch`);
}, 120_000);

test('plan --json --toolchain lists the toolchain files pack would carry, and why', async () => {
  const dir = project('go 1.22.12\n');
  const r = await runCli(['plan', dir, '--json', '--toolchain', 'auto', '--platform', 'darwin/arm64'], {
    cwd: dir,
    env: packEnv(upstream.url, dir),
  });
  expect(r.code, r.stderr).toBe(0);
  const json = JSON.parse(r.stdout) as { files: { path: string; version: string; kind: string }[]; toolchains: unknown };
  expect(json.files.filter((f) => f.path === 'golang.org/toolchain').map((f) => `${f.version}.${f.kind}`)).toEqual([
    'v0.0.1-go1.22.12.darwin-arm64.info',
    'v0.0.1-go1.22.12.darwin-arm64.mod',
    'v0.0.1-go1.22.12.darwin-arm64.zip',
    'v0.0.1-go1.22.12.linux-amd64.info',
  ]);
  expect(json.toolchains).toEqual([{ toolchain: 'go1.22.12', reason: 'example.com/m go.mod says go 1.22.12' }]);
  const bad = await runCli(['plan', dir, '--platform', 'linux/amd64'], { cwd: dir, env: packEnv(upstream.url, dir) });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe(
    'gobundle: plan: --platform without --toolchain\nhint: name the toolchains to carry, e.g. --toolchain auto --platform linux/amd64\n',
  );
});
