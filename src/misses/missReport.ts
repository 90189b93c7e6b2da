/**
 * The miss record as serve and gobundle wants hand it out: the entries a
 * served set still cannot answer (answered ones left out: a later bundle
 * supplied them), as JSON and as a wants list.
 */
import { escapePath } from '../gomod/modulePath.js';
import { sumdbDir, versionFileName } from '../bundle/treeLayout.js';
import { lookupPath } from '../sumdb/client.js';
import type { ModuleIndex } from '../bundleset/moduleIndex.js';
import { type ServedLookup, isAnswered } from './miss.js';
import type { MissEntry } from './missTable.js';
import { type Want, formatWantsList, wantsOf } from './wantsList.js';

/** What a served index answers, for isAnswered. */
export function servedLookup(index: ModuleIndex): ServedLookup {
  return {
    hasFile: (path, version, kind) => index.files.has(versionFileName(path, version, kind)),
    hasModule: (path) => index.lists.has(escapePath(path)),
    hasLookup: (path, version) => {
      for (const view of index.sumdb.values()) if (view.small.has(`${sumdbDir(view.name)}${lookupPath({ path, version })}`)) return true;
      return false;
    },
  };
}

export interface MissReport {
  source: string;
  generated: string;
  misses: MissEntry[];
  wants: Want[];
  notes: string[];
}

/** The report of `entries` still unanswered by `served` (everything when undefined). */
export function missReport(entries: readonly MissEntry[], served: ServedLookup | undefined, source: string, now: Date): MissReport {
  const misses = served === undefined ? [...entries] : entries.filter((e) => !isAnswered(e, served));
  const { wants, notes } = wantsOf(misses);
  return { source, generated: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), misses, wants, notes };
}

export function reportJson(r: MissReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export function reportWants(r: MissReport): string {
  return formatWantsList(r.wants, r.notes, r.source, r.generated);
}
