/**
 * `gobundle serve --workers 2` as an operator runs it (bin/gobundle, so
 * dist/ must be built): a worker that dies is reported as what it exited
 * with and what serve did, never as an internal error with a stack.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestBundle, moduleFiles, testKey, writeBundleFile } from '../bundle/testBundle.js';
import { startServeProcess } from '../support/serveProcess.js';

const bin = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-serve-workers-'));
const key = testKey('team');
/** Each serve its own cache (and so its own state directory, which one serve holds at a time). */
const env = (cache: string): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, GOENV: 'off', GOBUNDLE_CACHE: join(work, cache) });

beforeAll(async () => {
  writeFileSync(join(work, 'team.pub'), `${key.verifier}\n`);
  writeBundleFile(join(work, 'good.tgz'), await buildTestBundle(moduleFiles('example.com/a', 'v1.0.0'), key));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The pids of `parent`'s child processes. */
function children(parent: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

async function until(what: string, ok: () => boolean, log: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; serve wrote:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('serve --workers', () => {
  test('a worker killed while serving is replaced, and the event says so', async () => {
    const serve = await startServeProcess(['good.tgz', '--trust', 'team.pub', '--listen', '127.0.0.1:0', '--workers', '2'], {
      cwd: work,
      env: env('c1'),
      timeoutMs: 30_000,
    });
    try {
      const pid = serve.child.pid as number;
      const [victim] = children(pid);
      expect(victim, 'a worker process').toBeDefined();
      process.kill(victim as number, 'SIGKILL');
      await until('the replacement event', () => serve.stderr().includes('exited with'), serve.stderr);
      expect(serve.stderr()).toContain(`gobundle: serve: worker ${victim} exited with signal SIGKILL: started another\n`);
      await until('a replacement worker', () => children(pid).length === 2 && !children(pid).includes(victim as number), serve.stderr);
      const r = await fetch(`${serve.url}/example.com/a/@v/v1.0.0.mod`, { signal: AbortSignal.timeout(10_000) });
      expect(r.status).toBe(200);
      expect(serve.stderr()).not.toMatch(/internal error/);
      // And the serve with a replaced worker still stops as one that never lost one: SIGTERM, drain, exit 0.
      const exited = new Promise<number | null>((r) => serve.child.once('exit', r));
      serve.child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
      expect(code, serve.stderr()).toBe(0);
      expect(serve.stderr()).toMatch(/gobundle: serve: shutting down: draining in-flight requests\ngobundle: serve: stopped\n$/);
    } finally {
      if (serve.child.exitCode === null && serve.child.signalCode === null) {
        const exited = new Promise((r) => serve.child.once('exit', r));
        serve.child.kill('SIGKILL');
        await exited;
      }
    }
  }, 60_000);

  test('workers that cannot listen: exit 1, each death named, no stack', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const child = spawn(
        process.execPath,
        [bin, 'serve', 'good.tgz', '--trust', 'team.pub', '--listen', `127.0.0.1:${port}`, '--workers', '2'],
        { cwd: work, env: env('c2'), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code, stderr).toBe(1);
      expect(stderr).toContain(`gobundle: serve --listen 127.0.0.1:${port}: address already in use\n`);
      // The other worker's own message may come before or after: the two processes write to one stderr.
      expect(stderr).toMatch(
        /\ngobundle: serve: worker \d+ exited with code 1: before listening; serve stopped\nhint: the worker's own message is above; --workers 1 runs serve in one process, where the same failure is reported directly\n/,
      );
      expect(stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  }, 60_000);
});
