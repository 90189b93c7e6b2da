import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseListenAddress } from '../serve/server.js';
import { MAX_WORKERS, parseWorkers } from '../serve/serveWorkers.js';
import { collect } from '../bundleset/trustFiles.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { type InsideFlags, checkInsideFlags } from '../serve/insideSetup.js';
import type { ServeSettings } from '../serve/runServe.js';

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
        await serveCommand(bundles, options, io, stop.signal);
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}

/** Check serve's flags (usage errors, exit 2), then run serve (serve/runServe.ts) until `shutdown` aborts. */
export async function serveCommand(bundles: string[], options: ServeCliOptions, io: CliIO, shutdown: AbortSignal): Promise<void> {
  const listen = parseListenAddress(options.listen);
  if (listen === undefined) throw new UsageError(`serve: --listen ${JSON.stringify(options.listen)}: want HOST:PORT`);
  if (options.logFormat !== 'text' && options.logFormat !== 'json')
    throw new UsageError(`serve: --log-format ${JSON.stringify(options.logFormat)}: want text or json`);
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    throw new UsageError('serve: --tls-cert and --tls-key go together');
  if (bundles.length === 0 && options.bundlesDir === undefined)
    throw new UsageError('serve: no bundles given', { hint: 'name bundle files or pass --bundles-dir' });
  const missesLimit = checkInsideFlags(options, options.tlsCert !== undefined);
  const workers = parseWorkers(options.workers ?? '1');
  if (workers === undefined)
    throw new UsageError(`serve: --workers ${JSON.stringify(options.workers)}: want a count from 1 to ${MAX_WORKERS} or auto`);
  const settings: ServeSettings = { ...options, listen, logFormat: options.logFormat, workers, missesLimit };
  // The server itself (express, the bundle set, the page) is loaded only to serve.
  const { runServe } = await import('../serve/runServe.js');
  await runServe(bundles, settings, io, shutdown);
}
