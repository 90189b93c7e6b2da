/** A workspace's replacements and exclusions (modload replacementFrom, canonicalizeReplacePath). */
import { describe, expect, test } from 'vitest';
import { WorkspaceIndex, type WorkspaceModule } from '../../src/resolve/workspaceIndex.js';
import type { ModSummaryInput } from '../../src/resolve/types.js';

function mod(path: string, replace: ModSummaryInput['replace'] = [], exclude: ModSummaryInput['exclude'] = []): ModSummaryInput {
  return { module: { path }, go: '1.21', require: [], exclude, replace };
}
const rep = (oldPath: string, oldVersion: string, newPath: string, newVersion = '') => ({
  old: { path: oldPath, version: oldVersion },
  new: { path: newPath, version: newVersion },
  local: newVersion === '',
});

function index(modules: WorkspaceModule[], workReplace: ModSummaryInput['replace'] = []): WorkspaceIndex {
  return new WorkspaceIndex({ workDir: '/ws', go: '1.21', toolchain: undefined, replace: workReplace, modules });
}

describe('WorkspaceIndex', () => {
  test('go.work replace wins over a module replace; workspace modules are never replaced', () => {
    const ix = index(
      [
        {
          dir: './a',
          file: mod('example.com/a', [
            rep('example.com/x', 'v1.0.0', 'example.com/y', 'v1.0.0'),
            rep('example.com/b', '', 'example.com/other', 'v1.0.0'),
          ]),
        },
        { dir: './b', file: mod('example.com/b') },
      ],
      [rep('example.com/x', '', 'example.com/z', 'v2.0.0')],
    );
    expect(ix.replacement({ path: 'example.com/x', version: 'v1.0.0' })).toEqual({
      kind: 'module',
      path: 'example.com/z',
      version: 'v2.0.0',
    });
    expect(ix.replacement({ path: 'example.com/b', version: '' })).toBeUndefined();
    expect(ix.replacement({ path: 'example.com/b', version: 'v0.1.0' })).toEqual({
      kind: 'module',
      path: 'example.com/other',
      version: 'v1.0.0',
    });
  });

  test.each([
    ['../d', './a', './d'],
    ['./vendor/d', 'mods/a', './mods/a/vendor/d'],
    ['../../outside', './a', '../outside'],
    ['/abs/d', './a', '/abs/d'],
  ])('a directory replacement %j in module %j is %j from the go.work directory', (dir, moduleDir, want) => {
    const ix = index([{ dir: moduleDir, file: mod('example.com/a', [rep('example.com/d', '', dir)]) }]);
    expect(ix.replacement({ path: 'example.com/d', version: 'v1.0.0' })).toEqual({ kind: 'dir', dir: want });
  });

  test('two modules replacing the same version differently is an error naming both go.mod files', () => {
    const ix = index([
      { dir: './a', file: mod('example.com/a', [rep('example.com/x', 'v1.0.0', 'example.com/y', 'v1.0.0')]) },
      { dir: './b', file: mod('example.com/b', [rep('example.com/x', 'v1.0.0', 'example.com/y', 'v1.1.0')]) },
    ]);
    expect(() => ix.replacement({ path: 'example.com/x', version: 'v1.0.0' })).toThrow(
      'conflicting replacements found for example.com/x@v1.0.0 in workspace modules defined by a/go.mod and b/go.mod',
    );
  });

  test('exclusions of every workspace module apply; a module used twice is an error', () => {
    const ix = index([
      { dir: './a', file: mod('example.com/a', [], [{ path: 'example.com/x', version: 'v1.0.0' }]) },
      { dir: './b', file: mod('example.com/b') },
    ]);
    expect(ix.isExcluded({ path: 'example.com/x', version: 'v1.0.0' })).toBe(true);
    expect(() =>
      index([
        { dir: './a', file: mod('example.com/a') },
        { dir: './a2', file: mod('example.com/a') },
      ]),
    ).toThrow('module example.com/a appears multiple times in workspace');
  });
});

describe('resolveWorkspacePlan', () => {
  const noSource = {
    remote: () => Promise.reject(new Error('no remote reads expected')),
    local: () => Promise.reject(new Error('no local reads expected')),
  };

  test("a go.work older than a module (go ≥ 1.21) is refused with the go command's message", async () => {
    const { resolveWorkspacePlan } = await import('../../src/resolve/workspacePlan.js');
    const work = {
      workDir: '/ws',
      go: '1.21',
      toolchain: undefined,
      replace: [],
      modules: [{ dir: './a', file: { ...mod('example.com/a'), go: '1.22' } }],
    };
    await expect(resolveWorkspacePlan('go.work', work, noSource)).rejects.toThrow(
      'module a listed in go.work file requires go >= 1.22, but go.work lists go 1.21; to update it:\n\tgo work use',
    );
    await expect(resolveWorkspacePlan('go.work', { ...work, go: undefined }, noSource)).rejects.toThrow(
      'but go.work implicitly requires go 1.18;',
    );
  });

  // Checked against go 1.23: with `use ./z ./a`, go list -m all prints example.com/a first.
  test('two workspace modules with no requirements: both are main modules, sorted by path (not use order), and nothing is fetched', async () => {
    const { resolveWorkspacePlan } = await import('../../src/resolve/workspacePlan.js');
    const work = {
      workDir: '/ws',
      go: '1.22',
      toolchain: undefined,
      replace: [],
      modules: [
        { dir: './z', file: mod('example.com/z') },
        { dir: './a', file: mod('example.com/a') },
      ],
    };
    const plan = await resolveWorkspacePlan('go.work', work, noSource);
    expect(plan.buildList).toEqual([
      { path: 'example.com/a', version: '' },
      { path: 'example.com/z', version: '' },
    ]);
    expect(plan.files).toEqual([]);
  });
});
