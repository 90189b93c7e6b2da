import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseManifest } from '../../src/bundle/manifest.js';
import { verifyManifestSignature } from '../../src/bundle/signature.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { runCli } from './runCli.js';
import {
  extractBundle,
  fixtureModules,
  fixtureProjects,
  goAcceptsTree,
  packEnv,
  repoRoot,
  signerKeyFile,
  signerPubFile,
  tempDir,
} from '../pack/packHarness.js';

let upstream: Upstream;
const work = tempDir('packcli');

beforeAll(async () => {
  upstream = await startUpstream({ modules: [fixtureModules] });
}, 120_000);
afterAll(async () => {
  await upstream?.stop();
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('gobundle pack usage', () => {
  test.each<[string, string[], string]>([
    [
      'no key and not --unsigned',
      ['pack', '-o', 'x.tgz'],
      'gobundle: pack: no --sign-key given: bundles are signed so the offline side can trust them\nhint: create a key with `gobundle keygen <name>` and pass --sign-key <name>.key, or pass --unsigned explicitly\n',
    ],
    ['no output', ['pack', '--unsigned'], 'gobundle: pack: missing -o <bundle.tgz>\nhint: name the bundle to write, e.g. -o deps.tgz\n'],
    // `bundle` is another name of pack (the product's design calls packing that).
    [
      'bundle, no output',
      ['bundle', '--unsigned'],
      'gobundle: pack: missing -o <bundle.tgz>\nhint: name the bundle to write, e.g. -o deps.tgz\n',
    ],
    [
      'both key and unsigned',
      ['pack', '-o', 'x.tgz', '--unsigned', '--sign-key', 'k.key'],
      'gobundle: pack: --sign-key and --unsigned contradict each other\n',
    ],
    [
      'bad concurrency',
      ['pack', '-o', 'x.tgz', '--unsigned', '--concurrency', '0'],
      'gobundle: pack: --concurrency "0": want an integer from 1 to 256\n',
    ],
  ])('%s', async (_name, args, want) => {
    const res = await runCli(args, { cwd: work, env: packEnv('off', work) });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toBe(want);
    expect(existsSync(join(work, 'x.tgz'))).toBe(false);
  });
});

test('the help names pack and its alias bundle', async () => {
  const res = await runCli(['--help'], { cwd: work, env: packEnv('off', work) });
  expect(res.code).toBe(0);
  expect(res.stdout).toMatch(/^ {2}pack\|bundle \[options\] \[gomod\.\.\.\] /m);
});

describe('gobundle pack against the test upstream', () => {
  test('samples/hello: signed bundle, manifest, and the real go command accepts the extracted tree', { timeout: 300_000 }, async () => {
    const dir = tempDir('hello');
    const bundle = join(dir, 'hello.tgz');
    const res = await runCli(
      ['pack', join(repoRoot, 'samples', 'hello'), '-o', bundle, '--sign-key', signerKeyFile, '--cache-dir', join(dir, 'cache'), '--json'],
      { cwd: dir, env: packEnv(upstream.url, dir) },
    );
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout) as { modules: number; files: number; bytes: number; seconds: number; bundleSha256: string };
    expect(summary.bundleSha256).toBe(sha256(bundle));
    expect(summary.modules).toBe(2);

    const tree = join(dir, 'tree');
    extractBundle(bundle, join(dir, 'raw'), { keepMetadata: true });
    const manifestBytes = readFileSync(join(dir, 'raw', 'gobundle', 'manifest.json'));
    const manifest = parseManifest(manifestBytes);
    expect(
      verifyManifestSignature(manifestBytes, readFileSync(join(dir, 'raw', 'gobundle', 'manifest.sig')), [
        readFileSync(signerPubFile, 'utf8'),
      ]),
    ).toBe('gobundle.test.signer');
    expect(manifest.inputs.map((i) => i.module)).toEqual(['example.com/hello']);
    expect(manifest.files.map((f) => f.name)).toEqual([
      'example.com/!upper/!mod/@v/list',
      'example.com/!upper/!mod/@v/v1.0.0.info',
      'example.com/!upper/!mod/@v/v1.0.0.mod',
      'example.com/!upper/!mod/@v/v1.0.0.zip',
      'example.com/greeting/@v/list',
      'example.com/greeting/@v/v1.1.0.info',
      'example.com/greeting/@v/v1.1.0.mod',
      'example.com/greeting/@v/v1.1.0.zip',
    ]);
    for (const f of manifest.files) {
      const data = readFileSync(join(dir, 'raw', f.name));
      expect(createHash('sha256').update(data).digest('hex'), `sha256 of ${f.name}`).toBe(f.sha256);
    }
    expect(manifest.created).toBe('2023-03-04T05:06:07Z');

    extractBundle(bundle, tree);
    await upstream.stop();
    try {
      expect(await goAcceptsTree(join(repoRoot, 'samples', 'hello'), tree, join(dir, 'go'))).toEqual([]);
    } finally {
      upstream = await startUpstream({ modules: [fixtureModules] });
    }
  });

  test.each(readdirSync(fixtureProjects).sort())(
    'fixture project %s packs and go builds from the bundle',
    { timeout: 300_000 },
    async (project) => {
      const dir = tempDir(`proj-${project}`);
      const bundle = join(dir, 'b.tgz');
      const res = await runCli(
        ['pack', join(fixtureProjects, project), '-o', bundle, '--unsigned', '--cache-dir', join(dir, 'cache'), '--quiet'],
        {
          cwd: dir,
          env: packEnv(upstream.url, dir),
        },
      );
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toBe('');
      extractBundle(bundle, join(dir, 'tree'));
      expect(await goAcceptsTree(join(fixtureProjects, project), join(dir, 'tree'), join(dir, 'go'))).toEqual([]);
    },
  );

  test('two packs of the same input are byte-identical; several inputs pack as one bundle', { timeout: 300_000 }, async () => {
    const dir = tempDir('determinism');
    const args = (out: string, cache: string): string[] => [
      'pack',
      join(fixtureProjects, 'basic'),
      join(fixtureProjects, 'v2'),
      '-o',
      out,
      '--sign-key',
      signerKeyFile,
      '--cache-dir',
      join(dir, cache),
      '--quiet',
    ];
    const a = await runCli(args(join(dir, 'a.tgz'), 'cache-a'), { cwd: dir, env: packEnv(upstream.url, dir) });
    expect(a.code, a.stderr).toBe(0);
    // A second run with a fresh cache downloads again and must produce the same bytes.
    const b = await runCli(args(join(dir, 'b.tgz'), 'cache-b'), { cwd: dir, env: packEnv(upstream.url, dir) });
    expect(b.code, b.stderr).toBe(0);
    // A third run from a warm cache too.
    const c = await runCli(args(join(dir, 'c.tgz'), 'cache-a'), { cwd: dir, env: packEnv(upstream.url, dir) });
    expect(c.code, c.stderr).toBe(0);
    expect(sha256(join(dir, 'b.tgz')), 'fresh-cache pack differs').toBe(sha256(join(dir, 'a.tgz')));
    expect(sha256(join(dir, 'c.tgz')), 'warm-cache pack differs').toBe(sha256(join(dir, 'a.tgz')));

    extractBundle(join(dir, 'a.tgz'), join(dir, 'raw'), { keepMetadata: true });
    const manifest = parseManifest(readFileSync(join(dir, 'raw', 'gobundle', 'manifest.json')));
    expect(manifest.inputs.map((i) => i.module)).toEqual(['example.com/project/basic', 'example.com/project/v2']);
    extractBundle(join(dir, 'a.tgz'), join(dir, 'tree'));
    expect(await goAcceptsTree(join(fixtureProjects, 'basic'), join(dir, 'tree'), join(dir, 'go-basic'))).toEqual([]);
    expect(await goAcceptsTree(join(fixtureProjects, 'v2'), join(dir, 'tree'), join(dir, 'go-v2'))).toEqual([]);
  });
});
