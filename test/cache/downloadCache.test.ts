import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, test } from 'vitest';
import { cacheLayout, DownloadCache, INLINE_MAX_BYTES, SMALL_MEMORY_MAX_BYTES } from '../../src/cache/downloadCache.js';
import { goModCacheFile, reuseFromGoModCache } from '../../src/cache/goModCache.js';
import { hashGoMod } from '../../src/gomod/dirhash.js';
import { hashZip } from '../../src/modzip/hashZip.js';
import { tinyZip } from '../pack/tinyZip.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'gobundle-cache-'));
const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

describe('DownloadCache', () => {
  test('content is stored under its sha256 and found through the index', async () => {
    const cache = new DownloadCache(fresh());
    const key = { path: 'example.com/m', version: 'v1.0.0', kind: 'mod' as const };
    expect(await cache.get(key)).toBeUndefined();
    const content = await cache.putBytes(Buffer.from('module example.com/m\n'));
    expect(content).toEqual({ sha256: sha('module example.com/m\n'), size: 21 });
    expect(existsSync(cacheLayout.content(cache.dir, content.sha256))).toBe(true);
    await cache.setIndex(key, content, hashGoMod('module example.com/m\n'));
    const entry = await cache.get(key);
    expect(entry).toEqual({ key: 'example.com/m@v1.0.0.mod', ...content, h1: hashGoMod('module example.com/m\n') });
    expect((await cache.read(entry!)).toString()).toBe('module example.com/m\n');
    expect(readdirSync(cacheLayout.tmp(cache.dir))).toEqual([]);
  });

  test('content changed on disk is refused on read', async () => {
    const cache = new DownloadCache(fresh());
    const key = { path: 'example.com/m', version: 'v1.0.0', kind: 'info' as const };
    const entry = await cache.setIndex(key, await cache.putBytes(Buffer.from('{"Version":"v1.0.0"}')));
    writeFileSync(cache.contentPath(entry.sha256), '{"Version":"v6.6.6"}');
    await expect(cache.read(entry)).rejects.toThrow(`example.com/m@v1.0.0.info: content changed on disk`);
    await expect(text(cache.openVerified(entry))).rejects.toThrow('content changed on disk');
  });

  test('an entry whose content is missing or truncated is a miss', async () => {
    const cache = new DownloadCache(fresh());
    const key = { path: 'example.com/m', version: 'v1.0.0', kind: 'info' as const };
    const entry = await cache.setIndex(key, await cache.putBytes(Buffer.from('{"Version":"v1.0.0"}')));
    writeFileSync(cache.contentPath(entry.sha256), '{');
    expect(await cache.get(key)).toBeUndefined();
  });
});

describe('DownloadCache inline entries', () => {
  const key = { path: 'example.com/m', version: 'v1.0.0', kind: 'mod' as const };
  const data = 'module example.com/m\n';

  test('a small file is stored in its index entry: one index file, nothing in the content store', async () => {
    const cache = new DownloadCache(fresh());
    const entry = await cache.putSmall(key, Buffer.from(data), hashGoMod(data));
    expect(entry).toEqual({ key: 'example.com/m@v1.0.0.mod', sha256: sha(data), size: 21, h1: hashGoMod(data), inline: true });
    expect(await cache.get(key)).toEqual(entry);
    expect((await cache.read(entry)).toString()).toBe(data);
    expect(await text(cache.openVerified(entry))).toBe(data);
    expect(existsSync(join(cache.dir, 'content'))).toBe(false);
    expect(readdirSync(cacheLayout.tmp(cache.dir))).toEqual([]);
  });

  test.each([
    [
      'same length, other bytes',
      (stored: Record<string, unknown>) => ({ ...stored, data: Buffer.from('module example.com/X\n').toString('base64') }),
      'read',
    ],
    ['shorter than recorded', (stored: Record<string, unknown>) => ({ ...stored, data: Buffer.from('module').toString('base64') }), 'miss'],
    ['no data', (stored: Record<string, unknown>) => ({ ...stored, data: undefined }), 'miss'],
  ])('inline bytes changed on disk (%s) are refused', async (_name, change, how) => {
    const cache = new DownloadCache(fresh());
    const entry = await cache.putSmall(key, Buffer.from(data), hashGoMod(data));
    const file = cacheLayout.index(cache.dir, entry.key);
    writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)));
    // The instance that wrote the bytes keeps them in memory for its run: a later run reads the disk.
    expect(await cache.read(entry)).toEqual(Buffer.from(data));
    const later = new DownloadCache(cache.dir);
    if (how === 'miss') expect(await later.get(key)).toBeUndefined();
    else expect(await later.get(key)).toEqual(entry);
    await expect(later.read(entry)).rejects.toThrow('example.com/m@v1.0.0.mod: content changed on disk');
    await expect(text(later.openVerified(entry))).rejects.toThrow('content changed on disk');
  });

  test('small files kept in memory stay within SMALL_MEMORY_MAX_BYTES; past it, reads go to the disk and verify', async () => {
    const cache = new DownloadCache(fresh());
    const big = Buffer.alloc(INLINE_MAX_BYTES, 'x');
    const entries = [];
    for (let i = 0; i * INLINE_MAX_BYTES <= SMALL_MEMORY_MAX_BYTES; i++)
      entries.push(await cache.putSmall({ ...key, version: `v1.0.${i}` }, big));
    const last = entries[entries.length - 1] as (typeof entries)[number];
    const file = cacheLayout.index(cache.dir, last.key);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...stored, data: Buffer.alloc(INLINE_MAX_BYTES, 'y').toString('base64') }));
    await expect(cache.read(last)).rejects.toThrow(`${last.key}: content changed on disk`);
    expect(await cache.read(entries[0] as (typeof entries)[number])).toEqual(big);
  });

  test('putSmall refuses a file over INLINE_MAX_BYTES', async () => {
    const cache = new DownloadCache(fresh());
    await expect(cache.putSmall(key, Buffer.alloc(INLINE_MAX_BYTES + 1))).rejects.toThrow(RangeError);
  });

  test('a cache directory removed during a run is made again', async () => {
    const cache = new DownloadCache(fresh());
    await cache.putSmall(key, Buffer.from(data));
    rmSync(cache.dir, { recursive: true, force: true });
    const other = { ...key, version: 'v1.0.1' };
    const entry = await cache.putSmall(other, Buffer.from(data));
    expect(await cache.get(other)).toEqual(entry);
    const big = await cache.putBytes(Buffer.alloc(INLINE_MAX_BYTES + 1));
    expect(existsSync(cache.contentPath(big.sha256))).toBe(true);
  });
});

