/**
 * Real licence files (test/sbom/realLicenses/, copied from module zips that
 * `npm run live` met) and what matchLicense must name: each improvement of the
 * matcher keeps its real shape here, and so does each file it must leave
 * unnamed because it is not exactly one known licence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { matchLicense, withoutTitle } from '../../src/sbom/licenseMatch.js';

const dir = join(import.meta.dirname, 'realLicenses');
const real = (name: string): string => readFileSync(join(dir, name), 'utf8');

test.each<[string, string | undefined, string]>([
  ['github.com-inconshreveable-mousetrap-v1.1.0.LICENSE', 'Apache-2.0', "the appendix's copyright line filled in"],
  ['github.com-mattn-go-isatty-v0.0.20.LICENSE', 'MIT', 'titled "MIT License (Expat)", each paragraph on one line'],
  ['gopkg.in-check.v1-v0.0.0-20161208181325-20d25e280405.LICENSE', 'BSD-2-Clause', "the project's title above the copyright notice"],
  ['github.com-pelletier-go-toml-v2-v2.2.4.LICENSE', 'MIT', 'the project\'s name between "The MIT License (MIT)" and the copyright notice'],
  [
    'github.com-containerd-log-v0.1.0.LICENSE',
    'Apache-2.0',
    'the appendix\'s notice filled in ("Copyright The containerd Authors") without its explanation',
  ],
  [
    'github.com-hashicorp-go-cleanhttp-v0.5.2.LICENSE',
    'MPL-2.0',
    'sections 6 and 7 out of their box, "2.0." wrapped to the start of a line in Exhibit A',
  ],
  ['github.com-spf13-afero-v1.15.0.LICENSE.txt', 'Apache-2.0', 'the terms whole, without "END OF TERMS AND CONDITIONS" or the appendix'],
  [
    'github.com-russross-blackfriday-v2-v2.1.0.LICENSE.txt',
    undefined,
    'a sentence before the licence ("Blackfriday is distributed under …")',
  ],
  [
    'github.com-pmezard-go-difflib-v1.0.0.LICENSE',
    undefined,
    'BSD-3-Clause with clause 3 reworded ("The names of its contributors may not be used")',
  ],
  ['gopkg.in-yaml.v3-v3.0.1.LICENSE', undefined, 'two licences in one file (MIT and Apache-2.0)'],
])('matchLicense(%s) = %j: %s', (file, want) => {
  expect(matchLicense(real(file))).toBe(want);
});

const gocheck = real('gopkg.in-check.v1-v0.0.0-20161208181325-20d25e280405.LICENSE');

test.each<[string, string, string | undefined]>([
  [
    'a title naming terms',
    gocheck.replace('Gocheck - A rich testing framework for Go', 'Gocheck is licensed under these terms only'),
    undefined,
  ],
  ['a title saying "not"', gocheck.replace('Gocheck - A rich testing framework for Go', 'Gocheck: not for military use'), undefined],
  [
    'a title of 13 words',
    gocheck.replace('Gocheck - A rich testing framework for Go', 'one two three four five six seven eight nine ten eleven twelve thirteen'),
    undefined,
  ],
  ['a title with no copyright notice below it', gocheck.replace(/^Copyright .*$/m, ''), undefined],
  ['two title lines', `Gocheck\n${gocheck}`, undefined],
  ['a title below 13 words of text', `one two three four five six seven eight nine ten eleven twelve thirteen\n${gocheck}`, undefined],
  [
    'a title after the notice',
    gocheck
      .replace('Gocheck - A rich testing framework for Go\n \n', '')
      .replace('All rights reserved.', 'All rights reserved.\n\nGocheck'),
    undefined,
  ],
])('matchLicense: %s', (_name, text, want) => {
  expect(matchLicense(text)).toBe(want);
});

test('withoutTitle drops only the title line', () => {
  expect(withoutTitle(gocheck)?.startsWith(' \nCopyright (c) 2010-2013 Gustavo Niemeyer')).toBe(true);
  expect(withoutTitle('Copyright 2020 A\n\nPermission …')).toBeUndefined();
});
