import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, test } from 'vitest';
import { READ_AHEAD_FILES, writeBundle, type BundleFileSource } from '../../src/bundle/writer.js';

const longName = `example.com/${'a'.repeat(120)}/@v/v1.0.0.zip`;
const files = [
  { name: 'example.com/m/@v/v1.0.0.mod', data: 'module example.com/m\n' },
  { name: longName, data: 'zip bytes' },
  { name: 'example.com/m/@v/list', data: 'v1.0.0\n' },
];
const source = (f: { name: string; data: string }) => ({
  name: f.name,
  size: Buffer.byteLength(f.data),
  open: () => Readable.from([Buffer.from(f.data)]),
});

async function entries(bundle: string) {
  const out: { header: tar.Header; body: string }[] = [];
  const extract = tar.extract();
  createReadStream(bundle).pipe(createGunzip()).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.push({ header: entry.header, body: Buffer.concat(chunks).toString() });
  }
  return out;
}

describe('writeBundle', () => {
  test('manifest, signature, then files sorted by name, with fixed headers; same input, same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gobundle-writer-'));
    const mtime = new Date('2023-03-04T05:06:07Z');
    const args = { manifest: Buffer.from('{}\n'), signature: Buffer.from('sig\n'), files: files.map(source), mtime };
    const a = await writeBundle(join(dir, 'a.tgz'), args);
    const b = await writeBundle(join(dir, 'b.tgz'), { ...args, files: [...files].reverse().map(source) });
    expect(a.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(dir, 'a.tgz')))
        .digest('hex'),
    );
    expect(b.sha256, 'order of sources changed the bytes').toBe(a.sha256);
    const got = await entries(join(dir, 'a.tgz'));
    expect(got.map((e) => e.header.name)).toEqual([
      'gobundle/manifest.json',
      'gobundle/manifest.sig',
      longName,
      'example.com/m/@v/list',
      'example.com/m/@v/v1.0.0.mod',
    ]);
    for (const e of got) {
      expect(e.header).toMatchObject({ type: 'file', mode: 0o644, uid: 0, gid: 0, uname: '', gname: '' });
      expect(e.header.mtime?.toISOString()).toBe('2023-03-04T05:06:07.000Z');
    }
    expect(got[2]?.body).toBe('zip bytes');
  });

  test('a failing source leaves nothing at the target and no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gobundle-writer-'));
    const bad = { name: 'x/@v/v1.0.0.zip', size: 100, open: () => Readable.from([Buffer.from('short')]) };
    await expect(
      writeBundle(join(dir, 'out.tgz'), { manifest: Buffer.from('{}\n'), signature: undefined, files: [bad], mtime: new Date(0) }),
    ).rejects.toThrow();
    expect(existsSync(join(dir, 'out.tgz'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('files read whole ahead of the tar give the same bytes as streamed ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gobundle-writer-'));
    // More files than the read-ahead window, with some streamed ones in between.
    const many = Array.from({ length: READ_AHEAD_FILES * 3 }, (_, i) => ({
      name: `example.com/m${String(i).padStart(4, '0')}/@v/v1.0.0.mod`,
      data: `module m${i}\n`.repeat(i % 7),
    }));
    const streamed = many.map(source);
    const whole = many.map((f, i): BundleFileSource => (i % 5 === 0 ? source(f) : { ...source(f), read: async () => Buffer.from(f.data) }));
    const args = { manifest: Buffer.from('{}\n'), signature: undefined, mtime: new Date(0) };
    const a = await writeBundle(join(dir, 'a.tgz'), { ...args, files: streamed });
    const b = await writeBundle(join(dir, 'b.tgz'), { ...args, files: whole });
    expect(b.sha256, 'read() changed the bytes').toBe(a.sha256);
    const got = await entries(join(dir, 'b.tgz'));
    expect(got.slice(1).map((e) => e.body)).toEqual(many.map((f) => f.data));
  });

  test.each([
    ['read() fails', async (): Promise<Uint8Array> => Promise.reject(new Error('content changed on disk'))],
    ['read() returns fewer bytes than the size', async (): Promise<Uint8Array> => Buffer.from('short')],
  ])('%s: nothing at the target and no temp file', async (_name, read) => {
    const dir = mkdtempSync(join(tmpdir(), 'gobundle-writer-'));
    const good = { ...source({ name: 'a/@v/v1.0.0.mod', data: 'module a\n' }), read: async () => Buffer.from('module a\n') };
    const bad = { name: 'x/@v/v1.0.0.mod', size: 100, open: () => Readable.from([Buffer.alloc(100)]), read };
    await expect(
      writeBundle(join(dir, 'out.tgz'), { manifest: Buffer.from('{}\n'), signature: undefined, files: [good, bad], mtime: new Date(0) }),
    ).rejects.toThrow();
    expect(existsSync(join(dir, 'out.tgz'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
