/**
 * Module paths and versions as the go command checks and escapes them: a
 * port of golang.org/x/mod/module (module.go).
 *
 * Why escaping exists: module paths may contain uppercase letters
 * (github.com/Azure/...), but proxies and caches are trees of files, and
 * case-insensitive file systems (macOS, Windows) would merge
 * github.com/Azure and github.com/azure. So every uppercase letter is
 * written as "!" plus its lowercase form, and "!" itself is not allowed in
 * paths or versions. Escaped forms appear only in URLs and cache paths;
 * go.sum and zip entries use the plain forms.
 */
import { GobundleError } from '../errors.js';
import { InvalidPathError } from './invalidPath.js';
import { goQuote, goQuoteRune } from './goQuote.js';
import { isGoLetter } from './goUnicode.js';
import { pathMatch } from './pathMatch.js';
import * as semver from './semver.js';
import { ErrorCode } from '../errorCodes.js';

type PathKind = 'module' | 'import' | 'file';

/** Path elements that Windows reserves as device names, whatever the extension. */
const BAD_WINDOWS_NAMES = [
  'CON',
  'PRN',
  'AUX',
  'NUL',
  'COM1',
  'COM2',
  'COM3',
  'COM4',
  'COM5',
  'COM6',
  'COM7',
  'COM8',
  'COM9',
  'LPT1',
  'LPT2',
  'LPT3',
  'LPT4',
  'LPT5',
  'LPT6',
  'LPT7',
  'LPT8',
  'LPT9',
];

/** A version (or pseudo-version) that is not acceptable for a module path: x/mod's InvalidVersionError. */
export class InvalidVersionError extends GobundleError {
  readonly version: string;
  readonly reason: string;
  readonly pseudo: boolean;

  constructor(version: string, reason: string, pseudo = false) {
    super(ErrorCode.INVALIDVERSION, `${pseudo ? 'pseudo-version' : 'version'} ${goQuote(version)} invalid: ${reason}`);
    this.version = version;
    this.reason = reason;
    this.pseudo = pseudo;
  }
}

/** x/mod's ModuleError around an InvalidVersionError: `path@version: invalid version: reason`. */
export class ModuleVersionError extends GobundleError {
  readonly path: string;
  readonly version: string;

  constructor(path: string, err: InvalidVersionError) {
    super(ErrorCode.INVALIDVERSION, `${path}@${err.version}: invalid ${err.pseudo ? 'pseudo-version' : 'version'}: ${err.reason}`, {
      cause: err,
    });
    this.path = path;
    this.version = err.version;
  }
}

function isAsciiLower(c: string): boolean {
  return c >= 'a' && c <= 'z';
}
function isAsciiUpper(c: string): boolean {
  return c >= 'A' && c <= 'Z';
}
function isAsciiDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Characters allowed in the first element of a module path (the host name). */
function firstPathOK(c: string): boolean {
  return c === '-' || c === '.' || isAsciiDigit(c) || isAsciiLower(c);
}

function modPathOK(c: string): boolean {
  return c === '-' || c === '.' || c === '_' || c === '~' || isAsciiDigit(c) || isAsciiUpper(c) || isAsciiLower(c);
}

function importPathOK(c: string): boolean {
  return modPathOK(c) || c === '+';
}

const FILE_NAME_PUNCT = '!#$%&()+,-.=@[]^_{}~ ';

function fileNameOK(c: string): boolean {
  if ((c.codePointAt(0) as number) < 0x80) {
    return isAsciiDigit(c) || isAsciiUpper(c) || isAsciiLower(c) || FILE_NAME_PUNCT.includes(c);
  }
  // unicode.IsLetter from Go's own tables: \p{L} follows Node's newer
  // Unicode and would accept letters the go command rejects.
  return isGoLetter(c.codePointAt(0) as number);
}

