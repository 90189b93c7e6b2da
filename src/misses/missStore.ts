/**
 * The durable record of misses in serve's state directory, written by one
 * process (serve's primary; workers forward their misses to it).
 *
 *   <state-dir>/misses.jsonl   the record (missTable.ts's line format), appended to
 *   <state-dir>/misses.lock    the writer's pid while it runs
 *
 * What survives a crash: every miss is appended with one write(2) of a
 * whole line on a file opened O_APPEND before serve answers the 404, so a
 * process killed at any moment (kill -9) leaves every answered miss in the
 * file and at most no line torn (the kernel finishes a write it started); the
 * file is also fdatasync'd within a second of a change, for power loss. A
 * torn last line (from a power loss or a foreign writer) is dropped on open,
 * and the file cut back to its last whole line before anything is appended.
 * Bounded: once the appended lines outgrow the entries, or a new entry goes
 * past the limit (the oldest entries by last seen are then dropped, and the
 * caller says so in the log), the record is compacted: written whole into a
 * temporary file, synced, and renamed over the old one.
 */
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../errorCodes.js';
import { GobundleError } from '../errors.js';
import type { Miss } from './miss.js';
import { DEFAULT_MISS_LIMIT, type MissEntry, MissTable, formatMissLine, parseMissLine } from './missTable.js';

export const MISSES_FILE = 'misses.jsonl';
export const MISSES_LOCK = 'misses.lock';
/** Compaction keeps this share of the limit when entries are dropped, so the next drop is not at the very next miss. */
const TRIM_TO = 0.9;
/** Appended lines allowed beyond the entries before the record is compacted. */
const MIN_SLACK_LINES = 1000;
/** A change reaches the disk (fdatasync) within this long. */
const SYNC_DELAY_MS = 1000;

/** The state directory's record cannot be read, written or locked. */
export class MissStoreError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.MISSES, message, options);
  }
}

export interface MissRecordRead {
  table: MissTable;
  /** Whole lines that were not records (skipped). */
  unreadable: number;
  /** Bytes of a torn last line (no newline), dropped. */
  torn: number;
  /** Length of the whole lines read. */
  validBytes: number;
}

/** Read a record (from a file's bytes): every whole line applied in order. */
export function readMissRecord(data: Buffer, limit = DEFAULT_MISS_LIMIT): MissRecordRead {
  const table = new MissTable(limit);
  const end = data.lastIndexOf(0x0a) + 1;
  let unreadable = 0;
  for (const text of data.subarray(0, end).toString('utf8').split('\n')) {
    if (text === '') continue;
    const line = parseMissLine(text);
    if (line === undefined) unreadable++;
    else table.apply(line);
  }
  table.trim();
  return { table, unreadable, torn: data.length - end, validBytes: end };
}

/** Read the record in a state directory without writing to it (gobundle wants); a state directory with no record yet is empty. */
export async function readMissesDir(dir: string): Promise<MissRecordRead> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    throw new MissStoreError(`${dir}: no such state directory`, {
      hint: "name serve's --state-dir (default: serve's cache directory + /state), or serve's URL",
    });
  }
  if (!isDir) throw new MissStoreError(`${dir}: not a directory`);
  let data: Buffer;
  try {
    data = await readFile(join(dir, MISSES_FILE));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return readMissRecord(Buffer.alloc(0));
    throw new MissStoreError(`${join(dir, MISSES_FILE)}: ${code ?? String(err)}`, { cause: err });
  }
  return readMissRecord(data);
}

export interface MissStoreOptions {
  limit?: number;
  /** What an operator should know: entries dropped past the limit, lines skipped on open. */
  event: (msg: string) => void;
}

