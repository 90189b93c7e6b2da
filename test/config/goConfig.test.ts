/**
 * loadGoConfig against the real go command: the same environment and env
 * files given to `go env -json` must yield the same values.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadGoConfig } from '../../src/config/goConfig.js';
import { GobundleError } from '../../src/errors.js';
import { goBinary } from '../support/gotool.js';

const VARS = [
  'GOPROXY',
  'GONOPROXY',
  'GONOSUMDB',
  'GOPRIVATE',
  'GOINSECURE',
  'GOSUMDB',
  'GOFLAGS',
  'GOPATH',
  'GOMODCACHE',
  'GOTOOLCHAIN',
] as const;

const root = mkdtempSync(join(tmpdir(), 'gobundle-goconfig-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Scenario {
  name: string;
  /** Process environment on top of PATH and HOME=<scenario dir>; `$DIR` is replaced by that dir. */
  env?: Record<string, string>;
  /** Env files to write, relative to the scenario dir. */
  files?: Record<string, string>;
}

const scenarios: Scenario[] = [
  { name: 'nothing set' },
  {
    name: 'env file at ~/.config/go/env',
    files: { '.config/go/env': 'GOPROXY=https://file.example,direct\nGOPRIVATE=corp.example.com\n' },
  },
  {
    name: 'env file under XDG_CONFIG_HOME',
    env: { XDG_CONFIG_HOME: '$DIR/xdg' },
    files: { 'xdg/go/env': 'GOSUMDB=off\nGONOSUMDB=x.example\n', '.config/go/env': 'GOSUMDB=ignored.example\n' },
  },
  {
    name: 'GOENV names the file',
    env: { GOENV: '$DIR/custom' },
    files: { custom: 'GOPROXY=https://custom.example|https://b.example,off\nGOINSECURE=*.lan\n', '.config/go/env': 'GOPROXY=ignored\n' },
  },
  {
    name: 'GOENV=off ignores the file',
    env: { GOENV: 'off' },
    files: { '.config/go/env': 'GOPROXY=https://file.example\n' },
  },
  {
    name: 'process beats file, empty process value is unset',
    env: { GOPROXY: 'https://env.example', GOSUMDB: '' },
    files: { '.config/go/env': 'GOPROXY=https://file.example\nGOSUMDB=off\n' },
  },
  {
    name: 'GONOPROXY overrides GOPRIVATE',
    env: { GOPRIVATE: '*.corp.example.com,example.com/private', GONOPROXY: 'none.example' },
  },
  { name: 'GOPATH list', env: { GOPATH: '$DIR/a:$DIR/b' } },
  { name: 'GOPATH and GOMODCACHE from the file', files: { '.config/go/env': 'GOPATH=/srv/gopath\nGOMODCACHE=/srv/modcache\n' } },
  { name: 'GOPATH from the file, GOMODCACHE derived', files: { '.config/go/env': 'GOPATH=/srv/gopath/\n' } },
  {
    name: 'GOFLAGS with quotes, comments and odd lines',
    files: { '.config/go/env': '# comment\ngoproxy=lower\n GOSUMDB=space\nGOFLAGS=-mod=mod "-tags=a b"\nGOTOOLCHAIN=local\nNOEQUALS\n' },
  },
  { name: 'GOTOOLCHAIN from the process', env: { GOTOOLCHAIN: 'local' } },
];

