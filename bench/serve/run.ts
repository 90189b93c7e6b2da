/**
 * bench/serve: gobundle serve against nginx serving the same extracted tree.
 *
 *   npm run build && npx vite-node bench/serve/run.ts [--modules 200] [--seconds 10] [--rounds 5] [--workers <n|auto>] [--big-mb 1024] [--only-big] [--keep]
 *
 * (a) the real `go mod download all` with a fresh module cache, through each;
 * (b) throughput at 64 connections (wrk) for a 1 MB .zip and a .info;
 * (a) and (b) alternate gobundle and nginx --rounds times and print medians
 * with the spread, and the load average is printed at start and end: the
 * machine may be shared, so read the numbers with that in mind.
 * (c) with --big-mb N: start-up time and peak RSS of serve on an N MB bundle
 *     against `gunzip -c | sha256sum` of the same file.
 * Needs nginx and wrk (apt-get install -y nginx wrk). nginx runs with one
 * worker and gobundle is one process, or with --workers N|auto, nginx
 * `worker_processes N|auto` and `gobundle serve --workers N|auto`; both have
 * access logs off.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { goBinary, hermeticGoEnv, testCacheDir } from '../../test/support/gotool.js';
import { generateGraph } from '../../test/upstream/generate.js';
import { startUpstream } from '../../test/upstream/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const MODULES = arg('modules', 200);
const SECONDS = arg('seconds', 10);
const BIG_MB = arg('big-mb', 0);
const ROUNDS = arg('rounds', 5);
/** --only-big: skip (a) and (b). */
const ONLY_BIG = process.argv.includes('--only-big');
/** --workers: processes for both servers (nginx worker_processes, serve --workers). */
const WORKERS = ((): string => {
  const i = process.argv.indexOf('--workers');
  return i >= 0 ? (process.argv[i + 1] as string) : '1';
})();
/** The bare node:http rows compare one process with one nginx worker: measured with --workers 1 only. */
const FLOOR = WORKERS === '1';
/** --keep: leave the work directory (bundles, extracted tree) for a closer look. */
const KEEP = process.argv.includes('--keep');

function need(cmd: string, hint: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} not found: ${hint}`);
  return r.stdout.trim();
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function waitForLine(child: ChildProcess, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((res, rej) => {
    let out = '';
    const t = setTimeout(() => rej(new Error(`no ${re} within ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = re.exec(out);
      if (m !== null) {
        clearTimeout(t);
        res(m);
      }
    });
    child.once('exit', (code) => rej(new Error(`exited ${code}`)));
  });
}

