/**
 * gobundle's direct (version-control) fetches against the go command's:
 * real git repositories served over HTTP on 127.0.0.1 (go-import pages and
 * git http-backend), GOPRIVATE and GOINSECURE set, and for every version
 * the `.info`, `.mod` bytes and zip h1 from `GOPROXY=direct go mod download
 * -json` (Go 1.23, fresh module cache) must equal gobundle's.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validateZip } from '../../src/modzip/validateZip.js';
import { HttpTransport } from '../../src/network/httpTransport.js';
import { networkSettings } from '../../src/network/networkSettings.js';
import { VcsSource } from '../../src/vcs/vcsSource.js';
import { goBinary, hermeticGoEnv } from '../support/gotool.js';
import { hermeticGitEnv, startGitHost, type GitHost } from './gitServer.js';
import { buildPrivateRepos, HOST, type PrivateRepos } from './privateRepos.js';

let root: string;
let host: GitHost;
let repos: PrivateRepos;
let env: NodeJS.ProcessEnv;
let source: VcsSource;
let transport: HttpTransport;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gobundle-vcs-'));
  const gitEnv = hermeticGitEnv(join(root, 'home'));
  host = await startGitHost(join(root, 'repos'), { ...process.env, ...gitEnv });
  repos = buildPrivateRepos(root, host, { ...process.env, ...gitEnv });
  env = {
    ...hermeticGoEnv({
      GOPROXY: 'direct',
      GOPRIVATE: HOST,
      GONOSUMDB: HOST,
      GOINSECURE: HOST,
      GOSUMDB: 'off',
      GOPATH: join(root, 'gopath'),
      GOMODCACHE: join(root, 'gopath', 'pkg', 'mod'),
      HTTP_PROXY: host.proxyUrl,
      http_proxy: host.proxyUrl,
      HTTPS_PROXY: host.proxyUrl,
      https_proxy: host.proxyUrl,
    }),
    ...gitEnv,
  };
  // The transport takes the proxy settings (the git host is reached through HTTP_PROXY), as pack's does.
  transport = new HttpTransport({ network: networkSettings(env, 'off') });
  source = new VcsSource({
    env: { GOPRIVATE: HOST, GOINSECURE: HOST },
    processEnv: env,
    cacheDir: join(root, 'gobundle-cache'),
    transport,
  });
}, 120_000);

afterAll(async () => {
  await source?.close();
  await transport?.close();
  await host?.close();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

interface GoDownload {
  Path: string;
  Version: string;
  Info?: string;
  GoMod?: string;
  Zip?: string;
  Sum?: string;
  GoModSum?: string;
  Error?: string;
}

/** Run go without blocking the event loop (the git host runs in this process). */
async function runGo(args: string[], cwd: string): Promise<string> {
  try {
    return (await promisify(execFile)(goBinary('1.23'), args, { cwd, env, encoding: 'utf8', timeout: 120_000 })).stdout;
  } catch (err) {
    // go mod download -json exits 1 with the error in its JSON.
    const stdout = (err as { stdout?: string }).stdout ?? '';
    if (stdout === '') throw err;
    return stdout;
  }
}

async function goDownload(query: string): Promise<GoDownload> {
  return JSON.parse(await runGo(['mod', 'download', '-json', query], mkdtempSync(join(root, 'dl-')))) as GoDownload;
}

async function gobundleZipH1(path: string, version: string): Promise<string> {
  const file = join(root, `zip-${Math.random().toString(36).slice(2)}.zip`);
  await source.zipTo(path, version, file);
  return (await validateZip(file, { path, version })).h1;
}

const cases: [string, string][] = [
  ['tagged version', `${HOST}/tagged@v1.0.0`],
  ['annotated tag', `${HOST}/tagged@v1.1.0`],
  ['branch (pseudo-version after a tag)', `${HOST}/tagged@feature`],
  ['default branch', `${HOST}/tagged@main`],
  ['module in a subdirectory, prefixed tag', `${HOST}/mono/sub@v0.2.0`],
  ['subdirectory module, later tag (root LICENSE added)', `${HOST}/mono/sub@v0.3.0`],
  ['root module with nested modules, vendor/ and a symlink', `${HOST}/mono@v1.0.0`],
  ['/v2 module', `${HOST}/vtwo/v2@v2.1.0`],
  ['v1 tag without go.mod', `${HOST}/legacy@v1.0.0`],
  ['v2 tag without go.mod (+incompatible)', `${HOST}/legacy@v2.0.0+incompatible`],
  ['untagged repository @latest', `${HOST}/notags@latest`],
];

