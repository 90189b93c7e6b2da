/**
 * The record of misses as data: one entry per kind, module path and version
 * with a count, first and last seen, and (only when an operator asked for
 * them) up to MAX_CLIENTS client addresses. Bounded: past `limit` distinct
 * entries the ones last seen longest ago are dropped. Also the record's
 * line format on disk (missStore.ts appends and compacts it): one JSON
 * object a line,
 *
 *   {"miss":{"kind":"info","path":"example.com/a","version":"v1.4.0","count":1,"first":"…","last":"…"}}
 *   {"answered":{"kind":"info","path":"example.com/a","version":"v1.4.0"}}
 *
 * An append is a miss of count 1; compaction writes each entry once with its
 * totals; reading adds counts up, so both read the same. `answered` removes
 * an entry (a later bundle supplies it). Pure.
 */
import { MISS_KINDS, type Miss, type MissKind, missKey } from './miss.js';

/** Distinct entries kept by default (a 10,000-entry record is about 1.5 MB on disk). */
export const DEFAULT_MISS_LIMIT = 10_000;
/** Client addresses kept per entry when they are recorded. */
export const MAX_CLIENTS = 8;

export interface MissEntry extends Miss {
  count: number;
  /** RFC 3339 times. */
  first: string;
  last: string;
  /** Client addresses, only when recording them was asked for. */
  clients?: string[];
}

export type MissLine = { miss: MissEntry } | { answered: Miss };

export class MissTable {
  readonly #entries = new Map<string, MissEntry>();
  readonly limit: number;

  constructor(limit = DEFAULT_MISS_LIMIT) {
    this.limit = limit;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Count `e` in (its count, times and clients merged into an existing entry); true when it is a new entry. */
  add(e: MissEntry): boolean {
    const key = missKey(e);
    const prev = this.#entries.get(key);
    if (prev === undefined) {
      this.#entries.set(key, { ...e, ...(e.clients === undefined ? {} : { clients: e.clients.slice(0, MAX_CLIENTS) }) });
      return true;
    }
    prev.count += e.count;
    if (e.first < prev.first) prev.first = e.first;
    if (e.last > prev.last) prev.last = e.last;
    if (e.clients !== undefined) {
      const clients = prev.clients ?? [];
      for (const c of e.clients) if (clients.length < MAX_CLIENTS && !clients.includes(c)) clients.push(c);
      prev.clients = clients;
    }
    return false;
  }

  /** Apply one line of the record. */
  apply(line: MissLine): void {
    if ('miss' in line) this.add(line.miss);
    else this.#entries.delete(missKey(line.answered));
  }

  remove(m: Miss): boolean {
    return this.#entries.delete(missKey(m));
  }

  /**
   * Drop the entries last seen longest ago until at most `keep` remain
   * (default: the limit); returns how many were dropped.
   */
  trim(keep = this.limit): number {
    const over = this.#entries.size - keep;
    if (over <= 0) return 0;
    const oldest = [...this.#entries].sort((a, b) => (a[1].last < b[1].last ? -1 : a[1].last > b[1].last ? 1 : 0)).slice(0, over);
    for (const [k] of oldest) this.#entries.delete(k);
    return oldest.length;
  }

  /** Every entry, most requested first (then by path, kind, version). */
  entries(): MissEntry[] {
    return [...this.#entries.values()]
      .map((e) => ({ ...e, ...(e.clients === undefined ? {} : { clients: [...e.clients] }) }))
      .sort(
        (a, b) =>
          b.count - a.count || cmp(a.path, b.path) || MISS_KINDS.indexOf(a.kind) - MISS_KINDS.indexOf(b.kind) || cmp(a.version, b.version),
      );
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One line of the record, with its newline. */
export function formatMissLine(line: MissLine): string {
  if ('miss' in line) {
    const m = line.miss;
    const out: MissEntry = { kind: m.kind, path: m.path, version: m.version, count: m.count, first: m.first, last: m.last };
    if (m.clients !== undefined) out.clients = m.clients;
    return `${JSON.stringify({ miss: out })}\n`;
  }
  const a = line.answered;
  return `${JSON.stringify({ answered: { kind: a.kind, path: a.path, version: a.version } })}\n`;
}

/** A line of the record (without its newline), or undefined when it is not one (a torn or foreign line). */
export function parseMissLine(text: string): MissLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(v)) return undefined;
  if (isObject(v.miss)) {
    const m = v.miss;
    const base = missOf(m);
    if (base === undefined) return undefined;
    if (typeof m.count !== 'number' || !Number.isSafeInteger(m.count) || m.count < 1) return undefined;
    if (!isTime(m.first) || !isTime(m.last)) return undefined;
    const e: MissEntry = { ...base, count: m.count, first: m.first, last: m.last };
    if (m.clients !== undefined) {
      if (!Array.isArray(m.clients) || !m.clients.every((c): c is string => typeof c === 'string')) return undefined;
      e.clients = m.clients.slice(0, MAX_CLIENTS);
    }
    return { miss: e };
  }
  if (isObject(v.answered)) {
    const a = missOf(v.answered);
    return a === undefined ? undefined : { answered: a };
  }
  return undefined;
}

function missOf(o: Record<string, unknown>): Miss | undefined {
  if (typeof o.kind !== 'string' || !(MISS_KINDS as readonly string[]).includes(o.kind)) return undefined;
  if (typeof o.path !== 'string' || typeof o.version !== 'string' || o.path === '') return undefined;
  return { kind: o.kind as MissKind, path: o.path, version: o.version };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTime(v: unknown): v is string {
  return typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v);
}
