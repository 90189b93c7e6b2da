/**
 * The serve path parser on random and mutated request targets: it never
 * throws, refuses with 400/404 and a reason, and what it accepts is exactly
 * what the escaping functions would have produced for that module and version.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { escapePath, escapeVersion } from '../../src/gomod/modulePath.js';
import { MAX_PATH_BYTES, parseRequestPath } from '../../src/serve/requestPath.js';
import { mutatedText, runs } from './propertyRuns.js';

const SEEDS = [
  '/example.com/%21upper/%21mod/@v/v1.0.0-%21r%21c1.zip',
  '/golang.org/x/mod/@v/list',
  '/golang.org/x/mod/@latest',
  '/sumdb/sum.golang.org/tile/8/0/x001/234.p/5',
  '/example.com/m/@v/v1.2.3.info?go-get=1',
  '/healthz',
];
const PIECES = [
  '%',
  '%2',
  '%21',
  '%25',
  '%2F',
  '%00',
  '/',
  '..',
  '.',
  '@v',
  '@latest',
  '!',
  '\\',
  '\u0000',
  '\u00e9',
  '?',
  '#',
  '//',
  'list',
  '.mod',
  '.zip',
  'sumdb',
  '~',
  'A',
];

const target = fc.oneof(
  fc.constantFrom(...SEEDS).chain((s) => mutatedText(s, PIECES, 5)),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s}`),
  fc.nat(3 * MAX_PATH_BYTES).map((n) => `/${'a'.repeat(n)}/@v/list`),
);

describe('parseRequestPath', () => {
  test('never throws; refusals are 400/404 with a reason; accepted names re-escape to the request', () => {
    fc.assert(
      fc.property(target, (raw) => {
        const t = parseRequestPath(raw);
        const what = `parseRequestPath(${JSON.stringify(raw.slice(0, 120))})`;
        switch (t.kind) {
          case 'bad':
            expect([400, 404], what).toContain(t.status);
            expect(t.reason, what).not.toBe('');
            break;
          case 'list':
          case 'latest':
            expect(escapePath(t.path), what).toBe(t.escPath);
            break;
          case 'info':
          case 'mod':
          case 'zip':
            expect(escapePath(t.path), what).toBe(t.escPath);
            expect(t.name, what).toBe(`${t.escPath}/@v/${escapeVersion(t.version)}.${t.kind}`);
            expect(t.name.includes('..') && t.name.split('/').includes('..'), what).toBe(false);
            break;
          case 'sumdb':
            expect(t.db, what).not.toBe('');
            expect(t.rest.split('/'), what).not.toContain('..');
            break;
          default:
            expect(['healthz', 'readyz', 'metrics'], what).toContain(t.kind);
        }
      }),
      runs(3000),
    );
  });
});
