/**
 * Differential test: our semver, module-path and pseudo-version ports answer
 * a large deterministic corpus exactly as golang.org/x/mod v0.7.0 does (the
 * code Go 1.23 vendors for these files is identical). The oracle
 * (test/gomod/oracle/main.go) runs once over the whole corpus.
 *
 * Every answer must agree: validity, results and error texts (quoted with
 * Go's own Unicode tables). Deliberate differences are listed in
 * KNOWN_DIFFERENCES.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  canonicalVersion,
  check,
  checkFilePath,
  checkImportPath,
  checkPath,
  checkPathMajor,
  escapePath,
  escapeVersion,
  matchPathMajor,
  matchPrefixPatterns,
  pathMajorPrefix,
  splitPathVersion,
  unescapePath,
  unescapeVersion,
} from '../../src/gomod/modulePath.js';
import { pathMatch } from '../../src/gomod/pathMatch.js';
import {
  isPseudoVersion,
  isZeroPseudoVersion,
  pseudoVersion,
  pseudoVersionBase,
  pseudoVersionRev,
  pseudoVersionTime,
  zeroPseudoVersion,
} from '../../src/gomod/pseudo.js';
import * as semver from '../../src/gomod/semver.js';
import { buildGoProgram } from '../support/gotool.js';
import { buildCorpus, type OracleRequest } from './oracle/corpus.js';

interface Answer {
  r: unknown;
  err: string;
}

/** Fixed so failures reproduce; change it to explore other inputs. */
const CORPUS_SEED = 20260517;
/** Random inputs per kind; the corpus holds many times this many requests. */
const CORPUS_SCALE = 1500;
const ORACLE_TIMEOUT_MS = 120_000;
const ORACLE_MAX_OUTPUT = 256 * 1024 * 1024;
/** How many disagreements to print when the test fails. */
const MAX_REPORTED = 40;

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** time.RFC3339 in UTC, as the oracle prints pseudo-version times. */
function rfc3339(t: Date): string {
  const y = t.getUTCFullYear();
  return (
    `${pad(y, 4)}-${pad(t.getUTCMonth() + 1, 2)}-${pad(t.getUTCDate(), 2)}` +
    `T${pad(t.getUTCHours(), 2)}:${pad(t.getUTCMinutes(), 2)}:${pad(t.getUTCSeconds(), 2)}Z`
  );
}

function attempt(fn: () => unknown, onError: unknown = null): Answer {
  try {
    return { r: fn(), err: '' };
  } catch (err) {
    return { r: onError, err: (err as Error).message };
  }
}

function errOnly(fn: () => void): Answer {
  return attempt(() => {
    fn();
    return null;
  });
}

/** Our answer to one request, shaped like the oracle's. */
function ours(q: OracleRequest): Answer {
  const a = q.a ?? '';
  const b = q.b ?? '';
  switch (q.op) {
    case 'isValid':
      return { r: semver.isValid(a), err: '' };
    case 'canonical':
      return { r: semver.canonical(a), err: '' };
    case 'major':
      return { r: semver.major(a), err: '' };
    case 'majorMinor':
      return { r: semver.majorMinor(a), err: '' };
    case 'prerelease':
      return { r: semver.prerelease(a), err: '' };
    case 'build':
      return { r: semver.build(a), err: '' };
    case 'compare':
      return { r: semver.compare(a, b), err: '' };
    case 'max':
      return { r: semver.max(a, b), err: '' };
    case 'sort':
      return { r: semver.sort([...(q.list ?? [])]), err: '' };
    case 'checkPath':
      return errOnly(() => checkPath(a));
    case 'checkImportPath':
      return errOnly(() => checkImportPath(a));
    case 'checkFilePath':
      return errOnly(() => checkFilePath(a));
    case 'check':
      return errOnly(() => check(a, b));
    case 'checkPathMajor':
      return errOnly(() => checkPathMajor(a, b));
    case 'matchPathMajor':
      return { r: matchPathMajor(a, b), err: '' };
    case 'pathMajorPrefix':
      return attempt(() => pathMajorPrefix(a));
    case 'splitPathVersion':
      return { r: splitPathVersion(a), err: '' };
    case 'canonicalVersion':
      return { r: canonicalVersion(a), err: '' };
    case 'escapePath':
      return attempt(() => escapePath(a), '');
    case 'unescapePath':
      return attempt(() => unescapePath(a), '');
    case 'escapeVersion':
      return attempt(() => escapeVersion(a), '');
    case 'unescapeVersion':
      return attempt(() => unescapeVersion(a), '');
    case 'matchPrefixPatterns':
      return { r: matchPrefixPatterns(a, b), err: '' };
    case 'pathMatch': {
      const m = pathMatch(a, b);
      return m === 'bad-pattern' ? { r: false, err: 'syntax error in pattern' } : { r: m, err: '' };
    }
    case 'isPseudoVersion':
      return { r: isPseudoVersion(a), err: '' };
    case 'isZeroPseudoVersion':
      return { r: isZeroPseudoVersion(a), err: '' };
    case 'pseudoVersionTime':
      return attempt(() => rfc3339(pseudoVersionTime(a)), '');
    case 'pseudoVersionRev':
      return attempt(() => pseudoVersionRev(a), '');
    case 'pseudoVersionBase':
      return attempt(() => pseudoVersionBase(a), '');
    case 'pseudoVersion':
      return { r: pseudoVersion(a, b, new Date(q.t ?? ''), q.c ?? ''), err: '' };
    case 'zeroPseudoVersion':
      return { r: zeroPseudoVersion(a), err: '' };
  }
  throw new Error(`no TypeScript counterpart for op ${q.op}`);
}

