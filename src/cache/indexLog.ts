/**
 * The download cache's index: one file of JSON lines, appended to. Each
 * line records one key → entry (with an inline entry's bytes, base64); a
 * later line for the same key replaces an earlier one.
 *
 * One append per entry instead of one file per entry: creating a file
 * (a temp file, a write and a rename into a directory) cost 50–700 µs each
 * on the 2-core bench machine, more while zips were being written, and a
 * pack records two or three entries per module version; an append to an
 * open-once file costs about 15 µs. On the bench's real-source graph the
 * per-entry files were 220 ms of the main thread's writes alone.
 *
 * Many processes may share a cache. Appends use O_APPEND, one write() per
 * line, so lines from two processes do not interleave on a local file
 * system. A process reads the whole log on first use, then only what was
 * appended since (on a miss), so it sees what another process recorded.
 * A line cut short (a process killed mid-write, a full disk) is not
 * JSON, or not a whole entry, and is skipped: the cache then lacks that
 * entry and downloads it again, never uses a partial one.
 */
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/** An index entry as stored: an inline entry carries its bytes (base64 `data`). */
export interface IndexRecord {
  key: string;
  sha256: string;
  size: number;
  h1?: string;
  inline?: true;
  data?: string;
}

/** A record as held in memory: without an inline entry's bytes, but with where its line is. */
interface HeldRecord {
  entry: Omit<IndexRecord, 'data'>;
  /** Byte offset and length of the record's line in the log (-1: not known, only for lines this instance wrote). */
  at: number;
  length: number;
}

/** How much of the log is read at once. */
const READ_CHUNK_BYTES = 1 << 20;

const NEWLINE = 0x0a;

/** The fields of a parsed line, checked: a whole entry, or undefined. */
export function parseRecord(line: string): IndexRecord | undefined {
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return undefined;
  }
  const e = checkEntry(r);
  if (e === undefined) return undefined;
  if (e.inline === true && (typeof e.data !== 'string' || Buffer.byteLength(e.data, 'base64') !== e.size)) return undefined;
  return e;
}

/** The fields every entry has, checked (an inline entry's bytes are the caller's to check). */
function checkEntry(r: unknown): IndexRecord | undefined {
  if (typeof r !== 'object' || r === null) return undefined;
  const e = r as Partial<Record<keyof IndexRecord, unknown>>;
  if (typeof e.key !== 'string' || typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) return undefined;
  if (typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0) return undefined;
  if (e.h1 !== undefined && typeof e.h1 !== 'string') return undefined;
  if (e.inline !== undefined && e.inline !== true) return undefined;
  return r as IndexRecord;
}

/** How a line written by append() carries an inline entry's bytes: last, as base64 (no escapes in it). */
const DATA_FIELD = Buffer.from(',"data":"');
const QUOTE = 0x22;
const CLOSE_BRACE = 0x7d;
const EQUALS = 0x3d;

/**
 * The entry of line `line[from, to)` without its inline bytes. A line as
 * append() writes it is parsed only up to its `data` field, whose size is
 * counted from its base64 length: loading a log of inline files costs its
 * entries, not its bytes, and keeps no copy of them (strings parsed from a
 * whole line would hold the line in memory). Any other line is parsed whole.
 */
function parseHeld(line: Buffer, from: number, to: number): Omit<IndexRecord, 'data'> | undefined {
  const at = line.subarray(from, to).indexOf(DATA_FIELD);
  if (at < 0 || line[to - 1] !== CLOSE_BRACE || line[to - 2] !== QUOTE) {
    const record = parseRecord(line.toString('utf8', from, to));
    if (record === undefined) return undefined;
    const { data: _data, ...entry } = record;
    return entry;
  }
  let head: unknown;
  try {
    head = JSON.parse(`${line.toString('utf8', from, from + at)}}`);
  } catch {
    return undefined;
  }
  const entry = checkEntry(head);
  if (entry?.inline !== true) return undefined;
  const b64 = to - 2 - (from + at + DATA_FIELD.length);
  const padding = b64 > 0 && line[to - 3] === EQUALS ? (b64 > 1 && line[to - 4] === EQUALS ? 2 : 1) : 0;
  return b64 % 4 === 0 && (b64 / 4) * 3 - padding === entry.size ? entry : undefined;
}

export class IndexLog {
  readonly file: string;
  readonly #held = new Map<string, HeldRecord>();
  /** Bytes of the log read and parsed (always at a line's end). */
  #readUpTo = 0;
  #loaded = false;
  /** The log did not end with a newline when read (a cut line): the next append starts a line first. */
  #needNewline = false;
  /** The log, open for appending and reading (kept open: the process's exit closes it). */
  #fd: number | undefined;

  /** Lines to begin a log that does not exist yet with (the cache's older index), asked once. */
  readonly #seed: (() => string) | undefined;

