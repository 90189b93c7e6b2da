/**
 * Turning a request's raw URL path into what it asks for, or a reason to
 * refuse it. The go command sends escaped module paths through
 * url.PathEscape (so `!` may arrive as `%21`, `+` stays literal): we decode
 * exactly once and then refuse anything a module path, version or sumdb
 * name can never contain — a `%` left after decoding (double encoding), NUL,
 * backslashes, control characters, empty, `.` or `..` elements — before
 * any name is looked up; what the name asks for is bundle/treeLayout.ts's
 * to say. Names are only ever looked up in the index, never joined onto the
 * file system from the request.
 */
import { VERSION_FILE_NAME, type VersionFileKind, parseRequestedName } from '../bundle/treeLayout.js';

export type RequestTarget =
  | { kind: 'healthz' | 'readyz' | 'metrics' }
  | { kind: 'list'; escPath: string; path: string }
  | { kind: 'latest'; escPath: string; path: string }
  | { kind: 'info' | 'mod' | 'zip'; escPath: string; path: string; version: string; name: string }
  | { kind: 'sumdb'; db: string; rest: string }
  | { kind: 'bad'; status: 400 | 404; reason: string };

/** Longest URL path we look at; module paths and versions are far shorter. */
export const MAX_PATH_BYTES = 4096;

export function parseRequestPath(rawUrl: string): RequestTarget {
  const q = rawUrl.indexOf('?');
  const raw = q < 0 ? rawUrl : rawUrl.slice(0, q);
  if (raw.length > MAX_PATH_BYTES) return { kind: 'bad', status: 400, reason: 'path too long' };
  let path = raw;
  if (raw.includes('%')) {
    try {
      path = decodeURIComponent(raw);
    } catch {
      return { kind: 'bad', status: 400, reason: 'invalid percent-encoding in path' };
    }
    if (path.includes('%')) return { kind: 'bad', status: 400, reason: 'double-encoded path' };
  }
  if (path.includes('\\')) return { kind: 'bad', status: 400, reason: 'backslash in path' };
  if (/[\x00-\x1f\x7f]/.test(path)) return { kind: 'bad', status: 400, reason: 'control character in path' };
  if (!path.startsWith('/')) return { kind: 'bad', status: 400, reason: 'path does not start with /' };
  const segs = path.slice(1).split('/');
  for (const s of segs) {
    if (s === '' || s === '.' || s === '..') return { kind: 'bad', status: 400, reason: 'empty, "." or ".." path element' };
  }
  if (segs.length === 1) {
    const only = segs[0];
    if (only === 'healthz' || only === 'readyz' || only === 'metrics') return { kind: only };
  }
  const t = parseRequestedName(path.slice(1));
  switch (t.kind) {
    case 'rejected':
      return { kind: 'bad', status: t.status, reason: t.reason };
    case 'vulndb':
      // Answered before requests are parsed (/vulndb/…); anything that gets here is no module path.
      return { kind: 'bad', status: 404, reason: 'not a module proxy path' };
    default:
      return t;
  }
}

/**
 * The hot path's test: a URL that may be a stored versioned file name as it
 * stands (no escapes, no query, no backslash), and that name. Only a name
 * the index holds is ever answered, so no further validation is needed.
 */
export function storedVersionFile(url: string): { name: string; kind: VersionFileKind } | undefined {
  if (url.charCodeAt(0) !== 47 /* / */ || url.includes('%') || url.includes('?') || url.includes('\\')) return undefined;
  const m = VERSION_FILE_NAME.exec(url);
  return m === null ? undefined : { name: url.slice(1), kind: m[3] as VersionFileKind };
}
