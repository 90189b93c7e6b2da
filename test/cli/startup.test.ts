/**
 * A command loads only what it runs: the top-level help and --version list
 * every command from commandIndex.ts without loading any command's file
 * (undici, express, the CycloneDX library…), and the table they read agrees
 * with each command's own definition.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Help } from 'commander';
import { afterAll, describe, expect, test } from 'vitest';
import { COMMAND_INFO, helpTerm } from '../../src/cli/commandIndex.js';
import { buildProgram } from '../../src/cli/main.js';

const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'gobundle-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The files of ours (relative to dist/) and the packages a `gobundle <args>` run loads. */
function loads(args: string[]): { ours: string[]; packages: string[] } {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const out = join(work, `loads-${args.join('-')}.txt`);
  const res = spawnSync(
    process.execPath,
    ['--import', join(root, 'test', 'support', 'recordLoads.mjs'), join(root, 'bin', 'gobundle'), ...args],
    {
      env: { PATH: process.env.PATH, GOBUNDLE_RECORD_LOADS: out },
      encoding: 'utf8',
    },
  );
  expect(res.status, res.stderr).toBe(0);
  const urls = readFileSync(out, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:'));
  const files = urls.map((u) => fileURLToPath(u));
  const ours = files.filter((f) => f.startsWith(join(root, 'dist'))).map((f) => relative(join(root, 'dist'), f));
  const packages = [
    ...new Set(files.filter((f) => f.includes('/node_modules/')).map((f) => f.split('/node_modules/').pop()!.split('/')[0]!)),
  ];
  return { ours: [...new Set(ours)].sort(), packages: packages.sort() };
}

describe('start-up loads only what the command runs', () => {
  test.each([['--version'], ['--help']])('gobundle %s loads no command file and no package but commander', (arg) => {
    expect(loads([arg])).toEqual({
      ours: [
        'cli/commandIndex.js',
        'cli/exitCodes.js',
        'cli/main.js',
        'cli/reportError.js',
        'cli/toolVersion.js',
        'errorCodes.js',
        'errors.js',
      ],
      packages: ['commander'],
    });
  });

  test('gobundle ls --help loads ls, not pack, serve or sbom', () => {
    const { ours, packages } = loads(['ls', '--help']);
    expect(ours).toContain('cli/ls.js');
    expect(ours.filter((f) => /^(pack|serve|sbom|proxy)\//.test(f) || f === 'cli/pack.js')).toEqual([]);
    expect(packages.filter((p) => ['undici', 'express', '@cyclonedx', 'ajv'].includes(p))).toEqual([]);
  });
});

describe('the command table agrees with each command', () => {
  test.each(COMMAND_INFO.map((c) => [c.name, c] as const))('%s', async (name, info) => {
    const io = { stdout: process.stdout, stderr: process.stderr, env: {}, cwd: work };
    const program: Command = await buildProgram(io, name);
    const cmd = program.commands.find((c) => c.name() === name);
    expect(cmd, `${name} registered`).toBeDefined();
    expect(new Help().subcommandTerm(cmd!)).toBe(helpTerm(info));
    expect(cmd!.description()).toBe(info.description);
    expect(cmd!.aliases()).toEqual(info.aliases);
  });
});
