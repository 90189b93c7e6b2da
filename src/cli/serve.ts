import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { OpenedBundle } from '../bundle/reader.js';
import { UsageError } from '../errors.js';
import { formatAccessLog, type AccessLogFormat } from '../serve/accessLog.js';
import { BundleSet } from '../serve/bundleSet.js';
import { BundlesDirWatcher } from '../serve/bundlesDirWatcher.js';
import { Metrics } from '../serve/metrics.js';
import { type RunningServer, listen, parseListenAddress } from '../serve/server.js';
import { MAX_WORKERS, type WorkerPool, isServeWorker, parseWorkers, startWorkers, workerChannel } from '../serve/serveWorkers.js';
import { collect } from './bundleTrust.js';
import { bundleOpener } from './verifiedBundles.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { type InsideFlags, type InsideSetup, checkInsideFlags, primarySetup, workerSetup } from './serveInside.js';
import { loadSumdbKeyring } from '../config/sumdbKeyring.js';

export const DEFAULT_LISTEN = '127.0.0.1:8080';

export interface ServeCliOptions extends InsideFlags {
  bundlesDir?: string;
  listen: string;
  trust: string[];
  sumdbKey?: string[];
  allowUnsigned?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  basePath: string;
  logFormat: string;
  accessLog: boolean;
  cacheDir?: string;
  workers?: string;
}

/**
 * `gobundle serve`: verify every bundle before the port opens, then serve
 * the union as a GOPROXY until SIGTERM/SIGINT (stop accepting, drain, exit 0).
 */
export function registerServe(program: Command, io: CliIO): void {
  declareCommand(program, 'serve')
    .argument('[bundles...]', '.tgz bundles, part lists (<bundle>.parts) or extracted bundle directories')
    .option('--bundles-dir <dir>', 'also serve every .tgz in this directory, picking up new ones without a restart')
    .option('--listen <host:port>', 'address to listen on (port 0 picks a free port)', DEFAULT_LISTEN)
    .option('--trust <file.pub>', 'verifier key file of a trusted signer (repeatable)', collect, [])
    .option('--allow-unsigned', 'serve bundles without a signature (logged)')
    .option(
      '--sumdb-key <name+hash+key>',
      "checksum database verifier key to check the bundles' replay signatures with (repeatable; default: GOSUMDB's key)",
      collect,
      [],
    )
    .option('--tls-cert <file>', 'serve https with this certificate (PEM)')
    .option('--tls-key <file>', 'private key for --tls-cert (PEM)')
    .option('--base-path <prefix>', 'serve under this URL prefix', '/')
    .option('--log-format <text|json>', 'access and event log format on stderr', 'text')
    .option('--no-access-log', 'do not log every request')
    .option(
      '--cache-dir <dir>',
      'where .tgz bundles are extracted (default $GOBUNDLE_CACHE/serve, else the user cache dir + /gobundle/serve)',
    )
    .option(
      '--workers <n|auto>',
      'answer in this many processes sharing the port (auto: one per core); bundles are verified once, by the first',
      '1',
    )
    .option(
      '--state-dir <dir>',
      'where serve keeps its record of misses (requests it could not answer; gobundle wants reads it) (default: the --cache-dir + /state)',
    )
    .option('--misses-limit <n>', 'distinct misses kept (the oldest are dropped past it, and logged)', '10000')
    .option('--record-client-addresses', 'also record the addresses of the clients that missed (off: no addresses are kept)')
    .option('--auth <file>', 'require credentials: users and bearer tokens written by gobundle passwd (/healthz and /readyz stay open)')
    .option('--auth-throttle <n>', 'failed authentications a client may make per minute before it gets 429 (default 10)')
    .option('--allow-insecure-auth', 'allow --auth without --tls-cert (only behind a TLS-terminating proxy)')
    .action(async (bundles: string[], options: ServeCliOptions) => {
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        await runServe(bundles, options, io, stop.signal);
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}

/** The serve command with the shutdown signal passed in (tests abort it instead of sending SIGTERM). */
export async function runServe(bundles: string[], options: ServeCliOptions, io: CliIO, shutdown: AbortSignal): Promise<void> {
  // express is loaded only when serving, so the other commands start faster.
  const { createServeApp } = await import('../serve/app.js');
  const addr = parseListenAddress(options.listen);
  if (addr === undefined) throw new UsageError(`serve: --listen ${JSON.stringify(options.listen)}: want HOST:PORT`);
  if (options.logFormat !== 'text' && options.logFormat !== 'json')
    throw new UsageError(`serve: --log-format ${JSON.stringify(options.logFormat)}: want text or json`);
  const logFormat: AccessLogFormat = options.logFormat;
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    throw new UsageError('serve: --tls-cert and --tls-key go together');
  if (bundles.length === 0 && options.bundlesDir === undefined)
    throw new UsageError('serve: no bundles given', { hint: 'name bundle files or pass --bundles-dir' });
  const missesLimit = checkInsideFlags(options, options.tlsCert !== undefined);
  const workers = parseWorkers(options.workers ?? '1');
  if (workers === undefined)
    throw new UsageError(`serve: --workers ${JSON.stringify(options.workers)}: want a count from 1 to ${MAX_WORKERS} or auto`);
  const event = (msg: string, fields: Record<string, unknown> = {}): void => {
    io.stderr.write(
      logFormat === 'json' ? `${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n` : `gobundle: serve: ${msg}\n`,
    );
  };
  const readTls = async (): Promise<{ cert: Buffer; key: Buffer } | undefined> =>
    options.tlsCert !== undefined && options.tlsKey !== undefined
      ? { cert: await readFile(resolve(io.cwd, options.tlsCert)), key: await readFile(resolve(io.cwd, options.tlsKey)) }
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
  const opener = await bundleOpener('serve', options, io, (msg) => event(msg));
  if (options.allowUnsigned) event('--allow-unsigned: bundles without a signature will be served');
  const openVerified = opener.open;
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
  const inside = await primarySetup({ ...common, sumdbKeys: opener.sumdbKeys, cacheRoot: opener.cacheRoot }, missesLimit);
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
  await loaded;
  let draining = false;
  const inside = await makeInside(channel.ask);
  live.inside = inside;
  const running = await answer(set, new Metrics(), () => draining, inside);
  live.running = running;
  channel.listening(running.url);
  await new Promise<void>((r) => (stop.signal.aborted ? r() : stop.signal.addEventListener('abort', () => r(), { once: true })));
  draining = true;
  await running.close();
  channel.done();
}
