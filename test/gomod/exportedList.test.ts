/** Lists exported from inside the air gap: the three formats and what each line asks for. */
import { describe, expect, test } from 'vitest';
import { parseExportedList } from '../../src/gomod/exportedList.js';

const H = (c: string) => `h1:${c.repeat(43)}=`;

describe('parseExportedList', () => {
  test('go.sum: a plain line asks for the module, a /go.mod line for the go.mod only', () => {
    const l = parseExportedList(
      'go.sum',
      `example.com/a v1.0.0 ${H('a')}\nexample.com/a v1.0.0/go.mod ${H('b')}\nexample.com/b v1.2.0/go.mod ${H('c')}\n`,
    );
    expect(l).toEqual({
      format: 'go.sum',
      modules: [
        { path: 'example.com/a', version: 'v1.0.0', zip: true, zipH1: [H('a')], modH1: [H('b')] },
        { path: 'example.com/b', version: 'v1.2.0', zip: false, zipH1: [], modH1: [H('c')] },
      ],
      ignored: [],
    });
  });

  test('go list -m -json all: main module and directory replacements ignored, a module replacement taken as its target', () => {
    const text = [
      '{\n\t"Path": "example.com/main",\n\t"Main": true,\n\t"Dir": "/src/main",\n\t"GoVersion": "1.21"\n}',
      `{\n\t"Path": "example.com/a",\n\t"Version": "v1.0.0",\n\t"Sum": "${H('a')}",\n\t"GoModSum": "${H('b')}"\n}`,
      '{\n\t"Path": "example.com/local",\n\t"Version": "v1.0.0",\n\t"Replace": {"Path": "../local", "Dir": "/src/local"}\n}',
      `{\n\t"Path": "example.com/orig",\n\t"Version": "v1.0.0",\n\t"Replace": {"Path": "example.com/fork", "Version": "v1.1.0", "Sum": "${H('f')}", "GoModSum": "${H('g')}"}\n}`,
      '{\n\t"Path": "example.com/nosum",\n\t"Version": "v0.1.0",\n\t"Indirect": true\n}',
    ].join('\n');
    expect(parseExportedList('list.json', text)).toEqual({
      format: 'go list -m -json',
      modules: [
        { path: 'example.com/a', version: 'v1.0.0', zip: true, zipH1: [H('a')], modH1: [H('b')] },
        { path: 'example.com/fork', version: 'v1.1.0', zip: true, zipH1: [H('f')], modH1: [H('g')] },
        { path: 'example.com/nosum', version: 'v0.1.0', zip: true, zipH1: [], modH1: [] },
      ],
      ignored: [
        { what: 'example.com/main', why: 'main module' },
        { what: 'example.com/local@v1.0.0', why: 'replaced by the directory ../local' },
      ],
    });
  });

  test('go mod download -json: entries with an error are ignored and named', () => {
    const text = `{"Path": "example.com/a", "Version": "v1.0.0", "Info": "/x.info", "GoMod": "/x.mod", "Zip": "/x.zip", "Sum": "${H('a')}", "GoModSum": "${H('b')}"}\n{"Path": "example.com/gone", "Version": "v9.0.0", "Error": "not found"}\n`;
    expect(parseExportedList('dl.json', text)).toEqual({
      format: 'go mod download -json',
      modules: [{ path: 'example.com/a', version: 'v1.0.0', zip: true, zipH1: [H('a')], modH1: [H('b')] }],
      ignored: [{ what: 'example.com/gone@v9.0.0', why: 'the go command reported an error: not found' }],
    });
  });

  test.each([
    ['', 'empty list: want a go.sum, or the output of go list -m -json all or go mod download -json'],
    ['{"Path": "a"', 'unterminated JSON object'],
    ['{"Path": "a"} x', 'unexpected "x" between JSON objects'],
    ['example.com/a v1.0.0\n', 'wrong number of fields 2'],
  ])('%j is refused', (text, message) => {
    expect(() => parseExportedList('l', text)).toThrow(message);
  });
});