  constructor(file: string, seed?: () => string) {
    this.file = file;
    this.#seed = seed;
  }

  /** The entry recorded for key, reading what other processes appended since the last look when this one has none. */
  lookup(key: string): Omit<IndexRecord, 'data'> | undefined {
    const held = this.#held.get(key) ?? (this.#catchUp() ? this.#held.get(key) : undefined);
    return held?.entry;
  }

  /** The base64 bytes of an inline entry's line as it is on disk now (unverified), or undefined. */
  inlineData(key: string): string | undefined {
    let held = this.#held.get(key);
    if (held !== undefined && held.at < 0) {
      this.#catchUp();
      held = this.#held.get(key);
    }
    if (held === undefined || held.at < 0) return undefined;
    const { at, length } = held;
    return this.#reading((fd) => {
      const buf = Buffer.alloc(length);
      const n = readSync(fd, buf, 0, length, at);
      const record = parseRecord(buf.subarray(0, n).toString('utf8'));
      return record?.key === key && record.inline === true ? record.data : undefined;
    }, undefined);
  }

  /** use(fd) with a descriptor reading the log: the appending one when open, else one for this call; `absent` when there is no log. */
  #reading<T>(use: (fd: number) => T, absent: T): T {
    if (this.#fd !== undefined) return use(this.#fd);
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return absent;
    }
    try {
      return use(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Append one record (one write); throws the file system's error (the caller names the cache; an
   * ENOENT means its directory is gone: make it and call again).
   */
  append(record: IndexRecord): void {
    if (!this.#loaded) this.#catchUp();
    const prefix = this.#needNewline ? '\n' : '';
    const bytes = Buffer.from(`${prefix}${JSON.stringify(record)}\n`, 'utf8');
    // Opened once per instance: an open and a close per entry cost more than its write.
    const fd = (this.#fd ??= openSync(this.file, 'a+'));
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    } catch (err) {
      // Part of the line may be there: the next one starts on a line of its own.
      this.#needNewline = true;
      throw err;
    }
    const st = fstatSync(fd);
    if (st.nlink === 0) {
      // The log was removed (the cache cleaned) while open: what this instance read is gone with it.
      closeSync(fd);
      this.#fd = undefined;
      this.#held.clear();
      this.#readUpTo = 0;
      this.#needNewline = false;
      this.append(record);
      return;
    }
    this.#needNewline = false;
    const { data: _data, ...entry } = record;
    // Nobody else appended since this instance last read: the new line is the log's end, and read.
    // Its offset and length are the line's without newlines, as #catchUp records them.
    if (st.size === this.#readUpTo + bytes.length) {
      const length = bytes.length - prefix.length - 1;
      this.#held.set(record.key, { entry, at: st.size - 1 - length, length });
      this.#readUpTo = st.size;
    } else {
      this.#held.set(record.key, { entry, at: -1, length: 0 });
    }
  }

  /** Before the first read: a log that does not exist yet begins with the seed's lines, if any. */
  #begin(): void {
    if (this.#seed === undefined || existsSync(this.file)) return;
    const lines = this.#seed();
    if (lines === '') return;
    try {
      // 'a': a process that made the log meanwhile keeps its lines; duplicates of a key are harmless (the last wins).
      appendFileSync(this.file, lines);
    } catch {
      // A read-only cache: its entries are found again on the next writable run.
    }
  }

  /** Read the log from where this instance stopped; whether anything new was found. */
  #catchUp(): boolean {
    if (!this.#loaded) this.#begin();
    this.#loaded = true;
    return this.#reading((fd) => {
      const size = fstatSync(fd).size;
      // Shorter than what was read: the log was removed (the cache cleaned) and begun again.
      if (size < this.#readUpTo) {
        this.#held.clear();
        this.#readUpTo = 0;
      }
      if (size === this.#readUpTo) return false;
      let found = false;
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, size - this.#readUpTo));
      let carry: Buffer = Buffer.alloc(0);
      let pos = this.#readUpTo;
      let lineStart = pos;
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        const chunk = carry.length === 0 ? buf.subarray(0, n) : Buffer.concat([carry, buf.subarray(0, n)]);
        let from = 0;
        for (let nl = chunk.indexOf(NEWLINE, from); nl >= 0; nl = chunk.indexOf(NEWLINE, from)) {
          const length = nl - from;
          if (length > 0) {
            const entry = parseHeld(chunk, from, nl);
            if (entry !== undefined) {
              this.#held.set(entry.key, { entry, at: lineStart, length });
              found = true;
            }
          }
          lineStart += length + 1;
          from = nl + 1;
        }
        carry = Buffer.from(chunk.subarray(from));
      }
      // A line without its newline is being written, or was cut: read again next time.
      this.#readUpTo = lineStart;
      this.#needNewline = carry.length > 0;
      return found;
    }, false);
  }
}
