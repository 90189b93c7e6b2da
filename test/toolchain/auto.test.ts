/** What GOTOOLCHAIN=auto switches to: Select's start-up rule, newerToolchain, and the toolchains a bundle must carry. */
import { describe, expect, test } from 'vitest';
import { autoToolchains, newerToolchain, selectToolchain, type ToolchainInputs } from '../../src/toolchain/auto.js';
import { fromToolchain } from '../../src/toolchain/gover.js';

const q = JSON.stringify;

describe('selectToolchain (toolchain/select.go Select, GOTOOLCHAIN=auto)', () => {
  test.each<[string, string | undefined, string | undefined, string | undefined]>([
    // local, go line, toolchain line → toolchain run (undefined: stay local)
    ['go1.21.13', '1.22.12', undefined, 'go1.22.12'],
    ['go1.21.13', '1.22', undefined, 'go1.22.0'], // a language version's first release
    ['go1.21.0', '1.21', undefined, undefined], // 1.21 < 1.21.0
    ['go1.21.0', '1.21.0', undefined, undefined],
    ['go1.21.0', '1.21.1', undefined, 'go1.21.1'],
    ['go1.21.0', '1.20', undefined, undefined],
    ['go1.21.0', undefined, undefined, undefined],
    ['go1.21.13', '1.21', 'go1.22.12', 'go1.22.12'],
    ['go1.21.13', '1.22.1', 'go1.22.12', 'go1.22.12'], // the higher of the two
    ['go1.21.13', '1.23.0', 'go1.22.12', 'go1.23.0'], // a newer go line overrides the toolchain line
    ['go1.21.13', '1.23', 'go1.22.12', 'go1.23.0'],
    ['go1.21.13', '1.22.12', 'default', undefined], // toolchain default: never switch for go.mod
    ['go1.21.13', '1.21', 'go1.21.13', undefined], // equal is satisfied already
    ['go1.21.13', '1.21', 'go1.21.12', undefined], // older toolchain line ignored
    ['go1.21.13', '1.22rc1', undefined, 'go1.22rc1'],
    ['go1.22.12', '1.22.12', undefined, undefined],
    ['go1.21.0', '1.21', 'go1.22.12-bigcorp', 'go1.22.12-bigcorp'],
  ])('local %s, go %s, toolchain %s → %s', (local, go, toolchain, want) => {
    expect(selectToolchain(local, go, toolchain), `selectToolchain(${q(local)}, ${q(go)}, ${q(toolchain)})`).toBe(want);
  });
});

describe('newerToolchain (toolchain/switch.go, from its toolchain_test.go table)', () => {
  const relRC = ['1.39.0', '1.39.1', '1.39.2', '1.40.0', '1.40.1', '1.40.2', '1.41rc1'];
  const rel2 = ['1.39.0', '1.39.1', '1.39.2', '1.40.0', '1.40.1', '1.40.2'];
  const rel0 = ['1.39.0', '1.39.1', '1.39.2', '1.40.0'];
  test.each<[string, string[], string | undefined]>([
    ['1.30', rel0, 'go1.39.2'],
    ['1.30', rel2, 'go1.39.2'],
    ['1.30', relRC, 'go1.39.2'],
    ['1.38', rel0, 'go1.39.2'],
    ['1.38', rel2, 'go1.39.2'],
    ['1.38', relRC, 'go1.39.2'],
    ['1.38.1', rel0, 'go1.39.2'],
    ['1.38.1', rel2, 'go1.39.2'],
    ['1.38.1', relRC, 'go1.39.2'],
    ['1.39', rel0, 'go1.39.2'],
    ['1.39', rel2, 'go1.39.2'],
    ['1.39', relRC, 'go1.39.2'],
    ['1.39.2', rel0, 'go1.39.2'],
    ['1.39.2', rel2, 'go1.39.2'],
    ['1.39.2', relRC, 'go1.39.2'],
    ['1.39.3', rel0, 'go1.40.0'],
    ['1.39.3', rel2, 'go1.40.2'],
    ['1.39.3', relRC, 'go1.40.2'],
    ['1.40', rel0, 'go1.40.0'],
    ['1.40', rel2, 'go1.40.2'],
    ['1.40', relRC, 'go1.40.2'],
    ['1.40.1', rel0, undefined],
    ['1.40.1', rel2, 'go1.40.2'],
    ['1.40.1', relRC, 'go1.40.2'],
    ['1.41', rel0, undefined],
    ['1.41', rel2, undefined],
    ['1.41', relRC, 'go1.41rc1'],
    ['1.41.0', rel0, undefined],
    ['1.41.0', rel2, undefined],
    ['1.41.0', relRC, undefined],
    ['1.40', [], undefined],
    // Offline the list is what the bundle carries (plus the client's own version).
    ['1.22.12', ['1.21.13', '1.22.12'], 'go1.22.12'],
    ['1.22', ['1.21.13', '1.22.0'], 'go1.22.0'],
    ['1.23.0', ['1.21.13', '1.22.12', '1.23.0'], 'go1.23.0'],
    ['1.22.12', ['1.21.13', '1.22.12', '1.23.0'], 'go1.22.12'],
  ])('newerToolchain(%j, %j) = %j', (need, list, want) => {
    expect(newerToolchain(need, list), `newerToolchain(${q(need)}, ${q(list)})`).toBe(want);
  });
});

