/**
 * The names of a bundle's files: the one place they are built and parsed.
 *
 * A bundle is laid out as the tree of URL paths the go command asks a
 * GOPROXY for (cmd/go modfetch/proxy.go), so that extracted it works as a
 * `file://` GOPROXY, serve answers requests by looking the path up, and
 * export copies names as they are:
 *
 *   <esc path>/@v/list                      versions, one per line
 *   <esc path>/@v/<esc version>.info|mod|zip a module version's files
 *   <esc path>/@latest                      (served and exported; never stored in a bundle)
 *   sumdb/<name>/…                          a checksum-database replay (its own layout: sumdb/replay.ts)
 *   vulndb/…                                a Go vulnerability database (its own layout: vuln/dbLayout.ts)
 *   gobundle/manifest.json, manifest.sig    the bundle's own metadata
 *
 * Paths and versions are case-escaped (`!` + lowercase for capitals, x/mod
 * module.EscapePath), as in the go command's cache. Pure.
 */
import { escapePath, escapeVersion, unescapePath, unescapeVersion } from '../gomod/modulePath.js';
import { replayDir } from '../sumdb/replay.js';

/** The files a module version can have in the tree. */
export type VersionFileKind = 'info' | 'mod' | 'zip';

/** The bundle's own metadata folder; no module path can start with it (a first path element needs a dot). */
export const METADATA_DIR = 'gobundle/';
/** The manifest: every file's size and sha256, every module's hashes. */
export const MANIFEST_NAME = 'gobundle/manifest.json';
/** The signed note over the manifest's sha256. */
export const SIGNATURE_NAME = 'gobundle/manifest.sig';

/** Checksum-database replays live below this folder, one folder per database (sumdbDir). */
export const SUMDB_PREFIX = 'sumdb/';
/** The vulnerability database lives below this folder. */
export const VULNDB_PREFIX = 'vulndb/';

const LIST_SUFFIX = '/@v/list';
const LATEST_SUFFIX = '/@latest';

/** `<esc path>/@v/<esc version>.<kind>`. */
export function versionFileName(path: string, version: string, kind: VersionFileKind): string {
  return `${escapePath(path)}/@v/${escapeVersion(version)}.${kind}`;
}

/** `<esc path>/@v/list`. */
export function listFileName(path: string): string {
  return listFileNameEscaped(escapePath(path));
}

/** `<esc path>/@v/list`, for a path already escaped. */
export function listFileNameEscaped(escPath: string): string {
  return `${escPath}${LIST_SUFFIX}`;
}

/** `<esc path>/@latest`, for a path already escaped. */
export function latestFileNameEscaped(escPath: string): string {
  return `${escPath}${LATEST_SUFFIX}`;
}

/** `<esc path>/@v/<version>.zip` for a path already escaped and a version that needs no escaping (toolchains). */
export function versionFileNameEscaped(escPath: string, escVersion: string, kind: VersionFileKind): string {
  return `${escPath}/@v/${escVersion}.${kind}`;
}

/** The body of `@v/list`: one version per line. */
export function listFileBody(versions: readonly string[]): Buffer {
  return Buffer.from(versions.map((v) => `${v}\n`).join(''), 'utf8');
}

/** The versions a `@v/list` body names: the first field of each non-empty line. */
export function listFileVersions(body: string): string[] {
  const out: string[] = [];
  for (const line of body.split('\n')) {
    const v = line.trim().split(/\s+/)[0];
    if (v !== undefined && v !== '') out.push(v);
  }
  return out;
}

/** `sumdb/<name>`: where a checksum database's replay lives. */
export function sumdbDir(name: string): string {
  return replayDir(name);
}

/** `vulndb/<db path>`: the tree name of a path inside the vulnerability database. */
export function vulndbFileName(dbPath: string): string {
  return `${VULNDB_PREFIX}${dbPath}`;
}

/** A versioned file's name: kind, escaped path and version, and the version itself. */
export interface VersionFileName {
  kind: VersionFileKind;
  escPath: string;
  escVersion: string;
  version: string;
}

/** What a name in the tree is. */
export type TreeName =
  | VersionFileName
  | { kind: 'list'; escPath: string }
  | { kind: 'latest'; escPath: string }
  | { kind: 'sumdb'; db: string; rest: string }
  | { kind: 'vulndb'; rest: string }
  | { kind: 'metadata'; rest: string };

/**
 * A name that can be a versioned file as it stands: no escapes, no query,
 * `<path>/@v/<version>.info|mod|zip`. serve tests request URLs against it
 * before anything else (the hot path); `parseVersionFileName` is exact.
 */
export const VERSION_FILE_NAME = /^(.+)\/@v\/([^/]+)\.(info|mod|zip)$/;

