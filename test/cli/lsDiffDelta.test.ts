/**
 * gobundle ls and diff, asserted whole, and delta bundles (pack --since) in
 * process: a week-1 full bundle, week 2 packed full and as a delta on week 1
 * from the test upstream (GOSUMDB=off here, so every byte is deterministic;
 * test/e2e/crossingsGo.test.ts serves a delta with the checksum database to
 * the real go command).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readBundleHead } from '../../src/bundle/manifestFile.js';
import { manifestDigest } from '../../src/bundle/bundleParents.js';
import { packEnv, signerKeyFile, signerPubFile } from '../pack/packHarness.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { runCli } from './runCli.js';
import { toolVersion } from '../../src/cli/toolVersion.js';

const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'gobundle-lsdiff-'));
let upstream: Upstream | undefined;
const env = (): NodeJS.ProcessEnv => ({
  ...packEnv(upstream?.url ?? 'off', work),
  GOBUNDLE_CACHE: join(work, 'cache'),
  SOURCE_DATE_EPOCH: '1700000000',
});

/** A main module requiring `requires` (path version pairs), importing each. */
function project(name: string, requires: [string, string][]): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'go.mod'),
    `module example.com/${name}\n\ngo 1.21\n\nrequire (\n${requires.map(([p, v]) => `\t${p} ${v}\n`).join('')})\n`,
  );
  writeFileSync(join(dir, 'main.go'), `package main\n\nimport (\n${requires.map(([p]) => `\t_ "${p}"\n`).join('')})\n\nfunc main() {}\n`);
  return dir;
}