export class MissStore {
  readonly dir: string;
  readonly file: string;
  readonly #table: MissTable;
  readonly #event: (msg: string) => void;
  #fd: number;
  #lines: number;
  #syncTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(dir: string, table: MissTable, fd: number, lines: number, event: (msg: string) => void) {
    this.dir = dir;
    this.file = join(dir, MISSES_FILE);
    this.#table = table;
    this.#fd = fd;
    this.#lines = lines;
    this.#event = event;
  }

  /** Lock the state directory (one writer), read the record, and open it for appending. */
  static async open(dir: string, opts: MissStoreOptions): Promise<MissStore> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new MissStoreError(`--state-dir ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    }
    lock(dir);
    try {
      const file = join(dir, MISSES_FILE);
      let fd: number;
      try {
        fd = openSync(file, 'a+', 0o600);
      } catch (err) {
        throw new MissStoreError(`${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
      }
      const data = readAll(fd);
      const read = readMissRecord(data, opts.limit ?? DEFAULT_MISS_LIMIT);
      if (read.torn > 0) {
        // Appends must start on a line of their own.
        ftruncateSync(fd, read.validBytes);
        opts.event(`misses: dropped a torn last line of ${read.torn} bytes in ${file}`);
      }
      if (read.unreadable > 0) opts.event(`misses: skipped ${read.unreadable} unreadable lines in ${file}`);
      const lines = data.subarray(0, read.validBytes).reduce((n, b) => (b === 0x0a ? n + 1 : n), 0);
      const store = new MissStore(dir, read.table, fd, lines, opts.event);
      if (lines > read.table.size + MIN_SLACK_LINES) store.#compact();
      return store;
    } catch (err) {
      unlock(dir);
      throw err;
    }
  }

  get size(): number {
    return this.#table.size;
  }

  entries(): MissEntry[] {
    return this.#table.entries();
  }

  /** Count a miss, on disk before this returns. */
  record(m: Miss, at: Date, client?: string): void {
    if (this.#closed) return;
    const t = at.toISOString();
    const e: MissEntry = { ...m, count: 1, first: t, last: t, ...(client === undefined ? {} : { clients: [client] }) };
    const added = this.#table.add(e);
    if (added && this.#table.size > this.#table.limit) {
      const dropped = this.#table.trim(Math.floor(this.#table.limit * TRIM_TO));
      this.#event(`misses: more than ${this.#table.limit} distinct misses: dropped the ${dropped} seen longest ago`);
      this.#compact();
      return;
    }
    this.#append(formatMissLine({ miss: e }));
    if (this.#lines > 2 * this.#table.size + MIN_SLACK_LINES) this.#compact();
  }

  /** Forget every miss `answered` says is answered now (a bundle supplied it); returns how many. */
  forgetAnswered(answered: (m: Miss) => boolean): number {
    let n = 0;
    for (const e of this.#table.entries()) {
      if (!answered(e)) continue;
      this.#table.remove(e);
      this.#append(formatMissLine({ answered: { kind: e.kind, path: e.path, version: e.version } }));
      n++;
    }
    return n;
  }

  /** Sync and close (and release the lock). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#syncTimer);
    try {
      fdatasyncSync(this.#fd);
    } finally {
      closeSync(this.#fd);
      unlock(this.dir);
    }
  }

  #append(line: string): void {
    writeAll(this.#fd, Buffer.from(line));
    this.#lines++;
    this.#scheduleSync();
  }

  #scheduleSync(): void {
    if (this.#syncTimer !== undefined) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      if (!this.#closed) fdatasyncSync(this.#fd);
    }, SYNC_DELAY_MS);
    this.#syncTimer.unref();
  }

  /** Write the table whole beside the record, sync it, rename it over the record, and append to it from now on. */
  #compact(): void {
    const tmp = `${this.file}.tmp-${process.pid}`;
    const body = this.#table
      .entries()
      .map((e) => formatMissLine({ miss: e }))
      .join('');
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeAll(fd, Buffer.from(body));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    syncDir(this.dir);
    closeSync(this.#fd);
    this.#fd = openSync(this.file, 'a', 0o600);
    this.#lines = this.#table.size;
  }
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

function readAll(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Take the state directory's lock, replacing one left by a process that no longer runs. */
function lock(dir: string): void {
  const file = join(dir, MISSES_LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new MissStoreError(`${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    }
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
      throw new MissStoreError(`--state-dir ${dir}: in use by process ${pid} (another gobundle serve)`, {
        hint: 'give each serve its own --state-dir, or stop the other one',
      });
    }
    unlinkSync(file);
  }
  throw new MissStoreError(`${file}: could not take the lock`);
}

function unlock(dir: string): void {
  try {
    unlinkSync(join(dir, MISSES_LOCK));
  } catch {
    // Already gone: nothing to release.
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