/** SIGTERM and wait for the exit (bounded). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(res, 5_000);
    child.once('exit', () => {
      clearTimeout(t);
      res();
    });
    child.kill('SIGTERM');
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** `min–max` of xs, formatted by f: the spread tells the reader how noisy the machine was. */
function spread(xs: number[], f: (x: number) => string): string {
  return `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
}

/** The machine's 1/5/15-minute load average: printed so readers can judge the noise. */
function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

/** argv: <tree> <port>. Answers /bench.test/onemb/@v/v1.0.0.{info,zip} with the headers serve sends. */
const BARE_NODE_HTTP = `
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
const [tree, port] = process.argv.slice(-2);
const files = new Map();
for (const [name, type] of [['info', 'application/json'], ['zip', 'application/zip']]) {
  const path = '/bench.test/onemb/@v/v1.0.0.' + name;
  const body = readFileSync(tree + path);
  const etag = '"' + createHash('sha256').update(body).digest('hex') + '"';
  files.set(path, { body, headers: ['Content-Type', type, 'ETag', etag, 'Cache-Control', 'public, max-age=31536000, immutable', 'Accept-Ranges', 'bytes', 'Content-Length', String(body.length)] });
}
createServer((req, res) => {
  const f = files.get(req.url);
  if (f === undefined) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, f.headers);
  res.end(f.body);
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\\n'));
`;

function wrk(url: string): { rps: number; mbps: number } {
  const out = run('wrk', ['-t2', '-c64', `-d${SECONDS}s`, '--latency', url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const tr = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(out);
  const unit = tr?.[2] ?? 'MB';
  const mbps = Number(tr?.[1] ?? 0) * (unit === 'GB' ? 1024 : unit === 'KB' ? 1 / 1024 : unit === 'B' ? 1 / (1 << 20) : 1);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx !== null) throw new Error(`wrk ${url}: ${non2xx[1]} non-2xx responses`);
  return { rps, mbps };
}

async function main(): Promise<void> {
  console.log(`# ${new Date().toISOString()} load average ${load()} (${(await import('node:os')).cpus().length} cores)`);
  need('nginx', 'apt-get install -y nginx');
  need('wrk', 'apt-get install -y wrk');
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ missing: npm run build first');
  const work = mkdtempSync(join(tmpdir(), 'gobundle-bench-serve-'));
  // nginx workers run as an unprivileged user: they must be able to reach the tree.
  chmodSync(work, 0o755);
  const children: ChildProcess[] = [];
  process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
  try {
    if (ONLY_BIG) {
      await bigBundle(work, BIG_MB > 0 ? BIG_MB : 1024);
      return;
    }
    // The bundle: a generated graph plus a module with a 1 MB zip.
    console.log(`# generating a ${MODULES}-module graph and packing it`);
    const graph = generateGraph({ dir: join(work, 'graph'), seed: 11, modules: MODULES, padBytes: 4096, pathPrefix: 'gen.test/bench' });
    const oneMb = join(work, 'onemb');
    mkdirSync(join(oneMb, 'modules'), { recursive: true });
    writeFileSync(
      join(oneMb, 'modules', 'onemb_v1.0.0.txt'),
      'A 1 MB zip for the throughput bench.\nmodule=bench.test/onemb\nversion=v1.0.0\npad=1048576\n-- go.mod --\nmodule bench.test/onemb\n\ngo 1.21\n-- onemb.go --\npackage onemb\n',
    );
    mkdirSync(join(oneMb, 'main'));
    writeFileSync(join(oneMb, 'main', 'go.mod'), 'module bench.test/main\n\ngo 1.21\n\nrequire bench.test/onemb v1.0.0\n');
    writeFileSync(join(oneMb, 'main', 'main.go'), 'package main\n\nimport _ "bench.test/onemb"\n\nfunc main() {}\n');
    const upstream = await startUpstream({ modules: [graph.modulesDir, join(oneMb, 'modules')] });
    const env = hermeticGoEnv({
      GOPROXY: upstream.url,
      GOSUMDB: upstream.sumdbVerifierKey,
      HOME: work,
      GOBUNDLE_CACHE: join(work, 'pack-cache'),
    });
    run(process.execPath, [bin, 'keygen', 'bench', '--out-dir', work], { env });
    const t0 = performance.now();
    // Two bundles (served together: layering is part of what is measured).
    run(process.execPath, [bin, 'pack', graph.mainDir, '-o', join(work, 'bench.tgz'), '--sign-key', join(work, 'bench.key'), '--quiet'], {
      env,
      cwd: work,
    });
    run(
      process.execPath,
      [bin, 'pack', join(oneMb, 'main'), '-o', join(work, 'onemb.tgz'), '--sign-key', join(work, 'bench.key'), '--quiet'],
      { env, cwd: work },
    );
    console.log(
      `packed ${statSync(join(work, 'bench.tgz')).size} + ${statSync(join(work, 'onemb.tgz')).size} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    await upstream.stop();

    // gobundle serve (one process, no access log).
    const gbPort = await freePort();
    const gb = spawn(
      process.execPath,
      [
        bin,
        'serve',
        join(work, 'bench.tgz'),
        join(work, 'onemb.tgz'),
        '--trust',
        join(work, 'bench.pub'),
        '--listen',
        `127.0.0.1:${gbPort}`,
        '--no-access-log',
        '--cache-dir',
        join(work, 'serve-cache'),
        '--workers',
        WORKERS,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(gb);
    await waitForLine(gb, /listening on (\S+)\n/, 120_000);
    const gbUrl = `http://127.0.0.1:${gbPort}`;

    // nginx on the same extracted tree.
    // nginx gets one tree: both extracted bundles merged (their modules are disjoint).
    const extracted = join(work, 'nginx-root');
    for (const b of ['bench.tgz', 'onemb.tgz']) {
      cpSync(
        join(
          work,
          'serve-cache',
          createHash('sha256')
            .update(readFileSync(join(work, b)))
            .digest('hex'),
        ),
        extracted,
        { recursive: true },
      );
    }
    const ngPort = await freePort();
    const ngDir = join(work, 'nginx');
    mkdirSync(ngDir);
    const conf = join(ngDir, 'nginx.conf');
    writeFileSync(
      conf,
      `worker_processes ${WORKERS};\ndaemon off;\npid ${ngDir}/nginx.pid;\nerror_log ${ngDir}/error.log;\nevents { worker_connections 4096; }\n` +
        `http {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 1000000;\n  default_type application/octet-stream;\n` +
        `  client_body_temp_path ${ngDir}/body; proxy_temp_path ${ngDir}/proxy; fastcgi_temp_path ${ngDir}/fcgi; uwsgi_temp_path ${ngDir}/uwsgi; scgi_temp_path ${ngDir}/scgi;\n` +
        `  server {\n    listen 127.0.0.1:${ngPort};\n    root ${extracted};\n    location / { try_files $uri =404; }\n  }\n}\n`,
    );
    const ng = spawn(need('nginx', ''), ['-c', conf, '-p', ngDir], { stdio: 'inherit' });
    children.push(ng);
    const ngUrl = `http://127.0.0.1:${ngPort}`;
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${ngUrl}/bench.test/onemb/@v/v1.0.0.info`).catch(() => undefined);
      if (r?.status === 200) break;
      await new Promise((r2) => setTimeout(r2, 50));
    }

    // The floor of Node's http: a bare node:http server answering the same two files from memory
    // with the same headers and nothing else (no index, no metrics, no verification). What
    // gobundle serve loses against nginx beyond this is ours; what this loses is Node's.
    const floorPort = await freePort();
    const floor = spawn(process.execPath, ['--input-type=module', '-e', BARE_NODE_HTTP, extracted, String(floorPort)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(floor);
    await waitForLine(floor, /listening\n/, 30_000);
    const floorUrl = `http://127.0.0.1:${floorPort}`;

    // (a) go mod download all, fresh module cache each time, alternating.
    const project = join(work, 'project');
    cpSync(graph.mainDir, project, { recursive: true });
    const times = new Map<string, number[]>([
      ['gobundle', []],
      ['nginx', []],
    ]);
    for (let round = 0; round < ROUNDS; round++) {
      const order = [
        ['gobundle', gbUrl],
        ['nginx', ngUrl],
      ] as const;
      // Who goes first alternates too, so a burst of load elsewhere is shared.
      for (const [name, url] of round % 2 === 0 ? order : [...order].reverse()) {
        const gopath = join(work, `gopath-${name}-${round}`);
        const start = performance.now();
        run(goBinary('1.23'), ['mod', 'download', 'all'], {
          cwd: project,
          env: hermeticGoEnv({
            GOPROXY: url,
            GOSUMDB: 'off',
            GOPATH: gopath,
            GOMODCACHE: join(gopath, 'pkg', 'mod'),
            GOCACHE: join(testCacheDir(), 'gocache'),
            HOME: work,
          }),
        });
        times.get(name)?.push(performance.now() - start);
        rmSync(gopath, { recursive: true, force: true });
      }
    }
    const a1 = median(times.get('gobundle') ?? []);
    const a2 = median(times.get('nginx') ?? []);

    // (b) throughput, alternating gobundle and nginx, ROUNDS times.
    const zipPath = '/bench.test/onemb/@v/v1.0.0.zip';
    const infoPath = '/bench.test/onemb/@v/v1.0.0.info';
    const zipSize = statSync(join(extracted, zipPath)).size;
    const rps = new Map<string, number[]>([
      ['gb zip', []],
      ['ng zip', []],
      ['gb info', []],
      ['ng info', []],
      ['node zip', []],
      ['node info', []],
    ]);
    for (let round = 0; round < ROUNDS; round++) {
      rps.get('gb zip')?.push(wrk(gbUrl + zipPath).rps);
      rps.get('ng zip')?.push(wrk(ngUrl + zipPath).rps);
      rps.get('gb info')?.push(wrk(gbUrl + infoPath).rps);
      rps.get('ng info')?.push(wrk(ngUrl + infoPath).rps);
      if (FLOOR) {
        rps.get('node zip')?.push(wrk(floorUrl + zipPath).rps);
        rps.get('node info')?.push(wrk(floorUrl + infoPath).rps);
      }
    }
    const r = (k: string): number[] => rps.get(k) ?? [];
    const secs = (x: number): string => (x / 1000).toFixed(2);
    const n0 = (x: number): string => x.toFixed(0);
    const ratios = (a: number[], b: number[]): number[] => a.map((x, i) => x / (b[i] as number));
    const f2 = (x: number): string => x.toFixed(2);
    const gbTimes = times.get('gobundle') ?? [];
    const ngTimes = times.get('nginx') ?? [];

    console.log(
      `\n## gobundle serve --workers ${WORKERS} vs nginx worker_processes ${WORKERS}, same extracted tree, 127.0.0.1; medians of ${ROUNDS} alternated rounds [min–max]; load average now ${load()}`,
    );
    console.log(`| measure | gobundle | nginx | ratio (target) |`);
    console.log(`|---|---|---|---|`);
    console.log(
      `| go mod download all, ${MODULES}-module graph, fresh cache | ${secs(a1)} s [${spread(gbTimes, secs)}] | ${secs(a2)} s [${spread(ngTimes, secs)}] | ${f2(a1 / a2)}× time [per round ${spread(ratios(gbTimes, ngTimes), f2)}] (≤ 1.05) |`,
    );
    // The targets: a 1 MB zip at least as fast as nginx, a .info at 0.9 of it.
    for (const [label, k, target] of [
      [`${(zipSize / 1048576).toFixed(2)} MB .zip`, 'zip', 1.0],
      ['.info', 'info', 0.9],
    ] as const) {
      const g = r(`gb ${k}`);
      const n = r(`ng ${k}`);
      console.log(
        `| ${label}, 64 conns, ${SECONDS}s | ${n0(median(g))} req/s [${spread(g, n0)}] | ${n0(median(n))} req/s [${spread(n, n0)}] | ${f2(median(g) / median(n))}× [per round ${spread(ratios(g, n), f2)}] (≥ ${target}) |`,
      );
    }

    for (const [label, k] of FLOOR
      ? ([
          [`${(zipSize / 1048576).toFixed(2)} MB .zip`, 'zip'],
          ['.info', 'info'],
        ] as const)
      : []) {
      const b = r(`node ${k}`);
      const n = r(`ng ${k}`);
      console.log(
        `| ${label}, 64 conns, ${SECONDS}s, bare node:http from memory (one process; the floor of Node's http) | ${n0(median(b))} req/s [${spread(b, n0)}] | ${n0(median(n))} req/s [${spread(n, n0)}] | ${f2(median(b) / median(n))}× [per round ${spread(ratios(b, n), f2)}] |`,
      );
    }

    // nginx's master stops its worker on SIGTERM; a SIGKILL would leave the worker behind.
    await Promise.all([stop(gb), stop(ng), stop(floor)]);

    if (BIG_MB > 0) await bigBundle(work, BIG_MB);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    if (KEEP) console.log(`# kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** (c) A bundle of incompressible files of about `mb` MB: serve's start-up (verify + extract) and peak RSS. */
async function bigBundle(work: string, mb: number): Promise<void> {
  console.log(`\n# (c) building a ${mb} MB bundle (unsigned, --allow-unsigned)`);
  const FILE_MB = 8;
  const count = Math.ceil(mb / FILE_MB);
  const zeros = Buffer.alloc(1 << 20);
  const chunk = (i: number, j: number): Buffer => {
    // Deterministic incompressible bytes, fast: AES-128-CTR keystream keyed by (file, chunk).
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(i, 0);
    iv.writeUInt32BE(j, 4);
    return createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), iv).update(zeros);
  };
  const files: { name: string; size: number; sha256: string }[] = [];
  for (let i = 0; i < count; i++) {
    const h = createHash('sha256');
    for (let j = 0; j < FILE_MB; j++) h.update(chunk(i, j));
    files.push({ name: `big.test/m${String(i).padStart(4, '0')}/@v/v1.0.0.zip`, size: FILE_MB << 20, sha256: h.digest('hex') });
  }
  const manifest = `${JSON.stringify({ format: 'gobundle/v1', tool: 'bench', created: '1970-01-01T00:00:00Z', inputs: [], modules: [], sumdb: null, files }, null, 2)}\n`;
  const big = join(work, 'big.tgz');
  const pack = tar.pack();
  const writing = pipeline(pack, createGzip({ level: 1 }), createWriteStream(big));
  const add = (name: string, size: number, write: (s: NodeJS.WritableStream) => Promise<void>): Promise<void> =>
    new Promise((res, rej) => {
      const s = pack.entry({ name, size, mode: 0o644 }, (err) => (err ? rej(err) : res())) as unknown as NodeJS.WritableStream;
      void write(s).then(() => s.end(), rej);
    });
  await add('gobundle/manifest.json', Buffer.byteLength(manifest), async (s) => {
    s.write(manifest);
  });
  for (let i = 0; i < count; i++) {
    const f = files[i] as { name: string; size: number };
    await add(f.name, f.size, async (s) => {
      for (let j = 0; j < FILE_MB; j++) {
        if (!s.write(chunk(i, j))) await new Promise((r) => s.once('drain', () => r(undefined)));
      }
    });
  }
  pack.finalize();
  await writing;
  const size = statSync(big).size;
  console.log(`big bundle: ${(size / 1048576).toFixed(0)} MB compressed`);

  let t = performance.now();
  run('sh', ['-c', `gunzip -c ${big} | sha256sum`]);
  const baseline = performance.now() - t;

  t = performance.now();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [bin, 'serve', big, '--allow-unsigned', '--listen', `127.0.0.1:${port}`, '--no-access-log', '--cache-dir', join(work, 'big-cache')],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await waitForLine(child, /listening on/, 1_200_000);
  const startup = performance.now() - t;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
  child.kill('SIGTERM');
  console.log(`| measure | gobundle serve | gunzip -c \\| sha256sum | ratio (target) |`);
  console.log(`|---|---|---|---|`);
  console.log(
    `| start-up, ${(size / 1048576).toFixed(0)} MB bundle | ${(startup / 1000).toFixed(1)} s | ${(baseline / 1000).toFixed(1)} s | ${(startup / baseline).toFixed(2)}× (≤ 1.5) |`,
  );
  console.log(`| peak RSS | ${(Number(hwm) / 1024).toFixed(0)} MB | | (≤ 150 MB) |`);
}

await main();
