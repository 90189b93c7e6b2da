/**
 * Many bundles: the union is served, lists merge, a module version that
 * differs between bundles is refused naming both, and --bundles-dir picks
 * up new bundles (bad ones are reported and ignored) while serving goes on.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { openBundle, type OpenedBundle } from '../../src/bundle/reader.js';
import { BundleSet } from '../../src/bundleset/bundleSet.js';
import { BundlesDirWatcher } from '../../src/serve/bundlesDirWatcher.js';
import { BundleConflictError, ModuleIndex } from '../../src/bundleset/moduleIndex.js';
import { buildTestBundle, moduleFiles, testKey, writeBundleFile, type TestFile } from '../bundle/testBundle.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-layering-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const key = testKey('team');
let n = 0;

async function open(files: TestFile[]): Promise<OpenedBundle> {
  const file = writeBundleFile(join(work, `b${n++}.tgz`), await buildTestBundle(files, key));
  return openBundle(file, { trust: [key.verifier], cacheRoot: join(work, 'cache') });
}

describe('ModuleIndex over several bundles', () => {
  test('union of files, merged and sorted lists, @latest over all', async () => {
    const a = await open([...moduleFiles('example.com/m', 'v1.0.0'), { name: 'example.com/m/@v/list', data: 'v1.0.0\n' }]);
    const b = await open([
      ...moduleFiles('example.com/m', 'v1.10.0'),
      ...moduleFiles('example.com/m', 'v1.0.0'),
      ...moduleFiles('example.com/other', 'v0.1.0'),
      { name: 'example.com/m/@v/list', data: 'v1.10.0\nv1.0.0\n' },
    ]);
    const c = await open([...moduleFiles('example.com/m', 'v1.2.0'), { name: 'example.com/m/@v/list', data: 'v1.2.0\n' }]);
    const index = await ModuleIndex.build([a, b, c]);
    expect(index.lists.get('example.com/m')?.body.toString()).toBe('v1.0.0\nv1.2.0\nv1.10.0\n');
    expect(index.lists.get('example.com/other')?.body.toString()).toBe('v0.1.0\n');
    expect(index.latest.get('example.com/m')?.file).toContain('v1.10.0.info');
    expect(index.files.get('example.com/m/@v/v1.2.0.zip')?.bundle).toBe(c.source);
    // The same bytes in two bundles: served from the first.
    expect(index.files.get('example.com/m/@v/v1.0.0.zip')?.bundle).toBe(a.source);
  });

  test('the same module version with different bytes is refused, naming both bundles', async () => {
    const a = await open(moduleFiles('example.com/c', 'v1.0.0'));
    const b = await open(moduleFiles('example.com/c', 'v1.0.0', { zip: 'other bytes' }));
    await expect(ModuleIndex.build([a, b])).rejects.toThrow(new BundleConflictError('example.com/c/@v/v1.0.0.zip', a.source, b.source));
    await expect(ModuleIndex.build([a, b])).rejects.toThrow(
      `example.com/c/@v/v1.0.0.zip differs between bundles ${a.source} and ${b.source}`,
    );
  });

  test('BundleSet keeps serving the old index when an addition conflicts', async () => {
    const set = new BundleSet();
    const a = await open(moduleFiles('example.com/s', 'v1.0.0'));
    await set.add([a]);
    const bad = await open(moduleFiles('example.com/s', 'v1.0.0', { mod: 'module example.com/s // changed\n' }));
    await expect(set.add([bad])).rejects.toThrow(/differs between bundles/);
    expect(set.current.bundles).toEqual([a]);
    const good = await open(moduleFiles('example.com/s', 'v1.1.0'));
    await set.add([good]);
    expect(set.current.bundles).toHaveLength(2);
    expect(set.current.lists.get('example.com/s')?.body.toString()).toBe('v1.0.0\nv1.1.0\n');
  });
});

describe('BundlesDirWatcher', () => {
  test('a new verified bundle becomes visible; bad and conflicting ones are reported and ignored', async () => {
    const dir = join(work, 'watched');
    mkdirSync(dir);
    const first = writeBundleFile(join(work, 'w1.tgz'), await buildTestBundle(moduleFiles('example.com/w', 'v1.0.0'), key));
    copyFileSync(first, join(dir, 'w1.tgz'));
    const set = new BundleSet();
    const loaded: string[] = [];
    const rejected: string[] = [];
    const watcher = new BundlesDirWatcher({
      dir,
      open: (f) => openBundle(f, { trust: [key.verifier], cacheRoot: join(work, 'cache') }),
      add: (b) => set.add([b]),
      onLoaded: (f) => loaded.push(f),
      onRejected: (f, err) => rejected.push(`${f}: ${err instanceof Error ? err.message : String(err)}`),
      intervalMs: 50,
    });
    await watcher.start();
    try {
      expect(loaded).toEqual([join(dir, 'w1.tgz')]);
      expect(set.current.files.has('example.com/w/@v/v1.0.0.zip')).toBe(true);

      writeBundleFile(join(dir, 'w2.tgz'), await buildTestBundle(moduleFiles('example.com/w', 'v1.1.0'), key));
      writeFileSync(join(dir, 'broken.tgz'), 'not a bundle');
      writeBundleFile(join(dir, 'conflict.tgz'), await buildTestBundle(moduleFiles('example.com/w', 'v1.0.0', { zip: 'evil' }), key));
      writeBundleFile(
        join(dir, 'untrusted.tgz'),
        await buildTestBundle(moduleFiles('example.com/u', 'v1.0.0'), key, { signWith: testKey('mallory') }),
      );
      const deadline = Date.now() + 10_000;
      while ((loaded.length < 2 || rejected.length < 3) && Date.now() < deadline)
        await watcher.scanNow().then(() => new Promise((r) => setTimeout(r, 60)));
      expect(loaded).toEqual([join(dir, 'w1.tgz'), join(dir, 'w2.tgz')]);
      expect(set.current.files.has('example.com/w/@v/v1.1.0.zip')).toBe(true);
      expect(set.current.files.has('example.com/u/@v/v1.0.0.zip')).toBe(false);
      expect(rejected.sort()).toEqual([
        expect.stringMatching(new RegExp(`^${join(dir, 'broken.tgz')}: bundle .*: truncated or corrupt \\.tgz`)),
        expect.stringMatching(/conflict\.tgz: example\.com\/w\/@v\/v1\.0\.0\.zip differs between bundles .*w1\.tgz and .*conflict\.tgz$/),
        expect.stringMatching(/untrusted\.tgz: bundle .*: gobundle\/manifest\.sig: signature not verified by any trusted key/),
      ]);
      // Rejected bundles are not retried until they change.
      await watcher.scanNow();
      expect(rejected).toHaveLength(3);
    } finally {
      watcher.stop();
    }
  });
});
