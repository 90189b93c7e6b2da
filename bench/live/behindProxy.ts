/**
 * `npm run live`: gobundle behind a company proxy, against this machine's
 * real module mirror (the first entry of `go env GOPROXY`), next to the go
 * command. Needs root (a network namespace) and a mirror; not part of
 * `npm test`.
 *
 * Each command runs in its own network namespace with only loopback, where
 * the one way out is a forward proxy (test/support/forwardProxy.ts, running
 * outside, reached over a Unix socket): no DNS, no route, so the mirror's
 * name resolves only through the proxy, as on a machine whose every
 * connection out must go through one. The go command runs
 * `go mod download all` in a small real project; gobundle runs plan, pack
 * and doctor with the same environment. Printed: each command's exit
 * status and the requests that went through the proxy. The mirror's host
 * name is printed as mirror.example.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startForwardProxy } from '../../test/support/forwardProxy.js';

const root = resolve(import.meta.dirname, '..', '..');
const goBin = spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).stdout.trim() || '/usr/local/go/bin/go';
const mirror = (spawnSync(goBin, ['env', 'GOPROXY'], { encoding: 'utf8' }).stdout.trim().split(/[,|]/)[0] ?? '').trim();
if (!/^https?:\/\//.test(mirror))
  throw new Error(`go env GOPROXY does not start with a mirror URL (${mirror === '' ? 'empty' : 'something else'})`);
const mirrorHost = new URL(mirror).host;
const hide = (s: string): string => s.replaceAll(mirrorHost, 'mirror.example');

const work = mkdtempSync(join(tmpdir(), 'gobundle-live-'));
const project = join(work, 'app');
mkdirSync(project);
writeFileSync(
  join(project, 'go.mod'),
  'module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgolang.org/x/text v0.14.0\n)\n',
);
writeFileSync(
  join(project, 'main.go'),
  'package main\n\nimport (\n\t_ "github.com/google/uuid"\n\t_ "golang.org/x/text/language"\n)\n\nfunc main() {}\n',
);

const proxy = await startForwardProxy({ resolveUnknown: true });
const socket = join(work, 'proxy.sock');
const bridge: Server = createServer((c) => {
  const p = connect(proxy.port, '127.0.0.1');
  c.pipe(p).pipe(c);
  c.on('error', () => p.destroy());
  p.on('error', () => c.destroy());
});
await new Promise<void>((done) => bridge.listen(socket, done));

/** Inside the namespace: 127.0.0.1:3128 is the proxy, through the Unix socket. */
const inner = `require('net').createServer((c) => { const p = require('net').connect(${JSON.stringify(socket)}); c.pipe(p).pipe(c); c.on('error', () => p.destroy()); p.on('error', () => c.destroy()); }).listen(3128, '127.0.0.1');`;
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: work,
  SSL_CERT_FILE: process.env.SSL_CERT_FILE,
  SSL_CERT_DIR: process.env.SSL_CERT_DIR,
  GOENV: 'off',
  GOPROXY: process.env.GOPROXY ?? spawnSync(goBin, ['env', 'GOPROXY'], { encoding: 'utf8' }).stdout.trim(),
  GOFLAGS: '-mod=mod',
  GOTOOLCHAIN: 'local',
  GOPATH: join(work, 'gopath'),
  GOMODCACHE: join(work, 'gomodcache'),
  GOCACHE: join(work, 'gocache'),
  HTTPS_PROXY: 'http://127.0.0.1:3128',
  HTTP_PROXY: 'http://127.0.0.1:3128',
  NO_PROXY: '',
  GOBUNDLE_CACHE: join(work, 'gobundle-cache'),
};

async function run(name: string, argv: string[]): Promise<void> {
  const before = proxy.log.length;
  const script = `ip link set lo up; node -e ${JSON.stringify(inner)} & sleep 0.5; cd ${JSON.stringify(project)}; ${argv.map((a) => JSON.stringify(a)).join(' ')}; status=$?; kill %1; exit $status`;
  const t0 = Date.now();
  const res = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn('unshare', ['-n', 'bash', '-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const entries = proxy.log.slice(before);
  const targets = new Map<string, number>();
  for (const e of entries) {
    const key = `${e.method === 'CONNECT' ? 'CONNECT ' : ''}${hide(e.method === 'CONNECT' ? e.target : new URL(e.target).host)} ${e.status}`;
    targets.set(key, (targets.get(key) ?? 0) + 1);
  }
  console.log(`\n== ${name}: exit ${res.status}, ${seconds}s, ${entries.length} connections through the proxy`);
  for (const [k, n] of targets) console.log(`   ${n} x ${k}`);
  const out = hide(`${res.stdout}${res.stderr}`).trim();
  if (out !== '')
    console.log(
      out
        .split('\n')
        .map((l) => `   | ${l}`)
        .join('\n'),
    );
}

const gobundle = ['node', join(root, 'bin', 'gobundle')];
try {
  await run('go mod download all (Go at PATH)', [goBin, 'mod', 'download', 'all']);
  await run('gobundle plan', [...gobundle, 'plan']);
  // A module cache of its own: the go command's, just filled, would be reused and nothing fetched.
  await run('gobundle pack', [
    'env',
    `GOMODCACHE=${join(work, 'empty-gomodcache')}`,
    ...gobundle,
    'pack',
    '-o',
    join(work, 'bundle.tgz'),
    '--unsigned',
  ]);
  await run('gobundle doctor', [...gobundle, 'doctor']);
  await run('gobundle pack, NO_PROXY covering the mirror (must fail like go)', [
    'env',
    `NO_PROXY=${mirrorHost}`,
    ...gobundle,
    'pack',
    '-o',
    join(work, 'x.tgz'),
    '--unsigned',
    '--quiet',
  ]);
  await run('go mod download all, NO_PROXY covering the mirror', [
    'env',
    `NO_PROXY=${mirrorHost}`,
    `GOMODCACHE=${join(work, 'gomodcache2')}`,
    goBin,
    'mod',
    'download',
    'all',
  ]);
} finally {
  bridge.close();
  await proxy.close();
  rmSync(work, { recursive: true, force: true });
}