/**
 * Where we differ from x/mod on purpose. Each entry rewrites the oracle's
 * answer into the one we give, and says why.
 */
const KNOWN_DIFFERENCES: {
  why: string;
  applies: (q: OracleRequest, go: Answer) => boolean;
  expect: (q: OracleRequest, go: Answer) => Answer;
}[] = [
  {
    why: 'escapeVersion of a non-ASCII version: x/mod fails with "internal error: inconsistency in EscapePath"; we report disallowed version string',
    applies: (q, go) => q.op === 'escapeVersion' && go.err === 'internal error: inconsistency in EscapePath',
    expect: (q) => ({ r: '', err: `version ${JSON.stringify(q.a)} invalid: disallowed version string` }),
  },
  {
    why: 'pathMajorPrefix panics in x/mod; we throw an Error whose text need not match the panic (x/mod misses a space in it)',
    applies: (q, go) => q.op === 'pathMajorPrefix' && go.err.startsWith('panic: '),
    expect: () => ({ r: null, err: '<any error>' }),
  },
];

function runOracle(bin: string, corpus: OracleRequest[]): Answer[] {
  const input = corpus.map((q) => JSON.stringify(q)).join('\n') + '\n';
  const res = spawnSync(bin, [], { input, encoding: 'utf8', timeout: ORACLE_TIMEOUT_MS, maxBuffer: ORACLE_MAX_OUTPUT });
  if (res.status !== 0) throw new Error(`x/mod oracle failed (exit ${res.status}): ${res.stderr}${res.error ? String(res.error) : ''}`);
  const lines = res.stdout.split('\n').filter((l) => l !== '');
  if (lines.length !== corpus.length) throw new Error(`x/mod oracle answered ${lines.length} requests, want ${corpus.length}`);
  return lines.map((l) => JSON.parse(l) as Answer);
}

function describeRequest(q: OracleRequest): string {
  const args = q.op === 'sort' ? [q.list] : q.op === 'pseudoVersion' ? [q.a, q.b, q.t, q.c] : [q.a, q.b].filter((x) => x !== undefined);
  return `${q.op}(${args.map((x) => JSON.stringify(x)).join(', ')})`;
}

/** JSON with object keys sorted, so answers compare regardless of key order (Go sorts map keys). */
function canon(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([p], [q]) => (p < q ? -1 : 1)))
      : v,
  );
}

function show(a: Answer): string {
  return a.err === '' ? JSON.stringify(a.r) : `${JSON.stringify(a.r)}, error ${JSON.stringify(a.err)}`;
}

describe('agreement with golang.org/x/mod', () => {
  test("every corpus input gets x/mod's answer", { timeout: 180_000 }, () => {
    const bin = buildGoProgram(join(import.meta.dirname, 'oracle'), 'oracle-xmod');
    const corpus = buildCorpus(CORPUS_SEED, CORPUS_SCALE);
    expect(corpus.length).toBeGreaterThan(10 * CORPUS_SCALE);
    const answers = runOracle(bin, corpus);

    const failures: string[] = [];
    const opsSeen = new Map<string, number>();
    corpus.forEach((q, i) => {
      opsSeen.set(q.op, (opsSeen.get(q.op) ?? 0) + 1);
      const go = answers[i] as Answer;
      const known = KNOWN_DIFFERENCES.find((d) => d.applies(q, go));
      const want = known ? known.expect(q, go) : go;
      const got = ours(q);
      if (want.err === '<any error>' ? got.err !== '' : canon(got) === canon(want)) return;
      failures.push(`${describeRequest(q)} = ${show(got)}, want ${show(want)}`);
    });
    expect(failures.slice(0, MAX_REPORTED), `${failures.length} of ${corpus.length} answers disagree with x/mod`).toEqual([]);
    // Every operation the oracle knows was exercised.
    expect([...opsSeen.keys()].sort()).toEqual(
      [
        'build',
        'canonical',
        'canonicalVersion',
        'check',
        'checkFilePath',
        'checkImportPath',
        'checkPath',
        'checkPathMajor',
        'compare',
        'escapePath',
        'escapeVersion',
        'isPseudoVersion',
        'isValid',
        'isZeroPseudoVersion',
        'major',
        'majorMinor',
        'matchPathMajor',
        'matchPrefixPatterns',
        'max',
        'pathMajorPrefix',
        'pathMatch',
        'prerelease',
        'pseudoVersion',
        'pseudoVersionBase',
        'pseudoVersionRev',
        'pseudoVersionTime',
        'sort',
        'splitPathVersion',
        'unescapePath',
        'unescapeVersion',
        'zeroPseudoVersion',
      ].sort(),
    );
  });

  test('src/gomod/goUnicode.ts holds the Unicode tables of the Go that builds the oracle', { timeout: 180_000 }, () => {
    const bin = buildGoProgram(join(import.meta.dirname, 'oracle'), 'oracle-xmod');
    const [answer] = runOracle(bin, [{ op: 'unicodeTS' }]);
    const file = join(import.meta.dirname, '..', '..', 'src', 'gomod', 'goUnicode.ts');
    const onDisk = readFileSync(file, 'utf8');
    expect(onDisk === answer?.r, `${file} is stale; regenerate it with: ${bin} -unicode-ts > src/gomod/goUnicode.ts`).toBe(true);
  });
});
