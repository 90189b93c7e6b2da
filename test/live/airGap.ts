/**
 * Runs offlineClient.ts inside a new network namespace with only loopback
 * (`unshare -n`, root): a real air gap, with serve and the go command both
 * inside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OfflineResult, type OfflineSpec } from './offlineClient.js';
import { repoRoot, run, tail } from './liveEnv.js';

export async function runOffline(spec: OfflineSpec, specPath: string): Promise<OfflineResult> {
  writeFileSync(specPath, JSON.stringify(spec, null, 2));
  const viteNode = join(repoRoot, 'node_modules', '.bin', 'vite-node');
  const r = await run(
    'unshare',
    ['-n', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', viteNode, join(repoRoot, 'test', 'live', 'offlineClient.ts')],
    { cwd: repoRoot, env: { ...process.env, LIVE_SPEC: specPath }, timeoutMs: 3 * 3600_000 },
  );
  if (r.status !== 0) throw new Error(`the offline client failed (exit ${r.status}):\n${tail(r.stderr || r.stdout, 40)}`);
  return JSON.parse(readFileSync(`${specPath}.result.json`, 'utf8')) as OfflineResult;
}
