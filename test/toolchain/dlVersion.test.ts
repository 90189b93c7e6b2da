/** golang.org/toolchain version names, the bundle's toolchain files and @v/list, and the --toolchain spellings. */
import { describe, expect, test } from 'vitest';
import {
  dlToGo,
  parsePlatform,
  parseToolchainModuleVersion,
  platformOfNode,
  toolchainModuleVersion,
} from '../../src/toolchain/dlVersion.js';
import { parsePlatformArgs, parseToolchainArg, parseToolchainArgs } from '../../src/toolchain/toolchainArg.js';
import { servedToolchainList, toolchainFiles, toolchainList } from '../../src/toolchain/toolchainFiles.js';
import { UsageError } from '../../src/errors.js';

const q = JSON.stringify;
const linux = { goos: 'linux', goarch: 'amd64' };
const darwin = { goos: 'darwin', goarch: 'arm64' };

test.each<[string, string | undefined]>([
  ['v0.0.1-go1.19.7.windows-amd64', '1.19.7'],
  ['v0.0.1-go1.22.12.linux-amd64', '1.22.12'],
  ['v0.0.1-go1.21rc2.darwin-arm64', '1.21rc2'],
  ['v0.0.1-go1.22.12', undefined],
  ['v0.0.1', undefined],
  ['v0.0.1-go1.22.12.linux', undefined],
])('dlToGo(%j) = %j (modfetch/toolchain.go)', (v, want) => {
  expect(dlToGo(v), `dlToGo(${q(v)})`).toBe(want);
});

test('toolchainModuleVersion and parseToolchainModuleVersion are inverses', () => {
  expect(toolchainModuleVersion('go1.22.12', linux)).toBe('v0.0.1-go1.22.12.linux-amd64');
  expect(toolchainModuleVersion('go1.22.12', darwin)).toBe('v0.0.1-go1.22.12.darwin-arm64');
  expect(parseToolchainModuleVersion('v0.0.1-go1.22.12.darwin-arm64')).toEqual({ toolchain: 'go1.22.12', platform: darwin });
  expect(parseToolchainModuleVersion('v0.0.1-go1.22.12-bigcorp.linux-amd64')).toEqual({ toolchain: 'go1.22.12-bigcorp', platform: linux });
  for (const bad of ['v0.0.2-go1.22.12.linux-amd64', 'v0.0.1-go1.22.12', 'v0.0.1-gcc.linux-amd64', 'v0.0.1-go1.22.12.linux-amd64-x']) {
    expect(parseToolchainModuleVersion(bad), bad).toBeUndefined();
  }
});

test.each<[string, { goos: string; goarch: string } | undefined]>([
  ['linux/amd64', linux],
  ['darwin/arm64', darwin],
  ['linux', undefined],
  ['linux/amd64/x', undefined],
  ['Linux/amd64', undefined],
  ['linux-amd64', undefined],
])('parsePlatform(%j)', (text, want) => {
  expect(parsePlatform(text)).toEqual(want);
});

test.each<[string, string, { goos: string; goarch: string } | undefined]>([
  ['linux', 'x64', linux],
  ['darwin', 'arm64', darwin],
  ['win32', 'x64', { goos: 'windows', goarch: 'amd64' }],
  ['linux', 'ia32', { goos: 'linux', goarch: '386' }],
  ['cygwin', 'x64', undefined],
])('platformOfNode(%j, %j)', (platform, arch, want) => {
  expect(platformOfNode(platform, arch)).toEqual(want);
});

