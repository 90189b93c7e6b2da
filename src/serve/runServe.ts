/**
 * The serve lifecycle: trust every bundle before the port opens (bundleset/),
 * then answer the union as a GOPROXY (app.ts) in one process or several
 * (serveWorkers.ts: the first verifies, the workers answer), pick up bundles
 * dropped into --bundles-dir, reload certificates and the --auth file on
 * SIGHUP, and on shutdown stop accepting, drain and return. The command
 * line is cli/serve.ts's business; it hands over checked settings.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { OpenedBundle } from '../bundle/reader.js';
import { formatAccessLog, type AccessLogFormat } from './accessLog.js';
import { BundleSet } from '../bundleset/bundleSet.js';
import { type BundleTrustFlags, extractionRoot, loadBundleTrust, openTrusted } from '../bundleset/openBundles.js';
import { describeReplayVerification as describeReplay } from '../bundle/bundleReplay.js';
import type { ServeIO } from './serveIO.js';
import { BundlesDirWatcher } from './bundlesDirWatcher.js';
import { Metrics } from './metrics.js';
import { type RunningServer, listen } from './server.js';
import { type WorkerPool, isServeWorker, startWorkers, workerChannel } from './serveWorkers.js';
import { type InsideFlags, type InsideSetup, primarySetup, workerSetup } from './insideSetup.js';
import { loadSumdbKeyring } from '../config/sumdbKeyring.js';
import { readTlsFiles } from './tlsFiles.js';

/** serve's settings, checked (cli/serve.ts turns flags into these). */
export interface ServeSettings extends Omit<InsideFlags, 'missesLimit'>, BundleTrustFlags {
  bundlesDir?: string;
  listen: { host: string; port: number };
  tlsCert?: string;
  tlsKey?: string;
  basePath: string;
  logFormat: AccessLogFormat;
  accessLog: boolean;
  cacheDir?: string;
  workers: number;
  missesLimit: number;
}

