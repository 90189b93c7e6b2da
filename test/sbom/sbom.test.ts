import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { MANIFEST_FORMAT } from '../../src/bundle/manifest.js';
import { buildSbomJson, goPurl } from '../../src/sbom/buildSbom.js';
import { matchLicense } from '../../src/sbom/licenseMatch.js';
import { moduleEdges } from '../../src/sbom/moduleGraph.js';

test.each<[string, string | undefined, string]>([
  ['example.com/greeting', 'v1.1.0', 'pkg:golang/example.com/greeting@v1.1.0'],
  ['example.com/Upper/Mod', 'v1.1.0-Beta', 'pkg:golang/example.com/Upper/Mod@v1.1.0-Beta'],
  ['example.com/incompat', 'v2.0.0+incompatible', 'pkg:golang/example.com/incompat@v2.0.0+incompatible'],
  ['example.com/vtwo/v2', 'v2.1.0', 'pkg:golang/example.com/vtwo/v2@v2.1.0'],
  [
    'example.com/pseudo/zero',
    'v0.0.0-20230102150405-abcdef123456',
    'pkg:golang/example.com/pseudo/zero@v0.0.0-20230102150405-abcdef123456',
  ],
  ['gopkg.in/yaml.v3', 'v3.0.1', 'pkg:golang/gopkg.in/yaml.v3@v3.0.1'],
  ['example.com/project/transfer', undefined, 'pkg:golang/example.com/project/transfer'],
])('goPurl(%j, %j) = %j', (path, version, want) => {
  expect(goPurl(path, version)).toBe(want);
});

const fixtures = resolve(import.meta.dirname, '..', 'fixtures', 'modules');
const licenceOf = (file: string): string => readFileSync(join(fixtures, file), 'utf8').split('-- LICENSE --\n')[1] ?? '';
const mit = licenceOf('licensed-mit_v1.0.0.txt');

test.each<[string, string, string | undefined]>([
  ['MIT with its copyright line', mit, 'MIT'],
  ['MIT in capitals, with other spacing and quotes', mit.toUpperCase().replace(/ /g, '  ').replace(/"/g, '“'), 'MIT'],
  [
    'MIT rewrapped (each paragraph on one line)',
    mit
      .split('\n\n')
      .map((p) => p.replace(/\n/g, ' '))
      .join('\n\n'),
    'MIT',
  ],
  ['BSD-3-Clause, the Go project wording', licenceOf('licensed-bsd_v1.0.0.txt'), 'BSD-3-Clause'],
  ['Apache-2.0 with its appendix', licenceOf('licensed-apache_v1.0.0.txt'), 'Apache-2.0'],
  ['Apache-2.0 without its appendix', licenceOf('licensed-apache_v1.0.0.txt').split('APPENDIX')[0] ?? '', 'Apache-2.0'],
  // github.com/inconshreveable/mousetrap v1.1.0: the appendix's boilerplate filled in, so its copyright line is the author's (dropped like every copyright notice).
  [
    "Apache-2.0 with its appendix's copyright line filled in",
    licenceOf('licensed-apache_v1.0.0.txt').replace(
      'Copyright [yyyy] [name of copyright owner]',
      'Copyright 2022 Alan Shreve (@inconshreveable)',
    ),
    'Apache-2.0',
  ],
  [
    "Apache-2.0 with a word changed in its appendix's notice",
    licenceOf('licensed-apache_v1.0.0.txt')
      .replace('Copyright [yyyy] [name of copyright owner]', 'Copyright 2022 A')
      .replace('WITHOUT WARRANTIES OR CONDITIONS', 'WITH WARRANTIES OR CONDITIONS'),
    undefined,
  ],
  ['MIT with an added sentence', `${mit}\nAlso, be nice.\n`, undefined],
  ['MIT with a word changed', mit.replace('free of charge', 'for a fee'), undefined],
  ['a copyright line alone', 'Copyright 2023 The gobundle test authors. Test data only.\n', undefined],
  ['empty', '', undefined],
])('matchLicense: %s', (_name, text, want) => {
  expect(matchLicense(text)).toBe(want);
});

test('moduleEdges: require lines resolve to the build list; paths outside it are no edge', () => {
  const edges = moduleEdges([
    {
      path: 'example.com/b',
      version: 'v1.0.0',
      goMod: 'module example.com/b\n\nrequire (\n\texample.com/c v1.0.0\n\texample.com/gone v1.0.0\n)\n',
    },
    { path: 'example.com/c', version: 'v1.2.0', goMod: 'module example.com/c\n' },
  ]);
  expect(edges).toEqual([
    { from: { path: 'example.com/b', version: 'v1.0.0' }, to: [{ path: 'example.com/c', version: 'v1.2.0' }] },
    { from: { path: 'example.com/c', version: 'v1.2.0' }, to: [] },
  ]);
});

test('buildSbomJson: ids as licences, a file of several licences as one expression (CycloneDX allows no mix)', async () => {
  const mod = (path: string, licenseFiles: { name: string; spdx: string | undefined }[]) => ({
    path,
    version: 'v1.0.0',
    zipSha256: '0'.repeat(64),
    zipH1: 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    modH1: 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    licenseFiles,
  });
  const json = await buildSbomJson({
    manifest: {
      format: MANIFEST_FORMAT,
      tool: 'gobundle test',
      created: '2024-01-01T00:00:00Z',
      inputs: [],
      modules: [],
      sumdb: null,
      files: [],
    },
    manifestSha256: '1'.repeat(64),
    signer: undefined,
    modules: [
      mod('example.com/one', [{ name: 'LICENSE', spdx: 'MIT' }]),
      mod('example.com/two', [
        { name: 'COPYING', spdx: 'BSD-3-Clause' },
        { name: 'LICENSE', spdx: 'MIT AND Apache-2.0' },
      ]),
      mod('example.com/none', [{ name: 'LICENSE', spdx: undefined }]),
    ],
    edges: [],
    toolVersion: '0.0.0',
  });
  const licences = Object.fromEntries(
    (JSON.parse(json) as { components: { name: string; licenses?: unknown }[] }).components.map((c) => [c.name, c.licenses]),
  );
  expect(licences).toEqual({
    'example.com/one': [{ license: { id: 'MIT' } }],
    'example.com/two': [{ expression: 'BSD-3-Clause AND MIT AND Apache-2.0' }],
    'example.com/none': undefined,
  });
});
