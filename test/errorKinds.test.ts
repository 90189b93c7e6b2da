/**
 * The error vocabulary stays one vocabulary: every subclass of GobundleError
 * defined in src/ is exported by the index (src/errorKinds.ts), no source
 * builds a bare `new GobundleError(` outside src/errors.ts (a failure gets a
 * class named for it), no file of src/ imports the index (it would load
 * every capability), and the codes have one name each, none of them one of
 * Node's: `err.code === 'ENOTFOUND'` is always Node's DNS failure.
 */
import * as dns from 'node:dns';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { relative, resolve } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../src/errorCodes.js';
import * as kinds from '../src/errorKinds.js';
import { GobundleError } from '../src/errors.js';
import { importsOf, tsFiles } from './support/sourceImports.js';

const root = resolve(import.meta.dirname, '..');

/** Every file of src/, by its path from the repository root. */
function sources(): Map<string, string> {
  return new Map(tsFiles(resolve(root, 'src')).map((f) => [relative(root, f), readFileSync(f, 'utf8')]));
}

/** The classes that extend GobundleError, directly or through another, with the file defining each. */
export function errorClasses(files: ReadonlyMap<string, string>): Map<string, string> {
  const parents = new Map<string, { parent: string; file: string }>();
  for (const [file, text] of files) {
    for (const m of text.matchAll(/\bclass\s+(\w+)\s+extends\s+(\w+)/g)) parents.set(m[1] as string, { parent: m[2] as string, file });
  }
  const found = new Map<string, string>();
  const isError = (name: string, seen: Set<string>): boolean => {
    if (name === 'GobundleError') return true;
    const p = parents.get(name);
    if (p === undefined || seen.has(name)) return false;
    seen.add(name);
    return isError(p.parent, seen);
  };
  for (const [name, { file }] of parents) if (isError(name, new Set())) found.set(name, file);
  return found;
}

/** The names Node gives its own error codes: errno (ENOENT, EIO), libuv's (EAI_AGAIN, ECHARSET) and DNS's (ENOTFOUND). */
function nodeCodes(): Set<string> {
  // node:dns exports its codes as strings (dns.NOTFOUND === 'ENOTFOUND').
  const dnsCodes = (Object.values(dns) as unknown[]).filter((v): v is string => typeof v === 'string' && /^E[A-Z_]+$/.test(v));
  return new Set([...Object.keys(constants.errno), ...[...getSystemErrorMap().values()].map(([name]) => name), ...dnsCodes]);
}

describe('error kinds', () => {
  test('every subclass of GobundleError in src/ is exported by src/errorKinds.ts', () => {
    const classes = errorClasses(sources());
    expect(classes.size).toBeGreaterThan(50);
    const exported = new Map(Object.entries(kinds));
    const missing = [...classes].filter(([name]) => exported.get(name)?.name !== name).map(([name, file]) => `${name} (${file})`);
    expect(missing, 'add these to src/errorKinds.ts').toEqual([]);
  });

  test('every export of src/errorKinds.ts is GobundleError or a subclass of it', () => {
    const strays = Object.entries(kinds)
      .filter(([, v]) => !(v === GobundleError || (typeof v === 'function' && v.prototype instanceof GobundleError)))
      .map(([name]) => name);
    expect(strays).toEqual([]);
  });

  test('the scan can fail: a made-up subclass two levels down is found, a plain Error subclass is not', () => {
    const files = new Map([
      ['src/x/a.ts', 'export class AError extends ModuleError {}\nclass Helper extends Error {}'],
      ['src/x/b.ts', 'export class BError\n  extends AError {\n}'],
      ['src/errors.ts', 'export class ModuleError extends GobundleError {}'],
    ]);
    expect([...errorClasses(files)]).toEqual([
      ['AError', 'src/x/a.ts'],
      ['BError', 'src/x/b.ts'],
      ['ModuleError', 'src/errors.ts'],
    ]);
  });

  test('no bare new GobundleError( outside src/errors.ts: each failure has its class', () => {
    const bare = [...sources()]
      .filter(([file, text]) => file !== 'src/errors.ts' && /new\s+GobundleError\s*\(/.test(text))
      .map(([file]) => file);
    expect(bare).toEqual([]);
  });

  test('no file of src/ imports the index', () => {
    const importers = [...sources()]
      .filter(([, text]) => importsOf(text).some((spec) => /(^|\/)errorKinds\.js$/.test(spec)))
      .map(([file]) => file);
    expect(importers).toEqual([]);
  });
});

describe('error codes', () => {
  test('no two ErrorCode members share a value', () => {
    const byValue = new Map<string, string[]>();
    for (const [name, value] of Object.entries(ErrorCode)) byValue.set(value, [...(byValue.get(value) ?? []), name]);
    expect([...byValue].filter(([, names]) => names.length > 1)).toEqual([]);
  });

  test.each(Object.entries(ErrorCode))('ErrorCode.%s = %j is not one of Node’s codes', (_name, value) => {
    expect(nodeCodes().has(value)).toBe(false);
  });

  test('the check can fail: Node’s codes include ENOTFOUND, EIO and ENOENT', () => {
    const node = nodeCodes();
    expect(['ENOTFOUND', 'EIO', 'ENOENT', 'EAI_AGAIN'].filter((c) => !node.has(c))).toEqual([]);
  });
});