/** Serve until `shutdown` aborts (cli/serve.ts aborts it on SIGTERM/SIGINT; tests abort it themselves). */
/** The serve command with the shutdown signal passed in (tests abort it instead of sending SIGTERM). */
export async function runServe(bundles: readonly string[], options: ServeSettings, io: ServeIO, shutdown: AbortSignal): Promise<void> {
  // express is loaded only when serving, so the other commands start faster.
  const { createServeApp } = await import('./app.js');
  const addr = options.listen;
  const logFormat = options.logFormat;
  const { workers, missesLimit } = options;
  const event = (msg: string, fields: Record<string, unknown> = {}): void => {
    io.stderr.write(
      logFormat === 'json' ? `${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n` : `gobundle: serve: ${msg}\n`,
    );
  };
  const readTls = async (): Promise<{ cert: Buffer; key: Buffer } | undefined> =>
    options.tlsCert !== undefined && options.tlsKey !== undefined
      ? readTlsFiles(
          { shown: options.tlsCert, file: resolve(io.cwd, options.tlsCert) },
          { shown: options.tlsKey, file: resolve(io.cwd, options.tlsKey) },
          (file) => readFile(file),
        )
      : undefined;
  const tls = await readTls();
  const answer = (set: BundleSet, metrics: Metrics, isDraining: () => boolean, inside: InsideSetup): Promise<RunningServer> => {
    const { listener } = createServeApp({
      bundles: set,
      metrics,
      basePath: options.basePath,
      isReady: () => !isDraining() && set.current.bundles.length > 0,
      accessLog: options.accessLog === false ? undefined : (e) => io.stderr.write(formatAccessLog(e, logFormat)),
      ...inside.hooks(() => set.current, metrics),
    });
    return listen(listener, { ...addr, tls });
  };
  const common = { flags: options, io, basePath: options.basePath, event };
  if (isServeWorker()) {
    const keys = await loadSumdbKeyring(options.sumdbKey ?? [], io.env, () => undefined);
    const sumdbKeys = new Map([...keys].map(([name, k]) => [name, k.key]));
    await runWorker(answer, event, shutdown, (ask) => workerSetup({ ...common, sumdbKeys }, ask));
    return;
  }
  const trust = await loadBundleTrust('serve', options, io, (msg) => event(msg));
  const cacheRoot = extractionRoot(options.cacheDir, io);
  if (options.allowUnsigned) event('--allow-unsigned: bundles without a signature will be served');
  const openVerified = async (source: string): Promise<{ bundle: OpenedBundle; replay: string | undefined }> => {
    const t = await openTrusted(source, trust, { into: cacheRoot });
    return { bundle: t.bundle, replay: t.replay === undefined ? undefined : describeReplay(t.replay) };
  };
  const replayNotes = new Map<OpenedBundle, string>();
  const logSumdbHeads = (): void => {
    for (const view of set.current.sumdb.values()) {
      const older =
        view.consistentWith.length === 0 ? '' : `, proven consistent with tree#${view.consistentWith.map((t) => t.n).join(', tree#')}`;
      if (view.bundles.length > 1)
        event(
          `checksum database ${view.name}: serving tree#${view.tree.n} of ${view.head} for ${view.bundles.length} bundles (${view.small.size - 2} lookups${older})`,
        );
      for (const w of view.warnings) event(`warning: ${w}`);
    }
  };
  const describe = (b: OpenedBundle): string =>
    `${b.source}: ${b.modules} modules, ${b.files.size} files, ${b.bytes} bytes, ${b.signer === undefined ? 'UNSIGNED' : `signed by ${b.signer}`}${b.reused ? ' (cached extraction re-verified)' : ''}`;

  // Trust before serving: every named bundle is verified before the port opens.
  const set = new BundleSet();
  const opened: OpenedBundle[] = [];
  for (const source of bundles) {
    const o = await openVerified(resolve(io.cwd, source));
    opened.push(o.bundle);
    if (o.replay !== undefined) replayNotes.set(o.bundle, o.replay);
  }
  await set.add(opened);
  // Once the bundles are trusted: a refused bundle never touches the state directory.
  const sumdbKeys = new Map([...trust.sumdbKeys].map(([name, k]) => [name, k.key]));
  const inside = await primarySetup({ ...common, sumdbKeys, cacheRoot }, missesLimit);
  const serveVerified = async (): Promise<void> => {
    inside.bundlesChanged(set.current);
    for (const b of opened) event(`loaded ${describe(b)}${replayNotes.has(b) ? `; ${replayNotes.get(b)}` : ''}`);
    logSumdbHeads();

    const metrics = new Metrics();
    let pool: WorkerPool | undefined;
    let watcher: BundlesDirWatcher | undefined;
    if (options.bundlesDir !== undefined) {
      watcher = new BundlesDirWatcher({
        dir: resolve(io.cwd, options.bundlesDir),
        open: async (file) => {
          const o = await openVerified(file);
          if (o.replay !== undefined) replayNotes.set(o.bundle, o.replay);
          return o.bundle;
        },
        add: async (b) => {
          await set.add([b]);
          pool?.add([b]);
          inside.bundlesChanged(set.current);
        },
        onLoaded: (_file, b) => {
          event(`loaded ${describe(b)}${replayNotes.has(b) ? `; ${replayNotes.get(b)}` : ''}`);
          logSumdbHeads();
        },
        onRejected: (file, err) => {
          metrics.bundlesRejected++;
          event(`ignored ${file}: ${err instanceof Error ? err.message : String(err)}`);
        },
      });
      await watcher.start();
    }

    let draining = false;
    if (workers > 1) {
      pool = startWorkers(workers, set.current.bundles, event, inside.answers);
      const url = await pool.ready;
      event(`${workers} workers listening`);
      io.stdout.write(`listening on ${url}\n`);
    }
    const running = workers > 1 ? undefined : await answer(set, metrics, () => draining, inside);
    if (running !== undefined) io.stdout.write(`listening on ${running.url}\n`);
    // SIGHUP: new certificates for new connections (open ones keep theirs), and the --auth file read again.
    const onHangup = (): void => {
      void (async () => {
        let next: { cert: Buffer; key: Buffer } | undefined;
        try {
          next = await readTls();
          if (next !== undefined) {
            running?.reloadTls(next);
            event(`reloaded the certificate ${options.tlsCert} and key ${options.tlsKey}`);
          }
        } catch (err) {
          next = undefined;
          event(`SIGHUP: kept the old certificate: ${err instanceof Error ? err.message : String(err)}`);
        }
        pool?.hangup(next);
        try {
          await inside.reloadAuth();
        } catch (err) {
          event(`SIGHUP: kept the old --auth file: ${err instanceof Error ? err.message : String(err)}`);
        }
      })();
    };
    process.on('SIGHUP', onHangup);

    await new Promise<void>((resolveDone) => {
      if (shutdown.aborted) resolveDone();
      else shutdown.addEventListener('abort', () => resolveDone(), { once: true });
    });
    draining = true;
    process.off('SIGHUP', onHangup);
    event('shutting down: draining in-flight requests');
    watcher?.stop();
    await running?.close();
    await pool?.stop();
    event('stopped');
  };
  try {
    await serveVerified();
  } finally {
    inside.close();
  }
}

