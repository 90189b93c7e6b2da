/**
 * The index files of a v1 vulnerability database, read and written. The
 * written ones are built from the entries carried, as golang/vuln builds
 * them (internal/client index.go, source.go newInMemorySource): db.json's
 * modified is the newest entry's; modules.json lists every module an entry
 * names, sorted by path, its vulns sorted by id with the latest fixed
 * version; vulns.json lists every entry with its modified time and aliases,
 * sorted by id. So the index always agrees with the entries beside it.
 * Pure.
 */
import { VulnDbError, isValidId, isValidTime, parseJson } from './osv.js';
import type { OsvEntry } from './osvEntry.js';
import { latestFixedVersion } from './semverRange.js';

export interface ModuleVuln {
  id: string;
  modified: string;
  fixed?: string;
}

export interface ModuleMeta {
  path: string;
  vulns: ModuleVuln[];
}

export interface VulnMeta {
  id: string;
  modified: string;
  aliases?: string[];
}

export interface DbIndexFiles {
  /** index/db.json */
  db: Buffer;
  /** index/modules.json */
  modules: Buffer;
  /** index/vulns.json */
  vulns: Buffer;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The index files describing exactly `entries` (compact JSON, as vuln.go.dev serves it). */
export function buildIndex(entries: readonly OsvEntry[]): DbIndexFiles {
  let newest = '';
  const modules = new Map<string, ModuleVuln[]>();
  for (const e of entries) {
    if (newest === '' || Date.parse(e.modified) > Date.parse(newest)) newest = e.modified;
    for (const a of e.affected) {
      const list = modules.get(a.module) ?? [];
      const fixed = latestFixedVersion(a.ranges);
      list.push(fixed === '' ? { id: e.id, modified: e.modified } : { id: e.id, modified: e.modified, fixed });
      modules.set(a.module, list);
    }
  }
  const moduleList: ModuleMeta[] = [...modules]
    .sort(([a], [b]) => byString(a, b))
    .map(([path, vulns]) => ({ path, vulns: dedupeById(vulns).sort((a, b) => byString(a.id, b.id)) }));
  const vulnList: VulnMeta[] = [...entries]
    .sort((a, b) => byString(a.id, b.id))
    .map((e) =>
      e.aliases.length === 0 ? { id: e.id, modified: e.modified } : { id: e.id, modified: e.modified, aliases: [...e.aliases] },
    );
  return {
    // The database's own time for an empty database is Go's zero time.
    db: json({ modified: newest === '' ? '0001-01-01T00:00:00Z' : newest }),
    modules: json(moduleList),
    vulns: json(vulnList),
  };
}

/** An entry naming the same module twice (two affected[] items) is listed once, with the later fix. */
function dedupeById(vulns: ModuleVuln[]): ModuleVuln[] {
  const seen = new Map<string, ModuleVuln>();
  for (const v of vulns) {
    const prev = seen.get(v.id);
    if (prev === undefined) seen.set(v.id, v);
    else if (prev.fixed !== undefined && (v.fixed === undefined || v.fixed === '')) seen.set(v.id, v);
  }
  return [...seen.values()];
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Read index/db.json: `{"modified": <time>}`. */
export function parseDbMeta(data: Uint8Array, where: string): { modified: string } {
  const v = parseJson(data, where);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new VulnDbError(`${where}: not a JSON object`);
  const modified = (v as Record<string, unknown>).modified;
  if (typeof modified !== 'string' || !isValidTime(modified))
    throw new VulnDbError(`${where}: "modified" must be an RFC 3339 time, got ${JSON.stringify(modified)}`);
  return { modified };
}

/** Read index/modules.json: `[{"path", "vulns": [{"id", "modified", "fixed"?}]}]`. */
export function parseModulesIndex(data: Uint8Array, where: string): ModuleMeta[] {
  const v = parseJson(data, where);
  if (!Array.isArray(v)) throw new VulnDbError(`${where}: not a JSON array`);
  return v.map((m: unknown, i): ModuleMeta => {
    const at = `${where}: [${i}]`;
    if (typeof m !== 'object' || m === null) throw new VulnDbError(`${at} must be an object`);
    const { path, vulns } = m as Record<string, unknown>;
    if (typeof path !== 'string' || path === '') throw new VulnDbError(`${at}: "path" must be a module path`);
    if (!Array.isArray(vulns)) throw new VulnDbError(`${at}: "vulns" must be an array`);
    return {
      path,
      vulns: vulns.map((x: unknown, j): ModuleVuln => {
        const vat = `${at}.vulns[${j}]`;
        const { id, modified, fixed } = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
        if (typeof id !== 'string' || !isValidId(id)) throw new VulnDbError(`${vat}: "id" must be an entry id, got ${JSON.stringify(id)}`);
        if (typeof modified !== 'string' || !isValidTime(modified)) throw new VulnDbError(`${vat}: "modified" must be an RFC 3339 time`);
        if (fixed !== undefined && typeof fixed !== 'string') throw new VulnDbError(`${vat}: "fixed" must be a string`);
        return fixed === undefined ? { id, modified } : { id, modified, fixed };
      }),
    };
  });
}

/** The ids of entries naming any of `paths` in the index, sorted. */
export function idsForModules(index: readonly ModuleMeta[], paths: ReadonlySet<string>): string[] {
  const ids = new Set<string>();
  for (const m of index) {
    if (!paths.has(m.path)) continue;
    for (const v of m.vulns) ids.add(v.id);
  }
  return [...ids].sort(byString);
}