describe('loadGoConfig agrees with go env', () => {
  const goBin = goBinary('1.23');
  const goRoot = dirname(dirname(goBin));

  test.each(scenarios)('$name', async ({ name, env = {}, files = {} }) => {
    const dir = join(root, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(dir, { recursive: true });
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    const fullEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
    for (const [k, v] of Object.entries(env)) fullEnv[k] = v.replaceAll('$DIR', dir);

    const res = spawnSync(goBin, ['env', '-json', ...VARS], { cwd: dir, env: fullEnv, encoding: 'utf8', timeout: 60_000 });
    expect(res.status, `go env failed: ${res.stderr}`).toBe(0);
    const want = JSON.parse(res.stdout) as Record<string, string>;

    const cfg = await loadGoConfig(fullEnv, { platform: 'linux', goRoot });
    const got: Record<string, string> = {};
    for (const v of VARS) got[v] = cfg.env[v];
    expect(got, `loadGoConfig vs go env in scenario "${name}"`).toEqual(want);
  });
});

describe('loadGoConfig', () => {
  test('parses what it resolves', async () => {
    const dir = join(root, 'parsed');
    mkdirSync(join(dir, '.config', 'go'), { recursive: true });
    writeFileSync(join(dir, '.config', 'go', 'env'), 'GOPRIVATE=corp.example.com\nGOFLAGS=-mod=mod\n');
    const cfg = await loadGoConfig({ HOME: dir, GOPROXY: 'proxy.example.com|direct' }, { platform: 'linux' });
    expect(cfg.proxies).toEqual([
      { kind: 'noproxy', fallBackOnError: false },
      { kind: 'url', url: 'https://proxy.example.com', fallBackOnError: true },
      { kind: 'direct', fallBackOnError: false },
    ]);
    expect(cfg.sumdb).toEqual({
      name: 'sum.golang.org',
      key: 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8',
      url: 'https://sum.golang.org',
      urlExplicit: false,
    });
    expect(cfg.goflags).toEqual(['-mod=mod']);
    expect(cfg.envFile).toBe(join(dir, '.config', 'go', 'env'));
    expect(cfg.goRoot).toBeUndefined();
    expect(cfg.env.GONOPROXYFromGOPRIVATE).toBe(true);
  });

  test('reads $GOROOT/go.env', async () => {
    const goroot = join(root, 'goroot');
    mkdirSync(goroot, { recursive: true });
    writeFileSync(join(goroot, 'go.env'), '# defaults\nGOPROXY=https://goroot.example\nGOSUMDB=off\n');
    const cfg = await loadGoConfig({ HOME: root, GOENV: 'off', GOROOT: goroot }, { platform: 'linux' });
    expect([cfg.env.GOPROXY, cfg.env.GOSUMDB, cfg.goRoot]).toEqual(['https://goroot.example', 'off', goroot]);
  });

  const errors: Array<{ env: Record<string, string>; want: string }> = [
    { env: { GOPROXY: '/srv/proxy' }, want: 'invalid proxy URL missing scheme: /srv/proxy' },
    { env: { GOSUMDB: 'a b c' }, want: 'invalid GOSUMDB: too many fields' },
    { env: { GOFLAGS: 'mod=mod' }, want: 'parsing $GOFLAGS: non-flag "mod=mod"' },
  ];
  test.each(errors)('loadGoConfig($env) fails', async ({ env, want }) => {
    const err = await loadGoConfig({ HOME: root, GOENV: 'off', ...env }, { platform: 'linux' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GobundleError);
    expect({ code: (err as GobundleError).code, message: (err as GobundleError).message }).toEqual({ code: 'EGOENV', message: want });
  });
});

describe('GOPROXY errors agree with go mod download', () => {
  // go reports a bad GOPROXY when it first needs a proxy: as the download
  // error of the module, prefixed with path@version.
  const values = ['/abs/path', 'foo', ',', ' , ', 'ftp://x.example', 'file://host/x', 'file:/abs'];
  test.each(values)('GOPROXY=%j', async (value) => {
    const dir = join(root, 'proxyerr');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'go.mod'), 'module example.com/t\n\ngo 1.21\n');
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      GOENV: 'off',
      GOTOOLCHAIN: 'local',
      GOSUMDB: 'off',
      GOFLAGS: '-mod=mod',
      GOPROXY: value,
    };
    const res = spawnSync(goBinary('1.23'), ['mod', 'download', '-json', 'example.com/zz@v1.0.0'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const goError = (JSON.parse(res.stdout) as { Error?: string }).Error ?? `no error from go: ${res.stderr}`;
    const ours = await loadGoConfig(env, { platform: 'linux' }).then(
      () => 'no error from loadGoConfig',
      (err: unknown) => `example.com/zz@v1.0.0: ${(err as Error).message}`,
    );
    expect(ours).toBe(goError);
  });
});
