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
import { ServeWorkerError, workerExited } from './serveErrors.js';

/** The environment variable that marks a cluster worker of serve. */
export const SERVE_WORKER_ENV = 'GOBUNDLE_SERVE_WORKER';
/** Upper bound on --workers (a process per core is the point; far more is a typo). */
export const MAX_WORKERS = 64;

type ToWorker =
  | { type: 'bundles'; bundles: OpenedBundle[] }
  | { type: 'shutdown' }
  | { type: 'answer'; id: number; value: unknown }
  | { type: 'hangup'; tls: { cert: Uint8Array; key: Uint8Array } | undefined };
type FromWorker = { type: 'ready' } | { type: 'listening'; url: string } | { type: 'ask'; id: number; what: string; payload: unknown };

/**
 * What a worker may ask the primary (the one writer of serve's state, e.g.
 * the miss record): `what` names the question, the resolved value goes back
 * to the worker that asked.
 */
export type PrimaryAnswers = (what: string, payload: unknown) => unknown;

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
  /** SIGHUP for every worker: the new TLS certificate and key, if any, for its listener (existing connections keep theirs). */
  hangup(tls: { cert: Buffer; key: Buffer } | undefined): void;
}

/** Fork `count` workers, each given `bundles` first and then whatever add() sends, in order. */
export function startWorkers(
  count: number,
  bundles: readonly OpenedBundle[],
  event: (msg: string) => void,
  answers: PrimaryAnswers = () => undefined,
): WorkerPool {
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
    // A closed IPC channel (a send to a worker that is dying) is reported, not thrown: the exit that follows is handled below.
    w.on('error', (err: Error) => event(`worker ${w.process.pid}: ${err.message}`));
    w.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        // From now on the worker hears every add(): first everything so far, in order.
        w.send({ type: 'bundles', bundles: served } satisfies ToWorker);
        workers.add(w);
        return;
      }
      if (m.type === 'ask') {
        Promise.resolve()
          .then(() => answers(m.what, m.payload))
          .then(
            (value) => w.isConnected() && w.send({ type: 'answer', id: m.id, value } satisfies ToWorker),
            (err: unknown) => {
              event(`worker ${w.process.pid}: ${m.what}: ${err instanceof Error ? err.message : String(err)}`);
              if (w.isConnected()) w.send({ type: 'answer', id: m.id, value: undefined } satisfies ToWorker);
            },
          );
        return;
      }
      if (m.type !== 'listening') return;
      url = m.url;
      if (++listening === count) started(url);
    });
    w.on('exit', (code: number | null, signal: string | null) => {
      workers.delete(w);
      if (stopping) return;
      if (listening < count && url === '') {
        // Before serving, a dying worker stops serve: starting another would most likely die the same way.
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.kill();
        failed(
          new ServeWorkerError(w.process.pid, code, signal, 'before listening; serve stopped', {
            hint: "the worker's own message is above; --workers 1 runs serve in one process, where the same failure is reported directly",
          }),
        );
        return;
      }
      event(workerExited(w.process.pid, code, signal, 'started another'));
      listening--;
      fork();
    });
  };
  for (let i = 0; i < count; i++) fork();
  return {
    ready,
    add(more) {
      served.push(...more);
      for (const w of workers) if (w.isConnected()) w.send({ type: 'bundles', bundles: [...more] } satisfies ToWorker);
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
    hangup(tls) {
      for (const w of workers) if (w.isConnected()) w.send({ type: 'hangup', tls } satisfies ToWorker);
    },
  };
}

/** Worker side: bundles arrive from the primary (`onBundles`), shutdown too; `listening` reports the URL. */
export function workerChannel(
  onBundles: (bundles: OpenedBundle[]) => void,
  onShutdown: () => void,
  onHangup: (tls: { cert: Buffer; key: Buffer } | undefined) => void = () => undefined,
): { listening(url: string): void; done(): void; release(): void; ask(what: string, payload: unknown): Promise<unknown> } {
  const asked = new Map<number, (value: unknown) => void>();
  let nextId = 0;
  process.on('message', (m: ToWorker) => {
    if (m.type === 'bundles') onBundles(m.bundles.map(revive));
    else if (m.type === 'shutdown') onShutdown();
    else if (m.type === 'answer') {
      asked.get(m.id)?.(m.value);
      asked.delete(m.id);
    } else if (m.type === 'hangup') onHangup(m.tls === undefined ? undefined : { cert: toBuffer(m.tls.cert), key: toBuffer(m.tls.key) });
  });
  process.send?.({ type: 'ready' } satisfies FromWorker);
  return {
    listening: (url) => process.send?.({ type: 'listening', url } satisfies FromWorker),
    done: () => {
      if (process.connected) process.disconnect?.();
    },
    release: () => process.channel?.unref(),
    ask: (what, payload) =>
      new Promise((resolveAnswer) => {
        const id = nextId++;
        asked.set(id, resolveAnswer);
        if (process.send?.({ type: 'ask', id, what, payload } satisfies FromWorker) === undefined) {
          asked.delete(id);
          resolveAnswer(undefined);
        }
      }),
  };
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Structured clone turns Buffers into plain Uint8Arrays: make them Buffers again. */
function revive(b: OpenedBundle): OpenedBundle {
  const kept =
    b.kept === undefined ? undefined : new Map([...b.kept].map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength)]));
  return { ...b, manifestBytes: Buffer.from(b.manifestBytes.buffer, b.manifestBytes.byteOffset, b.manifestBytes.byteLength), kept };
}