async function mustCli(args: string[]): Promise<string> {
  const r = await runCli(args, { cwd: work, env: env() });
  if (r.code !== 0) throw new Error(`gobundle ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

let week1Digest = '';

beforeAll(async () => {
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
  const w1 = project('week1', [
    ['example.com/greeting', 'v1.0.0'],
    ['example.com/vtwo', 'v1.0.0'],
  ]);
  const w2 = project('week2', [
    ['example.com/greeting', 'v1.1.0'],
    ['example.com/vtwo', 'v1.0.0'],
    ['example.com/vtwo/v2', 'v2.1.0'],
  ]);
  await mustCli(['pack', w1, '-o', 'week1.tgz', '--sign-key', signerKeyFile, '--quiet']);
  await mustCli(['pack', w2, '-o', 'week2.tgz', '--sign-key', signerKeyFile, '--quiet']);
  await mustCli(['pack', w2, '-o', 'week2-delta.tgz', '--since', 'week1.tgz', '--sign-key', signerKeyFile, '--quiet']);
  // The same parent named by its manifest.json alone, and by its part list.
  mkdirSync(join(work, 'week1-manifest'));
  spawnSync('tar', ['xzf', join(work, 'week1.tgz'), '-C', join(work, 'week1-manifest'), 'gobundle/manifest.json']);
  await mustCli([
    'pack',
    w2,
    '-o',
    'week2-delta-m.tgz',
    '--since',
    'week1-manifest/gobundle/manifest.json',
    '--sign-key',
    signerKeyFile,
    '--quiet',
  ]);
  mkdirSync(join(work, 'split'));
  await mustCli(['pack', w1, '-o', 'split/week1.tgz', '--max-part-size', '1K', '--sign-key', signerKeyFile, '--quiet']);
  await mustCli(['pack', w2, '-o', 'week2-delta-p.tgz', '--since', 'split/week1.tgz.parts', '--sign-key', signerKeyFile, '--quiet']);
  week1Digest = manifestDigest((await readBundleHead(join(work, 'week1.tgz'))).manifestBytes);
  await upstream.stop();
  upstream = undefined;
}, 180_000);

afterAll(async () => {
  await upstream?.stop();
  rmSync(work, { recursive: true, force: true });
});

const tool = `gobundle ${toolVersion()}`;
const created = '2023-11-14T22:13:20Z';

describe('gobundle ls', () => {
  test('text: every field and one line per module version with its bytes', async () => {
    expect(await mustCli(['ls', 'week1.tgz'])).toBe(
      [
        'bundle:   week1.tgz',
        `format:   gobundle/v1 (${tool})`,
        `created:  ${created}`,
        'signer:   gobundle.test.signer+18166903 (not verified: no --trust given)',
        'inputs:   example.com/week1 (week1/go.mod)',
        'parents:  none (a full bundle)',
        'sumdb:    none',
        'vulndb:   none',
        'files:    8 files, 1058 bytes',
        'modules:  2 module versions',
        '  example.com/greeting v1.0.0         557 bytes',
        '  example.com/vtwo v1.0.0             487 bytes',
        '',
      ].join('\n'),
    );
  });

  test('a delta with --trust: the signature verified, the parent named by its manifest digest', async () => {
    expect(await mustCli(['ls', 'week2-delta.tgz', '--trust', signerPubFile])).toBe(
      [
        'bundle:   week2-delta.tgz',
        `format:   gobundle/v1 (${tool})`,
        `created:  ${created}`,
        'signer:   gobundle.test.signer+18166903 (verified with a --trust key)',
        'inputs:   example.com/week2 (week2/go.mod)',
        `parents:  week1.tgz (created ${created}, manifest sha256 ${week1Digest})`,
        'sumdb:    none',
        'vulndb:   none',
        'files:    8 files, 1316 bytes',
        'modules:  2 module versions',
        '  example.com/greeting v1.1.0         788 bytes',
        '  example.com/vtwo/v2 v2.1.0          514 bytes',
        '',
      ].join('\n'),
    );
  });

  test('a signature no --trust key verifies is shown as such', async () => {
    await mustCli(['keygen', 'other', '--out-dir', work]);
    const other = join(work, 'other.pub');
    const out = await mustCli(['ls', 'week1.tgz', '--trust', other]);
    expect(out.split('\n')[3]).toBe('signer:   gobundle.test.signer+18166903 (NOT verified by any --trust key)');
  });

  test('--json', async () => {
    expect(JSON.parse(await mustCli(['ls', 'week2-delta.tgz', '--json']))).toEqual({
      bundle: 'week2-delta.tgz',
      format: 'gobundle/v1',
      tool,
      created,
      signer: { name: 'gobundle.test.signer', keyHash: '18166903', verified: null },
      inputs: [
        {
          module: 'example.com/week2',
          goMod: 'week2/go.mod',
          goModSha256: 'd1d34d7865ca03f1f212cbbecfe1508454253ab6784d48b86f20fe8085c775c0',
        },
      ],
      parents: [{ name: 'week1.tgz', manifestSha256: week1Digest, created }],
      sumdb: null,
      vulndb: null,
      files: 8,
      bytes: 1316,
      modules: [
        { path: 'example.com/greeting', version: 'v1.1.0', bytes: 788, goModOnly: false },
        { path: 'example.com/vtwo/v2', version: 'v2.1.0', bytes: 514, goModOnly: false },
      ],
    });
  });
});

describe('gobundle diff', () => {
  test('text: added and upgraded', async () => {
    expect(await mustCli(['diff', 'week1.tgz', 'week2.tgz'])).toBe(
      [
        `--- week1.tgz (created ${created})`,
        `+++ week2.tgz (created ${created})`,
        '+ example.com/vtwo/v2 v2.1.0',
        '^ example.com/greeting v1.0.0 -> v1.1.0',
        '1 added, 0 removed, 1 upgraded, 0 downgraded, 1 unchanged',
        '',
      ].join('\n'),
    );
  });

  test('--json the other way round: removed and downgraded', async () => {
    const out = await mustCli(['diff', 'week2.tgz', 'week1.tgz', '--json']);
    expect(out).toBe(
      `${JSON.stringify(
        {
          old: { bundle: 'week2.tgz', created },
          new: { bundle: 'week1.tgz', created, layeredOnOld: false },
          added: [],
          removed: [{ path: 'example.com/vtwo/v2', version: 'v2.1.0' }],
          upgraded: [],
          downgraded: [{ path: 'example.com/greeting', from: 'v1.1.0', to: 'v1.0.0' }],
          unchanged: 1,
        },
        null,
        2,
      )}\n`,
    );
  });

  test('a delta against its parent is compared as served layered on it', async () => {
    expect(await mustCli(['diff', 'week1.tgz', 'week2-delta.tgz'])).toBe(
      [
        `--- week1.tgz (created ${created})`,
        `+++ week2-delta.tgz (created ${created}, a delta compared as served layered on week1.tgz)`,
        '+ example.com/vtwo/v2 v2.1.0',
        '^ example.com/greeting v1.0.0 -> v1.1.0',
        '1 added, 0 removed, 1 upgraded, 0 downgraded, 2 unchanged',
        '',
      ].join('\n'),
    );
  });
});

describe('delta bundles', () => {
  test('the delta carries only what week 1 lacks, and names week 1 in its signed manifest', async () => {
    const full = (await readBundleHead(join(work, 'week2.tgz'))).manifest;
    const delta = (await readBundleHead(join(work, 'week2-delta.tgz'))).manifest;
    const week1 = (await readBundleHead(join(work, 'week1.tgz'))).manifest;
    const inWeek1 = new Set(week1.files.map((f) => `${f.name} ${f.sha256}`));
    expect(delta.files.map((f) => f.name)).toEqual(full.files.filter((f) => !inWeek1.has(`${f.name} ${f.sha256}`)).map((f) => f.name));
    expect(delta.files.map((f) => f.name)).toEqual([
      // Week 1's list says v1.0.0, week 2's v1.1.0: carried, and serve answers the union.
      'example.com/greeting/@v/list',
      'example.com/greeting/@v/v1.1.0.info',
      'example.com/greeting/@v/v1.1.0.mod',
      'example.com/greeting/@v/v1.1.0.zip',
      'example.com/vtwo/v2/@v/list',
      'example.com/vtwo/v2/@v/v2.1.0.info',
      'example.com/vtwo/v2/@v/v2.1.0.mod',
      'example.com/vtwo/v2/@v/v2.1.0.zip',
    ]);
    expect(delta.parents).toEqual([{ name: 'week1.tgz', manifestSha256: week1Digest, created }]);
    expect(full.parents).toBeUndefined();
  });

  test('--since takes the parent as a .tgz, its manifest.json or its part list: the same delta but for the name it records', async () => {
    const delta = (await readBundleHead(join(work, 'week2-delta.tgz'))).manifest;
    const fromManifest = (await readBundleHead(join(work, 'week2-delta-m.tgz'))).manifest;
    expect(fromManifest.parents).toEqual([{ name: 'manifest.json', manifestSha256: week1Digest, created }]);
    expect({ ...fromManifest, parents: delta.parents }).toEqual(delta);
    // The split week 1 is the same bundle cut in parts: the same manifest, so the same digest.
    const fromParts = (await readBundleHead(join(work, 'week2-delta-p.tgz'))).manifest;
    expect(fromParts.parents).toEqual([{ name: 'week1.tgz.parts', manifestSha256: week1Digest, created }]);
    expect({ ...fromParts, parents: delta.parents }).toEqual(delta);
  });

  test('verify checks a delta alone and says which parent it needs', async () => {
    const r = await runCli(['verify', 'week2-delta.tgz', '--trust', signerPubFile], { cwd: work, env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'week2-delta.tgz: ok: 2 modules, 8 files, 1316 bytes, signed by gobundle.test.signer',
        `week2-delta.tgz: a delta: serve it with its parent week1.tgz (created ${created}, manifest sha256 ${week1Digest})`,
        '',
      ].join('\n'),
    );
    const both = await runCli(['verify', 'week1.tgz', 'week2-delta.tgz', '--trust', signerPubFile], { cwd: work, env: env() });
    expect(both.stdout.split('\n').at(-2)).toBe(
      `week2-delta.tgz: a delta: serve it with its parent week1.tgz (created ${created}, manifest sha256 ${week1Digest}) (verified above)`,
    );
  });

  test('serve refuses the delta without its parent, naming the parent digest, before it listens', async () => {
    const r = await runCli(
      ['serve', 'week2-delta.tgz', '--trust', signerPubFile, '--listen', '127.0.0.1:0', '--cache-dir', join(work, 'serve-cache')],
      { cwd: work, env: env() },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `gobundle: bundle ${join(work, 'week2-delta.tgz')}: a delta bundle whose parent is not served: week1.tgz (created ${created}, manifest sha256 ${week1Digest})\n` +
        'hint: serve the parent bundles beside the delta (the bundles it was packed --since), or serve a full bundle instead\n',
    );
  });
});