/** JavaScript strings are UTF-16; a lone surrogate is Go's "invalid UTF-8". */
function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function checkElem(elem: string, kind: PathKind): string | undefined {
  if (elem === '') return 'empty path element';
  if ([...elem].every((c) => c === '.')) return `invalid path element ${goQuote(elem)}`;
  if (elem[0] === '.' && kind === 'module') return 'leading dot in path element';
  if (elem[elem.length - 1] === '.') return 'trailing dot in path element';
  for (const c of elem) {
    const ok = kind === 'module' ? modPathOK(c) : kind === 'import' ? importPathOK(c) : fileNameOK(c);
    if (!ok) return `invalid char ${goQuoteRune(c)}`;
  }
  // Windows disallows a set of names as file or directory names, with or
  // without an extension; they would break module caches there.
  const dot = elem.indexOf('.');
  const short = dot >= 0 ? elem.slice(0, dot) : elem;
  for (const bad of BAD_WINDOWS_NAMES) {
    if (bad.toLowerCase() === short.toLowerCase()) return `${goQuote(short)} disallowed as path element component on Windows`;
  }
  if (kind === 'file') return undefined;
  // "abc~1" looks like a Windows 8.3 short name and could collide with another element on disk.
  const tilde = short.lastIndexOf('~');
  if (tilde >= 0 && tilde < short.length - 1 && /^[0-9]+$/.test(short.slice(tilde + 1))) {
    return 'trailing tilde and digits in path element';
  }
  return undefined;
}

function checkPathKind(path: string, kind: PathKind): string | undefined {
  if (!isWellFormed(path)) return 'invalid UTF-8';
  if (path === '') return 'empty string';
  if (path[0] === '-' && kind !== 'file') return 'leading dash';
  if (path.includes('//')) return 'double slash';
  if (path[path.length - 1] === '/') return 'trailing slash';
  for (const elem of path.split('/')) {
    const err = checkElem(elem, kind);
    if (err !== undefined) return err;
  }
  return undefined;
}

/** The reason `path` is not a valid module path, or undefined when it is. */
export function modulePathError(path: string): string | undefined {
  const err = checkPathKind(path, 'module');
  if (err !== undefined) return err;
  let i = path.indexOf('/');
  if (i < 0) i = path.length;
  if (i === 0) return 'leading slash';
  const first = path.slice(0, i);
  if (!first.includes('.')) return 'missing dot in first path element';
  if (path[0] === '-') return 'leading dash in first path element';
  for (const c of first) {
    if (!firstPathOK(c)) return `invalid char ${goQuoteRune(c)} in first path element`;
  }
  if (!splitPathVersion(path).ok) return 'invalid version';
  return undefined;
}

/**
 * CheckPath: throws InvalidPathError unless `path` is a valid module path
 * (ASCII letters, digits and `-._~`; a first element with a dot that looks
 * like a host name; a well-formed /vN or gopkg.in .vN suffix).
 */
export function checkPath(path: string): void {
  if (validPaths.has(path)) return;
  const err = modulePathError(path);
  if (err !== undefined) throw new InvalidPathError('module path', path, err);
  if (validPaths.size >= VALID_PATHS_MAX) validPaths.clear();
  validPaths.add(path);
}

/**
 * Paths checkPath passed (at most VALID_PATHS_MAX, then it starts over): a
 * pack checks each module path again for every file, URL and cache key of
 * every version, and the check walks the path character by character.
 */
const validPaths = new Set<string>();
const VALID_PATHS_MAX = 1 << 16;

/** CheckImportPath: like checkPath but allows `+` and a first element without a dot. */
export function checkImportPath(path: string): void {
  const err = checkPathKind(path, 'import');
  if (err !== undefined) throw new InvalidPathError('import path', path, err);
}

/** CheckFilePath: the rules for file names inside module zips. */
export function checkFilePath(path: string): void {
  const err = checkPathKind(path, 'file');
  if (err !== undefined) throw new InvalidPathError('file path', path, err);
}

/**
 * Check: a valid module path, a valid semantic version, and the two agree on
 * the major version (example.com/m/v2 needs v2.x.y; example.com/m accepts
 * v0, v1 or +incompatible).
 */
export function check(path: string, version: string): void {
  checkPath(path);
  if (!semver.isValid(version)) {
    throw new ModuleVersionError(path, new InvalidVersionError(version, 'not a semantic version'));
  }
  const { pathMajor } = splitPathVersion(path);
  const err = pathMajorError(version, pathMajor);
  if (err !== undefined) throw new ModuleVersionError(path, err);
}

