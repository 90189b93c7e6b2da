/**
 * Real licence files (test/sbom/realLicenses/, copied from module zips that
 * `npm run live` met) and what matchLicense must name: each improvement of the
 * matcher keeps its real shape here, and so does each file it must leave
 * unnamed because it is not exactly one known licence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { matchLicense } from '../../src/sbom/licenseMatch.js';

const dir = join(import.meta.dirname, 'realLicenses');
const real = (name: string): string => readFileSync(join(dir, name), 'utf8');

test.each<[string, string | undefined, string]>([
  ['github.com-inconshreveable-mousetrap-v1.1.0.LICENSE', 'Apache-2.0', "the appendix's copyright line filled in"],
  ['github.com-mattn-go-isatty-v0.0.20.LICENSE', 'MIT', 'titled "MIT License (Expat)", each paragraph on one line'],
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