describe('autoToolchains: what a bundle carries so an old client can switch offline', () => {
  const m = (go: string | undefined, toolchain?: string, dep?: [string, string]): ToolchainInputs => ({
    module: 'example.com/m',
    go,
    toolchain,
    dependencyGo: dep === undefined ? undefined : { module: dep[0], version: dep[1] },
  });
  test.each<[string, ToolchainInputs, string[]]>([
    ['go 1.22.12', m('1.22.12'), ['go1.22.12']],
    ['go 1.22 (language version)', m('1.22'), ['go1.22.0']],
    ['go 1.21', m('1.21'), []],
    ['go 1.21.0', m('1.21.0'), []],
    ['go 1.20', m('1.20'), []],
    ['no go line', m(undefined), []],
    ['toolchain line', m('1.21', 'go1.22.12'), ['go1.22.12']],
    ['toolchain default', m('1.22.12', 'default'), []],
    ['dependency needs newer', m('1.21', undefined, ['example.com/dep@v1.0.0', '1.22.12']), ['go1.22.12']],
    ['dependency needs a language version', m('1.21', undefined, ['example.com/dep@v1.0.0', '1.23']), ['go1.23.0']],
    ['dependency satisfied by the go line', m('1.22.12', undefined, ['example.com/dep@v1.0.0', '1.22.3']), ['go1.22.12']],
    ['dependency beyond the go line', m('1.22.12', undefined, ['example.com/dep@v1.0.0', '1.23.5']), ['go1.22.12', 'go1.23.5']],
    ['dependency beyond the toolchain line', m('1.21', 'go1.22.0', ['example.com/dep@v1.0.0', '1.22.1']), ['go1.22.0', 'go1.22.1']],
    ['unpruned main, newer dependency', m('1.16', undefined, ['example.com/dep@v1.0.0', '1.22.12']), ['go1.22.12']],
  ])('%s', (_name, inputs, want) => {
    const got = autoToolchains(inputs);
    expect(got.map((n) => n.toolchain)).toEqual(want);
    // Whatever version a client older than all of them needs, newerToolchain picks a carried one.
    if (inputs.dependencyGo !== undefined && got.length > 0) {
      const list = ['1.21.0', ...got.map((n) => fromToolchain(n.toolchain))];
      const picked = newerToolchain(inputs.dependencyGo.version, list);
      if (picked !== undefined && picked !== 'go1.21.0') expect(want).toContain(picked);
    }
  });

  test('reasons name the line or the module', () => {
    expect(autoToolchains(m('1.21', 'go1.22.0', ['example.com/dep@v1.0.0', '1.22.1']))).toEqual([
      { toolchain: 'go1.22.0', reason: 'example.com/m go.mod says toolchain go1.22.0' },
      { toolchain: 'go1.22.1', reason: 'module example.com/dep@v1.0.0 requires go >= 1.22.1' },
    ]);
    expect(autoToolchains(m('1.22'))).toEqual([{ toolchain: 'go1.22.0', reason: 'example.com/m go.mod says go 1.22' }]);
  });
});
