/**
 * The test tables of golang.org/x/mod v0.7.0 (semver/semver_test.go,
 * module/module_test.go, module/pseudo_test.go), transcribed so that our unit
 * tests assert the same expectations and the differential oracle corpus
 * starts from the same inputs. Go's "x.y/\xFFz" (an invalid UTF-8 byte) is
 * written with a lone UTF-16 surrogate, the nearest thing a JavaScript string
 * can hold.
 */

/** semver_test.go `tests`: input and canonical form ("" = invalid), in increasing order. */
export const SEMVER_TESTS: readonly (readonly [string, string])[] = [
  ['bad', ''],
  ['v1-alpha.beta.gamma', ''],
  ['v1-pre', ''],
  ['v1+meta', ''],
  ['v1-pre+meta', ''],
  ['v1.2-pre', ''],
  ['v1.2+meta', ''],
  ['v1.2-pre+meta', ''],
  ['v1.0.0-alpha', 'v1.0.0-alpha'],
  ['v1.0.0-alpha.1', 'v1.0.0-alpha.1'],
  ['v1.0.0-alpha.beta', 'v1.0.0-alpha.beta'],
  ['v1.0.0-beta', 'v1.0.0-beta'],
  ['v1.0.0-beta.2', 'v1.0.0-beta.2'],
  ['v1.0.0-beta.11', 'v1.0.0-beta.11'],
  ['v1.0.0-rc.1', 'v1.0.0-rc.1'],
  ['v1', 'v1.0.0'],
  ['v1.0', 'v1.0.0'],
  ['v1.0.0', 'v1.0.0'],
  ['v1.2', 'v1.2.0'],
  ['v1.2.0', 'v1.2.0'],
  ['v1.2.3-456', 'v1.2.3-456'],
  ['v1.2.3-456.789', 'v1.2.3-456.789'],
  ['v1.2.3-456-789', 'v1.2.3-456-789'],
  ['v1.2.3-456a', 'v1.2.3-456a'],
  ['v1.2.3-pre', 'v1.2.3-pre'],
  ['v1.2.3-pre+meta', 'v1.2.3-pre'],
  ['v1.2.3-pre.1', 'v1.2.3-pre.1'],
  ['v1.2.3-zzz', 'v1.2.3-zzz'],
  ['v1.2.3', 'v1.2.3'],
  ['v1.2.3+meta', 'v1.2.3'],
  ['v1.2.3+meta-pre', 'v1.2.3'],
  ['v1.2.3+meta-pre.sha.256a', 'v1.2.3'],
];

/** module_test.go `checkTests`: Check(path, version) ok? */
export const CHECK_TESTS: readonly (readonly [string, string, boolean])[] = [
  ['rsc.io/quote', '0.1.0', false],
  ['rsc io/quote', 'v1.0.0', false],

  ['github.com/go-yaml/yaml', 'v0.8.0', true],
  ['github.com/go-yaml/yaml', 'v1.0.0', true],
  ['github.com/go-yaml/yaml', 'v2.0.0', false],
  ['github.com/go-yaml/yaml', 'v2.1.5', false],
  ['github.com/go-yaml/yaml', 'v3.0.0', false],

  ['github.com/go-yaml/yaml/v2', 'v1.0.0', false],
  ['github.com/go-yaml/yaml/v2', 'v2.0.0', true],
  ['github.com/go-yaml/yaml/v2', 'v2.1.5', true],
  ['github.com/go-yaml/yaml/v2', 'v3.0.0', false],

  ['gopkg.in/yaml.v0', 'v0.8.0', true],
  ['gopkg.in/yaml.v0', 'v1.0.0', false],
  ['gopkg.in/yaml.v0', 'v2.0.0', false],
  ['gopkg.in/yaml.v0', 'v2.1.5', false],
  ['gopkg.in/yaml.v0', 'v3.0.0', false],

  ['gopkg.in/yaml.v1', 'v0.8.0', false],
  ['gopkg.in/yaml.v1', 'v1.0.0', true],
  ['gopkg.in/yaml.v1', 'v2.0.0', false],
  ['gopkg.in/yaml.v1', 'v2.1.5', false],
  ['gopkg.in/yaml.v1', 'v3.0.0', false],

  // For gopkg.in, .v1 means v1 only (not v0), but early vgo generated v0
  // pseudo-versions for it and x/mod still accepts them.
  ['gopkg.in/check.v1', 'v0.0.0', false],
  ['gopkg.in/check.v1', 'v0.0.0-20160102150405-abcdef123456', true],

  ['gopkg.in/yaml.v2', 'v1.0.0', false],
  ['gopkg.in/yaml.v2', 'v2.0.0', true],
  ['gopkg.in/yaml.v2', 'v2.1.5', true],
  ['gopkg.in/yaml.v2', 'v3.0.0', false],

  ['rsc.io/quote', 'v17.0.0', false],
  ['rsc.io/quote', 'v17.0.0+incompatible', true],
];

