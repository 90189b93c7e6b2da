/**
 * go.sum files: reading them like cmd/go (modfetch readGoSum) and writing
 * them in the exact order cmd/go writes them (tidyGoSum), so a go.sum we
 * produce diffs cleanly against one the go command produced.
 */
import { FileSyntaxError } from '../errors.js';
import { compare as compareSemver } from './semver.js';
import { compareUtf8 } from './dirhash.js';

export interface GoSumLine {
  path: string;
  /** A module version, or `<version>/go.mod` for the go.mod hash. */
  version: string;
  hash: string;
}

/**
 * The hash of an empty go.mod, written into go.sum files by an old go
 * command bug; cmd/go drops such lines when reading, and so do we.
 */
export const EMPTY_GO_MOD_HASH = 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=';

/** Go's strings.Fields separators (unicode.IsSpace). */
const FIELD_SEPARATORS = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Parses go.sum text; blank lines are skipped, any other line must have exactly three fields. */
export function parseGoSum(file: string, data: string | Uint8Array): GoSumLine[] {
  const text = typeof data === 'string' ? data : new TextDecoder('utf-8', { ignoreBOM: true }).decode(data);
  const out: GoSumLine[] = [];
  const lines = text.split('\n');
  // A final newline does not start another line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const f = line.split(FIELD_SEPARATORS).filter((w) => w !== '');
    if (f.length === 0) continue;
    if (f.length !== 3) throw new FileSyntaxError(file, i + 1, 1, `wrong number of fields ${f.length}`);
    const [path, version, hash] = f as [string, string, string];
    if (hash === EMPTY_GO_MOD_HASH) continue;
    out.push({ path, version, hash });
  }
  return out;
}

/**
 * module.Sort's order for go.sum: by path (bytes), then by the version's
 * semver part, then by the `/go.mod` suffix; ties between invalid versions
 * (which semver treats as equal) are broken by string order to be
 * deterministic.
 */
export function compareGoSumKeys(a: { path: string; version: string }, b: { path: string; version: string }): number {
  if (a.path !== b.path) return compareUtf8(a.path, b.path);
  let vi = a.version;
  let vj = b.version;
  let fi = '';
  let fj = '';
  const ki = vi.indexOf('/');
  if (ki >= 0) [vi, fi] = [vi.slice(0, ki), vi.slice(ki)];
  const kj = vj.indexOf('/');
  if (kj >= 0) [vj, fj] = [vj.slice(0, kj), vj.slice(kj)];
  if (vi !== vj) {
    const c = compareSemver(vi, vj);
    return c !== 0 ? c : compareUtf8(vi, vj);
  }
  return compareUtf8(fi, fj);
}

/** Formats go.sum lines exactly as cmd/go writes them: sorted, deduplicated, one `path version hash\n` each. */
export function formatGoSum(lines: readonly GoSumLine[]): string {
  const byKey = new Map<string, { path: string; version: string; hashes: Set<string> }>();
  for (const l of lines) {
    const key = `${l.path} ${l.version}`;
    let e = byKey.get(key);
    if (!e) {
      e = { path: l.path, version: l.version, hashes: new Set() };
      byKey.set(key, e);
    }
    e.hashes.add(l.hash);
  }
  const mods = [...byKey.values()].sort(compareGoSumKeys);
  let out = '';
  for (const m of mods) {
    for (const h of [...m.hashes].sort(compareUtf8)) out += `${m.path} ${m.version} ${h}\n`;
  }
  return out;
}

/** Lookups over a go.sum: the hashes recorded for a module zip or its go.mod. */
export class GoSum {
  private readonly m = new Map<string, string[]>();

  constructor(lines: readonly GoSumLine[] = []) {
    for (const l of lines) this.add(l.path, l.version, l.hash);
  }

  add(path: string, version: string, hash: string): void {
    const key = `${path} ${version}`;
    const list = this.m.get(key);
    if (!list) this.m.set(key, [hash]);
    else if (!list.includes(hash)) list.push(hash);
  }

  /** Hashes recorded for the module zip of path@version (empty when none). */
  get(path: string, version: string): readonly string[] {
    return this.m.get(`${path} ${version}`) ?? [];
  }

  /** Hashes recorded for the go.mod of path@version (the `version/go.mod` lines). */
  getMod(path: string, version: string): readonly string[] {
    return this.m.get(`${path} ${version}/go.mod`) ?? [];
  }

  lines(): GoSumLine[] {
    const out: GoSumLine[] = [];
    for (const [key, hashes] of this.m) {
      const sp = key.indexOf(' ');
      for (const hash of hashes) out.push({ path: key.slice(0, sp), version: key.slice(sp + 1), hash });
    }
    return out;
  }
}
