/**
 * A deterministic corpus of requests for the x/mod oracle: the x/mod test
 * tables, hand-picked edge cases, and seeded random mutations of versions,
 * paths and glob patterns. The same seed always yields the same corpus, so a
 * failure reproduces exactly.
 *
 * Lone UTF-16 surrogates are never generated: a JavaScript string can hold
 * them but a Go string cannot receive them through JSON (they decode as
 * U+FFFD), so they are covered by the unit tests instead.
 */
import {
  BAD_UNESCAPE,
  CHECK_PATH_TESTS,
  CHECK_TESTS,
  ESCAPE_TESTS,
  INVALID_PSEUDO_BASE,
  MATCH_PATH_MAJOR_TESTS,
  MATCH_PREFIX_PATTERNS_TESTS,
  PSEUDO_TESTS,
  SEMVER_TESTS,
  SPLIT_PATH_VERSION_TESTS,
} from './tables.js';

export interface OracleRequest {
  op: string;
  a?: string;
  b?: string;
  c?: string;
  t?: string;
  list?: string[];
}

/** mulberry32: a tiny seeded PRNG, good enough to spread test inputs. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = ReturnType<typeof rng>;

function pick<T>(r: Rand, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

function int(r: Rand, n: number): number {
  return Math.floor(r() * n);
}

/** Characters that matter to versions and paths, plus a few that must be rejected. */
const ALPHABET = [
  ...'0123456789',
  ...'abcxyzv',
  ...'ABCXYZV',
  '.',
  '.',
  '-',
  '-',
  '+',
  '/',
  '/',
  '!',
  '!',
  '~',
  '_',
  ' ',
  ':',
  '*',
  '?',
  '[',
  ']',
  '^',
  '\\',
  '@',
  '#',
  '%',
  ',',
  '"',
  "'",
  'é',
  'É',
  'ж',
  '€',
  '☺',
  '😀',
  '\u200b',
  '\u00a0',
  'ǅ',
  '\t',
];

const VERSION_SEEDS = [
  ...SEMVER_TESTS.map(([v]) => v),
  ...PSEUDO_TESTS.flatMap(([, older, v]) => [older, v]),
  ...INVALID_PSEUDO_BASE,
  ...CHECK_TESTS.map(([, v]) => v),
  'v0.0.0',
  'v1.0.0',
  'v2.0.0',
  'v2.0.0+incompatible',
  'v3.1.4+incompatible',
  'v1.0.0-RC1',
  'v1.0.0-rc.01',
  'v01.0.0',
  'v1.00.0',
  'v1.2.3-0',
  'v1.2.3-pre.0.20191109021931-daa7c04131f5',
  'v0.0.0-00010101000000-000000000000',
  'v1.0.0-20060102150405-hash',
  'v0.0.0-20061302150405-hash',
  'v0.0.0-20040229150405-hash',
  'v0.0.0-19000229150405-hash',
  'v0.0.0-20060102240405-hash',
  'v1.2.3+incompatible.x',
  'v1.2.3+-',
  'v1.2.3-+',
  'v1.2.3-a..b',
  'v1.2.3-a.',
  'v1.2.3-.a',
  'v1.2.3-a-b-c',
  'v1.2.3-x.Y.z',
  'v1.2.3-00',
  'v1.2.3-0a',
  'v18446744073709551616.0.0',
  'v1.2.3.4',
  'v1..2',
  'v',
  '',
  'V1.0.0',
  '1.0.0',
  'v1.0.0 ',
  ' v1.0.0',
  'master',
  'latest',
  'v1.0.0-é',
  'v1.0.0+é',
  'CON',
  'v1.0.0/go.mod',
];

