/** The page's catalogue and module details (pure), and the catalogue's size at 10,000 module versions (the browser test times the page). */
import { describe, expect, test } from 'vitest';
import type { Manifest } from '../../src/bundle/manifest.js';
import { buildCatalog, buildModuleDetail, describeRanges, detailName } from '../../src/page/catalog.js';
import type { OsvEntry } from '../../src/vuln/osvEntry.js';

function manifest(created: string, modules: Manifest['modules']): Manifest {
  return { format: 'gobundle/v1', tool: 'gobundle 0.1.0', created, inputs: [], modules, sumdb: null, files: [] };
}
const h1 = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const vuln: OsvEntry = {
  id: 'GO-2099-0001',
  modified: '2099-01-01T00:00:00Z',
  withdrawn: undefined,
  aliases: ['CVE-2099-1'],
  summary: 'bad',
  affected: [{ module: 'example.com/a', ranges: [{ type: 'SEMVER', events: [{ introduced: '1.1.0' }, { fixed: '1.2.0' }] }] }],
};

describe('catalogue', () => {
  test.each([
    [[{ introduced: '0' }, { fixed: '1.2.0' }], ['< v1.2.0']],
    [
      [{ introduced: '1.0.0' }, { fixed: '1.2.0' }, { introduced: '2.0.0' }],
      ['>= v1.0.0, < v1.2.0', '>= v2.0.0'],
    ],
    [[{ introduced: '0' }], ['every version']],
  ])('describeRanges(%j) = %j', (events, want) => {
    expect(describeRanges([{ type: 'SEMVER', events }])).toEqual(want);
  });

  test('a module: versions with the bundle that brought them, .mod-only marked, vulnerabilities, licences', () => {
    const week1 = {
      file: 'week1.tgz',
      signer: 'team',
      sha256: null,
      manifest: manifest('2026-01-01T00:00:00Z', [{ path: 'example.com/a', version: 'v1.1.0', zipH1: h1, modH1: h1 }]),
    };
    const week2 = {
      file: 'week2.tgz',
      signer: 'team',
      sha256: null,
      manifest: manifest('2026-01-08T00:00:00Z', [
        { path: 'example.com/a', version: 'v1.1.0', zipH1: h1, modH1: h1 },
        { path: 'example.com/a', version: 'v1.0.0', zipH1: null, modH1: h1 },
      ]),
    };
    const d = buildModuleDetail('example.com/a', [week2, week1], [vuln], (v) => (v === 'v1.1.0' ? ['MIT'] : null));
    expect(d).toEqual({
      path: 'example.com/a',
      private: false,
      versions: [
        {
          version: 'v1.1.0',
          modOnly: false,
          bundles: [
            { file: 'week1.tgz', signer: 'team', created: '2026-01-01T00:00:00Z' },
            { file: 'week2.tgz', signer: 'team', created: '2026-01-08T00:00:00Z' },
          ],
          licenses: ['MIT'],
          vulns: ['GO-2099-0001'],
        },
        {
          version: 'v1.0.0',
          modOnly: true,
          bundles: [{ file: 'week2.tgz', signer: 'team', created: '2026-01-08T00:00:00Z' }],
          licenses: [],
          vulns: [],
        },
      ],
      vulns: [
        {
          id: 'GO-2099-0001',
          aliases: ['CVE-2099-1'],
          summary: 'bad',
          modified: '2099-01-01T00:00:00Z',
          affected: ['>= v1.1.0, < v1.2.0'],
          fixed: 'v1.2.0',
          affects: ['v1.1.0'],
        },
      ],
    });
    expect(detailName('example.com/Upper')).toBe('module/example.com/!upper/@detail.json');
  });

  test('10,000 module versions: a catalogue of under a megabyte, one row per module', () => {
    const modules: Manifest['modules'] = [];
    for (let i = 0; i < 2000; i++)
      for (let v = 0; v < 5; v++)
        modules.push({
          path: `example.com/org${i % 40}/module-${i}`,
          version: `v1.${v}.0`,
          zipH1: h1,
          modH1: h1,
          ...(i % 100 === 0 ? { private: true as const } : {}),
        });
    const c = buildCatalog({
      bundles: [{ file: 'big.tgz', signer: 'team', sha256: null, manifest: manifest('2026-01-01T00:00:00Z', modules) }],
      vulns: [vuln],
      sumdbKeys: new Map(),
      auth: false,
      misses: true,
    });
    const json = JSON.stringify(c);
    expect([c.modules.length, c.versions, c.private.length]).toEqual([2000, 10_000, 20]);
    expect(c.modules[0]).toEqual(['example.com/org0/module-0', 5, 'v1.4.0', 0, 1]);
    expect(json.length).toBeLessThan(1 << 20);
  });
});
