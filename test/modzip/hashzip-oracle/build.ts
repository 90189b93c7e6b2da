/** Builds and runs test/modzip/hashzip-oracle (x/mod v0.7.0 zip + dirhash) for the hash tests. */
import { spawnSync } from 'node:child_process';
import { buildGoProgram } from '../../support/gotool.js';

export function buildHashZipOracle(): string {
  return buildGoProgram(import.meta.dirname, 'hashzip-oracle');
}

/** Runs the oracle and returns its output, trimmed (for most commands a single h1 hash). */
export function runHashZipOracle(bin: string, args: string[], input?: string): string {
  const res = spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000, ...(input === undefined ? {} : { input }) });
  if (res.status !== 0)
    throw new Error(`hashzip-oracle ${args[0]} failed (exit ${res.status}): ${res.stderr}${res.error ? String(res.error) : ''}`);
  return res.stdout.trim();
}
