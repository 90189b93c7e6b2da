import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestBundle, moduleFiles, testKey, writeBundleFile } from '../bundle/testBundle.js';
import { runCli } from './runCli.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-verify-cli-'));
const key = testKey('team');
/** Bytes of the three files moduleFiles makes for example.com/a v1.0.0. */
const BYTES = moduleFiles('example.com/a', 'v1.0.0').reduce((n, f) => n + Buffer.byteLength(f.data), 0);
let good: string;
let bad: string;
let unsigned: string;

beforeAll(async () => {
  writeFileSync(join(work, 'team.pub'), `${key.verifier}\n`);
  writeFileSync(join(work, 'team.key'), `${key.signer}\n`);
  writeFileSync(join(work, 'broken.pub'), `# our team\nteam+00000000+notbase64\n`);
  good = writeBundleFile(join(work, 'good.tgz'), await buildTestBundle(moduleFiles('example.com/a', 'v1.0.0'), key));
  bad = writeBundleFile(
    join(work, 'bad.tgz'),
    await buildTestBundle(moduleFiles('example.com/a', 'v1.0.0'), key, {
      wrongHash: ['example.com/a/@v/v1.0.0.zip'],
      omit: ['example.com/a/@v/v1.0.0.mod'],
    }),
  );
  unsigned = writeBundleFile(
    join(work, 'unsigned.tgz'),
    await buildTestBundle(moduleFiles('example.com/a', 'v1.0.0'), key, { unsigned: true }),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('gobundle verify', () => {
  test('a good bundle: exit 0 and a short report', async () => {
    const r = await runCli(['verify', good, '--trust', 'team.pub'], { cwd: work });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${good}: ok: 1 modules, 3 files, ${BYTES} bytes, signed by team\n`);
  });

  test('bad bundles: exit 1 naming every problem of every bundle', async () => {
    const r = await runCli(['verify', good, bad, unsigned, '--trust', 'team.pub'], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${good}: ok: 1 modules, 3 files, ${BYTES} bytes, signed by team\n`);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^gobundle: ${bad}: example\\.com/a/@v/v1\\.0\\.0\\.zip: sha256 mismatch: manifest [0-9a-f]{64}, content [0-9a-f]{64}$`),
      ),
      `gobundle: ${bad}: example.com/a/@v/v1.0.0.mod: listed in the manifest but missing from the bundle`,
      `gobundle: ${unsigned}: gobundle/manifest.sig: missing (the bundle is unsigned)`,
      'hint: sign it with gobundle pack --sign-key <name>.key, or pass --allow-unsigned to accept unsigned bundles',
      'gobundle: verify: 3 problems in 3 bundles',
      '',
    ]);
  });

  test('--allow-unsigned accepts an unsigned bundle and says so', async () => {
    const r = await runCli(['verify', unsigned, '--allow-unsigned'], { cwd: work });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${unsigned}: ok: 1 modules, 3 files, ${BYTES} bytes, UNSIGNED (allowed by --allow-unsigned)\n`);
  });

  test.each([
    [
      ['verify', 'good.tgz'],
      'gobundle: verify: no --trust key given\nhint: pass --trust <signer>.pub (or --allow-unsigned to only check files)\n',
    ],
    [
      ['verify', 'good.tgz', '--trust', 'nope.pub'],
      'gobundle: --trust nope.pub: cannot read: no such file\nhint: pass the .pub file gobundle keygen wrote beside the signer key\n',
    ],
    [['verify', 'good.tgz', '--trust', 'team.key'], 'gobundle: --trust team.key: this is a signer (private) key; pass the .pub file\n'],
    [
      ['verify', 'good.tgz', '--trust', 'broken.pub'],
      'gobundle: --trust broken.pub:2: not a verifier key: malformed verifier id\nhint: a .pub file holds lines of the form name+hash+base64key, as gobundle keygen writes them\n',
    ],
  ])('usage: %j', async (args, stderr) => {
    const r = await runCli(args, { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(stderr);
  });
});
