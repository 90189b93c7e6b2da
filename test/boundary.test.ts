/**
 * The pure core must stay pure: Go-module semantics and the resolver are
 * functions of their inputs, with every outside effect passed in. This test
 * reads the imports of every file in the pure folders and fails on any
 * module that does I/O.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importsOf, tsFiles } from './support/sourceImports.js';

const root = resolve(import.meta.dirname, '..');
const pureDirs = [
  'src/concurrency',
  'src/gomod',
  'src/resolve',
  'src/sumdb/note.ts',
  'src/sumdb/tlog',
  'src/sumdb/client.ts',
  'src/sumdb/replay.ts',
  'src/bundle/manifest.ts',
  'src/bundle/bundleListing.ts',
  'src/bundle/manifestDiff.ts',
  'src/bundle/partList.ts',
  'src/bundle/treeLayout.ts',
  'src/toolchain',
  'src/vuln',
  'src/sbom/licenseMatch.ts',
  'src/sbom/licenseTexts.ts',
  'src/sbom/moduleGraph.ts',
  'src/vcs/codeRepo.ts',
  'src/vcs/govcs.ts',
  'src/vcs/repoRoot.ts',
  'src/vcs/revInfo.ts',
  'src/vcs/zipSelection.ts',
  'src/misses/miss.ts',
  'src/misses/missTable.ts',
  'src/misses/wantsList.ts',
  'src/inputs/resolveWants.ts',
  'src/page/catalog.ts',
  'src/page/pageAssets.ts',
  'src/auth/authFile.ts',
  'src/auth/credentials.ts',
  'src/auth/authorizer.ts',
  'src/auth/throttle.ts',
  'src/network/netrc.ts',
  'src/network/proxyEnv.ts',
  'src/network/ipAddr.ts',
  'src/network/goAuth.ts',
  'src/network/requestStats.ts',
  'src/doctor/report.ts',
  'src/doctor/settings.ts',
  'src/doctor/traps.ts',
  'src/doctor/routing.ts',
  'src/doctor/verdicts.ts',
  'src/doctor/suggestion.ts',
  'src/doctor/formatReport.ts',
];
const forbidden = [
  /^(node:)?fs(\/promises)?$/,
  /^(node:)?https?$/,
  /^(node:)?http2$/,
  /^(node:)?net$/,
  /^(node:)?tls$/,
  /^(node:)?dgram$/,
  /^(node:)?child_process$/,
  /^undici/,
  /^express/,
  /^tar-stream/,
  /^yauzl/,
];

const files = pureDirs.flatMap((d) => tsFiles(join(root, d)));

describe('pure core imports no I/O', () => {
  test('the pure folders exist and hold code', () => {
    expect(files.length).toBeGreaterThan(5);
    for (const d of pureDirs)
      expect(
        files.some((f) => f.startsWith(join(root, d))),
        `${d} exists`,
      ).toBe(true);
  });

  test.each(files.map((f) => [relative(root, f), f]))('%s', (_name, file) => {
    const bad = importsOf(readFileSync(file, 'utf8')).filter((spec) => forbidden.some((re) => re.test(spec)));
    expect(bad, `${relative(root, file)} imports ${bad.join(', ')}`).toEqual([]);
  });

  test('the import scanner sees static, side-effect and dynamic imports', () => {
    const src = "import { a } from 'node:fs';\nimport 'undici';\nconst x = await import('express');\nexport { b } from './b.js';";
    expect(importsOf(src)).toEqual(['node:fs', 'undici', './b.js', 'express'].sort((a, b) => src.indexOf(a) - src.indexOf(b)));
  });
});