/**
 * SplitPathVersion: splits "example.com/m/v2" into prefix "example.com/m"
 * and pathMajor "/v2", and "gopkg.in/yaml.v2" into "gopkg.in/yaml" and
 * ".v2". ok is false for malformed suffixes (/v0, /v1, /v02, /v2.1).
 */
export function splitPathVersion(path: string): { prefix: string; pathMajor: string; ok: boolean } {
  if (path.startsWith('gopkg.in/')) return splitGopkgIn(path);
  let i = path.length;
  let dot = false;
  while (i > 0 && (isAsciiDigit(path[i - 1] as string) || path[i - 1] === '.')) {
    if (path[i - 1] === '.') dot = true;
    i--;
  }
  if (i <= 1 || i === path.length || path[i - 1] !== 'v' || path[i - 2] !== '/') {
    return { prefix: path, pathMajor: '', ok: true };
  }
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  if (dot || pathMajor.length <= 2 || pathMajor[2] === '0' || pathMajor === '/v1') {
    return { prefix: path, pathMajor: '', ok: false };
  }
  return { prefix, pathMajor, ok: true };
}

function splitGopkgIn(path: string): { prefix: string; pathMajor: string; ok: boolean } {
  if (!path.startsWith('gopkg.in/')) return { prefix: path, pathMajor: '', ok: false };
  let i = path.length;
  if (path.endsWith('-unstable')) i -= '-unstable'.length;
  while (i > 0 && isAsciiDigit(path[i - 1] as string)) i--;
  if (i <= 1 || path[i - 1] !== 'v' || path[i - 2] !== '.') return { prefix: path, pathMajor: '', ok: false };
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  if (pathMajor.length <= 2 || (pathMajor[2] === '0' && pathMajor !== '.v0')) return { prefix: path, pathMajor: '', ok: false };
  return { prefix, pathMajor, ok: true };
}

/** CheckPathMajor as a value: the InvalidVersionError, or undefined when v fits pathMajor. */
export function pathMajorError(v: string, pathMajor: string): InvalidVersionError | undefined {
  if (pathMajor.startsWith('.v') && pathMajor.endsWith('-unstable')) pathMajor = pathMajor.slice(0, -'-unstable'.length);
  if (v.startsWith('v0.0.0-') && pathMajor === '.v1') {
    // Allow old bug in pseudo-versions that generated v0.0.0- pseudoversion for gopkg .v1.
    return undefined;
  }
  const m = semver.major(v);
  let want: string;
  if (pathMajor === '') {
    if (m === 'v0' || m === 'v1' || semver.build(v) === '+incompatible') return undefined;
    want = 'v0 or v1';
  } else if (pathMajor[0] === '/' || pathMajor[0] === '.') {
    if (m === pathMajor.slice(1)) return undefined;
    want = pathMajor.slice(1);
  } else {
    want = pathMajor;
  }
  return new InvalidVersionError(v, `should be ${want}, not ${semver.major(v)}`);
}

/** CheckPathMajor: throws InvalidVersionError unless version v is allowed for the path's major suffix. */
export function checkPathMajor(v: string, pathMajor: string): void {
  const err = pathMajorError(v, pathMajor);
  if (err !== undefined) throw err;
}

/** MatchPathMajor: whether version v is allowed for a path with major suffix pathMajor. */
export function matchPathMajor(v: string, pathMajor: string): boolean {
  return pathMajorError(v, pathMajor) === undefined;
}

/** PathMajorPrefix: "/v2" → "v2", ".v1-unstable" → "v1", "" → "". */
export function pathMajorPrefix(pathMajor: string): string {
  if (pathMajor === '') return '';
  if (pathMajor[0] !== '/' && pathMajor[0] !== '.') {
    throw new Error(`pathMajor suffix ${pathMajor} passed to pathMajorPrefix lacks separator`);
  }
  if (pathMajor.startsWith('.v') && pathMajor.endsWith('-unstable')) pathMajor = pathMajor.slice(0, -'-unstable'.length);
  const m = pathMajor.slice(1);
  if (m !== semver.major(m)) throw new Error(`pathMajor suffix ${pathMajor} passed to pathMajorPrefix is not a valid major version`);
  return m;
}

