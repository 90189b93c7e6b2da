/**
 * `gobundle pack` on private modules that cannot be bundled: a go.mod
 * naming another module, a missing tag, an unreachable repository. Each
 * fails with exit 1, an error naming the module, and no bundle written.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../cli/runCli.js';
import { hermeticGoEnv } from '../support/gotool.js';
import { goImportPage, hermeticGitEnv, startGitHost, type GitHost } from './gitServer.js';
import { buildPrivateRepos, HOST } from './privateRepos.js';

let root: string;
let host: GitHost;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gobundle-vcs-pack-'));
  const gitEnv = hermeticGitEnv(join(root, 'home'));
  host = await startGitHost(join(root, 'repos'), { ...process.env, ...gitEnv });
  buildPrivateRepos(root, host, { ...process.env, ...gitEnv });
  host.pages.set(`${HOST}/gone`, goImportPage(`${HOST}/gone`, `http://${HOST}/gone.git`));
  env = {
    ...hermeticGoEnv({
      GOPROXY: 'off',
      GOPRIVATE: HOST,
      GOINSECURE: HOST,
      GOBUNDLE_CACHE: join(root, 'cache'),
      HTTP_PROXY: host.proxyUrl,
      http_proxy: host.proxyUrl,
    }),
    ...gitEnv,
  };
}, 120_000);

afterAll(async () => {
  await host?.close();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

test.each([
  [
    'a go.mod that declares another module path',
    `${HOST}/other v1.0.0`,
    `${HOST}/other@v1.0.0: parsing go.mod:\n\tmodule declares its path as: example.com/elsewhere\n\t        but was required as: ${HOST}/other`,
  ],
  ['a tag that does not exist', `${HOST}/tagged v1.9.0`, `${HOST}/tagged@v1.9.0: invalid version: unknown revision v1.9.0`],
  [
    'an unreachable repository',
    `${HOST}/gone v1.0.0`,
    `${HOST}/gone@v1.0.0: git ls-remote -q origin in http://${HOST}/gone.git: exit status 128`,
  ],
])(
  '%s: exit 1, nothing written',
  async (name, requirement, message) => {
    const dir = join(root, name.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'go.mod'), `module example.com/app\n\ngo 1.21\n\nrequire ${requirement}\n`);
    const out = join(dir, 'deps.tgz');
    const r = await runCli(['pack', dir, '-o', out, '--unsigned', '--quiet'], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(message);
    expect(existsSync(out)).toBe(false);
  },
  120_000,
);
