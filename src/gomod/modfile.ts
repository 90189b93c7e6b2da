/**
 * go.mod files, read like the go command reads them (x/mod modfile rule.go).
 *
 * Two modes, as in cmd/go:
 *  - strict (the main module): modfile.Parse with cmd/go's version fixer.
 *    Every directive the go command knows is checked. cmd/go resolves a
 *    version that is not canonical (`v1.2`, a branch name) with a proxy
 *    query and rewrites go.mod; this parser is pure and cannot query, so it
 *    reports such a version as invalid at its line and column — the same
 *    position and `version "x" invalid` shape cmd/go prints when the query
 *    fails. Run `go mod tidy` to pin canonical versions. The module path is
 *    checked with CheckImportPath, as modload does after parsing. Not
 *    checked: godebug keys against the go release's list of known settings
 *    (that list changes with every release).
 *  - lax (every other go.mod: dependencies, local replacements):
 *    modfile.ParseLax with no fixer. Only module, go, require, retract and
 *    ignore are read; everything else, known or not, is skipped (toolchain
 *    too, exactly like ParseLax; ignore is kept as current x/mod does, Go
 *    1.23 did not know it). Valid non-canonical versions are
 *    canonicalized (`v1.2` → `v1.2.0`), retract versions are not checked.
 *
 * The first error (in the order the go command lists them) is thrown as a
 * FileSyntaxError `file:line:col: reason`; x/mod omits the column when it is 1,
 * we always print it.
 */
import { FileSyntaxError } from '../errors.js';
import { autoQuote, goUnquote, parseSyntax, type Comment, type Line, type LineBlock } from './modfileLexer.js';
import { goQuote } from './goQuote.js';
import { isValid } from './semver.js';
import { canonicalVersion, checkImportPath, pathMajorError, splitPathVersion } from './modulePath.js';

export interface ModFile {
  file: string;
  module: { path: string; deprecated: string | undefined; line: number } | undefined;
  go: string | undefined;
  toolchain: string | undefined;
  godebug: { key: string; value: string; line: number }[];
  require: { path: string; version: string; indirect: boolean; line: number }[];
  exclude: { path: string; version: string; line: number }[];
  /** version '' when absent; local=true when new.path is a filesystem path. */
  replace: { old: { path: string; version: string }; new: { path: string; version: string }; local: boolean; line: number }[];
  retract: { low: string; high: string; rationale: string; line: number }[];
  tool: { path: string; line: number }[];
  ignore: { path: string; line: number }[];
}

export interface ParseModFileOptions {
  /** true (default): the main module's go.mod; false: a dependency's (ParseLax). */
  strict?: boolean;
  /**
   * The go command on Windows accepts replacement directories written with
   * backslashes; elsewhere it rejects them. Default false (Unix behaviour).
   */
  windows?: boolean;
}

/** modfile.GoVersionRE: the go directive's format. */
export const GO_VERSION_RE = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$/;
/** ParseLax repairs go versions like `1.17rc1.x` or `v1.18beta` to their major.minor. */
const LAX_GO_VERSION_RE = /^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9][\s\S]*)$/;
/** modfile.ToolchainRE: loose on purpose, so new toolchain names keep parsing. */
export const TOOLCHAIN_RE = /^default$|^go1($|\.)/;

/** Block forms the go command accepts in go.mod, e.g. `require ( ... )`. */
const MOD_BLOCK_VERBS = new Set(['module', 'godebug', 'require', 'exclude', 'replace', 'retract', 'tool', 'ignore']);
/** The directives ParseLax keeps; the rest only matter in the main module or are unknown. */
const LAX_VERBS = new Set(['go', 'module', 'retract', 'require', 'ignore']);

const DEPRECATED_RE = /(?:^|\n\n)Deprecated: *([\s\S]*?)(?:$|\n\n)/;

/** An error found while interpreting one line; placed at the line start by the caller. */
export class LineError extends Error {}

/**
 * modfile.IsDirectoryPath: whether a replacement target is a directory.
 * Checks Unix and Windows forms alike because go.mod files travel.
 */
