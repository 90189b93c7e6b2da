/**
 * An in-memory checksum database for unit tests: the MemoryLog records,
 * signed tree heads from a fixed test key, and faults to inject. Integration
 * tests use the real x/mod database in test/upstream instead.
 */
import { NotFoundError } from '../../src/errors.js';
import type { SumdbOps } from '../../src/sumdb/client.js';
import { lookupPath } from '../../src/sumdb/client.js';
import { generateKey, newSigner, sign } from '../../src/sumdb/note.js';
import { treeHash } from '../../src/sumdb/tlog/storedHash.js';
import { parseTilePath, readTileData, tilePath } from '../../src/sumdb/tlog/tile.js';
import { formatRecord, formatTree } from '../../src/sumdb/tlog/treeNote.js';
import { MemoryLog } from './tlog/memoryLog.js';
import { type ModuleVersion } from '../../src/gomod/moduleVersion.js';

export const FAKE_DB_NAME = 'fake.sum.test';
export const fakeKeys = generateKey(FAKE_DB_NAME, () => Buffer.alloc(32, 42));
export const otherKeys = generateKey(FAKE_DB_NAME, () => Buffer.alloc(32, 43));

/** The module of record i in the MemoryLog (see recordText). */
export function moduleOf(i: number): ModuleVersion {
  return { path: `example.com/m${i % 97}`, version: `v1.0.${i}` };
}

export interface FakeDatabaseOptions {
  /** Records in the log (tiles are served up to this size, like a database that kept growing). */
  logSize: number;
  /** Tree size each lookup of record id reports (default: logSize). */
  treeSizeFor?: (id: number) => number;
  /** Change a response before it is returned; return undefined for 404. */
  fault?: (path: string, data: Buffer) => Buffer | undefined;
  /** Sign with this key instead of the database key. */
  signerKey?: string;
  /** Override the tree note for a size (to fork history). */
  treeNoteFor?: (n: number) => Promise<Buffer | undefined>;
}

export class FakeDatabase implements SumdbOps {
  readonly requests: string[] = [];
  readonly #notes = new Map<number, Buffer>();

  private constructor(
    readonly log: MemoryLog,
    private readonly opts: FakeDatabaseOptions,
  ) {}

  static async create(log: MemoryLog, opts: FakeDatabaseOptions): Promise<FakeDatabase> {
    await log.growTo(opts.logSize);
    return new FakeDatabase(log, opts);
  }

  async treeNote(n: number): Promise<Buffer> {
    const forced = await this.opts.treeNoteFor?.(n);
    if (forced !== undefined) return forced;
    let note = this.#notes.get(n);
    if (note === undefined) {
      const text = formatTree({ n, hash: await treeHash(n, this.log) });
      note = sign(text, [newSigner(this.opts.signerKey ?? fakeKeys.signerKey)]);
      this.#notes.set(n, note);
    }
    return note;
  }

  async readRemote(path: string): Promise<Uint8Array> {
    this.requests.push(path);
    const data = await this.#serve(path);
    const out = data === undefined ? undefined : this.opts.fault ? this.opts.fault(path, data) : data;
    if (out === undefined) throw new NotFoundError(`fake database: ${path} not found`);
    return out;
  }

  async #serve(path: string): Promise<Buffer | undefined> {
    if (path.startsWith('/lookup/')) {
      for (let i = 0; i < this.opts.logSize; i++) {
        if (lookupPath(moduleOf(i)) !== path) continue;
        const n = this.opts.treeSizeFor?.(i) ?? this.opts.logSize;
        const { recordText } = await import('./tlog/memoryLog.js');
        return Buffer.concat([Buffer.from(formatRecord(i, recordText(i))), await this.treeNote(n)]);
      }
      return undefined;
    }
    if (path.startsWith('/tile/')) {
      const t = parseTilePath(path.slice(1));
      if (t.l < 0 || tilePath(t) !== path.slice(1)) return undefined;
      const end = (t.n * 256 + t.w) * 256 ** t.l;
      if (end > this.opts.logSize) return undefined;
      return readTileData(t, this.log);
    }
    if (path === '/latest') return this.treeNote(this.opts.logSize);
    return undefined;
  }
}
