/**
 * golang.org/toolchain module zips for tests.
 *
 * realToolchainZip lays out an installed Go (Debian's /usr/lib/go-1.22, a
 * real go1.22.12) as cmd/distpack lays out the module form of a
 * distribution, with the small Go program in ./toolchainzip. The zip is
 * about 55 MB and takes half a minute to write, so it is cached under
 * testCacheDir(), keyed by the Go tree's VERSION and the builder's source
 * hash, and written atomically (temp file + rename) so parallel test files
 * can race for it.
 *
 * syntheticToolchainZip writes a tiny zip of the same shape for platforms we
 * have no real toolchain for (darwin/arm64 and so on): enough for packing,
 * listing and verifying, not for running.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tinyZip } from '../pack/tinyZip.js';
import { buildGoProgram, testCacheDir } from './gotool.js';

export const TOOLCHAIN_MODULE = 'golang.org/toolchain';

/** The Go tree realToolchainZip packs: $GOBUNDLE_GOROOT_1_22, else Debian's golang-1.22-go. */
export function realToolchainRoot(): string {
  const root = process.env.GOBUNDLE_GOROOT_1_22 || '/usr/lib/go-1.22';
  if (!existsSync(join(root, 'VERSION')) || !existsSync(join(root, 'bin', 'go'))) {
    throw new Error(`no Go 1.22 tree at ${root}: install golang-1.22-go (see .ci/run) or set GOBUNDLE_GOROOT_1_22`);
  }
  return root;
}

/** The toolchain name of a Go tree: the first line of its VERSION file (e.g. "go1.22.12"). */
export function toolchainOfRoot(root: string): string {
  return readFileSync(join(root, 'VERSION'), 'utf8').split('\n')[0]!.trim();
}

export interface ToolchainZip {
  /** e.g. "go1.22.12". */
  toolchain: string;
  /** e.g. "v0.0.1-go1.22.12.linux-amd64". */
  version: string;
  path: string;
}

/** The module zip of the real Go 1.22 toolchain for linux/amd64 (built once, cached). */
export function realToolchainZip(): ToolchainZip {
  const root = realToolchainRoot();
  const toolchain = toolchainOfRoot(root);
  const version = `v0.0.1-${toolchain}.linux-amd64`;
  const builder = buildGoProgram(join(import.meta.dirname, 'toolchainzip'), 'toolchainzip');
  const key = createHash('sha256')
    .update(readFileSync(join(root, 'VERSION')))
    .update(basename(builder))
    .digest('hex')
    .slice(0, 16);
  const dir = join(testCacheDir(), 'toolchains', key);
  const path = join(dir, `${version}.zip`);
  if (existsSync(path)) return { toolchain, version, path };
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(builder, ['-goroot', root, '-goos', 'linux', '-goarch', 'amd64', '-o', path], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`toolchainzip ${root} failed (exit ${r.status}):\n${r.stderr}${r.error ? String(r.error) : ''}`);
  return { toolchain, version, path };
}

/** The bytes of a tiny toolchain zip shaped like distpack's (bin/go, VERSION, src/_go.mod). */
export function syntheticToolchainZipBytes(toolchain: string, goos: string, goarch: string): Buffer {
  const prefix = `${TOOLCHAIN_MODULE}@v0.0.1-${toolchain}.${goos}-${goarch}/`;
  return tinyZip([
    { name: `${prefix}VERSION`, data: `${toolchain}\ntime 2023-01-01T00:00:00Z\n` },
    { name: `${prefix}bin/go`, data: `#!/bin/sh\necho "go version ${toolchain} ${goos}/${goarch} (synthetic)"\n` },
    { name: `${prefix}src/_go.mod`, data: 'module std\n\ngo 1.22\n', deflate: true },
    { name: `${prefix}src/cmd/_go.mod`, data: 'module cmd\n\ngo 1.22\n', deflate: true },
    { name: `${prefix}src/cmd/vendor/golang.org/x/mod/LICENSE`, data: 'synthetic\n' },
  ]);
}

/** Write a synthetic toolchain zip into dir, named as the upstream's -toolchains flag wants it; returns its path. */
export function writeSyntheticToolchainZip(dir: string, toolchain: string, goos: string, goarch: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `v0.0.1-${toolchain}.${goos}-${goarch}.zip`);
  writeFileSync(path, syntheticToolchainZipBytes(toolchain, goos, goarch));
  return path;
}

/** Put a zip into an upstream toolchain directory (a symbolic link: the real one is large). */
export function linkToolchainZip(dir: string, zip: ToolchainZip): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${zip.version}.zip`);
  if (!existsSync(path)) symlinkSync(zip.path, path);
  return path;
}
