/** manifest.json `inputs`: the kinds of input, and bundles written before kinds existed. */
import { describe, expect, test } from 'vitest';
import { buildManifest, parseManifest, serializeManifest, type ManifestInput } from '../../src/bundle/manifest.js';

const SHA = 'a'.repeat(64);

function manifestWith(inputs: unknown[]): Buffer {
  const m = buildManifest({ tool: 'gobundle test', created: '2024-01-02T03:04:05Z', inputs: [], modules: [], sumdb: null, files: [] });
  return Buffer.from(JSON.stringify({ ...m, inputs }));
}

describe('manifest inputs', () => {
  test.each<[string, ManifestInput]>([
    ['a go.mod of a bundle from before kinds (no kind)', { module: 'example.com/a', goMod: 'go.mod', goModSha256: SHA }],
    ['a go.work', { kind: 'go.work', module: 'example.com/a example.com/b', goMod: 'go.work', goModSha256: SHA }],
    ['a tool', { kind: 'tool', module: 'example.com/tool', version: 'v1.0.0', goMod: 'example.com/tool@v1.0.0/go.mod', goModSha256: SHA }],
    ['a list', { kind: 'list', module: 'go.sum', goMod: 'inside/go.sum', goModSha256: SHA }],
  ])('%s is valid and survives buildManifest', (_name, input) => {
    expect(parseManifest(manifestWith([input])).inputs).toEqual([input]);
    const built = buildManifest({ tool: 't', created: '2024-01-02T03:04:05Z', inputs: [input], modules: [], sumdb: null, files: [] });
    expect(parseManifest(serializeManifest(built)).inputs).toEqual([input]);
  });

  test('kind go.mod is written as no kind, so a go.mod input reads the same as in older bundles', () => {
    const built = buildManifest({
      tool: 't',
      created: '2024-01-02T03:04:05Z',
      inputs: [{ kind: 'go.mod', module: 'm', goMod: 'go.mod', goModSha256: SHA }],
      modules: [],
      sumdb: null,
      files: [],
    });
    expect(built.inputs).toEqual([{ module: 'm', goMod: 'go.mod', goModSha256: SHA }]);
  });

  test.each<[string, unknown, string]>([
    [
      'an unknown kind',
      { kind: 'npm', module: 'm', goMod: 'x', goModSha256: SHA },
      'manifest.json: inputs[0]: "kind" must be one of go.mod, go.work, tool, list',
    ],
    [
      'a tool without its version',
      { kind: 'tool', module: 'm', goMod: 'x', goModSha256: SHA },
      'manifest.json: inputs[0]: "version" must be a string',
    ],
    [
      'a version on a go.mod input',
      { module: 'm', version: 'v1.0.0', goMod: 'x', goModSha256: SHA },
      'manifest.json: inputs[0]: "version" is only for tool inputs',
    ],
  ])('%s is refused', (_name, input, message) => {
    expect(() => parseManifest(manifestWith([input]))).toThrow(message);
  });
});
