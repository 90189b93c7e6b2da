import { describe, expect, test } from 'vitest';
import { buildManifest, parseManifest, serializeManifest } from '../../src/bundle/manifest.js';

const h1 = `h1:${'A'.repeat(43)}=`;
const base = { tool: 'gobundle test', created: '2026-01-01T00:00:00Z', inputs: [], sumdb: null, files: [] };

describe('manifest modules marked private', () => {
  test('private: true is kept, and absent for public modules', () => {
    const m = buildManifest({
      ...base,
      modules: [
        { path: 'git.corp.example/lib', version: 'v1.0.0', zipH1: h1, modH1: h1, private: true },
        { path: 'example.com/pub', version: 'v1.0.0', zipH1: h1, modH1: h1 },
      ],
    });
    const parsed = parseManifest(serializeManifest(m));
    expect(parsed.modules).toEqual([
      { path: 'example.com/pub', version: 'v1.0.0', zipH1: h1, modH1: h1 },
      { path: 'git.corp.example/lib', version: 'v1.0.0', zipH1: h1, modH1: h1, private: true },
    ]);
  });

  test('a value other than true is refused', () => {
    const bad = {
      format: 'gobundle/v1',
      ...base,
      modules: [{ path: 'a.example/m', version: 'v1.0.0', zipH1: h1, modH1: h1, private: false }],
    };
    expect(() => parseManifest(Buffer.from(JSON.stringify(bad)))).toThrow(
      'gobundle/manifest.json: modules[0]: "private" must be true or absent',
    );
  });
});