/** module_test.go `checkPathTests`: [path, CheckPath ok, CheckImportPath ok, CheckFilePath ok]. */
export const CHECK_PATH_TESTS: readonly (readonly [string, boolean, boolean, boolean])[] = [
  ['x.y/z', true, true, true],
  ['x.y', true, true, true],

  ['', false, false, false],
  ['x.y/\uD800z', false, false, false],
  ['/x.y/z', false, false, false],
  ['x./z', false, false, false],
  ['.x/z', false, true, true],
  ['-x/z', false, false, true],
  ['x..y/z', true, true, true],
  ['x.y/z/../../w', false, false, false],
  ['x.y//z', false, false, false],
  ['x.y/z//w', false, false, false],
  ['x.y/z/', false, false, false],

  ['x.y/z/v0', false, true, true],
  ['x.y/z/v1', false, true, true],
  ['x.y/z/v2', true, true, true],
  ['x.y/z/v2.0', false, true, true],
  ['X.y/z', false, true, true],

  ['!x.y/z', false, false, true],
  ['_x.y/z', false, true, true],
  ['x.y!/z', false, false, true],
  ['x.y"/z', false, false, false],
  ['x.y#/z', false, false, true],
  ['x.y$/z', false, false, true],
  ['x.y%/z', false, false, true],
  ['x.y&/z', false, false, true],
  ["x.y'/z", false, false, false],
  ['x.y(/z', false, false, true],
  ['x.y)/z', false, false, true],
  ['x.y*/z', false, false, false],
  ['x.y+/z', false, true, true],
  ['x.y,/z', false, false, true],
  ['x.y-/z', true, true, true],
  ['x.y./zt', false, false, false],
  ['x.y:/z', false, false, false],
  ['x.y;/z', false, false, false],
  ['x.y</z', false, false, false],
  ['x.y=/z', false, false, true],
  ['x.y>/z', false, false, false],
  ['x.y?/z', false, false, false],
  ['x.y@/z', false, false, true],
  ['x.y[/z', false, false, true],
  ['x.y\\/z', false, false, false],
  ['x.y]/z', false, false, true],
  ['x.y^/z', false, false, true],
  ['x.y_/z', false, true, true],
  ['x.y`/z', false, false, false],
  ['x.y{/z', false, false, true],
  ['x.y}/z', false, false, true],
  ['x.y~/z', false, true, true],
  ['x.y/z!', false, false, true],
  ['x.y/z"', false, false, false],
  ['x.y/z#', false, false, true],
  ['x.y/z$', false, false, true],
  ['x.y/z%', false, false, true],
  ['x.y/z&', false, false, true],
  ["x.y/z'", false, false, false],
  ['x.y/z(', false, false, true],
  ['x.y/z)', false, false, true],
  ['x.y/z*', false, false, false],
  ['x.y/z++', false, true, true],
  ['x.y/z,', false, false, true],
  ['x.y/z-', true, true, true],
  ['x.y/z.t', true, true, true],
  ['x.y/z/t', true, true, true],
  ['x.y/z:', false, false, false],
  ['x.y/z;', false, false, false],
  ['x.y/z<', false, false, false],
  ['x.y/z=', false, false, true],
  ['x.y/z>', false, false, false],
  ['x.y/z?', false, false, false],
  ['x.y/z@', false, false, true],
  ['x.y/z[', false, false, true],
  ['x.y/z\\', false, false, false],
  ['x.y/z]', false, false, true],
  ['x.y/z^', false, false, true],
  ['x.y/z_', true, true, true],
  ['x.y/z`', false, false, false],
  ['x.y/z{', false, false, true],
  ['x.y/z}', false, false, true],
  ['x.y/z~', true, true, true],
  ['x.y/x.foo', true, true, true],
  ['x.y/aux.foo', false, false, false],
  ['x.y/prn', false, false, false],
  ['x.y/prn2', true, true, true],
  ['x.y/com', true, true, true],
  ['x.y/com1', false, false, false],
  ['x.y/com1.txt', false, false, false],
  ['x.y/calm1', true, true, true],
  ['x.y/z~', true, true, true],
  ['x.y/z~0', false, false, true],
  ['x.y/z~09', false, false, true],
  ['x.y/z09', true, true, true],
  ['x.y/z09~', true, true, true],
  ['x.y/z09~09z', true, true, true],
  ['x.y/z09~09z~09', false, false, true],
  ['github.com/!123/logrus', false, false, true],

  // TODO: CL 41822 allowed Unicode letters in old "go get"
  // without due consideration of the implications, and only on github.com (!).
  // For now, we disallow non-ASCII characters in module mode,
  // in both module paths and general import paths,
  // until we can get the implications right.
  // When we do, we'll enable them everywhere, not just for GitHub.
  ['github.com/user/unicode/испытание', false, false, true],

  ['../x', false, false, false],
  ['./y', false, false, false],
  ['x:y', false, false, false],
  ['\\temp\\foo', false, false, false],
  ['.gitignore', false, true, true],
  ['.github/ISSUE_TEMPLATE', false, true, true],
  ['x☺y', false, false, false],
];

