import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { BundleError } from '../../src/bundle/bundleErrors.js';
import { openBundle } from '../../src/bundle/reader.js';
import { unsafeNameReason } from '../../src/bundle/safePath.js';
import { buildTestBundle, moduleFiles, testKey, writeBundleFile, type Tamper, type TestFile } from './testBundle.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-reader-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const key = testKey('team');
const otherKey = testKey('mallory');
const files: TestFile[] = [
  ...moduleFiles('example.com/a', 'v1.0.0'),
  ...moduleFiles('example.com/!upper', 'v1.1.0-!beta'),
  { name: 'example.com/a/@v/list', data: 'v1.0.0\n' },
];
let n = 0;
const next = (): string => join(work, `b${n++}`);

async function bundleFile(tamper: Tamper = {}, fs: TestFile[] = files): Promise<string> {
  return writeBundleFile(join(next(), 'bundle.tgz'), await buildTestBundle(fs, key, tamper));
}

async function refusal(file: string, opts: { trust?: string[]; allowUnsigned?: boolean } = {}): Promise<BundleError> {
  try {
    await openBundle(file, {
      trust: opts.trust ?? [key.verifier],
      allowUnsigned: opts.allowUnsigned ?? false,
      cacheRoot: join(next(), 'cache'),
    });
  } catch (err) {
    expect(err).toBeInstanceOf(BundleError);
    return err as BundleError;
  }
  throw new Error(`openBundle(${file}) succeeded, want a refusal`);
}

describe('unsafeNameReason', () => {
  test.each([
    ['example.com/a/@v/list', undefined],
    ['', 'empty name'],
    ['../etc/passwd', '".." path element'],
    ['a/../../b', '".." path element'],
    ['./a', '"." path element'],
    ['/etc/passwd', 'absolute name'],
    ['a\\b', 'backslash in name'],
    ['a\0b', 'NUL in name'],
    ['a//b', 'empty path element'],
    ['a/', 'empty path element'],
    ['C:/x', 'drive letter in name'],
    ['a\nb', 'control character in name'],
  ])('unsafeNameReason(%j) = %j', (name, want) => {
    expect(unsafeNameReason(name), `unsafeNameReason(${JSON.stringify(name)})`).toBe(want);
  });
});

describe('openBundle accepts a good bundle', () => {
  test('extracts into <cacheRoot>/<sha256>, reports modules, files, bytes and the signer', async () => {
    const file = await bundleFile();
    const cacheRoot = join(next(), 'cache');
    const b = await openBundle(file, { trust: [otherKey.verifier, key.verifier], cacheRoot });
    expect(b.signer).toBe('team');
    expect(b.modules).toBe(2);
    expect(b.files.size).toBe(7);
    expect(b.reused).toBe(false);
    expect(b.dir).toBe(join(cacheRoot, b.sha256 as string));
    expect(readFileSync(join(b.dir as string, 'example.com/a/@v/v1.0.0.zip'), 'utf8')).toBe('zip of example.com/a@v1.0.0');
    expect(existsSync(join(b.dir as string, 'gobundle/manifest.sig'))).toBe(true);
    // No temporary directories left behind.
    expect(readdirSync(cacheRoot).filter((d) => d.startsWith('.tmp'))).toEqual([]);

    const again = await openBundle(file, { trust: [key.verifier], cacheRoot });
    expect(again.reused).toBe(true);
    expect(again.dir).toBe(b.dir);
  });

  test('a damaged cached extraction is noticed on restart and extracted afresh', async () => {
    const file = await bundleFile();
    const cacheRoot = join(next(), 'cache');
    const b = await openBundle(file, { trust: [key.verifier], cacheRoot });
    writeFileSync(join(b.dir as string, 'example.com/a/@v/v1.0.0.mod'), 'module evil.com/a\n');
    const again = await openBundle(file, { trust: [key.verifier], cacheRoot });
    expect(again.reused).toBe(false);
    expect(readFileSync(join(again.dir as string, 'example.com/a/@v/v1.0.0.mod'), 'utf8')).toBe('module example.com/a\n');
  });

  test('verify-only (extract: false) writes nothing', async () => {
    const file = await bundleFile();
    const b = await openBundle(file, { trust: [key.verifier], extract: false });
    expect(b.dir).toBeUndefined();
    expect(b.signer).toBe('team');
  });

  test('an unsigned bundle is accepted only with allowUnsigned', async () => {
    const file = await bundleFile({ unsigned: true });
    const err = await refusal(file);
    expect(err.message).toBe(`bundle ${file}: gobundle/manifest.sig: missing (the bundle is unsigned)`);
    const b = await openBundle(file, { trust: [], allowUnsigned: true, cacheRoot: join(next(), 'cache') });
    expect(b.signer).toBeUndefined();
  });

  test('an extracted directory is verified in place', async () => {
    const file = await bundleFile();
    const b = await openBundle(file, { trust: [key.verifier], cacheRoot: join(next(), 'cache') });
    const d = await openBundle(b.dir as string, { trust: [key.verifier] });
    expect(d.kind).toBe('dir');
    expect(d.files.size).toBe(7);
  });
});

