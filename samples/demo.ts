/**
 * `npm run demo`: gobundle's main job on the bundled sample, end to end, on
 * this machine alone.
 *
 * It starts the local test upstream (a real Go module proxy and checksum
 * database built from golang.org/x/mod, serving test/fixtures/modules),
 * runs `gobundle plan` on samples/hello through it, and checks the result
 * against the real `go list -m all`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { goBinary, hermeticGoEnv } from '../test/support/gotool.js';
import { startUpstream, upstreamGoEnv } from '../test/upstream/server.js';

const root = resolve(import.meta.dirname, '..');
const sample = join(root, 'samples', 'hello');
const gobundle = join(root, 'bin', 'gobundle');

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): string {
  process.stdout.write(`$ ${[cmd === process.execPath ? 'node' : cmd, ...args].join(' ')}\n`);
  const r = spawnSync(cmd, args, { ...opts, encoding: 'utf8', timeout: 300_000 });
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return r.stdout;
}

async function main(): Promise<void> {
  step('starting the local test upstream (Go module proxy + checksum database)');
  const upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
  const work = mkdtempSync(join(tmpdir(), 'gobundle-demo-'));
  try {
    process.stdout.write(`upstream at ${upstream.url}\n`);

    step('gobundle plan samples/hello: what a bundle of the sample will carry');
    const env = hermeticGoEnv({ GOPROXY: upstream.url, HOME: work });
    const ours = run(process.execPath, [gobundle, 'plan', sample], { cwd: root, env });
    run(process.execPath, [gobundle, 'plan', '--json', sample], { cwd: root, env });

    step('the go command, for comparison: go list -m all');
    cpSync(sample, join(work, 'hello'), { recursive: true });
    const goEnv = upstreamGoEnv(upstream, { workDir: work });
    const theirs = run(goBinary('1.23'), ['list', '-m', 'all'], { cwd: join(work, 'hello'), env: goEnv });

    if (ours !== theirs) throw new Error('gobundle plan disagrees with go list -m all');
    step('gobundle plan agrees byte for byte with go list -m all');
  } finally {
    await upstream.stop();
    spawnSync('chmod', ['-R', 'u+w', work]);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