describe('--toolchain values', () => {
  test.each<[string, string]>([
    ['go1.22.12', 'go1.22.12'],
    ['1.22.12', 'go1.22.12'],
    ['go@1.22.12', 'go1.22.12'],
    ['toolchain@go1.22.12', 'go1.22.12'],
    ['go@go1.22.12', 'go1.22.12'],
    ['toolchain@1.22.12', 'go1.22.12'],
    ['go1.23rc1', 'go1.23rc1'],
    ['go1.20', 'go1.20'],
    ['go1.22.12-bigcorp', 'go1.22.12-bigcorp'],
  ])('%j → %j', (text, want) => {
    expect(parseToolchainArg(text)).toEqual({ auto: false, toolchain: want });
  });

  test('auto and lists', () => {
    expect(parseToolchainArgs('auto,go1.23.5')).toEqual([{ auto: true }, { auto: false, toolchain: 'go1.23.5' }]);
  });

  test.each<[string, string]>([
    ['go1.22', 'pack: --toolchain "go1.22": go1.22 is a language version but not a toolchain version (go1.22.x)'],
    ['1.22', 'pack: --toolchain "1.22": go1.22 is a language version but not a toolchain version (go1.22.x)'],
    ['latest', 'pack: --toolchain "latest": not a Go toolchain'],
    ['go1.22.12/../x', 'pack: --toolchain "go1.22.12/../x": not a Go toolchain'],
    ['gccgo', 'pack: --toolchain "gccgo": not a Go toolchain'],
  ])('refused: %j', (text, message) => {
    const err = (() => {
      try {
        parseToolchainArg(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(message);
  });

  test('--platform lists', () => {
    expect(parsePlatformArgs('linux/amd64,darwin/arm64')).toEqual([linux, darwin]);
    expect(() => parsePlatformArgs('linux')).toThrow('pack: --platform "linux": want goos/goarch, e.g. linux/amd64 or darwin/arm64');
  });
});

describe('toolchain files of a bundle', () => {
  test('each version × platform carries .info, .mod and .zip, plus the linux-amd64 .info', () => {
    const names = toolchainFiles(['go1.23.5', 'go1.22.12', 'go1.22.12'], [darwin, darwin]).map((f) => `${f.version}.${f.kind}`);
    expect(names).toEqual([
      'v0.0.1-go1.22.12.darwin-arm64.info',
      'v0.0.1-go1.22.12.darwin-arm64.mod',
      'v0.0.1-go1.22.12.darwin-arm64.zip',
      'v0.0.1-go1.22.12.linux-amd64.info',
      'v0.0.1-go1.23.5.darwin-arm64.info',
      'v0.0.1-go1.23.5.darwin-arm64.mod',
      'v0.0.1-go1.23.5.darwin-arm64.zip',
      'v0.0.1-go1.23.5.linux-amd64.info',
    ]);
    expect(toolchainFiles(['go1.22.12'], [linux]).map((f) => `${f.version}.${f.kind}`)).toEqual([
      'v0.0.1-go1.22.12.linux-amd64.info',
      'v0.0.1-go1.22.12.linux-amd64.mod',
      'v0.0.1-go1.22.12.linux-amd64.zip',
    ]);
  });

  test('@v/list holds only versions carried for every platform', () => {
    const carried = [
      { toolchain: 'go1.22.12', platform: linux },
      { toolchain: 'go1.22.12', platform: darwin },
      { toolchain: 'go1.23.5', platform: linux },
      { toolchain: 'go1.21.13', platform: darwin },
      { toolchain: 'go1.21.13', platform: linux },
    ];
    expect(toolchainList(carried, [linux, darwin])).toEqual([
      'v0.0.1-go1.21.13.linux-amd64',
      'v0.0.1-go1.21.13.darwin-arm64',
      'v0.0.1-go1.22.12.linux-amd64',
      'v0.0.1-go1.22.12.darwin-arm64',
    ]);
    expect(toolchainList(carried, [linux])).toEqual([
      'v0.0.1-go1.21.13.linux-amd64',
      'v0.0.1-go1.22.12.linux-amd64',
      'v0.0.1-go1.23.5.linux-amd64',
    ]);
  });
});

test('servedToolchainList: two bundles listed as one keep only versions with a zip for every platform', () => {
  const listed = ['v0.0.1-go1.22.12.linux-amd64', 'v0.0.1-go1.22.12.darwin-arm64', 'v0.0.1-go1.23.5.linux-amd64', 'not-a-toolchain'];
  const zips = new Set(['v0.0.1-go1.22.12.linux-amd64', 'v0.0.1-go1.22.12.darwin-arm64', 'v0.0.1-go1.23.5.linux-amd64']);
  expect(servedToolchainList(listed, (v) => zips.has(v))).toEqual(['v0.0.1-go1.22.12.linux-amd64', 'v0.0.1-go1.22.12.darwin-arm64']);
  expect(servedToolchainList(['v0.0.1-go1.23.5.linux-amd64'], (v) => zips.has(v))).toEqual(['v0.0.1-go1.23.5.linux-amd64']);
  // A listed version whose zip is not served is not offered.
  expect(servedToolchainList(['v0.0.1-go1.24.0.linux-amd64', 'v0.0.1-go1.23.5.linux-amd64'], (v) => zips.has(v))).toEqual([
    'v0.0.1-go1.23.5.linux-amd64',
  ]);
});
