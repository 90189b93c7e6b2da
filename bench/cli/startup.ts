/**
 * Start-up: `gobundle --version` and `gobundle --help` against `node -e 0`
 * (the floor: Node itself), alternated, medians of `runs` each. The target
 * is each command within 50 ms of the floor: a command loads only what it
 * runs (test/cli/startup.test.ts checks which files those are).
 *
 *   npx vite-node bench/cli/run.ts [--runs 21]
 *
 * Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');

export interface StartupResult {
  runs: number;
  /** Median wall milliseconds. */
  node: number;
  version: number;
  help: number;
}

function wallMs(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

export function startupTimes(runs: number): StartupResult {
  const node: number[] = [];
  const version: number[] = [];
  const help: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate the order so neither side always runs first.
    const order = i % 2 === 0 ? ['node', 'version', 'help'] : ['help', 'version', 'node'];
    for (const which of order) {
      if (which === 'node') node.push(wallMs(['-e', '0']));
      else if (which === 'version') version.push(wallMs([bin, '--version']));
      else help.push(wallMs([bin, '--help']));
    }
  }
  return { runs, node: median(node), version: median(version), help: median(help) };
}
