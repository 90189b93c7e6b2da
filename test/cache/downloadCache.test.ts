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

/** Rewrite the index line of `key` in the cache at dir, as something changing the cache by hand would. */
function rewriteRecord(dir: string, key: string, change: (stored: Record<string, unknown>) => Record<string, unknown>): void {
  const file = cacheLayout.indexLog(dir);
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l !== '' && (JSON.parse(l) as { key: string }).key === key);
  expect(i).toBeGreaterThanOrEqual(0);
  lines[i] = JSON.stringify(change(JSON.parse(lines[i] as string) as Record<string, unknown>));
  writeFileSync(file, lines.join('\n'));
}

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

  test('a small file is stored in its index entry: one index line, nothing in the content store, no temp file', async () => {
    const cache = new DownloadCache(fresh());
    const entry = await cache.putSmall(key, Buffer.from(data), hashGoMod(data));
    expect(entry).toEqual({ key: 'example.com/m@v1.0.0.mod', sha256: sha(data), size: 21, h1: hashGoMod(data), inline: true });
    expect(await cache.get(key)).toEqual(entry);
    expect((await cache.read(entry)).toString()).toBe(data);
    expect(await text(cache.openVerified(entry))).toBe(data);
    expect(existsSync(join(cache.dir, 'content'))).toBe(false);
    expect(existsSync(cacheLayout.tmp(cache.dir))).toBe(false);
    expect(readFileSync(cacheLayout.indexLog(cache.dir), 'utf8').split('\n')).toHaveLength(2);
  });

  test('an entry another instance (another process) records during a run is found by this one', async () => {
    const dir = fresh();
    const mine = new DownloadCache(dir);
    const theirs = new DownloadCache(dir);
    await mine.putSmall({ ...key, version: 'v0.9.0' }, Buffer.from(data));
    expect(await mine.get(key)).toBeUndefined();
    const entry = await theirs.putSmall(key, Buffer.from(data));
    expect(await mine.get(key)).toEqual(entry);
    expect((await mine.read(entry)).toString()).toBe(data);
    // And the other way: an entry recorded after theirs was read is found, with its bytes.
    const later = await mine.putSmall({ ...key, version: 'v1.1.0' }, Buffer.from(data));
    expect((await theirs.read((await theirs.get({ ...key, version: 'v1.1.0' }))!)).toString()).toBe(data);
    expect(later.key).toBe('example.com/m@v1.1.0.mod');
  });

  test('a line cut short (a process killed mid-write) is skipped; entries before and after it are read', async () => {
    const dir = fresh();
    const first = await new DownloadCache(dir).putSmall(key, Buffer.from(data));
    const log = cacheLayout.indexLog(dir);
    const whole = readFileSync(log, 'utf8');
    // The start of a second record, without its end or newline.
    writeFileSync(log, whole + whole.slice(0, 40).replace('v1.0.0', 'v2.0.0'));
    const cut = new DownloadCache(dir);
    expect(await cut.get({ ...key, version: 'v2.0.0' })).toBeUndefined();
    expect(await cut.get(key)).toEqual(first);
    const after = await cut.putSmall({ ...key, version: 'v3.0.0' }, Buffer.from(data));
    const next = new DownloadCache(dir);
    expect(await next.get({ ...key, version: 'v3.0.0' })).toEqual(after);
    expect((await next.read(after)).toString()).toBe(data);
    expect((await next.read(first)).toString()).toBe(data);
    expect(await next.get({ ...key, version: 'v2.0.0' })).toBeUndefined();
  });

  test('a cache written by an earlier gobundle (one index file per entry) is read: its entries are copied into the log once', async () => {
    const dir = fresh();
    const zipData = Buffer.alloc(INLINE_MAX_BYTES + 1, 'z');
    const content = await new DownloadCache(dir).putBytes(zipData);
    const zipKey = { ...key, kind: 'zip' as const };
    // The old layout: index/<aa>/<sha256 of key>.json, a JSON entry and a newline each.
    const old = (entry: Record<string, unknown>): void => {
      const h = sha(entry.key as string);
      mkdirSync(join(cacheLayout.legacyIndex(dir), h.slice(0, 2)), { recursive: true });
      writeFileSync(join(cacheLayout.legacyIndex(dir), h.slice(0, 2), `${h}.json`), `${JSON.stringify(entry)}\n`);
    };
    const modEntry = { key: 'example.com/m@v1.0.0.mod', sha256: sha(data), size: data.length, h1: hashGoMod(data), inline: true as const };
    old({ ...modEntry, data: Buffer.from(data).toString('base64') });
    old({ key: 'example.com/m@v1.0.0.zip', sha256: content.sha256, size: content.size, h1: 'h1:x' });
    old({ key: 'example.com/m@v9.0.0.mod', sha256: 'not a hash', size: 1 });
    expect(existsSync(cacheLayout.indexLog(dir))).toBe(false);

    const upgraded = new DownloadCache(dir);
    expect(await upgraded.get(key)).toEqual(modEntry);
    expect((await upgraded.read(modEntry)).toString()).toBe(data);
    expect(await upgraded.get(zipKey)).toEqual({ key: 'example.com/m@v1.0.0.zip', ...content, h1: 'h1:x' });
    expect(await upgraded.get({ ...key, version: 'v9.0.0' })).toBeUndefined();
    // Copied once: the log has the two whole entries, and a later run reads them from there.
    expect(readFileSync(cacheLayout.indexLog(dir), 'utf8').trim().split('\n')).toHaveLength(2);
    rmSync(cacheLayout.legacyIndex(dir), { recursive: true });
    expect(await new DownloadCache(dir).get(key)).toEqual(modEntry);
  });

  test('an entry is read whatever the order of its fields (only lines as gobundle writes them take the short parse)', async () => {
    const dir = fresh();
    const written = await new DownloadCache(dir).putSmall(key, Buffer.from(data));
    const { data: bytes, ...rest } = JSON.parse(readFileSync(cacheLayout.indexLog(dir), 'utf8')) as Record<string, unknown>;
    // The bytes first; and another entry whose recorded size is one byte short of its bytes.
    const other = Buffer.from('module example.com/m\n//\n');
    const wrongSize = {
      key: 'example.com/m@v1.1.0.mod',
      sha256: sha(other),
      size: other.length - 1,
      inline: true,
      data: other.toString('base64'),
    };
    writeFileSync(cacheLayout.indexLog(dir), `${JSON.stringify({ data: bytes, ...rest })}\n${JSON.stringify(wrongSize)}\n`);
    const reader = new DownloadCache(dir);
    expect(await reader.get(key)).toEqual(written);
    expect((await reader.read(written)).toString()).toBe(data);
    expect(await reader.get({ ...key, version: 'v1.1.0' })).toBeUndefined();
  });

  test('a later line for a key replaces an earlier one', async () => {
    const dir = fresh();
    await new DownloadCache(dir).putSmall(key, Buffer.from(data));
    const other = 'module example.com/m // again\n';
    const second = await new DownloadCache(dir).putSmall(key, Buffer.from(other));
    const reader = new DownloadCache(dir);
    expect(await reader.get(key)).toEqual(second);
    expect((await reader.read(second)).toString()).toBe(other);
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
    rewriteRecord(cache.dir, entry.key, change);
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
    // Past the budget, the bytes are read from the line this instance appended.
    expect(await cache.read(last)).toEqual(big);
    rewriteRecord(cache.dir, last.key, (stored) => ({ ...stored, data: Buffer.alloc(INLINE_MAX_BYTES, 'y').toString('base64') }));
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
    expect(await new DownloadCache(cache.dir).get(other)).toEqual(entry);
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
