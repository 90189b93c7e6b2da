/**
 * The pure parts of delta bundles, diff and part lists: the manifest's
 * `parents` field, what a delta leaves out, diffModules, part list text and
 * --max-part-size values.
 */
import { describe, expect, test } from 'vitest';
import { buildManifest, parseManifest, serializeManifest, type Manifest } from '../../src/bundle/manifest.js';
import { diffModules } from '../../src/bundle/manifestDiff.js';
import { parsePartListText, parsePartSize, partListText, partName, type PartList } from '../../src/bundle/partList.js';
import { deltaFiles, deltaModules, type DeltaParent } from '../../src/pack/deltaStage.js';

const H1 = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const H1B = 'h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=';
const SHA = 'a'.repeat(64);
const SHB = 'b'.repeat(64);

function manifest(extra: Partial<Manifest> = {}): Manifest {
  return buildManifest({
    tool: 'gobundle test',
    created: '2024-01-02T03:04:05Z',
    inputs: [],
    modules: [],
    sumdb: null,
    files: [],
    ...extra,
  });
}

describe('manifest parents', () => {
  test('absent from full bundles, so their bytes do not change', () => {
    expect(serializeManifest(manifest()).toString()).not.toContain('parents');
    expect(serializeManifest(manifest({ parents: [] })).toString()).not.toContain('parents');
  });

  test('kept, in order, between sumdb and files, and read back', () => {
    const m = manifest({ parents: [{ name: 'week1.tgz', manifestSha256: SHA, created: '2024-01-01T00:00:00Z' }] });
    const text = serializeManifest(m).toString();
    expect(text.indexOf('"sumdb"')).toBeLessThan(text.indexOf('"parents"'));
    expect(text.indexOf('"parents"')).toBeLessThan(text.indexOf('"files"'));
    expect(parseManifest(serializeManifest(m)).parents).toEqual([
      { name: 'week1.tgz', manifestSha256: SHA, created: '2024-01-01T00:00:00Z' },
    ]);
  });

  test.each([
    [[], 'gobundle/manifest.json: "parents" must be a non-empty array when present'],
    [{}, 'gobundle/manifest.json: "parents" must be a non-empty array when present'],
    [
      [{ name: 'a', manifestSha256: 'ABC', created: '2024-01-01T00:00:00Z' }],
      'gobundle/manifest.json: parents[0]: "manifestSha256" must be lowercase hex sha256',
    ],
    [
      [{ name: 'a', manifestSha256: SHA, created: 'yesterday' }],
      'gobundle/manifest.json: parents[0]: "created" must be RFC 3339 UTC with whole seconds',
    ],
    [[{ manifestSha256: SHA, created: '2024-01-01T00:00:00Z' }], 'gobundle/manifest.json: parents[0]: "name" must be a string'],
    [
      [
        { name: 'a', manifestSha256: SHA, created: '2024-01-01T00:00:00Z' },
        { name: 'b', manifestSha256: SHA, created: '2024-01-01T00:00:00Z' },
      ],
      `gobundle/manifest.json: parents[1]: manifest ${SHA} listed twice`,
    ],
  ])('parents %j is refused: %s', (parents, message) => {
    const m = { ...JSON.parse(serializeManifest(manifest()).toString()), parents };
    expect(() => parseManifest(Buffer.from(JSON.stringify(m)))).toThrow(message);
  });
});

describe('what a delta leaves out', () => {
  const parent: DeltaParent = {
    from: '/x/week1.tgz',
    name: 'week1.tgz',
    manifestSha256: SHA,
    manifest: manifest({
      modules: [
        { path: 'example.com/a', version: 'v1.0.0', zipH1: H1, modH1: H1 },
        { path: 'example.com/gm', version: 'v1.0.0', zipH1: null, modH1: H1 },
      ],
      files: [
        { name: 'example.com/a/@v/list', size: 1, sha256: SHA },
        { name: 'example.com/a/@v/v1.0.0.zip', size: 1, sha256: SHA },
        { name: 'sumdb/db/latest', size: 1, sha256: SHA },
      ],
    }),
  };

  test('files with the same name and sha256, except the checksum-database replay', () => {
    const files = [
      { name: 'example.com/a/@v/list', sha256: SHB },
      { name: 'example.com/a/@v/v1.0.0.zip', sha256: SHA },
      { name: 'example.com/b/@v/v1.0.0.zip', sha256: SHA },
      { name: 'sumdb/db/latest', sha256: SHA },
    ];
    expect(deltaFiles(files, [parent]).map((f) => f.name)).toEqual([
      'example.com/a/@v/list',
      'example.com/b/@v/v1.0.0.zip',
      'sumdb/db/latest',
    ]);
  });

  test('module versions a parent carries with the same hashes; a version the parent has only the go.mod of stays', () => {
    const modules = [
      { path: 'example.com/a', version: 'v1.0.0', zipH1: H1, modH1: H1 },
      { path: 'example.com/a', version: 'v1.1.0', zipH1: H1, modH1: H1 },
      { path: 'example.com/gm', version: 'v1.0.0', zipH1: H1B, modH1: H1 },
    ];
    expect(deltaModules(modules, [parent]).map((m) => `${m.path}@${m.version}`)).toEqual(['example.com/a@v1.1.0', 'example.com/gm@v1.0.0']);
  });
});

