/**
 * `serve --workers <n|auto>`: several processes answering on one listening
 * socket (node:cluster), for more than one core's worth of requests.
 *
 * Only the primary opens and verifies bundles (files, signature, replay),
 * exactly once, as a single-process serve does. Workers never read a
 * bundle's manifest or signature: each receives the primary's verified
 * OpenedBundle records over the cluster IPC channel (structured clone:
 * Maps and Buffers survive) and builds its own ModuleIndex from the same
 * verified tree the primary checked (the extraction cache entry, or the
 * verified directory), just as the single process builds its index after
 * verifying. A bundle the primary has not verified never reaches a worker.
 * Bundles found later by --bundles-dir are verified by the primary and then
 * sent to every worker. A worker that dies is replaced and given the same
 * bundles. Connections are handed out round-robin by the primary
 * (cluster.SCHED_RR): with keep-alive clients a connection's share of the
 * load is set when it is accepted, and the Node cluster documentation
 * reports that leaving accept to the kernel (SCHED_NONE) ends up very
 * unbalanced; the primary is on the accept path only, never on a request's.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { OpenedBundle } from '../bundle/reader.js';

/** The environment variable that marks a cluster worker of serve. */
export const SERVE_WORKER_ENV = 'GOBUNDLE_SERVE_WORKER';
/** Upper bound on --workers (a process per core is the point; far more is a typo). */
export const MAX_WORKERS = 64;

type ToWorker = { type: 'bundles'; bundles: OpenedBundle[] } | { type: 'shutdown' };
type FromWorker = { type: 'ready' } | { type: 'listening'; url: string };

/** `--workers` value: a count, or `auto` (one per available core); undefined when invalid. */
export function parseWorkers(s: string): number | undefined {
  if (s === 'auto') return availableParallelism();
  if (!/^[1-9][0-9]*$/.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX_WORKERS ? n : undefined;
}

/** Whether this process is a serve worker started by startWorkers. */
export function isServeWorker(): boolean {
  return cluster.isWorker && process.env[SERVE_WORKER_ENV] === '1';
}

export interface WorkerPool {
  /** Resolves to the URL once every worker listens; rejects if one exits before. */
  ready: Promise<string>;
  /** Verified bundles for every worker (and every future one). */
  add(bundles: readonly OpenedBundle[]): void;
  /** Ask every worker to drain and exit; resolves when all have. */
  stop(): Promise<void>;
}

/** Fork `count` workers, each given `bundles` first and then whatever add() sends, in order. */
export function startWorkers(count: number, bundles: readonly OpenedBundle[], event: (msg: string) => void): WorkerPool {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ serialization: 'advanced' });
  const served: OpenedBundle[] = [...bundles];
  const workers = new Set<Worker>();
  let stopping = false;
  let listening = 0;
  let url = '';
  let started: (url: string) => void = () => undefined;
  let failed: (err: Error) => void = () => undefined;
  const ready = new Promise<string>((resolveReady, rejectReady) => {
    started = resolveReady;
    failed = rejectReady;
  });
  const fork = (): void => {
    const w = cluster.fork({ [SERVE_WORKER_ENV]: '1' });
    w.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        // From now on the worker hears every add(): first everything so far, in order.
        w.send({ type: 'bundles', bundles: served } satisfies ToWorker);
        workers.add(w);
        return;
      }
      if (m.type !== 'listening') return;
      url = m.url;
      if (++listening === count) started(url);
    });
    w.on('exit', (code, signal) => {
      workers.delete(w);
      if (stopping) return;
      if (listening < count && url === '') {
        failed(new Error(`serve worker ${w.process.pid} exited with ${signal ?? code} before listening`));
        return;
      }
      event(`worker ${w.process.pid} exited with ${signal ?? code}: starting another`);
      listening--;
      fork();
    });
  };
  for (let i = 0; i < count; i++) fork();
  return {
    ready,
    add(more) {
      served.push(...more);
      for (const w of workers) w.send({ type: 'bundles', bundles: [...more] } satisfies ToWorker);
    },
    stop() {
      stopping = true;
      const all = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      const exits = all.map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))));
      // A worker that has not said ready holds no bundles yet: nothing to drain.
      for (const w of all) if (!workers.has(w)) w.kill();
      for (const w of workers) if (w.isConnected()) w.send({ type: 'shutdown' } satisfies ToWorker);
      return Promise.all(exits).then(() => undefined);
    },
  };
}

/** Worker side: bundles arrive from the primary (`onBundles`), shutdown too; `listening` reports the URL. */
export function workerChannel(
  onBundles: (bundles: OpenedBundle[]) => void,
  onShutdown: () => void,
): { listening(url: string): void; done(): void } {
  process.on('message', (m: ToWorker) => {
    if (m.type === 'bundles') onBundles(m.bundles.map(revive));
    else if (m.type === 'shutdown') onShutdown();
  });
  process.send?.({ type: 'ready' } satisfies FromWorker);
  return {
    listening: (url) => process.send?.({ type: 'listening', url } satisfies FromWorker),
    done: () => process.disconnect?.(),
  };
}

/** Structured clone turns Buffers into plain Uint8Arrays: make them Buffers again. */
function revive(b: OpenedBundle): OpenedBundle {
  const kept =
    b.kept === undefined ? undefined : new Map([...b.kept].map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength)]));
  return { ...b, manifestBytes: Buffer.from(b.manifestBytes.buffer, b.manifestBytes.byteOffset, b.manifestBytes.byteLength), kept };
}
