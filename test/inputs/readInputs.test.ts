/**
 * readInputs reads each input once and says where the hashes come from:
 * a go.mod with its go.sum, a go.work with go.work.sum and each used
 * module's go.sum, a --from-list file's hashes; the default input; errors
 * that name the file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readInputs } from '../../src/inputs/readInputs.js';
import { InputFileError } from '../../src/inputs/inputErrors.js';

const work = mkdtempSync(join(tmpdir(), 'gobundle-inputs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const none = { GOPRIVATE: '', GONOPROXY: '' };
const h = (c: string): string => `h1:${c.repeat(43)}=`;

function write(rel: string, text: string): string {
  const p = join(work, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

describe('readInputs', () => {
  test('a module, a workspace and a list: every go.sum and the list merged into one set of trusted hashes', async () => {
    write('mod/go.mod', 'module example.com/mod\n\ngo 1.21\n');
    write('mod/go.sum', `example.com/a v1.0.0 ${h('A')}\n`);
    write('ws/go.work', 'go 1.21\n\nuse ./one\n');
    write('ws/go.work.sum', `example.com/b v1.0.0/go.mod ${h('B')}\n`);
    write('ws/one/go.mod', 'module example.com/one\n\ngo 1.21\n');
    write('ws/one/go.sum', `example.com/c v1.0.0 ${h('C')}\n`);
    write('inside.sum', `example.com/d v1.0.0 ${h('D')}\ncorp.internal/x v1.0.0 ${h('E')}\n`);
    const read = await readInputs({
      paths: ['mod', 'ws/go.work'],
      tools: ['example.com/tool/cmd/t@latest'],
      lists: ['inside.sum'],
      cwd: work,
      privatePatterns: { GOPRIVATE: 'corp.internal', GONOPROXY: '' },
    });
    expect(
      read.inputs.map((i) => (i.kind === 'list' ? `list ${i.list.name}` : i.kind === 'tool' ? `tool ${i.arg}` : `${i.kind} ${i.name}`)),
    ).toEqual(['go.mod mod/go.mod', 'go.work ws/go.work', 'tool example.com/tool/cmd/t@latest', 'list inside.sum']);
    const ws = read.inputs[1];
    expect(ws?.kind === 'go.work' ? ws.modules.map((m) => [m.dir, m.modFile.module?.path]) : undefined).toEqual([
      ['./one', 'example.com/one'],
    ]);
    expect(read.sums.get('example.com/a', 'v1.0.0')).toEqual([h('A')]);
    expect(read.sums.getMod('example.com/b', 'v1.0.0')).toEqual([h('B')]);
    expect(read.sums.get('example.com/c', 'v1.0.0')).toEqual([h('C')]);
    expect(read.sums.get('example.com/d', 'v1.0.0')).toEqual([h('D')]);
    // A private module's line is set aside, not trusted for a download that will never happen.
    expect(read.sums.get('corp.internal/x', 'v1.0.0')).toEqual([]);
    expect(read.firstDir).toBe(join(work, 'mod'));
  });

  test('no paths, tools or lists: the current directory, whose go.sum may be absent', async () => {
    write('plain/go.mod', 'module example.com/plain\n\ngo 1.21\n');
    const read = await readInputs({ paths: [], cwd: join(work, 'plain'), privatePatterns: none });
    expect(read.inputs.map((i) => i.kind)).toEqual(['go.mod']);
    expect(read.sums.lines()).toEqual([]);
  });

  test.each<[string, () => string, string]>([
    ['a missing go.mod', () => join(work, 'nothing'), `${join(work, 'nothing', 'go.mod')}: no such file`],
    [
      'a go.sum that is a directory',
      () => {
        write('dirsum/go.mod', 'module example.com/dirsum\n\ngo 1.21\n');
        mkdirSync(join(work, 'dirsum', 'go.sum'), { recursive: true });
        return join(work, 'dirsum');
      },
      `${join(work, 'dirsum', 'go.sum')}: is a directory`,
    ],
    [
      'a go.work using a directory without go.mod',
      () => write('badws/go.work', 'go 1.21\n\nuse ./gone\n'),
      `${join(work, 'badws', 'gone', 'go.mod')}: no such file`,
    ],
  ])('%s is an InputFileError naming the file', async (_name, setup, message) => {
    mkdirSync(join(work, 'nothing'), { recursive: true });
    const err = await readInputs({ paths: [setup()], cwd: work, privatePatterns: none }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputFileError);
    expect((err as InputFileError).message).toBe(message);
  });
});
