/**
 * Turning a request's raw URL path into what it asks for, or a reason to
 * refuse it. The go command sends escaped module paths through
 * url.PathEscape (so `!` may arrive as `%21`, `+` stays literal): we decode
 * exactly once and then refuse anything a module path, version or sumdb
 * name can never contain — a `%` left after decoding (double encoding), NUL,
 * backslashes, control characters, empty, `.` or `..` elements — before
 * any name is looked up. Names are only ever looked up in the index, never
 * joined onto the file system from the request.
 */
import { unescapePath, unescapeVersion } from '../gomod/modulePath.js';

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
  if (segs[0] === 'sumdb') {
    if (segs.length < 3) return { kind: 'bad', status: 404, reason: 'not a checksum database path' };
    return { kind: 'sumdb', db: segs[1] as string, rest: segs.slice(2).join('/') };
  }
  const last = segs[segs.length - 1] as string;
  if (last === '@latest' && segs.length >= 2) {
    const escPath = segs.slice(0, -1).join('/');
    const p = modulePath(escPath);
    return typeof p === 'string' ? { kind: 'latest', escPath, path: p } : p;
  }
  if (segs.length >= 3 && segs[segs.length - 2] === '@v') {
    const escPath = segs.slice(0, -2).join('/');
    const p = modulePath(escPath);
    if (typeof p !== 'string') return p;
    if (last === 'list') return { kind: 'list', escPath, path: p };
    const dot = last.lastIndexOf('.');
    const ext = last.slice(dot + 1);
    if (dot <= 0 || (ext !== 'info' && ext !== 'mod' && ext !== 'zip')) {
      return { kind: 'bad', status: 404, reason: `${p}: no such file ${last}` };
    }
    const escVersion = last.slice(0, dot);
    let version: string;
    try {
      version = unescapeVersion(escVersion);
    } catch (err) {
      return { kind: 'bad', status: 400, reason: err instanceof Error ? err.message : String(err) };
    }
    return { kind: ext, escPath, path: p, version, name: `${escPath}/@v/${last}` };
  }
  return { kind: 'bad', status: 404, reason: 'not a module proxy path' };
}

function modulePath(escPath: string): string | { kind: 'bad'; status: 400; reason: string } {
  try {
    return unescapePath(escPath);
  } catch (err) {
    return { kind: 'bad', status: 400, reason: err instanceof Error ? err.message : String(err) };
  }
}