/** CanonicalVersion: semver.canonical, but "+incompatible" survives. */
export function canonicalVersion(v: string): string {
  const cv = semver.canonical(v);
  return semver.build(v) === '+incompatible' ? `${cv}+incompatible` : cv;
}

function escapeString(s: string): string {
  let out = '';
  for (const c of s) out += isAsciiUpper(c) ? `!${c.toLowerCase()}` : c;
  return out;
}

/** EscapePath: the case-escaped form of a valid module path (throws InvalidPathError otherwise). */
export function escapePath(path: string): string {
  checkPath(path);
  return escapeString(path);
}

/**
 * EscapeVersion: the case-escaped form of a version (v1.0.0-RC1 → v1.0.0-!r!c1).
 * Versions need not be semver, but must be valid file names without `!`.
 *
 * Deliberate difference: a version with non-ASCII letters passes the
 * file-name check, and x/mod then fails with "internal error: inconsistency
 * in EscapePath"; we report the same rejection as the InvalidVersionError
 * "disallowed version string", which is what callers handle.
 */
export function escapeVersion(v: string): string {
  if (checkElem(v, 'file') !== undefined || v.includes('!') || !isAscii(v)) {
    throw new InvalidVersionError(v, 'disallowed version string');
  }
  return escapeString(v);
}

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

/** Undo the escaping; undefined for non-ASCII, uppercase, `!` not before a-z, or a trailing `!`. */
function unescapeString(escaped: string): string | undefined {
  let out = '';
  let bang = false;
  for (const c of escaped) {
    if ((c.codePointAt(0) as number) >= 0x80) return undefined;
    if (bang) {
      bang = false;
      if (!isAsciiLower(c)) return undefined;
      out += c.toUpperCase();
      continue;
    }
    if (c === '!') {
      bang = true;
      continue;
    }
    if (isAsciiUpper(c)) return undefined;
    out += c;
  }
  return bang ? undefined : out;
}

/** A malformed escaped path or version, worded like x/mod's UnescapePath / UnescapeVersion errors. */
export class InvalidEscapeError extends GobundleError {
  readonly escaped: string;
  constructor(message: string, escaped: string) {
    super(ErrorCode.INVALIDPATH, message);
    this.escaped = escaped;
  }
}

/** UnescapePath: the module path an escaped path stands for; throws InvalidEscapeError. */
export function unescapePath(escaped: string): string {
  const path = unescapeString(escaped);
  if (path === undefined) throw new InvalidEscapeError(`invalid escaped module path ${goQuote(escaped)}`, escaped);
  const err = modulePathError(path);
  if (err !== undefined) {
    throw new InvalidEscapeError(
      `invalid escaped module path ${goQuote(escaped)}: malformed module path ${goQuote(path)}: ${err}`,
      escaped,
    );
  }
  return path;
}

/** UnescapeVersion: the version an escaped version stands for; throws InvalidEscapeError. */
export function unescapeVersion(escaped: string): string {
  const v = unescapeString(escaped);
  if (v === undefined) throw new InvalidEscapeError(`invalid escaped version ${goQuote(escaped)}`, escaped);
  const err = checkElem(v, 'file');
  if (err !== undefined) throw new InvalidEscapeError(`invalid escaped version ${goQuote(v)}: ${err}`, escaped);
  return v;
}

/**
 * MatchPrefixPatterns: whether any of the comma-separated glob patterns
 * (GOPRIVATE, GONOPROXY, GONOSUMDB syntax) matches a prefix of target. A
 * pattern with N slashes is matched with path.Match against the first N+1
 * elements of target; empty patterns are skipped, one trailing slash is
 * ignored, and a malformed pattern never matches.
 */
export function matchPrefixPatterns(globs: string, target: string): boolean {
  for (let glob of globs.split(',')) {
    if (glob.endsWith('/')) glob = glob.slice(0, -1);
    if (glob === '') continue;
    let n = glob.split('/').length - 1;
    let prefix = target;
    for (let i = 0; i < target.length; i++) {
      if (target[i] === '/') {
        if (n === 0) {
          prefix = target.slice(0, i);
          break;
        }
        n--;
      }
    }
    if (n > 0) continue;
    if (pathMatch(glob, prefix) === true) return true;
  }
  return false;
}
