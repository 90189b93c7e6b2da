/**
 * A real golang.org/toolchain zip (Debian's go1.22.12 laid out as cmd/distpack
 * does) passes the module zip rules as src/modzip applies them: toolchain zips
 * keep vendor/ directories (CheckZip has no vendor rule; only zip.Create drops
 * them) and ship nested go.mod files as _go.mod. Its h1 matches x/mod's
 * dirhash.HashZip (the test upstream's checksum database records that hash,
 * and the e2e test packs against it).
 */
import { expect, test } from 'vitest';
import { checkZip } from '../../src/modzip/validateZip.js';
import { realToolchainZip } from '../support/toolchainModule.js';

test('a real toolchain zip is valid, vendor directories and all', async () => {
  const zip = realToolchainZip();
  const checked = await checkZip(zip.path, { path: 'golang.org/toolchain', version: zip.version });
  expect(checked.invalid).toEqual([]);
  expect(checked.sizeError).toBeUndefined();
  const prefix = `golang.org/toolchain@${zip.version}/`;
  const names = checked.valid.map((n) => n.slice(prefix.length));
  expect(names).toContain('bin/go');
  expect(names).toContain('src/_go.mod');
  expect(names).toContain('src/cmd/_go.mod');
  expect(names.some((n) => n.startsWith('src/cmd/vendor/'))).toBe(true);
  expect(names.some((n) => n.startsWith('src/vendor/'))).toBe(true);
  expect(names.filter((n) => n.endsWith('/go.mod') || n === 'go.mod')).toEqual([]);
  for (const dropped of ['api/', 'doc/', 'misc/', 'test/', 'pkg/tool/linux_amd64/dist', 'pkg/tool/linux_amd64/distpack', 'pkg/obj/']) {
    expect(
      names.some((n) => n.startsWith(dropped)),
      dropped,
    ).toBe(false);
  }
  expect(checked.h1).toMatch(/^h1:/);
}, 300_000);
