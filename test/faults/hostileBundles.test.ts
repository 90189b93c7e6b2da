/**
 * Bundles that are hostile even when signed by a trusted key or accepted
 * with --allow-unsigned: a gzip bomb, a tar with a huge PAX header, millions
 * of tiny entries, a manifest listing a million files. Each is written
 * streaming (gzip members repeated, never the expanded bytes in memory);
 * `gobundle verify` and `gobundle serve` run as child processes whose peak
 * RSS (VmHWM in /proc/<pid>/status) must stay under a bound, and refuse
 * with a message naming the limit.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../src/bundle/bundleManifest.js';
import { MAX_TAR_SPECIAL_HEADER_BYTES } from '../../src/bundle/tarGuard.js';
import { signNote, testKey, testManifest, type TestFile } from '../bundle/testBundle.js';
import { tempDir } from '../pack/packHarness.js';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';

const work = tempDir('hostile');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const bin = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'gobundle');
const key = testKey('team');
writeFileSync(join(work, 'team.pub'), `${key.verifier}\n`);
/** Peak RSS allowed to a verify or serve refusing a hostile bundle (the largest buffer is one MAX_MANIFEST_BYTES manifest). */
const MAX_RSS_BYTES = 300 << 20;

/** A ustar header block (the writer in tar-stream is not exported). */
function tarHeader(name: string, size: number, type = '0'): Buffer {
  const b = Buffer.alloc(512);
  b.write(name.slice(0, 100), 0, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write('14401234567\0', 136);
  b.write('        ', 148);
  b.write(type, 156);
  b.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}
const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);
const entry = (name: string, data: Buffer | string, type = '0'): Buffer => {
  const d = Buffer.from(data);
  return Buffer.concat([tarHeader(name, d.length, type), d, pad(d.length)]);
};

/** manifest.json and manifest.sig (signed by the trusted key) listing `files`, as tar bytes. */
function signedHead(files: TestFile[]): Buffer {
  const manifest = testManifest(files);
  const note = signNote(`gobundle manifest v1\n${createHash('sha256').update(manifest).digest('hex')}\n`, key);
  return Buffer.concat([entry('gobundle/manifest.json', manifest), entry('gobundle/manifest.sig', note)]);
}

/** Write a .tgz of gzip members: `head` once, then `member` (already gzipped) `times` times, then `tail`. */
function writeMembers(file: string, head: Buffer, member: Buffer, times: number, tail: Buffer = Buffer.alloc(1024)): string {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, gzipSync(head));
    for (let i = 0; i < times; i++) writeSync(fd, member);
    writeSync(fd, gzipSync(tail));
  } finally {
    closeSync(fd);
  }
  return file;
}

const files: TestFile[] = [{ name: 'example.com/a/@v/list', data: 'v1.0.0\n' }];

/** Run a gobundle command; sample its VmHWM until it exits (bounded by timeoutMs). */
function runMeasured(
  args: string[],
  until: (stderr: string) => boolean,
  timeoutMs = 120_000,
): Promise<{ code: number | null; stderr: string; peakRss: number }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: work,
      env: { ...process.env, GOENV: 'off', GOSUMDB: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let peak = 0;
    const sample = (): void => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m !== null) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        // exited between samples
      }
    };
    const timer = setInterval(() => {
      sample();
      if (until(stderr)) child.kill('SIGTERM');
    }, 20);
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      sample();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(timer);
      clearTimeout(killer);
      resolveRun({ code, stderr, peakRss: peak });
    });
  });
}

const zeros = gzipSync(Buffer.alloc(1 << 20), { level: 9 });
const cases: [string, () => string, string][] = [
  [
    'a gzip bomb: 8 MiB expanding to 4 GiB',
    () => writeMembers(join(work, 'bomb.tgz'), Buffer.concat([signedHead(files), tarHeader('zeros', 4 * 1024 ** 3)]), zeros, 4096),
    'the archive expands to more than',
  ],
  [
    `a PAX header of 16 MiB (limit ${MAX_TAR_SPECIAL_HEADER_BYTES})`,
    () => writeMembers(join(work, 'pax.tgz'), Buffer.concat([signedHead(files), tarHeader('PaxHeader', 16 << 20, 'x')]), zeros, 16),
    `a tar PAX header of ${16 << 20} bytes (the limit is ${MAX_TAR_SPECIAL_HEADER_BYTES})`,
  ],
  [
    'a GNU long name of 16 MiB',
    () =>
      writeMembers(
        join(work, 'longname.tgz'),
        Buffer.concat([signedHead(files), tarHeader('././@LongLink', 16 << 20, 'L')]),
        gzipSync(Buffer.alloc(1 << 20, 'a')),
        16,
      ),
    `a tar GNU long-name header of ${16 << 20} bytes (the limit is ${MAX_TAR_SPECIAL_HEADER_BYTES})`,
  ],
  [
    '2,097,152 tiny entries',
    () =>
      writeMembers(
        join(work, 'tiny.tgz'),
        signedHead(files),
        gzipSync(Buffer.concat(Array.from({ length: 2048 }, (_, i) => tarHeader(`t/${i}`, 0)))),
        1024,
      ),
    'more than 1003 tar entries, more than its manifest lists',
  ],
  [
    'a manifest listing 1,000,000 files',
    () => {
      const one = `{"name":"example.com/m/@v/v1.0.0.info","size":0,"sha256":"${'e3'.repeat(32)}"},`;
      const block = Buffer.from(one.repeat(10_000));
      const size = block.length * 100 + 2;
      return writeMembers(
        join(work, 'million.tgz'),
        Buffer.concat([tarHeader('gobundle/manifest.json', size), Buffer.from('{"files":[')]),
        gzipSync(block),
        100,
      );
    },
    `gobundle/manifest.json: larger than ${MAX_MANIFEST_BYTES} bytes`,
  ],
];

describe('hostile bundles are refused with bounded memory and no disk', () => {
  test.each(cases)('verify: %s', { timeout: 180_000 }, async (_name, make, want) => {
    const file = make();
    for (const trustArgs of [['--trust', 'team.pub'], ['--allow-unsigned']]) {
      const res = await runMeasured(['verify', file, ...trustArgs], () => false);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr.startsWith(`gobundle: ${file}: ${want}`), res.stderr).toBe(true);
      expect(res.stderr.endsWith('\ngobundle: verify: 1 problem in 1 bundle\n'), res.stderr).toBe(true);
      expect(res.peakRss, `peak RSS of verify ${trustArgs.join(' ')}: ${res.peakRss} bytes`).toBeLessThan(MAX_RSS_BYTES);
      expect(res.peakRss).toBeGreaterThan(0);
    }
    rmSync(file);
  });

  test.each(cases)('serve: %s', { timeout: 180_000 }, async (name, make, want) => {
    const file = make();
    const cache = join(work, `serve-cache-${name.length}`);
    const res = await runMeasured(['serve', file, '--allow-unsigned', '--listen', '127.0.0.1:0', '--cache-dir', cache], (stderr) =>
      stderr.includes(want),
    );
    expect(res.stderr).toContain(want);
    expect(res.peakRss, `peak RSS of serve: ${res.peakRss} bytes`).toBeLessThan(MAX_RSS_BYTES);
    // Nothing extracted under a final name: only the (removed or empty) work area is left.
    const left = readdirSync(cache, { recursive: true })
      .map(String)
      .filter((f) => /^[0-9a-f]{64}(\/|$)/.test(f));
    expect(left, 'extracted files left by a refused bundle').toEqual([]);
    rmSync(file);
  });
});
