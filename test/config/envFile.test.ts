import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { envFilePath, readEnvFile, userConfigDir } from '../../src/config/envFile.js';

describe('envFilePath', () => {
  // cmd/go cfg.EnvFile + os.UserConfigDir (Go 1.23).
  const cases: Array<{ env: Record<string, string>; platform: string; want: string | undefined }> = [
    { env: { GOENV: '/etc/goenv', HOME: '/home/u' }, platform: 'linux', want: '/etc/goenv' },
    { env: { GOENV: 'off', HOME: '/home/u' }, platform: 'linux', want: undefined },
    { env: { GOENV: '', HOME: '/home/u' }, platform: 'linux', want: '/home/u/.config/go/env' },
    { env: { HOME: '/home/u' }, platform: 'linux', want: '/home/u/.config/go/env' },
    { env: { HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', want: '/xdg/go/env' },
    { env: { HOME: '/home/u', XDG_CONFIG_HOME: '' }, platform: 'linux', want: '/home/u/.config/go/env' },
    { env: {}, platform: 'linux', want: undefined },
    { env: { HOME: '/Users/u', XDG_CONFIG_HOME: '/xdg' }, platform: 'darwin', want: '/Users/u/Library/Application Support/go/env' },
    { env: {}, platform: 'darwin', want: undefined },
    { env: { AppData: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', want: 'C:\\Users\\u\\AppData\\Roaming\\go\\env' },
    { env: { HOME: '/home/u' }, platform: 'win32', want: undefined },
    { env: { home: '/usr/u' }, platform: 'plan9', want: '/usr/u/lib/go/env' },
  ];
  test.each(cases)('envFilePath($env, $platform)', ({ env, platform, want }) => {
    expect(envFilePath(env, platform), `envFilePath(${JSON.stringify(env)}, ${platform})`).toBe(want);
  });

  test('userConfigDir defaults to the running platform', () => {
    expect(userConfigDir({ HOME: '/h', XDG_CONFIG_HOME: '/x' })).toBe(
      process.platform === 'darwin' ? '/h/Library/Application Support' : '/x',
    );
  });
});

describe('readEnvFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gobundle-envfile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads KEY=VALUE lines', async () => {
    const file = join(dir, 'env');
    writeFileSync(file, '# comment\nGOPROXY=https://a.example,direct\nGOPRIVATE=corp.example.com\n');
    expect([...(await readEnvFile(file))]).toEqual([
      ['GOPROXY', 'https://a.example,direct'],
      ['GOPRIVATE', 'corp.example.com'],
    ]);
  });

  const unreadable: Array<{ name: string; path: () => string | undefined }> = [
    { name: 'no file configured', path: () => undefined },
    { name: 'missing file', path: () => join(dir, 'missing') },
    {
      name: 'a directory',
      path: () => {
        mkdirSync(join(dir, 'adir'), { recursive: true });
        return join(dir, 'adir');
      },
    },
  ];
  test.each(unreadable)('readEnvFile: $name contributes nothing', async ({ path }) => {
    expect((await readEnvFile(path())).size).toBe(0);
  });
});
