/**
 * What a request serve could not answer says about next week's bundle: a
 * miss. Only requests that name a module (its list, `@latest`), a module
 * version (`.info`, `.mod`, `.zip`; a toolchain is a version of
 * golang.org/toolchain), a query (`.info` of something that is not a
 * canonical version, e.g. a branch) or a checksum-database lookup are misses;
 * anything else (a tile, a bad path, a scanner's noise) is not, and neither
 * is a path the go command could never ask for (module.CheckPath fails), so
 * the record holds only what a real go command wanted. Pure.
 */
import { modulePathError, unescapePath, unescapeVersion } from '../gomod/modulePath.js';
import { canonical, isValid } from '../gomod/semver.js';

/** What the request asked for: a versioned file, the module's list or @latest, a query's .info, a checksum-database lookup. */
export type MissKind = 'info' | 'mod' | 'zip' | 'list' | 'latest' | 'query' | 'lookup';

export const MISS_KINDS: readonly MissKind[] = ['info', 'mod', 'zip', 'list', 'latest', 'query', 'lookup'];

export interface Miss {
  kind: MissKind;
  /** The module path, unescaped. */
  path: string;
  /** The version or query; '' for list and latest. */
  version: string;
}

/** A request serve answered 404, as serve parsed it (the shapes of serve's request parser). */
export type FailedRequest =
  | { kind: 'list' | 'latest'; path: string }
  | { kind: 'info' | 'mod' | 'zip'; path: string; version: string }
  | { kind: 'sumdb'; db: string; rest: string };

/** Longest version or query we record (a semantic version with pre-release and build is far shorter). */
export const MAX_VERSION_LENGTH = 128;
/** A query the go command would send as `.info`: a branch, tag or revision name (cmd/go escapes it like a version). */
const QUERY = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

/** The miss a failed request names, or undefined when it names nothing the go command asks for. */
export function classifyMiss(req: FailedRequest): Miss | undefined {
  if (req.kind === 'sumdb') {
    if (!req.rest.startsWith('lookup/')) return undefined;
    const key = req.rest.slice('lookup/'.length);
    const at = key.lastIndexOf('@');
    if (at <= 0) return undefined;
    let path: string;
    let version: string;
    try {
      path = unescapePath(key.slice(0, at));
      version = unescapeVersion(key.slice(at + 1));
    } catch {
      return undefined;
    }
    return isModulePath(path) && isCanonical(version) ? { kind: 'lookup', path, version } : undefined;
  }
  if (!isModulePath(req.path)) return undefined;
  if (req.kind === 'info' || req.kind === 'mod' || req.kind === 'zip') return versionMiss(req);
  return { kind: req.kind, path: req.path, version: '' };
}

function versionMiss(req: { kind: 'info' | 'mod' | 'zip'; path: string; version: string }): Miss | undefined {
  if (isCanonical(req.version)) return { kind: req.kind, path: req.path, version: req.version };
  if (req.kind === 'info' && req.version.length <= MAX_VERSION_LENGTH && QUERY.test(req.version))
    return { kind: 'query', path: req.path, version: req.version };
  return undefined;
}

/** The key a miss is counted under: one entry per kind, path and version. */
export function missKey(m: Miss): string {
  return `${m.kind} ${m.path} ${m.version}`;
}

function isModulePath(path: string): boolean {
  return path.length <= 1024 && modulePathError(path) === undefined;
}

function isCanonical(v: string): boolean {
  return v.length <= MAX_VERSION_LENGTH && isValid(v) && canonical(v) === v;
}

/** What a served set holds, asked by escaped-free names: enough to tell whether a miss is answered now. */
export interface ServedLookup {
  /** Whether the served set holds this file of this module version. */
  hasFile(path: string, version: string, kind: 'info' | 'mod' | 'zip'): boolean;
  /** Whether the served set knows the module at all (it has a list). */
  hasModule(path: string): boolean;
  /** Whether a served checksum database answers the lookup of path@version. */
  hasLookup(path: string, version: string): boolean;
}

/**
 * Whether the served set answers the miss now (a later bundle supplied it):
 * the same file for a versioned file, the module for its list and @latest
 * (and for a query, which only the connected side can resolve), the lookup
 * for a lookup.
 */
export function isAnswered(m: Miss, served: ServedLookup): boolean {
  switch (m.kind) {
    case 'info':
    case 'mod':
    case 'zip':
      return served.hasFile(m.path, m.version, m.kind);
    case 'list':
    case 'latest':
    case 'query':
      return served.hasModule(m.path);
    case 'lookup':
      return served.hasLookup(m.path, m.version);
  }
}