/** A serve worker: bundles the primary verified come over IPC; answer until the primary (or a signal) says stop. */
async function runWorker(
  answer: (set: BundleSet, metrics: Metrics, isDraining: () => boolean, inside: InsideSetup) => Promise<RunningServer>,
  event: (msg: string) => void,
  shutdown: AbortSignal,
  makeInside: (ask: (what: string, payload: unknown) => Promise<unknown>) => Promise<InsideSetup>,
): Promise<void> {
  // The primary reloads certificates (and sends them here); a hangup sent to the whole group must not end a worker.
  process.on('SIGHUP', () => undefined);
  // Filled in once listening; a hangup before that has nothing to reload.
  const live: { running?: RunningServer; inside?: InsideSetup } = {};
  const set = new BundleSet();
  const stop = new AbortController();
  shutdown.addEventListener('abort', () => stop.abort(), { once: true });
  let first: (() => void) | undefined;
  const loaded = new Promise<void>((r) => (first = r));
  const channel = workerChannel(
    (bundles) => {
      set.add(bundles).then(
        () => {
          first?.();
          first = undefined;
        },
        (err: unknown) => event(`worker ${process.pid}: ${err instanceof Error ? err.message : String(err)}`),
      );
    },
    () => stop.abort(),
    (tls) => {
      try {
        if (tls !== undefined) live.running?.reloadTls(tls);
      } catch (err) {
        event(`worker ${process.pid}: kept the old certificate: ${err instanceof Error ? err.message : String(err)}`);
      }
      live.inside
        ?.reloadAuth()
        .catch((err: unknown) =>
          event(`worker ${process.pid}: kept the old --auth file: ${err instanceof Error ? err.message : String(err)}`),
        );
    },
  );
  let draining = false;
  let running: RunningServer;
  try {
    await loaded;
    const inside = await makeInside(channel.ask);
    live.inside = inside;
    running = await answer(set, new Metrics(), () => draining, inside);
  } catch (err) {
    // A worker that cannot serve (its address in use, …) reports why and exits 1: an IPC channel still counted would keep
    // it alive, and disconnecting would make the cluster module exit it with 0. The primary learns of it from the exit.
    channel.release();
    throw err;
  }
  live.running = running;
  channel.listening(running.url);
  await new Promise<void>((r) => (stop.signal.aborted ? r() : stop.signal.addEventListener('abort', () => r(), { once: true })));
  draining = true;
  await running.close();
  channel.done();
}