describe('direct fetches agree with GOPROXY=direct go mod download (Go 1.23)', () => {
  test.each(cases)(
    '%s: %s',
    async (_name, query) => {
      const want = await goDownload(query);
      expect(want.Error, `go mod download ${query}`).toBeUndefined();
      const path = want.Path;
      const rev = query.slice(query.indexOf('@') + 1);
      const info = await source.infoBytes(path, rev);
      expect(info.toString('utf8'), `.info of ${query}`).toBe(readFileSync(want.Info ?? '', 'utf8'));
      // The canonical version resolves to the same .info as the query.
      expect((await source.infoBytes(path, want.Version)).toString('utf8')).toBe(readFileSync(want.Info ?? '', 'utf8'));
      expect((await source.mod(path, want.Version)).toString('utf8'), `.mod of ${path}@${want.Version}`).toBe(
        readFileSync(want.GoMod ?? '', 'utf8'),
      );
      expect(await gobundleZipH1(path, want.Version), `zip h1 of ${path}@${want.Version}`).toBe(want.Sum);
    },
    120_000,
  );

  test('commit hashes (full and 12-digit) resolve to the pseudo-version the go command computes', async () => {
    const hash = repos.commits.get('tagged-untagged') ?? '';
    for (const q of [hash, hash.slice(0, 12)]) {
      const want = await goDownload(`${HOST}/tagged@${q}`);
      expect(want.Error).toBeUndefined();
      expect((await source.infoBytes(`${HOST}/tagged`, q)).toString('utf8')).toBe(readFileSync(want.Info ?? '', 'utf8'));
      expect(await gobundleZipH1(`${HOST}/tagged`, want.Version)).toBe(want.Sum);
    }
  }, 120_000);

  test('the version list is the release tags, as the go command lists them', async () => {
    const cwd = mkdtempSync(join(root, 'list-'));
    for (const path of [`${HOST}/tagged`, `${HOST}/mono/sub`, `${HOST}/legacy`, `${HOST}/vtwo/v2`]) {
      const want = (JSON.parse(await runGo(['list', '-m', '-versions', '-json', path], cwd)) as { Versions?: string[] }).Versions ?? [];
      expect(
        (await source.list(path)).map((e) => e.version),
        path,
      ).toEqual(want);
    }
  }, 120_000);
});

describe('modules whose go.mod says go 1.24 or later', () => {
  // Go 1.23 refuses to zip them (modfetch/coderepo.go Zip: TooNewError), so
  // the zip contents are checked against x/mod v0.22's zip.go
  // isVendoredPackage: vendor/modules.txt leaves the zip, pkg/vendor/v.go
  // (wrongly dropped before go 1.24) stays, vendored packages still go.
  test('vendor/modules.txt is left out and pkg/vendor/ files are kept', async () => {
    const path = `${HOST}/go124`;
    const file = join(root, 'go124.zip');
    await source.zipTo(path, 'v1.0.0', file);
    const { openZip } = await import('../../src/modzip/zipEntries.js');
    const zip = await openZip(file);
    const names: string[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: { fileNameRaw: Buffer }) => {
        names.push(Buffer.from(e.fileNameRaw).toString('utf8'));
        zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    });
    zip.close();
    expect(names.sort()).toEqual([`${path}@v1.0.0/g.go`, `${path}@v1.0.0/go.mod`, `${path}@v1.0.0/pkg/vendor/v.go`]);
    // The go command itself still serves the .info and go.mod of such a version.
    const want = await goDownload(`${path}@v1.0.0`);
    expect((await source.infoBytes(path, 'v1.0.0')).toString('utf8')).toBe(readFileSync(want.Info ?? '', 'utf8'));
    expect((await source.mod(path, 'v1.0.0')).toString('utf8')).toBe(readFileSync(want.GoMod ?? '', 'utf8'));
  }, 120_000);
});

describe('bad input: a clear error naming the module', () => {
  test.each([
    ['a tag that does not exist', `${HOST}/tagged`, 'v9.9.9', `${HOST}/tagged@v9.9.9: invalid version: unknown revision v9.9.9`],
    [
      'a host with no go-import page',
      `${HOST}/missing`,
      'v1.0.0',
      `${HOST}/missing: unrecognized import path "${HOST}/missing": reading http://${HOST}/missing?go-get=1: 404`,
    ],
    [
      'a go-import page that its prefix root contradicts',
      `${HOST}/liar/sub`,
      'v1.0.0',
      `${HOST}/liar/sub: unrecognized import path "${HOST}/liar/sub": http://${HOST}/liar/sub?go-get=1 and http://${HOST}/liar?go-get=1 disagree about go-import for ${HOST}/liar`,
    ],
  ])(
    '%s',
    async (_name, path, version, message) => {
      await expect(source.infoBytes(path, version)).rejects.toThrow(message);
    },
    60_000,
  );

  test('an unreachable repository names the repository and what git said', async () => {
    host.pages.set(`${HOST}/gone`, `<meta name="go-import" content="${HOST}/gone git http://${HOST}/gone.git">`);
    const err = await source.infoBytes(`${HOST}/gone`, 'v1.0.0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      new RegExp(`^${HOST}/gone@v1.0.0: git ls-remote -q origin in http://${HOST}/gone.git: exit status 128\\n\\t.*`),
    );
    expect((err as { code?: string }).code).toBe('EVCS');
  }, 60_000);

  test('git not installed: says so and what needs it', async () => {
    const noGit = new VcsSource({
      env: { GOPRIVATE: HOST, GOINSECURE: HOST },
      processEnv: { ...env, PATH: join(root, 'empty-bin') },
      cacheDir: join(root, 'nogit-cache'),
      transport,
    });
    try {
      const err = await noGit.infoBytes(`${HOST}/tagged`, 'v1.0.0').catch((e: unknown) => e);
      expect((err as Error).message).toBe(
        `${HOST}/tagged@v1.0.0: git init --bare in http://${HOST}/tagged.git: git is not installed (no "git" on PATH)`,
      );
      expect((err as { hint?: string }).hint).toContain('install git');
    } finally {
      await noGit.close();
    }
  }, 60_000);

  test('GOVCS can forbid git for a path', async () => {
    const strict = new VcsSource({
      env: { GOPRIVATE: HOST, GOINSECURE: HOST, GOVCS: `${HOST}:off` },
      processEnv: env,
      cacheDir: join(root, 'govcs-cache'),
      transport,
    });
    try {
      await expect(strict.infoBytes(`${HOST}/tagged`, 'v1.0.0')).rejects.toThrow(
        `${HOST}/tagged: GOVCS disallows using git for private ${HOST}/tagged; see 'go help vcs'`,
      );
    } finally {
      await strict.close();
    }
  }, 60_000);
});
