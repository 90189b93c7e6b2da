/**
 * Several bundles' vulnerability data served as one database: entries by
 * id, the one with the newest `modified` winning (the database only ever
 * moves forward, so a later bundle's copy of an entry supersedes an older
 * one's); the index is then rebuilt from the winners. Pure.
 */
import type { OsvEntry } from './osvEntry.js';

export interface CarriedEntry {
  entry: OsvEntry;
  /** The entry's bytes as carried (served unchanged). */
  data: Uint8Array;
  /** Where it came from, for messages. */
  from: string;
}

/** One entry per id: the newest `modified`; on a tie, the first given. Sorted by id. */
export function mergeEntries(lists: readonly (readonly CarriedEntry[])[]): CarriedEntry[] {
  const byId = new Map<string, CarriedEntry>();
  for (const list of lists) {
    for (const c of list) {
      const prev = byId.get(c.entry.id);
      if (prev === undefined || Date.parse(c.entry.modified) > Date.parse(prev.entry.modified)) byId.set(c.entry.id, c);
    }
  }
  return [...byId.values()].sort((a, b) => (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0));
}