/** module_test.go `splitPathVersionTests`: [prefix, pathMajor]. */
export const SPLIT_PATH_VERSION_TESTS: readonly (readonly [string, string])[] = [
  ['x.y/z', ''],
  ['x.y/z', '/v2'],
  ['x.y/z', '/v3'],
  ['x.y/v', ''],
  ['gopkg.in/yaml', '.v0'],
  ['gopkg.in/yaml', '.v1'],
  ['gopkg.in/yaml', '.v2'],
  ['gopkg.in/yaml', '.v3'],
];

/** module_test.go `escapeTests`: [path, escaped]. */
export const ESCAPE_TESTS: readonly (readonly [string, string])[] = [
  ['ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789', 'ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789'],
  ['github.com/GoogleCloudPlatform/omega', 'github.com/!google!cloud!platform/omega'],
];

/** module_test.go `badUnescape`. */
export const BAD_UNESCAPE: readonly string[] = [
  'github.com/GoogleCloudPlatform/omega',
  'github.com/!google!cloud!platform!/omega',
  'github.com/!0google!cloud!platform/omega',
  'github.com/!_google!cloud!platform/omega',
  'github.com/!!google!cloud!platform/omega',
  '',
];

/** module_test.go TestMatchPathMajor: [version, pathMajor, want]. */
export const MATCH_PATH_MAJOR_TESTS: readonly (readonly [string, string, boolean])[] = [
  ['v0.0.0', '', true],
  ['v0.0.0', '/v2', false],
  ['v0.0.0', '.v0', true],
  ['v0.0.0-20190510104115-cbcb75029529', '.v1', true],
  ['v1.0.0', '/v2', false],
  ['v1.0.0', '.v1', true],
  ['v1.0.0', '.v1-unstable', true],
  ['v2.0.0+incompatible', '', true],
  ['v2.0.0', '', false],
  ['v2.0.0', '/v2', true],
  ['v2.0.0', '.v2', true],
];