const PATH_SEEDS = [
  ...CHECK_PATH_TESTS.map(([p]) => p).filter((p) => !/[\uD800-\uDFFF]/.test(p)),
  ...CHECK_TESTS.map(([p]) => p),
  ...SPLIT_PATH_VERSION_TESTS.map(([p, m]) => p + m),
  ...ESCAPE_TESTS.flatMap(([p, e]) => [p, e]),
  ...BAD_UNESCAPE,
  'github.com/Azure/azure-sdk-for-go',
  'github.com/!azure/azure-sdk-for-go',
  'github.com/BurntSushi/toml',
  'golang.org/x/mod',
  'example.com/m/v2',
  'example.com/m/v10',
  'example.com/m/v0',
  'example.com/m/v1',
  'example.com/m/v02',
  'example.com/m/v2.1',
  'example.com/m/v2/sub',
  'example.com/v2',
  'example.com',
  'gopkg.in/yaml.v2',
  'gopkg.in/yaml.v1-unstable',
  'gopkg.in/yaml.v02',
  'gopkg.in/yaml',
  'gopkg.in/v2',
  'gopkg.in/user/pkg.v3',
  'gopkg.in/yaml/v2',
  'gopkg.in/.v1',
  'gopkg.in/yaml.v0',
  'gopkg.in/yaml.v2-unstable',
  'x.y/CON',
  'x.y/con.txt',
  'x.y/Lpt9.go',
  'x.y/COM10',
  'x.y/aux~1',
  'x.y/abc~1',
  'x.y/PROGRA~1',
  'x.y/~1',
  'x.y/a~b~12',
  'x.y/nul.',
  'x.y/é',
  'x.y/a b',
  'x.y/ǅ',
  'x.y/z\u200b',
  'a/b/c',
  'a.b/c.d/e.f',
  'rsc.io/quote',
  'rsc.io/quote/v3',
  'x.y/+inc',
  'x.y/a..b',
  '.',
  '..',
  '/',
  'x.y/.',
  'x.y/z/.',
  'x.y/-z',
  '-',
  'x.y/z~',
  'my-host.com:8080/x',
  'x.y/z/',
  '127.0.0.1/x',
];

const PATH_MAJORS = [
  '',
  '/v2',
  '/v3',
  '/v1',
  '/v0',
  '/v02',
  '.v0',
  '.v1',
  '.v2',
  '.v1-unstable',
  '.v2-unstable',
  'v2',
  'x',
  '/v2.1',
  '/x',
  '.',
];

const GLOB_SEEDS = [
  ...MATCH_PREFIX_PATTERNS_TESTS.map(([g]) => g),
  '*.corp.example.com',
  'example.com/*',
  'example.com/a',
  'example.com/[a-c]*',
  'example.com/[^a-c]*',
  'example.com/\\*',
  '[',
  '[]',
  '[a-',
  '\\',
  '*/[',
  'rsc.io/quo[t]e',
  'rsc.io/quot?',
  'rsc.io,example.com',
  'example.com/',
  '*??',
  '*[^a][^a]',
  '[é-ж]*',
  '*/*/',
  '?*',
];

const TARGET_SEEDS = [
  'rsc.io/quote',
  'rsc.io/quote/v3',
  'example.com/a/b',
  'example.com/ab',
  'git.corp.example.com/x/y',
  'example.com/*',
  '€',
  'a/€/b',
  'é.io/ж',
  '',
];

