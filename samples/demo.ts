/**
 * `npm run demo`: gobundle's main job on the bundled sample, end to end, on
 * this machine alone.
 *
 * Online side: start the local test upstream (a real Go module proxy and
 * checksum database built from golang.org/x/mod, serving
 * test/fixtures/modules), show the plan for samples/hello, make a signing
 * key and pack the sample into a signed bundle, verifying every file against
 * the checksum database.
 * Air gap: stop the upstream. Offline side: verify the bundle, serve it, and
 * build the sample with the go command pointed only at gobundle, with a
 * fresh module cache, no go.sum and GOSUMDB still on.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { goBinary, hermeticGoEnv } from '../test/support/gotool.js';
import { startUpstream, type Upstream } from '../test/upstream/server.js';

const root = resolve(import.meta.dirname, '..');
const sample = join(root, 'samples', 'hello');
const gobundle = join(root, 'bin', 'gobundle');
const SERVE_START_TIMEOUT_MS = 60_000;

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

function show(cmd: string, args: string[]): void {
  process.stdout.write(
    `$ ${[cmd === process.execPath ? 'gobundle' : cmd, ...(cmd === process.execPath ? args.slice(1) : args)].join(' ')}\n`,
  );
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): string {
  show(cmd, args);
  const r = spawnSync(cmd, args, { ...opts, encoding: 'utf8', timeout: 300_000 });
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return r.stdout;
}

/** Start `gobundle serve` and wait for its one `listening on URL` line. */
function startServe(args: string[], env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  show(process.execPath, [gobundle, 'serve', ...args]);
  const child = spawn(process.execPath, [gobundle, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('gobundle serve did not start in time')), SERVE_START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /^listening on (\S+)$/m.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        process.stdout.write(out);
        resolveUrl({ url: m[1], child });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gobundle serve exited ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gobundle-demo-'));
  const bundle = join(work, 'hello-bundle.tgz');
  let serve: ChildProcess | undefined;
  let upstream: Upstream | undefined;
  try {
    step('online: start the local test upstream (Go module proxy + checksum database)');
    upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
    process.stdout.write(`upstream at ${upstream.url}, checksum database ${upstream.sumdbVerifierKey}\n`);
    // The environment a developer on the connected side has: GOPROXY and
    // GOSUMDB pointing at the (here: local) public services.
    const online = hermeticGoEnv({
      GOPROXY: upstream.url,
      GOSUMDB: upstream.sumdbVerifierKey,
      HOME: work,
      GOBUNDLE_CACHE: join(work, 'cache'),
    });
    try {
      step('online: what will the bundle carry? (byte for byte what `go list -m all` prints)');
      run(process.execPath, [gobundle, 'plan', sample], { cwd: root, env: online });

      step('online: make a signing key and pack the sample into a signed bundle');
      run(process.execPath, [gobundle, 'keygen', 'demo-team', '--out-dir', work], { cwd: root, env: online });
      run(process.execPath, [gobundle, 'pack', sample, '-o', bundle, '--sign-key', join(work, 'demo-team.key')], {
        cwd: root,
        env: online,
      });
    } finally {
      step('air gap: stop the upstream; from here on nothing can reach it');
      await upstream.stop();
    }

    step('offline: check the bundle at the transfer desk');
    const offline = hermeticGoEnv({ HOME: work, GOBUNDLE_CACHE: join(work, 'serve-cache') });
    run(process.execPath, [gobundle, 'verify', bundle, '--trust', join(work, 'demo-team.pub')], { cwd: root, env: offline });

    step('offline: serve it as a GOPROXY (with the checksum-database replay)');
    const started = await startServe(
      [bundle, '--trust', join(work, 'demo-team.pub'), '--listen', '127.0.0.1:0', '--no-access-log'],
      offline,
    );
    serve = started.child;

    step('offline: build the sample with the go command pointed only at gobundle (fresh cache, no go.sum, GOSUMDB on)');
    cpSync(sample, join(work, 'hello'), { recursive: true });
    const client = join(work, 'client');
    const goEnv = hermeticGoEnv({
      GOPROXY: started.url,
      GOSUMDB: upstream.sumdbVerifierKey,
      GOPATH: join(client, 'gopath'),
      GOMODCACHE: join(client, 'gopath', 'pkg', 'mod'),
      GOCACHE: join(client, 'gocache'),
      HOME: client,
    });
    const go = goBinary('1.23');
    const app = join(work, 'hello');
    run(go, ['mod', 'tidy'], { cwd: app, env: goEnv });
    run(go, ['build', '-o', join(work, 'hello-bin'), '.'], { cwd: app, env: goEnv });
    run(join(work, 'hello-bin'), [], { cwd: app, env: goEnv });
    step('done: built offline from the signed bundle, every module verified against the replayed checksum database');
  } finally {
    serve?.kill('SIGTERM');
    spawnSync('chmod', ['-R', 'u+w', work]);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
