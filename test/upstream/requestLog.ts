/**
 * The test upstream's request log, and reading it as module requests so
 * tests can assert what a client fetched (`example.com/!upper/!mod/@v/v1.0.0.zip`
 * → `{ path: 'example.com/Upper/Mod', version: 'v1.0.0', kind: 'zip' }`).
 */

export interface RequestLogEntry {
  method: string;
  /** URL path as requested (escaped module paths, literal "+"). */
  path: string;
  /** 0 when the connection was reset or the request hung until the client gave up. */
  status: number;
  bytes: number;
  fault?: 'hang' | '5xx' | 'reset' | 'tamper' | 'truncate' | 'lieLength' | 'html200' | 'oversize';
}

export type ModuleRequestKind = 'mod' | 'info' | 'zip' | 'list' | 'latest';

export interface ModuleRequest {
  /** Unescaped module path. */
  path: string;
  /** Unescaped version; absent for list and latest. */
  version?: string;
  kind: ModuleRequestKind;
  status: number;
}

/** Undo module.EscapePath / EscapeVersion; undefined for an invalid escape. */
export function unescapeModuleText(escaped: string): string | undefined {
  let out = '';
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i] ?? '';
    if (c >= 'A' && c <= 'Z') return undefined;
    if (c === '!') {
      const next = escaped[i + 1] ?? '';
      if (next < 'a' || next > 'z') return undefined;
      out += next.toUpperCase();
      i++;
      continue;
    }
    out += c;
  }
  return out;
}

const PROXY_FILE = /^(.*)\.(info|mod|zip)$/;

/** Parse a GOPROXY URL path; undefined for anything else (checksum database, unknown paths). */
export function parseProxyPath(urlPath: string): Omit<ModuleRequest, 'status'> | undefined {
  const p = urlPath.replace(/^\//, '');
  if (p.startsWith('sumdb/')) return undefined;
  if (p.endsWith('/@latest')) {
    const path = unescapeModuleText(p.slice(0, -'/@latest'.length));
    return path === undefined ? undefined : { path, kind: 'latest' };
  }
  const at = p.indexOf('/@v/');
  if (at < 0) return undefined;
  const path = unescapeModuleText(p.slice(0, at));
  const file = p.slice(at + '/@v/'.length);
  if (path === undefined) return undefined;
  if (file === 'list') return { path, kind: 'list' };
  const m = PROXY_FILE.exec(file);
  if (!m) return undefined;
  const version = unescapeModuleText(m[1] ?? '');
  if (version === undefined) return undefined;
  return { path, version, kind: m[2] as ModuleRequestKind };
}

/** The module proxy requests of a log, in order; checksum-database requests are left out. */
export function parseRequestLog(entries: readonly RequestLogEntry[]): ModuleRequest[] {
  const out: ModuleRequest[] = [];
  for (const e of entries) {
    const parsed = parseProxyPath(e.path);
    if (parsed) out.push({ ...parsed, status: e.status });
  }
  return out;
}