function mutate(r: Rand, s: string, seeds: readonly string[]): string {
  const chars = [...s];
  const n = 1 + int(r, 3);
  for (let k = 0; k < n; k++) {
    const at = int(r, chars.length + 1);
    switch (int(r, 9)) {
      case 0:
      case 1:
        chars.splice(at, 0, pick(r, ALPHABET));
        break;
      case 2:
        if (chars.length > 0) chars.splice(Math.min(at, chars.length - 1), 1);
        break;
      case 3:
        if (chars.length > 0) chars[Math.min(at, chars.length - 1)] = pick(r, ALPHABET);
        break;
      case 4: {
        // Flip the case of one character.
        const i = Math.min(at, chars.length - 1);
        const c = chars[i];
        if (c !== undefined) chars[i] = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
        break;
      }
      case 5:
        chars.push(pick(r, ['+incompatible', '-pre', '.0', '/v2', '.v1', '-unstable', '~1', '/', '!', '.']));
        break;
      case 6: {
        // Splice in a piece of another seed.
        const other = [...pick(r, seeds)];
        const from = int(r, other.length + 1);
        chars.splice(at, 0, ...other.slice(from, from + 1 + int(r, 6)));
        break;
      }
      case 7:
        // Escape one uppercase letter the way EscapePath would (or garble it).
        for (let i = 0; i < chars.length; i++) {
          const c = chars[i] as string;
          if (c >= 'A' && c <= 'Z') {
            chars.splice(i, 1, '!', r() < 0.8 ? c.toLowerCase() : c);
            break;
          }
        }
        break;
      default:
        chars.splice(at, 0, ...'0123456789'.slice(0, 1 + int(r, 4)));
    }
  }
  return chars.join('');
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** A pseudo-version-shaped string, sometimes with an impossible timestamp. */
function randomPseudo(r: Rand): string {
  const year = pick(r, [1, 1900, 1999, 2000, 2004, 2006, 2019, 2100, 9999]);
  const month = r() < 0.9 ? 1 + int(r, 12) : pick(r, [0, 13, 99]);
  const day = r() < 0.85 ? 1 + int(r, 28) : pick(r, [0, 29, 30, 31, 32]);
  const hour = r() < 0.9 ? int(r, 24) : pick(r, [24, 99]);
  const min = r() < 0.95 ? int(r, 60) : 60;
  const sec = r() < 0.95 ? int(r, 60) : pick(r, [60, 61]);
  const ts = pad(year, 4) + pad(month, 2) + pad(day, 2) + pad(hour, 2) + pad(min, 2) + pad(sec, 2);
  const rev = pick(r, ['daa7c04131f5', 'abcdef123456', '000000000000', 'hash', 'ABC', 'a']);
  const major = int(r, 4);
  const build = pick(r, ['', '', '', '+incompatible', '+meta.1', '+x']);
  switch (int(r, 3)) {
    case 0:
      return `v${major}.0.0-${ts}-${rev}${build}`;
    case 1:
      return `v${major}.${int(r, 3)}.${int(r, 3)}-${pick(r, ['pre', 'rc.1', 'beta.2', '0', 'a-b'])}.0.${ts}-${rev}${build}`;
    default:
      return `v${major}.${int(r, 3)}.${int(r, 4)}-0.${ts}-${rev}${build}`;
  }
}

/** Build the corpus: about `scale` random inputs of each kind on top of the tables. */
export function buildCorpus(seed: number, scale: number): OracleRequest[] {
  const r = rng(seed);
  const out: OracleRequest[] = [];

  const versions = new Set<string>(VERSION_SEEDS);
  for (let i = 0; i < scale; i++) versions.add(randomPseudo(r));
  for (let i = 0; i < scale; i++) versions.add(mutate(r, pick(r, [...VERSION_SEEDS]), VERSION_SEEDS));
  const versionList = [...versions];

  const paths = new Set<string>(PATH_SEEDS);
  for (let i = 0; i < scale; i++) paths.add(mutate(r, pick(r, PATH_SEEDS), PATH_SEEDS));
  const pathList = [...paths];

  for (const v of versionList) {
    for (const op of [
      'isValid',
      'canonical',
      'major',
      'majorMinor',
      'prerelease',
      'build',
      'canonicalVersion',
      'escapeVersion',
      'unescapeVersion',
    ]) {
      out.push({ op, a: v });
    }
    for (const op of ['isPseudoVersion', 'isZeroPseudoVersion', 'pseudoVersionTime', 'pseudoVersionRev', 'pseudoVersionBase']) {
      out.push({ op, a: v });
    }
  }
  for (let i = 0; i < scale * 3; i++) {
    const a = pick(r, versionList);
    const b = r() < 0.2 ? mutate(r, a, VERSION_SEEDS) : pick(r, versionList);
    out.push({ op: 'compare', a, b }, { op: 'max', a, b });
  }
  for (let i = 0; i < Math.ceil(scale / 10); i++) {
    const list = Array.from({ length: 5 + int(r, 30) }, () => pick(r, versionList));
    out.push({ op: 'sort', list });
  }

  for (const p of pathList) {
    for (const op of [
      'checkPath',
      'checkImportPath',
      'checkFilePath',
      'escapePath',
      'unescapePath',
      'splitPathVersion',
      'escapeVersion',
      'unescapeVersion',
    ]) {
      out.push({ op, a: p });
    }
  }
  for (const [p, v] of CHECK_TESTS) out.push({ op: 'check', a: p, b: v });
  for (let i = 0; i < scale * 2; i++) out.push({ op: 'check', a: pick(r, pathList), b: pick(r, versionList) });
  // Random pairs rarely fit together, so also pair paths with versions of every major.
  const MAJOR_VERSIONS = [
    'v0.1.0',
    'v1.2.3',
    'v2.0.0',
    'v2.0.0+incompatible',
    'v3.1.0',
    'v3.1.0+meta',
    'v1.0.0-pre',
    'v0.0.0-20060102150405-abcdef123456',
    'v1.0.0-20060102150405-abcdef123456',
    'v2.1.0-0.20060102150405-abcdef123456+incompatible',
    'v2.0.0-rc.1',
    'v2',
    'v10.0.0',
  ];
  for (const p of PATH_SEEDS) for (const v of MAJOR_VERSIONS) out.push({ op: 'check', a: p, b: v });

  for (const [v, m] of MATCH_PATH_MAJOR_TESTS) out.push({ op: 'matchPathMajor', a: v, b: m }, { op: 'checkPathMajor', a: v, b: m });
  for (const m of PATH_MAJORS) {
    out.push({ op: 'pathMajorPrefix', a: m });
    for (let i = 0; i < Math.ceil(scale / 20); i++) {
      const v = pick(r, versionList);
      out.push({ op: 'matchPathMajor', a: v, b: m }, { op: 'checkPathMajor', a: v, b: m });
    }
  }

  for (const [g, t] of MATCH_PREFIX_PATTERNS_TESTS) out.push({ op: 'matchPrefixPatterns', a: g, b: t });
  // Every seed glob against every seed target, including the byte-level cases ("*??" against "€").
  for (const g of GLOB_SEEDS) {
    for (const t of TARGET_SEEDS) out.push({ op: 'matchPrefixPatterns', a: g, b: t }, { op: 'pathMatch', a: g, b: t });
  }
  const targets = [...TARGET_SEEDS, ...pathList.slice(0, 200)];
  for (let i = 0; i < scale * 2; i++) {
    let glob = pick(r, GLOB_SEEDS);
    if (r() < 0.6) glob = mutate(r, glob, GLOB_SEEDS);
    if (r() < 0.2) glob = `${glob},${pick(r, GLOB_SEEDS)}`;
    const target = r() < 0.5 ? pick(r, targets) : mutate(r, pick(r, TARGET_SEEDS), TARGET_SEEDS);
    out.push({ op: 'matchPrefixPatterns', a: glob, b: target });
    // path.Match itself, with the glob rebuilt so patterns often fit the name.
    const name = mutate(r, target, TARGET_SEEDS);
    const pattern = r() < 0.5 ? glob : [...name].map((c) => (r() < 0.2 ? pick(r, ['*', '?', '[^a]', `[${c}-~]`, '\\' + c]) : c)).join('');
    out.push({ op: 'pathMatch', a: pattern, b: name });
  }

  const times = [
    '2006-01-02T15:04:05Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2019-11-09T02:19:31+05:30',
    '2000-02-29T00:00:00Z',
  ];
  for (const [major, older] of PSEUDO_TESTS) out.push({ op: 'pseudoVersion', a: major, b: older, c: 'hash', t: times[0] });
  for (let i = 0; i < scale; i++) {
    out.push({
      op: 'pseudoVersion',
      a: pick(r, ['', 'v0', 'v1', 'v2', 'v17', 'unused']),
      b: pick(r, versionList),
      c: pick(r, ['hash', 'daa7c04131f5', '000000000000']),
      t: pick(r, times),
    });
  }
  for (const m of ['', 'v0', 'v1', 'v2', 'v1000', 'x']) out.push({ op: 'zeroPseudoVersion', a: m });

  // A sweep of code points through checkFilePath, which allows exactly the
  // Unicode letters (unicode.IsLetter) and quotes the others with %q
  // (unicode.IsPrint): both depend on the Unicode tables of Go and of Node.
  for (const cp of unicodeSweep(r)) out.push({ op: 'checkFilePath', a: `x/a${String.fromCodePoint(cp)}` });
  return out;
}

/** Every code point below U+3400, then a random sample of the rest (no surrogates). */
function unicodeSweep(r: Rand): number[] {
  const cps: number[] = [];
  for (let cp = 0; cp < 0x3400; cp++) cps.push(cp);
  for (let cp = 0x3400; cp <= 0x10ffff; cp += 1 + int(r, 64)) {
    if (cp < 0xd800 || cp > 0xdfff) cps.push(cp);
  }
  return cps;
}
