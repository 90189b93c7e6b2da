/**
 * Real licence files (test/sbom/realLicenses/, copied from module zips that
 * `npm run live` met) and what licenseExpression must name: each improvement
 * of the matcher keeps its real shape here, and so does each file it must
 * leave unnamed because it is not wholly known licences.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { glueMentions, licenseExpression } from '../../src/sbom/licenseExpression.js';
import { licenseWords, matchLicense, withoutTitle } from '../../src/sbom/licenseMatch.js';

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
    'github.com-pmezard-go-difflib-v1.0.0.LICENSE',
    'BSD-3-Clause',
    'clause 3 worded "The names of its contributors may not be used", without bullets',
  ],
  ['github.com-DATA-DOG-go-sqlmock-v1.5.0.LICENSE', 'BSD-3-Clause', 'clause 3 worded "The name DataDog.lt may not be used", a title line'],
  ['github.com-jackpal-gateway-v1.0.16.LICENSE', 'BSD-3-Clause', 'each line behind "// "'],
  ['github.com-nxadm-tail-v1.4.11.LICENSE', 'MIT', 'title and notice behind "# ", "© Copyright 2015 …"'],
  ['github.com-go-ldap-ldap-v3-v3.4.11.LICENSE', 'MIT', 'a second notice "Portions copyright (c) 2015-2024 …"'],
  ['github.com-hashicorp-go-version-v1.9.0.LICENSE', 'MPL-2.0', 'the notice "Copyright IBM Corp. 2014, 2025" (a name before the year)'],
  ['gotest.tools-v3-v3.5.2.LICENSE', 'Apache-2.0', "Apache-2.0's standard header alone"],
  [
    'github.com-rcrowley-go-metrics-v0.0.0-20250401214520-65e299d6c5c9.LICENSE',
    'BSD-2-Clause-Views',
    'BSD-2-Clause and the "views and conclusions" paragraph',
  ],
  [
    'github.com-russross-blackfriday-v2-v2.1.0.LICENSE.txt',
    'BSD-2-Clause',
    'behind "> ", after "Blackfriday is distributed under the Simplified BSD License:"',
  ],
  [
    'gopkg.in-yaml.v3-v3.0.1.LICENSE',
    'MIT AND Apache-2.0',
    "MIT for the files from libyaml, Apache-2.0's header for the rest, headings between",
  ],
  [
    'github.com-klauspost-compress-v1.20.4.LICENSE',
    'BSD-3-Clause AND Apache-2.0 AND MIT',
    'five texts for five directories, each under "Files: <dir>/*"',
  ],
  ['go.opentelemetry.io-otel-v1.45.0.LICENSE', 'Apache-2.0 AND BSD-3-Clause', "the Go project's BSD-3-Clause after a line of dashes"],
  ['github.com-shirou-gopsutil-v4-v4.26.9.LICENSE', 'BSD-3-Clause', 'two BSD-3-Clause texts, a sentence saying which file is from Go'],
  [
    'sigs.k8s.io-yaml-v1.4.0.LICENSE',
    'MIT AND BSD-3-Clause AND Apache-2.0',
    "its own MIT, Go's BSD-3-Clause, yaml.v3's file, yaml.v2's Apache-2.0",
  ],
  [
    'github.com-google-go-tpm-tools-v0.3.13-0.20230620182252-4639ecce2aba.LICENSE',
    undefined,
    "Apache-2.0 and BSD-3-Clause, then the TCG's specification licence (no SPDX id)",
  ],
  [
    'github.com-bgentry-speakeasy-v0.1.0.LICENSE',
    undefined,
    'MIT "applies to the non-Windows portions", the Windows portion under Apache 2.0 whose text is not there',
  ],
  [
    'github.com-alecthomas-go-check-sumtype-v0.5.1-0.20260828200218-ae6904d28606.COPYING',
    undefined,
    'dual-licensed, Unlicense or MIT: a choice, and a licence gobundle does not know',
  ],
  [
    'github.com-fatih-structtag-v1.2.0.LICENSE',
    undefined,
    'between two BSD-3-Clause texts: "Go is used under the terms of the BSD like license"',
  ],
  ['github.com-BurntSushi-xgb-v0.0.0-20160522181843-27f122750802.LICENSE', undefined, 'BSD-3-Clause followed by a patent grant of its own'],
])('licenseExpression(%s) = %j: %s', (file, want) => {
  expect(licenseExpression(real(file))).toBe(want);
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

const mitText = real('github.com-mattn-go-isatty-v0.0.20.LICENSE');
const apacheHeader = real('gotest.tools-v3-v3.5.2.LICENSE');
const bsd2 = real('gopkg.in-check.v1-v0.0.0-20161208181325-20d25e280405.LICENSE').replace(/^Gocheck.*$/m, '');

test.each<[string, string, string | undefined]>([
  ['two licences, a dash line between', `${mitText}\n-----\n${apacheHeader}`, 'MIT AND Apache-2.0'],
  ['the same licence twice', `${mitText}\n\n${mitText}`, 'MIT'],
  ['glue naming both', `Covered by MIT and Apache 2.0 licenses.\n\n${mitText}\n\n${apacheHeader}`, 'MIT AND Apache-2.0'],
  ['glue offering a choice', `Use either license.\n\n${mitText}\n\n${apacheHeader}`, undefined],
  ['glue saying "or"', `MIT or Apache-2.0, at your option:\n\n${mitText}\n\n${apacheHeader}`, undefined],
  ['glue naming a licence whose text is absent', `Parts are under the GPL.\n\n${mitText}`, undefined],
  ['glue naming a licence not matched', `Licensed under Apache:\n\n${mitText}`, undefined],
  ['glue naming another Apache version', `Licensed under Apache 1.1:\n\n${apacheHeader}`, undefined],
  ['"Simplified BSD" over a BSD-2-Clause text', `Distributed under the Simplified BSD License:\n\n${bsd2}`, 'BSD-2-Clause'],
  ['"New BSD" over a BSD-2-Clause text', `Distributed under the New BSD License:\n\n${bsd2}`, undefined],
  ['glue with a term', `Not for commercial purposes.\n\n${mitText}`, undefined],
  ['glue of 41 words', `${'word '.repeat(41)}\n\n${mitText}`, undefined],
  ['a licence cut in two by glue', mitText.replace('The above copyright notice', 'Some words.\n\nThe above copyright notice'), undefined],
  ['a licence with a paragraph of terms added', `${mitText}\n\nYou may not use this software for evil.\n`, undefined],
  ['glue alone', 'This project is covered by the MIT license.\n', undefined],
])('licenseExpression: %s', (_name, text, want) => {
  expect(licenseExpression(text)).toBe(want);
});

test.each<[string, (readonly string[])[] | undefined]>([
  ['Files: gzhttp/*', []],
  ['This project is covered by two different licenses: MIT and Apache.', [['MIT'], ['Apache-2.0']]],
  ['Blackfriday is distributed under the Simplified BSD License:', [['BSD-2-Clause', 'BSD-2-Clause-Views']]],
  ['Licensed under the BSD 3-Clause License', [['BSD-3-Clause']]],
  ['Licensed under the MPL 1.1', undefined],
  ['Dual licensed', undefined],
])('glueMentions(%j) = %j', (text, want) => {
  expect(glueMentions(licenseWords(text))).toEqual(want);
});

test('matchLicense alone names one licence, not a file of several', () => {
  expect(matchLicense(real('gopkg.in-yaml.v3-v3.0.1.LICENSE'))).toBeUndefined();
});
