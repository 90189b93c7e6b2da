/**
 * A project with public and private dependencies, end to end: `bin/gobundle
 * pack` takes the public modules from the test upstream (checked against
 * its checksum database) and the private ones (GOPRIVATE) from git
 * repositories served on 127.0.0.1; then upstream and git host are stopped
 * and `gobundle serve` alone feeds an offline Go 1.23 with fresh caches,
 * GOSUMDB on and GONOSUMDB/GOPRIVATE naming the private paths, which must
 * `go build ./...` and `go mod verify`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { goBinary, hermeticGoEnv } from '../support/gotool.js';
import { startServeProcess } from '../support/serveProcess.js';
import { startUpstream } from '../upstream/server.js';
import { hermeticGitEnv, startGitHost } from '../vcs/gitServer.js';
import { buildPrivateRepos, HOST } from '../vcs/privateRepos.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-private-e2e-'));
const run = promisify(execFile);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('a bundle of public and private modules builds offline', async () => {
  const gitEnv = hermeticGitEnv(join(work, 'home'));
  const host = await startGitHost(join(work, 'repos'), { ...process.env, ...gitEnv });
  buildPrivateRepos(work, host, { ...process.env, ...gitEnv });
  const upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
  let stopped = false;
  const project = join(work, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'go.mod'),
    `module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/greeting v1.1.0\n\t${HOST}/tagged v1.1.0\n\t${HOST}/mono/sub v0.3.0\n\t${HOST}/vtwo/v2 v2.1.0\n\t${HOST}/legacy v2.0.0+incompatible\n)\n`,
  );
  writeFileSync(
    join(project, 'main.go'),
    `package main\n\nimport (\n\t_ "example.com/greeting"\n\t_ "${HOST}/legacy"\n\t_ "${HOST}/mono/sub"\n\t_ "${HOST}/tagged"\n\t_ "${HOST}/vtwo/v2"\n)\n\nfunc main() {}\n`,
  );
  try {
    const packEnv = {
      ...hermeticGoEnv({
        GOPROXY: upstream.url,
        GOSUMDB: upstream.sumdbVerifierKey,
        GOPRIVATE: HOST,
        GOINSECURE: HOST,
        GOBUNDLE_CACHE: join(work, 'pack-cache'),
        HTTP_PROXY: host.proxyUrl,
        http_proxy: host.proxyUrl,
        NO_PROXY: '127.0.0.1',
        no_proxy: '127.0.0.1',
      }),
      ...gitEnv,
    };
    // Asynchronously: the git host answers from this process.
    await run(
      process.execPath,
      [bin, 'pack', project, '-o', join(work, 'deps.tgz'), '--unsigned', '--quiet', `--write-gosum=${join(work, 'go.sum')}`],
      {
        cwd: work,
        env: packEnv,
        timeout: 300_000,
      },
    );
    // plan resolves the private modules through git too, and agrees with the go command (GOPROXY=<upstream>, GOPRIVATE from git).
    const plan = await run(process.execPath, [bin, 'plan', project], {
      cwd: work,
      env: { ...packEnv, GOFLAGS: '-mod=mod' },
      timeout: 300_000,
    });
    const goList = await run(goBinary('1.23'), ['list', '-m', 'all'], {
      cwd: project,
      env: { ...packEnv, GOFLAGS: '-mod=mod', GOPATH: join(work, 'oracle-gopath'), GOMODCACHE: join(work, 'oracle-gopath', 'pkg', 'mod') },
      timeout: 300_000,
    });
    expect(plan.stdout).toContain(`${HOST}/tagged v1.1.0\n`);
    expect(plan.stdout).toBe(goList.stdout);
    const gosum = readFileSync(join(work, 'go.sum'), 'utf8');
    expect(gosum).toContain(`${HOST}/tagged v1.1.0 h1:`);
    expect(gosum).toContain(`${HOST}/legacy v2.0.0+incompatible/go.mod h1:`);
    const manifest = JSON.parse((await run('tar', ['-xzOf', join(work, 'deps.tgz'), 'gobundle/manifest.json'])).stdout) as {
      modules: { path: string; private?: true }[];
    };
    expect(
      manifest.modules
        .filter((m) => m.private === true)
        .map((m) => m.path)
        .sort(),
    ).toEqual([`${HOST}/legacy`, `${HOST}/mono/sub`, `${HOST}/tagged`, `${HOST}/vtwo/v2`]);
    expect(manifest.modules.find((m) => m.path === 'example.com/greeting')?.private).toBeUndefined();

    const sumdbKey = upstream.sumdbVerifierKey;
    await upstream.stop();
    await host.close();
    stopped = true;

    const serve = await startServeProcess(
      ['deps.tgz', '--allow-unsigned', '--sumdb-key', sumdbKey, '--listen', '127.0.0.1:0', '--cache-dir', join(work, 'serve-cache')],
      {
        cwd: work,
        env: hermeticGoEnv({ HOME: work }),
        timeoutMs: 60_000,
      },
    );
    try {
      const goEnv = hermeticGoEnv({
        GOPROXY: serve.url,
        GOSUMDB: sumdbKey,
        GONOSUMDB: HOST,
        // Private for the checksum database, but fetched from the bundle: GONOPROXY must not default to GOPRIVATE.
        GOPRIVATE: HOST,
        GONOPROXY: 'none.invalid',
        GOPATH: join(work, 'client-gopath'),
        GOMODCACHE: join(work, 'client-gopath', 'pkg', 'mod'),
        HOME: join(work, 'client-home'),
      });
      await run(goBinary('1.23'), ['build', './...'], { cwd: project, env: goEnv, timeout: 300_000 });
      const verify = await run(goBinary('1.23'), ['mod', 'verify'], { cwd: project, env: goEnv, timeout: 300_000 });
      expect(verify.stdout).toContain('all modules verified');
    } finally {
      serve.child.kill('SIGTERM');
    }
  } finally {
    if (!stopped) {
      await upstream.stop();
      await host.close();
    }
  }
}, 600_000);