export function isLocalReplacePath(p: string): boolean {
  return (
    p === '.' ||
    p.startsWith('./') ||
    p.startsWith('.\\') ||
    p === '..' ||
    p.startsWith('../') ||
    p.startsWith('..\\') ||
    p.startsWith('/') ||
    p.startsWith('\\') ||
    (p.length >= 2 && /^[A-Za-z]$/.test(p[0] as string) && p[1] === ':')
  );
}

/**
 * The go.mod the go command serves for a module version that has none
 * (modfetch.LegacyGoMod): `module <path>\n`, the path quoted only when it
 * must be. Its bytes are hashed into go.sum, so they must match exactly.
 */
export function synthesizeModFile(path: string): string {
  return `module ${autoQuote(path)}\n`;
}

/** modfile parseString: a token as a string, unquoting "…"; other quote characters are reserved. */
export function parseString(tok: string): string {
  if (tok.startsWith('"')) {
    const s = goUnquote(tok);
    if (s === undefined) throw new LineError('invalid quoted string: invalid syntax');
    return s;
  }
  if (/["'`]/.test(tok)) throw new LineError('invalid quoted string: unquoted string cannot contain quote');
  return tok;
}

function versionInvalid(verb: string, path: string, version: string, reason: string): LineError {
  const directive = path !== '' ? `${verb} ${path}: ` : `${verb}: `;
  return new LineError(`${directive}version ${goQuote(version)} invalid: ${reason}`);
}

/** module.CheckPathMajor as a reason: undefined when v fits the path's major suffix. */
function pathMajorProblem(v: string, pathMajor: string): string | undefined {
  return pathMajorError(v, pathMajor)?.reason;
}

/**
 * How versions are read. 'main' is cmd/go's fixVersion without the proxy
 * query; 'canonicalize' is x/mod with a nil fixer; 'raw' keeps the string
 * (x/mod's first pass over retract versions).
 */
export type VersionMode = 'main' | 'canonicalize' | 'raw';

function parseVersion(verb: string, path: string, tok: string, mode: VersionMode): string {
  let t: string;
  try {
    t = parseString(tok);
  } catch (err) {
    throw versionInvalid(verb, path, tok, (err as Error).message.replace(/^invalid quoted string: /, ''));
  }
  if (mode === 'raw') return t;
  if (mode === 'canonicalize') {
    const cv = canonicalVersion(t);
    if (cv === '') throw versionInvalid(verb, path, t, 'must be of the form v1.2.3');
    return cv;
  }
  const { pathMajor, ok } = splitPathVersion(path);
  if (!ok) throw versionInvalid(verb, path, t, `malformed module path ${goQuote(path)}`);
  if (t !== '' && canonicalVersion(t) === t) {
    const bad = pathMajorProblem(t, pathMajor);
    if (bad !== undefined) throw versionInvalid(verb, path, t, bad);
    return t;
  }
  if (isValid(t))
    throw versionInvalid(verb, path, t, 'not canonical (the go command would look it up on a module proxy; pin it with go mod tidy)');
  throw versionInvalid(verb, path, t, 'must be of the form v1.2.3');
}

function modulePathMajor(path: string): string {
  const { pathMajor, ok } = splitPathVersion(path);
  if (!ok) throw new LineError('invalid module path');
  return pathMajor;
}

/** Parses `path [version] => path [version]` (shared with go.work). */
export function parseReplace(
  verb: string,
  args: string[],
  mode: VersionMode,
  windows: boolean,
): { old: { path: string; version: string }; new: { path: string; version: string }; local: boolean } {
  const arrow = args.length >= 2 && args[1] === '=>' ? 1 : 2;
  if (args.length < arrow + 2 || args.length > arrow + 3 || args[arrow] !== '=>') {
    throw new LineError(
      `usage: ${verb} module/path [v1.2.3] => other/module v1.4\n\t or ${verb} module/path [v1.2.3] => ../local/directory`,
    );
  }
  const s = parseString(args[0] as string);
  let pathMajor: string;
  try {
    pathMajor = modulePathMajor(s);
  } catch {
    throw new LineError(`${verb} ${s}: invalid module path`);
  }
  let v = '';
  if (arrow === 2) {
    v = parseVersion(verb, s, args[1] as string, mode);
    const bad = pathMajorProblem(v, pathMajor);
    if (bad !== undefined) throw versionInvalid(verb, s, v, bad);
  }
  const ns = parseString(args[arrow + 1] as string);
  let nv = '';
  const local = isLocalReplacePath(ns);
  if (args.length === arrow + 2) {
    if (!local) {
      if (ns.includes('@')) throw new LineError("replacement module must match format 'path version', not 'path@version'");
      throw new LineError('replacement module without version must be directory path (rooted or starting with . or ..)');
    }
    if (!windows && ns.includes('\\')) throw new LineError('replacement directory appears to be Windows path (on a non-windows system)');
  }
  if (args.length === arrow + 3) {
    nv = parseVersion(verb, ns, args[arrow + 2] as string, mode);
    if (local) throw new LineError(`replacement module directory path ${goQuote(ns)} cannot have version`);
  }
  return { old: { path: s, version: v }, new: { path: ns, version: nv }, local };
}

/** Text of the comments on a directive, or on its block when the line has none (x/mod parseDirectiveComment). */
function directiveComment(block: LineBlock | undefined, line: Line): string {
  let comments = line.comments;
  if (block && comments.before.length === 0 && comments.suffix.length === 0) comments = block.comments;
  const lines: string[] = [];
  for (const c of [...comments.before, ...comments.suffix] as Comment[]) {
    if (!c.token.startsWith('//')) continue; // blank line
    lines.push(c.token.slice(2).trim());
  }
  return lines.join('\n');
}

function isIndirect(line: Line): boolean {
  const first = line.comments.suffix[0];
  if (!first) return false;
  const text = first.token.startsWith('//') ? first.token.slice(2) : first.token;
  const f = text.split(/\s+/).filter((w) => w !== '');
  return (f.length === 1 && f[0] === 'indirect') || (f.length > 1 && f[0] === 'indirect;');
}

/** Parses a go.mod file; throws FileSyntaxError. See the file comment for strict vs lax. */
export function parseModFile(file: string, data: string | Uint8Array, opts: ParseModFileOptions = {}): ModFile {
  const strict = opts.strict ?? true;
  const windows = opts.windows ?? false;
  const syntax = parseSyntax(file, data);
  const f: ModFile = {
    file,
    module: undefined,
    go: undefined,
    toolchain: undefined,
    godebug: [],
    require: [],
    exclude: [],
    replace: [],
    retract: [],
    tool: [],
    ignore: [],
  };
  const errors: FileSyntaxError[] = [];
  const retractLines: { line: Line; args: string[] }[] = [];
  const versionMode: VersionMode = strict ? 'main' : 'canonicalize';
  let moduleCol = 1;

  const add = (block: LineBlock | undefined, line: Line, verb: string, args: string[]): void => {
    if (!strict && !LAX_VERBS.has(verb)) return;
    const n = line.start.line;
    switch (verb) {
      default:
        throw new LineError(`unknown directive: ${verb}`);
      case 'go': {
        if (f.go !== undefined) throw new LineError('repeated go statement');
        if (args.length !== 1) throw new LineError('go directive expects exactly one argument');
        let v = args[0] as string;
        if (!GO_VERSION_RE.test(v)) {
          const m = strict ? null : LAX_GO_VERSION_RE.exec(v);
          if (!m) throw new LineError(`invalid go version '${v}': must match format 1.23.0`);
          v = m[1] as string;
        }
        f.go = v;
        return;
      }
      case 'toolchain':
        f.toolchain = parseToolchainDirective(f.toolchain, args);
        return;
      case 'module': {
        if (f.module !== undefined) throw new LineError('repeated module statement');
        const m = DEPRECATED_RE.exec(directiveComment(block, line));
        f.module = { path: '', deprecated: m ? (m[1] as string) : undefined, line: n };
        moduleCol = line.start.col;
        if (args.length !== 1) throw new LineError('usage: module module/path');
        f.module.path = parseString(args[0] as string);
        return;
      }
      case 'godebug':
        f.godebug.push({ ...parseGodebugDirective(args), line: n });
        return;
      case 'require':
      case 'exclude': {
        if (args.length !== 2) throw new LineError(`usage: ${verb} module/path v1.2.3`);
        const s = parseString(args[0] as string);
        const v = parseVersion(verb, s, args[1] as string, versionMode);
        const pathMajor = modulePathMajor(s);
        const bad = pathMajorProblem(v, pathMajor);
        if (bad !== undefined) throw versionInvalid(verb, s, v, bad);
        if (verb === 'require') f.require.push({ path: s, version: v, indirect: isIndirect(line), line: n });
        else f.exclude.push({ path: s, version: v, line: n });
        return;
      }
      case 'replace':
        f.replace.push({ ...parseReplace(verb, args, versionMode, windows), line: n });
        return;
      case 'retract': {
        const rationale = directiveComment(block, line);
        let vi: { low: string; high: string; rest: string[] };
        try {
          vi = parseVersionInterval(verb, '', args, 'raw');
        } catch (err) {
          // Dependencies may use interval syntax from a newer go; only the main module reports it.
          if (strict) throw err;
          return;
        }
        if (vi.rest.length > 0 && strict) throw new LineError(`unexpected token after version: ${goQuote(vi.rest[0] as string)}`);
        f.retract.push({ low: vi.low, high: vi.high, rationale, line: n });
        retractLines.push({ line, args });
        return;
      }
      case 'tool': {
        if (args.length !== 1) throw new LineError('tool directive expects exactly one argument');
        f.tool.push({ path: parseString(args[0] as string), line: n });
        return;
      }
      case 'ignore': {
        if (args.length !== 1) throw new LineError('ignore directive expects exactly one argument');
        f.ignore.push({ path: parseString(args[0] as string), line: n });
        return;
      }
    }
  };

  const tryAdd = (block: LineBlock | undefined, line: Line, verb: string, args: string[]): void => {
    try {
      add(block, line, verb, args);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      errors.push(new FileSyntaxError(file, line.start.line, line.start.col, err.message));
    }
  };

  for (const x of syntax.stmts) {
    if (x.kind === 'line') {
      tryAdd(undefined, x, x.tokens[0] as string, x.tokens.slice(1));
    } else if (x.kind === 'block') {
      if (x.tokens.length > 1 || !MOD_BLOCK_VERBS.has(x.tokens[0] as string)) {
        if (strict) errors.push(new FileSyntaxError(file, x.start.line, x.start.col, `unknown block type: ${x.tokens.join(' ')}`));
        continue;
      }
      for (const l of x.lines) tryAdd(x, l, x.tokens[0] as string, l.tokens);
    }
  }

  // cmd/go checks retracted versions against the module path once the whole
  // file is read (the module line may come last): x/mod fixRetract.
  if (strict && retractLines.length > 0) {
    const modPath = f.module?.path ?? '';
    for (const [i, r] of retractLines.entries()) {
      const at = (msg: string) => new FileSyntaxError(file, r.line.start.line, r.line.start.col, msg);
      if (modPath === '') {
        errors.push(at('no module directive found, so retract cannot be used'));
        break;
      }
      try {
        const vi = parseVersionInterval('retract', modPath, r.args, 'main');
        const entry = f.retract[i];
        if (entry) {
          entry.low = vi.low;
          entry.high = vi.high;
        }
      } catch (err) {
        if (!(err instanceof LineError)) throw err;
        errors.push(at(err.message));
      }
    }
  }

  if (errors.length > 0) throw errors[0];

  // cmd/go checks the main module's path after parsing (modload/init.go).
  if (strict && f.module !== undefined) {
    const reason = importPathProblem(f.module.path);
    if (reason !== undefined) {
      throw new FileSyntaxError(file, f.module.line, moduleCol, `malformed module path ${goQuote(f.module.path)}: ${reason}`);
    }
  }
  return f;
}

function importPathProblem(path: string): string | undefined {
  try {
    // Accepts either style for modulePath.ts: throw an InvalidPathError, or return an error / reason.
    const res: unknown = checkImportPath(path);
    if (res instanceof Error) return reasonOf(res);
    if (typeof res === 'string' && res !== '') return res;
    return undefined;
  } catch (err) {
    return reasonOf(err);
  }
}

function reasonOf(err: unknown): string {
  if (err && typeof err === 'object' && 'reason' in err && typeof (err as { reason: unknown }).reason === 'string') {
    return (err as { reason: string }).reason;
  }
  return err instanceof Error ? err.message : String(err);
}

/** x/mod parseVersionInterval: `v` or `[lo, hi]`; returns the tokens after it. */
function parseVersionInterval(
  verb: string,
  path: string,
  args: string[],
  mode: VersionMode,
): { low: string; high: string; rest: string[] } {
  let toks = args;
  if (toks.length === 0 || toks[0] === '(') throw new LineError("expected '[' or version");
  if (toks[0] !== '[') {
    const v = parseVersion(verb, path, toks[0] as string, mode);
    return { low: v, high: v, rest: toks.slice(1) };
  }
  toks = toks.slice(1);
  if (toks.length === 0) throw new LineError("expected version after '['");
  const low = parseVersion(verb, path, toks[0] as string, mode);
  toks = toks.slice(1);
  if (toks.length === 0 || toks[0] !== ',') throw new LineError("expected ',' after version");
  toks = toks.slice(1);
  if (toks.length === 0) throw new LineError("expected version after ','");
  const high = parseVersion(verb, path, toks[0] as string, mode);
  toks = toks.slice(1);
  if (toks.length === 0 || toks[0] !== ']') throw new LineError("expected ']' after version");
  return { low, high, rest: toks.slice(1) };
}

/** The `toolchain` directive (go.mod and go.work): one argument, `default` or `go1…`, at most once. */
export function parseToolchainDirective(current: string | undefined, args: readonly string[]): string {
  if (current !== undefined) throw new LineError('repeated toolchain statement');
  if (args.length !== 1) throw new LineError('toolchain directive expects exactly one argument');
  const v = args[0] as string;
  if (!TOOLCHAIN_RE.test(v)) throw new LineError(`invalid toolchain version '${v}': must match format go1.23.0 or default`);
  return v;
}

/** The `godebug key=value` directive (go.mod and go.work). */
export function parseGodebugDirective(args: readonly string[]): { key: string; value: string } {
  const a = args[0];
  if (args.length !== 1 || a === undefined || /["`',]/.test(a)) throw new LineError('usage: godebug key=value');
  const eq = a.indexOf('=');
  if (eq < 0) throw new LineError('usage: godebug key=value');
  return { key: a.slice(0, eq), value: a.slice(eq + 1) };
}

/**
 * modfile.ModulePath: the path on the first `module` line, read without
 * parsing the rest of the file ('' when there is none or it is malformed).
 * The go command uses it to check which module a repository's go.mod claims.
 */
export function modulePathLine(data: string | Uint8Array): string {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  for (let line of text.split('\n')) {
    const comment = line.indexOf('//');
    if (comment >= 0) line = line.slice(0, comment);
    line = line.trim();
    if (!line.startsWith('module')) continue;
    const rest = line.slice('module'.length);
    const arg = rest.trim();
    if (arg.length === rest.length || arg === '') continue;
    if (arg[0] === '`') return arg.length > 1 && arg.endsWith('`') && !arg.slice(1, -1).includes('`') ? arg.slice(1, -1) : '';
    if (arg[0] === '"') {
      try {
        return parseString(arg);
      } catch {
        return '';
      }
    }
    return arg;
  }
  return '';
}
