import { describe, expect, test } from 'vitest';
import {
  isMetadataFileName,
  listFileBody,
  listFileName,
  listFileVersions,
  parseTreeName,
  parseVersionFileName,
  sumdbDir,
  versionFileName,
  vulndbFileName,
  type TreeName,
} from '../../src/bundle/treeLayout.js';

describe('bundle tree names are built and parsed in one place', () => {
  test.each<[string, string, 'info' | 'mod' | 'zip', string]>([
    ['example.com/greeting', 'v1.1.0', 'zip', 'example.com/greeting/@v/v1.1.0.zip'],
    ['example.com/Upper/Mod', 'v1.1.0-Beta', 'info', 'example.com/!upper/!mod/@v/v1.1.0-!beta.info'],
    ['example.com/incompat', 'v2.0.0+incompatible', 'mod', 'example.com/incompat/@v/v2.0.0+incompatible.mod'],
  ])('versionFileName(%j, %j, %j) = %j, and parses back', (path, version, kind, want) => {
    expect(versionFileName(path, version, kind)).toBe(want);
    expect(parseVersionFileName(want)).toEqual({
      kind,
      escPath: want.slice(0, want.indexOf('/@v/')),
      escVersion: want.split('/@v/')[1]!.replace(/\.[a-z]+$/, ''),
      version,
    });
    expect(parseTreeName(want)?.kind).toBe(kind);
  });

  test.each<[string, TreeName | undefined]>([
    ['example.com/!upper/!mod/@v/list', { kind: 'list', escPath: 'example.com/!upper/!mod' }],
    ['example.com/m/@latest', { kind: 'latest', escPath: 'example.com/m' }],
    ['sumdb/sum.golang.org/lookup/example.com/m@v1.0.0', { kind: 'sumdb', db: 'sum.golang.org', rest: 'lookup/example.com/m@v1.0.0' }],
    ['sumdb/sum.golang.org/tile/8/0/x001/234.p/5', { kind: 'sumdb', db: 'sum.golang.org', rest: 'tile/8/0/x001/234.p/5' }],
    ['sumdb/sum.golang.org', undefined],
    ['sumdb/', undefined],
    ['vulndb/ID/GO-2099-0001.json', { kind: 'vulndb', rest: 'ID/GO-2099-0001.json' }],
    ['gobundle/manifest.json', { kind: 'metadata', rest: 'manifest.json' }],
    ['@v/list', undefined],
    ['example.com/m/@v/v1.0.0.txt', undefined],
    ['example.com/m/@v/v1.0.0-!!x.zip', undefined],
    ['example.com/m/v1.0.0.zip', undefined],
  ])('parseTreeName(%j) = %j', (name, want) => {
    expect(parseTreeName(name)).toEqual(want);
  });

  test('lists: body and versions round-trip; times on a line are not versions', () => {
    expect(listFileName('example.com/Upper/Mod')).toBe('example.com/!upper/!mod/@v/list');
    expect(listFileBody(['v1.0.0', 'v1.1.0']).toString()).toBe('v1.0.0\nv1.1.0\n');
    expect(listFileVersions('v1.0.0 2023-01-02T03:04:05Z\n\n  v1.1.0\n')).toEqual(['v1.0.0', 'v1.1.0']);
  });

  test('the databases have a folder each', () => {
    expect(sumdbDir('sum.golang.org')).toBe('sumdb/sum.golang.org');
    expect(vulndbFileName('index/db.json')).toBe('vulndb/index/db.json');
  });

  test.each<[string, boolean]>([
    ['example.com/m/@v/v1.0.0.mod', true],
    ['example.com/m/@v/v1.0.0.info', true],
    ['example.com/m/@v/v1.0.0.zip', false],
    ['example.com/m/@v/list', false],
    ['sumdb/x/latest.mod', false],
  ])('isMetadataFileName(%j) = %j', (name, want) => {
    expect(isMetadataFileName(name)).toBe(want);
  });
});
