import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { signManifest, verifyManifestSignature } from '../../src/bundle/signature.js';
import { runCli } from './runCli.js';

describe('gobundle keygen', () => {
  test('writes name.key (0600) and name.pub that sign and verify a manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gobundle-keygen-'));
    const res = await runCli(['keygen', 'corp.example', '--out-dir', dir], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const key = readFileSync(join(dir, 'corp.example.key'), 'utf8');
    const pub = readFileSync(join(dir, 'corp.example.pub'), 'utf8');
    expect(key).toMatch(/^PRIVATE\+KEY\+corp\.example\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
    expect(pub).toMatch(/^corp\.example\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
    expect(statSync(join(dir, 'corp.example.key')).mode & 0o777).toBe(0o600);
    const manifest = Buffer.from('{"format":"gobundle/v1"}\n');
    expect(verifyManifestSignature(manifest, signManifest(manifest, key), [pub])).toBe('corp.example');
    expect(() => verifyManifestSignature(Buffer.from('{}\n'), signManifest(manifest, key), [pub])).toThrow(
      'manifest signature does not match manifest.json',
    );
  });

  test('refuses to overwrite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gobundle-keygen-'));
    writeFileSync(join(dir, 'k.pub'), 'old\n');
    const res = await runCli(['keygen', 'k'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `gobundle: keygen: ${join(dir, 'k.key')}: already exists\nhint: remove it or choose another name or --out-dir; keygen never overwrites keys\n`.replace(
        'k.key',
        'k.pub',
      ),
    );
    expect(readFileSync(join(dir, 'k.pub'), 'utf8')).toBe('old\n');
  });

  test.each<[string]>([['has space'], ['a+b'], ['']])('refuses key name %j', async (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'gobundle-keygen-'));
    const res = await runCli(['keygen', name], { cwd: dir });
    expect(res.code).toBe(2);
  });
});
