/**
 * Worker threads for the CPU-heavy part of zip validation: inflating and
 * hashing every entry of a module zip held in memory (inspectZip). On real
 * module sources that is most of a pack's CPU (a 114-version, 27 MB graph
 * spent about 0.5 s of its main thread inflating and hashing), and on the
 * main thread it delays every download and write queued behind it. A zip
 * is handed over whole (its buffer transferred, not copied) and its
 * CheckedZip comes back; an error comes back as its class, message and
 * hint and is rebuilt as the same class (so with the same code), so
 * callers cannot tell where it ran.
 *
 * The pool exists only where the compiled worker (zipCheckWorker.js) sits
 * beside this file, that is when gobundle runs from dist/; run from the
 * TypeScript sources (the unit tests) zips are checked in-thread.
 * GOBUNDLE_ZIP_THREADS=<n> sets the thread count (0: in-thread), for
 * benchmarks and machines where threads cost more than they give.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ModuleError } from '../errors.js';
import { BadZipError } from './zipErrors.js';
import type { CheckedZip, ZipLimits } from './checkedZip.js';

/** One zip to inspect. */
export interface ZipCheckJob {
  zipPath: string;
  mod: { path: string; version: string };
  limits: ZipLimits;
  data: Buffer;
}

/**
 * The errors inspectZip throws, by class name: what a failure may be
 * rebuilt as. Anything else comes back as a plain Error with its message.
 */
const MODULE_ERRORS = new Map<string, typeof ModuleError>([
  [ModuleError.name, ModuleError],
  [BadZipError.name, BadZipError],
]);

/** An error crossing the thread boundary. */
export interface ZipCheckFailure {
  kind: 'module' | 'other';
  message: string;
  /** The class of a module error (a key of MODULE_ERRORS). */
  name?: string;
  hint?: string;
  path?: string;
  version?: string;
}

export type ZipCheckReply = { result: CheckedZip } | { failure: ZipCheckFailure };

/** What the worker receives (the buffer's memory is transferred with it). */
export interface ZipCheckRequest {
  zipPath: string;
  mod: { path: string; version: string };
  limits: ZipLimits;
  data: Uint8Array;
}

/**
 * Threads by default: one fewer than the cores, at most 4. The main thread
 * keeps one core for downloads, cache writes and the bundle; on a 2-core
 * machine that is one worker.
 */
