/** warmCache reads an index's .mod and .info files into memory before anyone asks, and nothing else. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openBundle } from '../../src/bundle/reader.js';
import { ModuleIndex } from '../../src/bundleset/moduleIndex.js';
import { SmallFileCache } from '../../src/serve/smallFileCache.js';
import { warmCache } from '../../src/serve/warmCache.js';
import { buildTestBundle, moduleFiles, testKey, writeBundleFile } from '../bundle/testBundle.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-serve-warm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the .mod and .info files of every module are in memory soon after; zips are not', async () => {
  const key = testKey('team');
  const files = [...moduleFiles('example.com/a', 'v1.0.0'), ...moduleFiles('example.com/!b', 'v1.1.0')];
  const file = writeBundleFile(join(work, 'b.tgz'), await buildTestBundle(files, key));
  const bundle = await openBundle(file, { trust: [key.verifier], cacheRoot: join(work, 'cache') });
  const index = await ModuleIndex.build([bundle]);
  const cache = new SmallFileCache();
  warmCache(index, cache);
  const want = [...index.files].filter(([name]) => /\.(mod|info)$/.test(name));
  expect(want).toHaveLength(4);
  for (let i = 0; i < 200 && want.some(([, f]) => cache.peek(f.file) === undefined); i++) await new Promise((r) => setTimeout(r, 10));
  for (const [name, f] of index.files) {
    const inMemory = cache.peek(f.file) !== undefined;
    const metadata = /\.(mod|info)$/.test(name);
    expect(inMemory, `after warmCache, ${name} in memory = ${inMemory}, want ${metadata}`).toBe(metadata);
  }
});