describe('diffModules', () => {
  const mv = (s: string): { path: string; version: string }[] =>
    s
      .split(' ')
      .filter((x) => x !== '')
      .map((x) => {
        const [path, version] = x.split('@') as [string, string];
        return { path, version };
      });
  test.each([
    ['a@v1.0.0', 'a@v1.0.0', { added: [], removed: [], upgraded: [], downgraded: [], unchanged: 1 }],
    [
      'a@v1.0.0',
      'a@v1.10.0',
      { added: [], removed: [], upgraded: [{ path: 'a', from: 'v1.0.0', to: 'v1.10.0' }], downgraded: [], unchanged: 0 },
    ],
    [
      'a@v1.2.0',
      'a@v1.2.0-rc.1',
      { added: [], removed: [], upgraded: [], downgraded: [{ path: 'a', from: 'v1.2.0', to: 'v1.2.0-rc.1' }], unchanged: 0 },
    ],
    ['a@v1.0.0', 'a@v1.0.0 b@v0.1.0', { added: mv('b@v0.1.0'), removed: [], upgraded: [], downgraded: [], unchanged: 1 }],
    ['a@v1.0.0 b@v0.1.0', 'b@v0.1.0', { added: [], removed: mv('a@v1.0.0'), upgraded: [], downgraded: [], unchanged: 1 }],
    // go.mod-only older versions beside the selected one: the highest moves (v1.1.0 -> v1.2.0), the others are added or removed.
    [
      'a@v1.0.0 a@v1.1.0',
      'a@v1.0.0 a@v1.2.0 a@v1.1.5',
      { added: mv('a@v1.1.5'), removed: [], upgraded: [{ path: 'a', from: 'v1.1.0', to: 'v1.2.0' }], downgraded: [], unchanged: 1 },
    ],
    ['a@v0.9.0 a@v1.1.0', 'a@v1.1.0', { added: [], removed: mv('a@v0.9.0'), upgraded: [], downgraded: [], unchanged: 1 }],
  ])('diff(%s, %s)', (before, after, want) => {
    expect(diffModules(mv(before), mv(after))).toEqual(want);
  });
});

describe('part lists', () => {
  const list: PartList = {
    bundle: { name: 'deps.tgz', size: 3, sha256: SHA },
    parts: [
      { name: partName('deps.tgz', 0), size: 2, sha256: SHA },
      { name: partName('deps.tgz', 1), size: 1, sha256: SHB },
    ],
  };

  test('text round trip', () => {
    const text = partListText(list);
    expect(text).toBe(`gobundle parts v1\ndeps.tgz 3 ${SHA}\ndeps.tgz.part-001 2 ${SHA}\ndeps.tgz.part-002 1 ${SHB}\n`);
    expect(parsePartListText('deps.tgz.parts', text)).toEqual(list);
  });

  test.each([
    ['gobundle manifest v1\n', 'deps.tgz.parts: not a gobundle part list (first line must be "gobundle parts v1")'],
    [`gobundle parts v1\ndeps.tgz 3 ${SHA}\n`, 'deps.tgz.parts: names no parts'],
    [`gobundle parts v1\ndeps.tgz 3 ${SHA}\n../x 3 ${SHA}\n`, `deps.tgz.parts:3: want "<file name> <size> <sha256>", got "../x 3 ${SHA}"`],
    [`gobundle parts v1\ndeps.tgz 4 ${SHA}\np 3 ${SHA}\n`, 'deps.tgz.parts: parts add up to 3 bytes, the bundle line says 4'],
    [`gobundle parts v1\ndeps.tgz 4 ${SHA}\np 2 ${SHA}\np 2 ${SHA}\n`, 'deps.tgz.parts: a part is listed twice'],
  ])('refused: %j', (text, message) => {
    expect(() => parsePartListText('deps.tgz.parts', text)).toThrow(message);
  });

  test.each([
    ['1048576', 1048576],
    ['700M', 700 * 1024 * 1024],
    ['4G', 4 * 1024 ** 3],
    ['4GiB', 4 * 1024 ** 3],
    ['64k', 64 * 1024],
    ['1.5G', undefined],
    ['-1', undefined],
    ['', undefined],
  ])('parsePartSize(%j) = %j', (s, want) => {
    expect(parsePartSize(s)).toBe(want);
  });
});