describe('openBundle refuses', () => {
  test.each<[string, Tamper, RegExp]>([
    ['signed by an untrusted key', { signWith: otherKey }, /gobundle\/manifest\.sig: signature not verified by any trusted key/],
    [
      'manifest changed after signing',
      { manifestAfterSigning: (m) => m.replace('"tool": "gobundle test"', '"tool": "gobundle evil"') },
      /signature not verified/,
    ],
    [
      'a file whose sha256 differs from the manifest',
      { wrongHash: ['example.com/a/@v/v1.0.0.zip'] },
      /example\.com\/a\/@v\/v1\.0\.0\.zip: sha256 mismatch: manifest [0-9a-f]{64}, content [0-9a-f]{64}/,
    ],
    [
      'a file listed but missing',
      { omit: ['example.com/a/@v/v1.0.0.mod'] },
      /example\.com\/a\/@v\/v1\.0\.0\.mod: listed in the manifest but missing from the bundle/,
    ],
    [
      'an extra file',
      { extraEntries: [{ header: { name: 'example.com/a/@v/v9.9.9.zip' }, data: 'x' }] },
      /example\.com\/a\/@v\/v9\.9\.9\.zip: not in the manifest/,
    ],
    [
      'a duplicate entry',
      { extraEntries: [{ header: { name: 'example.com/a/@v/list' }, data: 'v1.0.0\n' }] },
      /example\.com\/a\/@v\/list: duplicate entry/,
    ],
    [
      'a symlink',
      { extraEntries: [{ header: { name: 'example.com/a/@v/link', type: 'symlink', linkname: '/etc/passwd' } }] },
      /example\.com\/a\/@v\/link: not a regular file \(tar type symlink\)/,
    ],
    [
      'a hard link',
      { extraEntries: [{ header: { name: 'example.com/a/@v/hard', type: 'link', linkname: 'example.com/a/@v/list' } }] },
      /not a regular file \(tar type link\)/,
    ],
    [
      'a directory entry',
      { extraEntries: [{ header: { name: 'example.com/', type: 'directory' } }] },
      /example\.com\/: not a regular file \(tar type directory\)/,
    ],
    [
      'a device',
      { extraEntries: [{ header: { name: 'dev', type: 'character-device' } }] },
      /dev: not a regular file \(tar type character-device\)/,
    ],
    [
      'a .. name',
      { extraEntries: [{ header: { name: '../../evil' }, data: 'x' }] },
      /"\.\.\/\.\.\/evil": unsafe name: "\.\." path element/,
    ],
    ['an absolute name', { extraEntries: [{ header: { name: '/tmp/evil' }, data: 'x' }] }, /"\/tmp\/evil": unsafe name: absolute name/],
    ['a backslash name', { extraEntries: [{ header: { name: 'a\\..\\evil' }, data: 'x' }] }, /unsafe name: backslash in name/],
    ['an empty element', { extraEntries: [{ header: { name: 'a//evil' }, data: 'x' }] }, /unsafe name: empty path element/],
  ])('%s', async (_what, tamper, want) => {
    const file = await bundleFile(tamper);
    const err = await refusal(file);
    expect(err.message).toContain(`bundle ${file}`);
    expect(err.problems, err.message).toHaveLength(1);
    expect(err.message).toMatch(want);
  });

  test('every problem is named, not just the first', async () => {
    const file = await bundleFile({
      wrongHash: ['example.com/a/@v/v1.0.0.zip'],
      omit: ['example.com/a/@v/list'],
      extraEntries: [{ header: { name: 'x/y' }, data: 'z' }],
    });
    const err = await refusal(file);
    expect(err.problems).toHaveLength(3);
    expect(err.message).toMatch(/^bundle .*: 3 problems:\n\t/);
  });

  test('no trusted key given for a signed bundle', async () => {
    const file = await bundleFile();
    const err = await refusal(file, { trust: [] });
    expect(err.message).toBe(`bundle ${file}: gobundle/manifest.sig: no trusted keys given to check it against`);
  });

  test('a flipped byte in the compressed stream', async () => {
    const file = await bundleFile();
    const buf = readFileSync(file);
    const at = Math.floor(buf.length / 2);
    buf[at] = (buf[at] as number) ^ 0xff;
    writeFileSync(file, buf);
    const err = await refusal(file);
    expect(err.message).toMatch(/truncated or corrupt \.tgz|sha256 mismatch|signature not verified|not JSON/);
  });

  test('a flipped byte inside a file (valid gzip)', async () => {
    const file = await bundleFile();
    const tarBytes = gunzipSync(readFileSync(file));
    const at = tarBytes.indexOf(Buffer.from('zip of example.com/a@v1.0.0'));
    tarBytes[at] = 'Z'.charCodeAt(0);
    writeFileSync(file, gzipSync(tarBytes));
    const err = await refusal(file);
    expect(err.message).toMatch(/example\.com\/a\/@v\/v1\.0\.0\.zip: sha256 mismatch: manifest [0-9a-f]{64}, content [0-9a-f]{64}$/);
  });

  test.each([0.3, 0.6, 0.95])('a bundle truncated to %f of its size', async (frac) => {
    const file = await bundleFile();
    const size = readFileSync(file).length;
    truncateSync(file, Math.floor(size * frac));
    const err = await refusal(file);
    expect(err.message).toMatch(/truncated or corrupt \.tgz: /);
  });

  test('a truncated tar inside a complete gzip', async () => {
    const file = await bundleFile();
    const tarBytes = gunzipSync(readFileSync(file));
    writeFileSync(file, gzipSync(tarBytes.subarray(0, 3072)));
    const err = await refusal(file);
    expect(err.message).toMatch(/truncated or corrupt|missing from the bundle/);
  });

  test('not a bundle at all', async () => {
    const file = join(next(), 'x.tgz');
    writeBundleFile(file, { tgz: Buffer.from('hello'), manifest: '' });
    const err = await refusal(file);
    expect(err.message).toMatch(/truncated or corrupt \.tgz/);
  });

  test('a missing file', async () => {
    const err = await refusal(join(work, 'nope.tgz'));
    expect(err.message).toBe(`bundle ${join(work, 'nope.tgz')}: cannot read: no such file or directory`);
  });

  test('an extracted directory with a symlink, an extra file and a changed file', async () => {
    const file = await bundleFile();
    const b = await openBundle(file, { trust: [key.verifier], cacheRoot: join(next(), 'cache') });
    const dir = b.dir as string;
    symlinkSync('/etc', join(dir, 'example.com/a/@v/etc'));
    writeFileSync(join(dir, 'example.com/extra'), 'x');
    writeFileSync(join(dir, 'example.com/a/@v/v1.0.0.info'), '{}');
    const err = await refusal(dir);
    expect(err.problems).toEqual([
      'example.com/a/@v/etc: not a regular file or directory',
      'example.com/a/@v/v1.0.0.info: size mismatch: manifest 51, file 2',
      'example.com/extra: not in the manifest',
    ]);
  });
});
