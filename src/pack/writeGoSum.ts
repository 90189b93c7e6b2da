/**
 * `pack --write-gosum`: the go.sum a project needs for what the bundle
 * carries, written from hashes that were verified (against the checksum
 * database and any existing go.sum) before the bundle was written.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GobundleError } from '../errors.js';
import { TOOLCHAIN_MODULE } from '../gomod/goenv.js';
import { formatGoSum, type GoSumLine } from '../gomod/gosum.js';
import type { ModuleHashes } from './packBundle.js';
import { ErrorCode } from '../errorCodes.js';

/**
 * `path version h1` for every carried zip and `path version/go.mod h1` for
 * every version, in cmd/go's order. Toolchains are left out: the go command
 * never writes golang.org/toolchain to go.sum (it checks them against the
 * checksum database instead).
 */
export function goSumText(modules: readonly ModuleHashes[]): string {
  const lines: GoSumLine[] = [];
  for (const m of modules) {
    if (m.path === TOOLCHAIN_MODULE) continue;
    if (m.zipH1 !== null) lines.push({ path: m.path, version: m.version, hash: m.zipH1 });
    lines.push({ path: m.path, version: `${m.version}/go.mod`, hash: m.modH1 });
  }
  return formatGoSum(lines);
}

/** pack --write-go-sum could not write the go.sum: names the file and the system's code. */
export class WriteGoSumError extends GobundleError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.WRITEGOSUM, message, options);
  }
}

/** Write the go.sum atomically: a temp file beside it, renamed over it. */
export async function writeGoSumFile(file: string, modules: readonly ModuleHashes[]): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, goSumText(modules), { flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new WriteGoSumError(`writing ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}
