/**
 * `gobundle serve` in-process: refusals before the port opens (exit 1/2 via
 * runCli), and a running server (serveCommand with an AbortSignal instead of
 * SIGTERM) with --base-path, TLS-less defaults and JSON logs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serveCommand, type ServeCliOptions } from '../../src/cli/serve.js';
import { buildTestBundle, moduleFiles, testKey, writeBundleFile } from '../bundle/testBundle.js';
import { runCli } from './runCli.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-serve-cli-'));
const key = testKey('team');
let good: string;

beforeAll(async () => {
  writeFileSync(join(work, 'team.pub'), `${key.verifier}\n`);
  writeFileSync(join(work, 'other.pub'), `${testKey('other').verifier}\n`);
  writeFileSync(join(work, 'bad.pem'), 'not a certificate\n');
  writeFileSync(join(work, 'bad.key'), 'not a key\n');
  good = writeBundleFile(join(work, 'good.tgz'), await buildTestBundle(moduleFiles('example.com/a', 'v1.0.0'), key));
  writeBundleFile(
    join(work, 'traversal.tgz'),
    await buildTestBundle(moduleFiles('example.com/a', 'v1.0.0'), key, { extraEntries: [{ header: { name: '../../x' }, data: 'x' }] }),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const env = (): NodeJS.ProcessEnv => ({ GOENV: 'off', GOBUNDLE_CACHE: join(work, 'cache') });

describe('gobundle serve refuses before listening', () => {
  test.each([
    [
      ['serve', 'good.tgz', '--trust', 'other.pub'],
      1,
      /^gobundle: bundle .*good\.tgz: gobundle\/manifest\.sig: signature not verified by any trusted key/,
    ],
    [
      ['serve', 'traversal.tgz', '--trust', 'team.pub'],
      1,
      /^gobundle: bundle .*traversal\.tgz: "\.\.\/\.\.\/x": unsafe name: "\.\." path element\n$/,
    ],
    [['serve', 'missing.tgz', '--trust', 'team.pub'], 1, /^gobundle: bundle .*missing\.tgz: cannot read: no such file or directory\n$/],
    [['serve', 'good.tgz'], 2, /^gobundle: serve: no --trust key given\n/],
    [['serve', '--trust', 'team.pub'], 2, /^gobundle: serve: no bundles given\n/],
    [['serve', 'good.tgz', '--trust', 'team.pub', '--listen', 'nope'], 2, /^gobundle: serve: --listen "nope": want HOST:PORT\n$/],
    [['serve', 'good.tgz', '--trust', 'team.pub', '--log-format', 'xml'], 2, /^gobundle: serve: --log-format "xml": want text or json\n$/],
    [
      ['serve', 'good.tgz', '--trust', 'team.pub', '--workers', '0'],
      2,
      /^gobundle: serve: --workers "0": want a count from 1 to 64 or auto\n$/,
    ],
    [
      ['serve', 'good.tgz', '--trust', 'team.pub', '--workers', 'many'],
      2,
      /^gobundle: serve: --workers "many": want a count from 1 to 64 or auto\n$/,
    ],
    [['serve', 'good.tgz', '--trust', 'team.pub', '--tls-cert', 'x.pem'], 2, /^gobundle: serve: --tls-cert and --tls-key go together\n$/],
    [
      ['serve', 'good.tgz', '--trust', 'team.pub', '--tls-cert', 'missing.pem', '--tls-key', 'bad.key'],
      1,
      /^gobundle: serve --tls-cert missing\.pem: cannot read: no such file or directory\nhint: give --tls-cert the PEM certificate \(chain\) and --tls-key its PEM private key, both readable by the user serve runs as\n$/,
    ],
    [
      ['serve', 'good.tgz', '--trust', 'team.pub', '--tls-cert', 'bad.pem', '--tls-key', 'missing.key'],
      1,
      /^gobundle: serve --tls-key missing\.key: cannot read: no such file or directory\nhint: give --tls-cert/,
    ],
    [
      ['serve', 'good.tgz', '--trust', 'team.pub', '--tls-cert', 'bad.pem', '--tls-key', 'bad.key'],
      1,
      /^gobundle: serve --tls-cert bad\.pem --tls-key bad\.key: not a usable certificate and key: [^\n]+\nhint: give --tls-cert[^\n]+\n$/,
    ],
  ])('%j → exit %i', async (args, code, stderr) => {
    const r = await runCli(args, { cwd: work, env: env() });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(stderr);
    expect(r.code).toBe(code);
  });
});

function sink(): { stream: Writable; text: () => string } {
  let s = '';
  return {
    stream: new Writable({
      write(c: Buffer, _e, cb) {
        s += c.toString();
        cb();
      },
    }),
    text: () => s,
  };
}

describe('gobundle serve cannot listen', () => {
  test('an address in use: exit 1, the address named, no stack', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const r = await runCli(['serve', 'good.tgz', '--trust', 'team.pub', '--listen', `127.0.0.1:${port}`], { cwd: work, env: env() });
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(
        r.stderr.endsWith(
          `\ngobundle: serve --listen 127.0.0.1:${port}: address already in use\nhint: another process listens there: stop it, or give serve another --listen\n`,
        ),
        r.stderr,
      ).toBe(true);
      expect(r.code).toBe(1);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});

describe('gobundle serve running', () => {
  test('prints one listening line, serves under --base-path, logs JSON, stops on abort', async () => {
    const out = sink();
    const err = sink();
    const stop = new AbortController();
    const opts: ServeCliOptions = {
      listen: '127.0.0.1:0',
      trust: ['team.pub'],
      basePath: '/goproxy/',
      logFormat: 'json',
      accessLog: true,
      cacheDir: join(work, 'c2'),
    };
    const done = serveCommand([good], opts, { stdout: out.stream, stderr: err.stream, env: env(), cwd: work }, stop.signal);
    const deadline = Date.now() + 10_000;
    while (!out.text().includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(out.text());
    expect(m, out.text()).not.toBeNull();
    const url = (m as RegExpExecArray)[1] as string;
    const r = await fetch(`${url}/goproxy/example.com/a/@v/v1.0.0.mod`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('module example.com/a\n');
    const outside = await fetch(`${url}/example.com/a/@v/v1.0.0.mod`);
    expect(outside.status).toBe(404);
    stop.abort();
    await done;
    const lines = err
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.path === '/goproxy/example.com/a/@v/v1.0.0.mod' && l.status === 200)).toBe(true);
    expect(lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('loaded '))).toBe(true);
    expect(lines.at(-1)?.msg).toBe('stopped');
    expect(out.text().split('\n')).toHaveLength(2);
  });
});