function defaultThreads(): number {
  const env = process.env.GOBUNDLE_ZIP_THREADS;
  if (env !== undefined && /^\d+$/.test(env)) return Math.min(Number(env), 16);
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export const ZIP_CHECK_THREADS = defaultThreads();

/**
 * Zips up to this size go to a thread; larger ones are checked on the
 * main thread. A thread's garbage (the zip and its inflated entries) is
 * collected on the thread's own schedule, so large zips there held memory
 * the main thread would have freed: packing the 1.2 GB bench graph (zips
 * of about 17 MB) peaked at 300 MiB RSS with every zip on a thread against
 * 190 MiB with none. Real module zips are nearly all far smaller.
 */
export const ZIP_THREAD_MAX_BYTES = 4 << 20;

/**
 * Zips below this size are checked on the main thread: inflating a few KiB
 * takes less than handing the job to a thread and its answer back (the
 * generated bench graph's zips of about 600 bytes spent more of the main
 * thread in postMessage than in the check).
 */
export const ZIP_THREAD_MIN_BYTES = 16 << 10;

/** The error an inspection threw, as data that survives structured cloning. */
export function toFailure(err: unknown): ZipCheckFailure {
  if (err instanceof ModuleError && MODULE_ERRORS.get(err.constructor.name) === err.constructor) {
    const prefix = err.version === '' ? `${err.path}: ` : `${err.path}@${err.version}: `;
    const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return { kind: 'module', message, name: err.constructor.name, hint: err.hint, path: err.path, version: err.version };
  }
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}

/** The error again, as the class it was thrown as. */
export function fromFailure(f: ZipCheckFailure): Error {
  const Kind = MODULE_ERRORS.get(f.name ?? '');
  if (f.kind === 'module' && Kind !== undefined && f.path !== undefined && f.version !== undefined) {
    return new Kind(f.path, f.version, f.message, f.hint === undefined ? {} : { hint: f.hint });
  }
  return new Error(f.message);
}

interface Pending {
  resolve: (r: CheckedZip) => void;
  reject: (e: Error) => void;
}

/** A fixed set of worker threads, each fed one zip at a time, idle threads not keeping the process alive. */
export class ZipCheckPool {
  readonly #script: URL;
  readonly #size: number;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Pending>();
  readonly #queue: { job: ZipCheckJob; pending: Pending }[] = [];
  #started = 0;

  constructor(script: URL, size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`zip check pool: size must be a positive integer, got ${size}`);
    this.#script = script;
    this.#size = size;
  }

  /** inspectZip(job.zipPath, job.mod, job.limits, job.data) on a worker thread. job.data is unusable afterwards (transferred). */
  inspect(job: ZipCheckJob): Promise<CheckedZip> {
    return new Promise<CheckedZip>((resolve, reject) => {
      this.#queue.push({ job, pending: { resolve, reject } });
      this.#dispatch();
    });
  }

  /** Stop every thread (tests; a CLI run just exits). */
  async close(): Promise<void> {
    const all = [...this.#idle, ...this.#busy.keys()];
    this.#idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? (this.#started < this.#size ? this.#spawn() : undefined);
      if (worker === undefined) return;
      const { job, pending } = this.#queue.shift()!;
      this.#busy.set(worker, pending);
      worker.ref();
      // Transfer the memory, not a copy; a buffer sharing a pooled slab is copied out first.
      const whole = job.data.byteOffset === 0 && job.data.byteLength === job.data.buffer.byteLength;
      const data = whole ? job.data : Uint8Array.prototype.slice.call(job.data);
      const request: ZipCheckRequest = { zipPath: job.zipPath, mod: job.mod, limits: job.limits, data };
      worker.postMessage(request, [data.buffer as ArrayBuffer]);
    }
  }

  #spawn(): Worker {
    this.#started++;
    const worker = new Worker(this.#script);
    worker.on('message', (reply: ZipCheckReply) => {
      const pending = this.#busy.get(worker);
      this.#busy.delete(worker);
      worker.unref();
      this.#idle.push(worker);
      if ('result' in reply) pending?.resolve(reply.result);
      else pending?.reject(fromFailure(reply.failure));
      this.#dispatch();
    });
    const lost = (err: Error): void => {
      // A thread that died takes its job with it; the pool starts another for the rest.
      const pending = this.#busy.get(worker);
      this.#busy.delete(worker);
      const at = this.#idle.indexOf(worker);
      if (at >= 0) this.#idle.splice(at, 1);
      this.#started--;
      pending?.reject(err);
      this.#dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (this.#busy.has(worker) || this.#idle.includes(worker)) lost(new Error(`zip check thread exited with code ${code}`));
    });
    return worker;
  }
}

const WORKER_SCRIPT = new URL('./zipCheckWorker.js', import.meta.url);
let shared: ZipCheckPool | null | undefined;

/**
 * The process's pool, made on first use; undefined when zips are checked
 * in-thread (no compiled worker beside this file, or GOBUNDLE_ZIP_THREADS=0).
 * One pool per process, like validateZip's in-memory slots: the threads
 * are a property of the machine, not of a pack.
 */
export function zipCheckPool(): ZipCheckPool | undefined {
  if (shared === undefined) {
    shared = ZIP_CHECK_THREADS > 0 && existsSync(fileURLToPath(WORKER_SCRIPT)) ? new ZipCheckPool(WORKER_SCRIPT, ZIP_CHECK_THREADS) : null;
  }
  return shared ?? undefined;
}