/** A versioned file's parts, or undefined for any other name. The version is unescaped (an invalid escape is undefined). */
export function parseVersionFileName(name: string): VersionFileName | undefined {
  const m = VERSION_FILE_NAME.exec(name);
  if (m === null) return undefined;
  const [, escPath, escVersion, kind] = m as unknown as [string, string, string, VersionFileKind];
  let version: string;
  try {
    version = unescapeVersion(escVersion);
  } catch {
    return undefined;
  }
  return { kind, escPath, escVersion, version };
}

/** Whether a name is a go.mod or .info file (the small metadata files the go command reads while loading a graph). */
export function isMetadataFileName(name: string): boolean {
  return name.endsWith('.mod') || name.endsWith('.info') ? VERSION_FILE_NAME.test(name) : false;
}

/**
 * What a name in the tree is, or undefined for a name outside the layout.
 * Module paths are not validated here (a signed manifest's names were
 * checked when the bundle was opened; serve validates request paths first).
 */
export function parseTreeName(name: string): TreeName | undefined {
  if (name.startsWith(SUMDB_PREFIX)) {
    const rest = name.slice(SUMDB_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1) return undefined;
    return { kind: 'sumdb', db: rest.slice(0, slash), rest: rest.slice(slash + 1) };
  }
  if (name.startsWith(VULNDB_PREFIX)) return { kind: 'vulndb', rest: name.slice(VULNDB_PREFIX.length) };
  if (name.startsWith(METADATA_DIR)) return { kind: 'metadata', rest: name.slice(METADATA_DIR.length) };
  if (name.endsWith(LIST_SUFFIX) && name.length > LIST_SUFFIX.length) return { kind: 'list', escPath: name.slice(0, -LIST_SUFFIX.length) };
  if (name.endsWith(LATEST_SUFFIX) && name.length > LATEST_SUFFIX.length)
    return { kind: 'latest', escPath: name.slice(0, -LATEST_SUFFIX.length) };
  return parseVersionFileName(name);
}

/** A name someone asked for (a request path without its leading `/`), checked: what it names, or why it names nothing. */
export type RequestedName =
  | { kind: 'list' | 'latest'; escPath: string; path: string }
  | { kind: VersionFileKind; escPath: string; path: string; version: string; name: string }
  | { kind: 'sumdb'; db: string; rest: string }
  | { kind: 'vulndb'; rest: string }
  | { kind: 'rejected'; status: 400 | 404; reason: string };

/**
 * What a requested name asks for, with the module path and version
 * unescaped and checked (x/mod module.UnescapePath/UnescapeVersion): an
 * escape that is not canonical is a 400 with the reason, a name outside the
 * layout a 404. The caller has already refused what no name can hold (empty,
 * `.` or `..` elements, control characters).
 */
export function parseRequestedName(name: string): RequestedName {
  if (name === 'sumdb' || name.startsWith(SUMDB_PREFIX)) {
    const t = parseTreeName(name);
    return t?.kind === 'sumdb' ? t : { kind: 'rejected', status: 404, reason: 'not a checksum database path' };
  }
  if (name.startsWith(VULNDB_PREFIX)) return { kind: 'vulndb', rest: name.slice(VULNDB_PREFIX.length) };
  if (name.endsWith(LATEST_SUFFIX) && name.length > LATEST_SUFFIX.length) {
    const escPath = name.slice(0, -LATEST_SUFFIX.length);
    const path = checkedPath(escPath);
    return typeof path === 'string' ? { kind: 'latest', escPath, path } : path;
  }
  const at = name.lastIndexOf('/@v/');
  if (at <= 0) return { kind: 'rejected', status: 404, reason: 'not a module proxy path' };
  const escPath = name.slice(0, at);
  const path = checkedPath(escPath);
  if (typeof path !== 'string') return path;
  const file = name.slice(at + '/@v/'.length);
  if (file === 'list') return { kind: 'list', escPath, path };
  const dot = file.lastIndexOf('.');
  const kind = file.slice(dot + 1);
  if (dot <= 0 || (kind !== 'info' && kind !== 'mod' && kind !== 'zip'))
    return { kind: 'rejected', status: 404, reason: `${path}: no such file ${file}` };
  let version: string;
  try {
    version = unescapeVersion(file.slice(0, dot));
  } catch (err) {
    return { kind: 'rejected', status: 400, reason: err instanceof Error ? err.message : String(err) };
  }
  return { kind, escPath, path, version, name: versionFileNameEscaped(escPath, file.slice(0, dot), kind) };
}

function checkedPath(escPath: string): string | { kind: 'rejected'; status: 400; reason: string } {
  try {
    return unescapePath(escPath);
  } catch (err) {
    return { kind: 'rejected', status: 400, reason: err instanceof Error ? err.message : String(err) };
  }
}
