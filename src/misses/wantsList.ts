/**
 * The wants list: what the inside needs next, as `gobundle pack --from-list`
 * takes it on the connected side. Text, one `module@query` a line, where the
 * query is a canonical version (`example.com/a@v1.4.0`), `latest` (the go
 * command asked for the module's list or @latest) or another query the go
 * command sent as .info (a branch or tag name); `#` starts a comment. The
 * writer says on each line which requests asked for it, so a person can read
 * the list before it is carried out:
 *
 *   # gobundle wants
 *   # what the go command asked http://goproxy.corp:8080 for and the served bundles lack, 2026-05-04T10:00:00Z
 *   example.com/newlib@v1.4.0  # 3 requests (info), first 2026-05-01T09:12:00Z, last 2026-05-04T08:00:00Z
 *   example.com/other@latest   # 1 request (list)
 *
 * Pure: writes and parses text.
 */
import { FileSyntaxError } from '../errors.js';
import { modulePathError } from '../gomod/modulePath.js';
import { compare, isValid } from '../gomod/semver.js';
import { TOOLCHAIN_MODULE } from '../gomod/goenv.js';
import { MISS_KINDS, type MissKind } from './miss.js';
import type { MissEntry } from './missTable.js';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** A serve URL that did not give its miss record. */
export class WantsFetchError extends GobundleError {
  constructor(message: string, hint?: string) {
    super(ErrorCode.WANTS, message, { hint });
  }
}

/** The first line the writer puts in a wants list (and the format's name in a manifest's inputs). */
export const WANTS_HEADER = '# gobundle wants';
export const WANTS_FORMAT = 'gobundle wants';

export interface Want {
  path: string;
  /** A canonical version, "latest", or another query (a branch or tag name). */
  query: string;
  /** How many requests asked for it, by which kinds, and when. */
  requests: number;
  kinds: MissKind[];
  first: string;
  last: string;
}

/** The misses as wants: one per module@version (its files and lookup together), one module@latest per listed or @latest module. */
export function wantsOf(misses: readonly MissEntry[]): { wants: Want[]; notes: string[] } {
  const byKey = new Map<string, Want>();
  const notes: string[] = [];
  for (const m of misses) {
    const query = m.kind === 'list' || m.kind === 'latest' ? 'latest' : m.version;
    if (m.path === TOOLCHAIN_MODULE && query === 'latest') {
      notes.push(
        `${TOOLCHAIN_MODULE}: the go command read the toolchain list ${m.count} time${m.count === 1 ? '' : 's'} (go get go@…, or a switch forced by a dependency): carry the toolchain it needs with pack --toolchain`,
      );
      continue;
    }
    const key = `${m.path}@${query}`;
    const w = byKey.get(key);
    if (w === undefined) {
      byKey.set(key, { path: m.path, query, requests: m.count, kinds: [m.kind], first: m.first, last: m.last });
      continue;
    }
    w.requests += m.count;
    if (!w.kinds.includes(m.kind)) w.kinds.push(m.kind);
    if (m.first < w.first) w.first = m.first;
    if (m.last > w.last) w.last = m.last;
  }
  const wants = [...byKey.values()];
  for (const w of wants) w.kinds.sort((a, b) => MISS_KINDS.indexOf(a) - MISS_KINDS.indexOf(b));
  wants.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : compareQueries(a.query, b.query)));
  return { wants, notes };
}

/** Versions in semver order, then other queries by name, then latest. */
function compareQueries(a: string, b: string): number {
  const rank = (q: string): number => (isValid(q) ? 0 : q === 'latest' ? 2 : 1);
  return rank(a) - rank(b) || (rank(a) === 0 ? compare(a, b) : a < b ? -1 : a > b ? 1 : 0);
}

/** The wants list's text. `source` names where the misses were recorded (a state directory or serve's URL). */
export function formatWantsList(wants: readonly Want[], notes: readonly string[], source: string, generated: string): string {
  const lines = [WANTS_HEADER, `# what the go command asked ${source} for and the served bundles lack, ${generated}`];
  lines.push('# carry this file out and run: gobundle pack --from-list <this file> -o <bundle.tgz> --sign-key <key>');
  for (const n of notes) lines.push(`# ${n}`);
  const width = Math.min(80, Math.max(0, ...wants.map((w) => w.path.length + 1 + w.query.length)));
  for (const w of wants) {
    const entry = `${w.path}@${w.query}`;
    const when = w.requests === 1 ? `at ${w.last}` : `first ${w.first}, last ${w.last}`;
    lines.push(`${entry.padEnd(width)}  # ${w.requests} request${w.requests === 1 ? '' : 's'} (${w.kinds.join(', ')}), ${when}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Whether a --from-list file is a wants list: it starts with a comment, or its first line is one `module@query`. */
export function isWantsList(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return false;
  const t = first.trim();
  return t.startsWith('#') || /^[^\s@]+@[^\s@]+$/.test(t);
}

export interface WantedEntry {
  path: string;
  query: string;
  line: number;
}

/** Parse a wants list; every entry is `module@query` (a module path as module.CheckPath takes it). */
export function parseWantsList(file: string, text: string): WantedEntry[] {
  const out: WantedEntry[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const body = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    if (body === '') return;
    const col = raw.indexOf(body) + 1;
    if (/\s/.test(body)) throw new FileSyntaxError(file, i + 1, col, `want one module@version a line, found ${JSON.stringify(body)}`);
    const at = body.lastIndexOf('@');
    if (at <= 0 || at === body.length - 1) throw new FileSyntaxError(file, i + 1, col, `${body}: want module@version or module@latest`);
    const path = body.slice(0, at);
    const query = body.slice(at + 1);
    const bad = modulePathError(path);
    if (bad !== undefined) throw new FileSyntaxError(file, i + 1, col, `malformed module path ${JSON.stringify(path)}: ${bad}`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._+~-]*$/.test(query))
      throw new FileSyntaxError(file, i + 1, col + at + 1, `${body}: malformed version ${JSON.stringify(query)}`);
    if (seen.has(body)) return;
    seen.add(body);
    out.push({ path, query, line: i + 1 });
  });
  return out;
}