/** module_test.go TestMatchPrefixPatterns: [globs, target, want]. */
export const MATCH_PREFIX_PATTERNS_TESTS: readonly (readonly [string, string, boolean])[] = [
  ['', 'rsc.io/quote', false],
  ['/', 'rsc.io/quote', false],
  ['*/quote', 'rsc.io/quote', true],
  ['*/quo', 'rsc.io/quote', false],
  ['*/quo??', 'rsc.io/quote', true],
  ['*/quo*', 'rsc.io/quote', true],
  ['*quo*', 'rsc.io/quote', false],
  ['rsc.io', 'rsc.io/quote', true],
  ['*.io', 'rsc.io/quote', true],
  ['rsc.io/', 'rsc.io/quote', true],
  ['rsc', 'rsc.io/quote', false],
  ['rsc*', 'rsc.io/quote', true],

  ['rsc.io', 'rsc.io/quote/v3', true],
  ['*/quote', 'rsc.io/quote/v3', true],
  ['*/quote/', 'rsc.io/quote/v3', true],
  ['*/quote/*', 'rsc.io/quote/v3', true],
  ['*/quote/*/', 'rsc.io/quote/v3', true],
  ['*/v3', 'rsc.io/quote/v3', false],
  ['*/*/v3', 'rsc.io/quote/v3', true],
  ['*/*/*', 'rsc.io/quote/v3', true],
  ['*/*/*/', 'rsc.io/quote/v3', true],
  ['*/*/*', 'rsc.io/quote', false],
  ['*/*/*/', 'rsc.io/quote', false],

  ['*/*/*,,', 'rsc.io/quote', false],
  ['*/*/*,,*/quote', 'rsc.io/quote', true],
  [',,*/quote', 'rsc.io/quote', true],
];

/** pseudo_test.go `pseudoTests`: [major, older, version] for time 2006-01-02T15:04:05Z and rev "hash". */
export const PSEUDO_TESTS: readonly (readonly [string, string, string])[] = [
  ['', '', 'v0.0.0-20060102150405-hash'],
  ['v0', '', 'v0.0.0-20060102150405-hash'],
  ['v1', '', 'v1.0.0-20060102150405-hash'],
  ['v2', '', 'v2.0.0-20060102150405-hash'],
  ['unused', 'v0.0.0', 'v0.0.1-0.20060102150405-hash'],
  ['unused', 'v1.2.3', 'v1.2.4-0.20060102150405-hash'],
  ['unused', 'v1.2.99999999999999999', 'v1.2.100000000000000000-0.20060102150405-hash'],
  ['unused', 'v1.2.3-pre', 'v1.2.3-pre.0.20060102150405-hash'],
  ['unused', 'v1.3.0-pre', 'v1.3.0-pre.0.20060102150405-hash'],
  ['unused', 'v0.0.0--', 'v0.0.0--.0.20060102150405-hash'],
  ['unused', 'v1.0.0+metadata', 'v1.0.1-0.20060102150405-hash+metadata'],
  ['unused', 'v2.0.0+incompatible', 'v2.0.1-0.20060102150405-hash+incompatible'],
  ['unused', 'v2.3.0-pre+incompatible', 'v2.3.0-pre.0.20060102150405-hash+incompatible'],
];

/** The time every PSEUDO_TESTS version encodes. */
export const PSEUDO_TIME = new Date(Date.UTC(2006, 0, 2, 15, 4, 5));

/** pseudo_test.go TestInvalidPseudoVersionBase. */
export const INVALID_PSEUDO_BASE: readonly string[] = [
  'v0.0.0',
  'v0.0.0-', // malformed: empty prerelease
  'v0.0.0-0.20060102150405-hash', // Z+1 == 0
  'v0.1.0-0.20060102150405-hash', // Z+1 == 0
  'v1.0.0-0.20060102150405-hash', // Z+1 == 0
  'v0.0.0-20060102150405-hash+incompatible', // +incompatible without base version
  'v0.0.0-20060102150405-hash+metadata', // other metadata without base version
];

/** pseudo_test.go TestIncDecimal and TestDecDecimal. */
export const INC_DECIMAL_TESTS: readonly (readonly [string, string])[] = [
  ['0', '1'],
  ['1', '2'],
  ['99', '100'],
  ['100', '101'],
  ['101', '102'],
];
export const DEC_DECIMAL_TESTS: readonly (readonly [string, string])[] = [
  ['', ''],
  ['0', ''],
  ['00', ''],
  ['1', '0'],
  ['2', '1'],
  ['99', '98'],
  ['100', '99'],
  ['101', '100'],
];

/** The error message fn throws, or "" when it succeeds: the shape x/mod's err.Error() has. */
export function errOf(fn: () => unknown): string {
  try {
    fn();
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