describe('reuseFromGoModCache', () => {
  const mod = { path: 'example.com/Up', version: 'v1.0.0' };
  const P = 'example.com/Up@v1.0.0/';
  function goModCache(): string {
    const dir = fresh();
    const zip = goModCacheFile(dir, { ...mod, kind: 'zip' });
    mkdirSync(dirname(zip), { recursive: true });
    writeFileSync(
      zip,
      tinyZip([
        { name: `${P}go.mod`, data: 'module example.com/Up\n' },
        { name: `${P}a.go`, data: 'package up\n' },
      ]),
    );
    writeFileSync(goModCacheFile(dir, { ...mod, kind: 'mod' }), 'module example.com/Up\n');
    writeFileSync(goModCacheFile(dir, { ...mod, kind: 'info' }), '{"Version":"v1.0.0"}');
    return dir;
  }

  test('escaped layout', () => {
    expect(goModCacheFile('/g', { ...mod, kind: 'zip' })).toBe('/g/cache/download/example.com/!up/@v/v1.0.0.zip');
  });

  test('verified files are copied into the cache', async () => {
    const gmc = goModCache();
    const cache = new DownloadCache(fresh());
    const zipH1 = await hashZip(goModCacheFile(gmc, { ...mod, kind: 'zip' }));
    const zip = await reuseFromGoModCache(cache, gmc, { ...mod, kind: 'zip' }, [zipH1]);
    expect(zip?.h1).toBe(zipH1);
    const m = await reuseFromGoModCache(cache, gmc, { ...mod, kind: 'mod' }, []);
    expect(m?.h1).toBe(hashGoMod('module example.com/Up\n'));
    expect(await reuseFromGoModCache(cache, gmc, { ...mod, kind: 'info' }, [])).toBeDefined();
    expect(await cache.get({ ...mod, kind: 'zip' })).toEqual(zip);
  });

  test.each<[string, 'zip' | 'mod', (gmc: string) => void, string[]]>([
    ['zip disagreeing with go.sum', 'zip', () => undefined, ['h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']],
    [
      'zip disagreeing with .ziphash',
      'zip',
      (g) => writeFileSync(goModCacheFile(g, { ...mod, kind: 'zip' }).replace(/\.zip$/, '.ziphash'), 'h1:bad'),
      [],
    ],
    [
      'invalid zip',
      'zip',
      (g) => writeFileSync(goModCacheFile(g, { ...mod, kind: 'zip' }), tinyZip([{ name: `${P}../x`, data: 'x' }])),
      [],
    ],
    ['go.mod disagreeing with go.sum', 'mod', () => undefined, ['h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']],
  ])('%s is not reused', async (_name, kind, spoil, trusted) => {
    const gmc = goModCache();
    spoil(gmc);
    const cache = new DownloadCache(fresh());
    expect(await reuseFromGoModCache(cache, gmc, { ...mod, kind }, trusted)).toBeUndefined();
    expect(await cache.get({ ...mod, kind })).toBeUndefined();
  });
});
