import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { ExportEntry } from '../../src/export/exportEntries.js';
import { writeExportTree } from '../../src/export/writeExportTree.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-export-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function* from(entries: ExportEntry[]): AsyncGenerator<ExportEntry> {
  yield* entries;
}

function source(name: string, data: string): { file: string; size: number; sha256: string } {
  const file = join(work, name);
  writeFileSync(file, data);
  return { file, size: Buffer.byteLength(data), sha256: createHash('sha256').update(data).digest('hex') };
}

describe('writeExportTree', () => {
  test('writes bodies and verified copies, then renames the tree into place', async () => {
    const to = join(work, 'out-ok');
    const s = await writeExportTree(
      from([
        { name: 'a/@v/list', body: Buffer.from('v1.0.0\n') },
        { name: 'a/@v/v1.0.0.mod', file: source('mod1', 'module a\n') },
      ]),
      to,
      { replace: false },
    );
    expect(s).toEqual({ files: 2, bytes: 16 });
    expect(readFileSync(join(to, 'a/@v/v1.0.0.mod'), 'utf8')).toBe('module a\n');
  });

  test.each([
    ['../escape', '"..'],
    ['/abs', 'absolute name'],
    ['a//b', 'empty path element'],
    ['a\\b', 'backslash in name'],
  ])('name %j is refused (%s) and nothing is left behind', async (name, why) => {
    const to = join(work, `out-bad-${why.replace(/\W/g, '')}`);
    await expect(
      writeExportTree(
        from([
          { name: 'ok', body: Buffer.from('x') },
          { name, body: Buffer.from('x') },
        ]),
        to,
        { replace: false },
      ),
    ).rejects.toThrow(`unsafe name: ${why}`);
    expect(existsSync(to)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(existsSync(join(work, 'escape'))).toBe(false);
  });

  test('a copied file whose bytes changed since verification stops the export', async () => {
    const to = join(work, 'out-changed');
    const f = source('mod2', 'module b\n');
    writeFileSync(f.file, 'module B\n');
    await expect(writeExportTree(from([{ name: 'b/@v/v1.0.0.mod', file: f }]), to, { replace: false })).rejects.toThrow(
      /^export: b\/@v\/v1\.0\.0\.mod: .*mod2 changed since it was verified \(size 9, sha256 [0-9a-f]{64}; verified size 9, sha256 [0-9a-f]{64}\)$/,
    );
    expect(existsSync(to)).toBe(false);
  });

  test('an empty --to is used; a non-empty one needs replace', async () => {
    const to = join(work, 'out-existing');
    mkdirSync(to);
    await writeExportTree(from([{ name: 'x', body: Buffer.from('1') }]), to, { replace: false });
    await expect(writeExportTree(from([{ name: 'y', body: Buffer.from('2') }]), to, { replace: false })).rejects.toThrow(
      `export: ${to}: directory is not empty`,
    );
    await writeExportTree(from([{ name: 'y', body: Buffer.from('2') }]), to, { replace: true });
    expect(readdirSync(to)).toEqual(['y']);
  });
});
