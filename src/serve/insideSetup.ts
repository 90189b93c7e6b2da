/**
 * What serve does for the people inside, wired into its lifecycle
 * (runServe.ts): the miss record (misses/), the page (page/), --auth (auth/)
 * and reloading the --auth file on SIGHUP. runServe.ts hands the hooks this
 * builds to createServeApp (notFound, pages, gate) and to the worker pool
 * (the primary answers workers' misses).
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { Authorizer } from '../auth/authorizer.js';
import { parseAuthFile } from '../auth/authFile.js';
import { authGate } from '../auth/authGate.js';
import { DEFAULT_FAILURES_PER_MINUTE, FailureThrottle } from '../auth/throttle.js';
import { GobundleError, UsageError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { type FailedRequest, type Miss, classifyMiss, isAnswered } from '../misses/miss.js';
import { missReport, reportJson, reportWants, servedLookup } from '../misses/missReport.js';
import { MissStore } from '../misses/missStore.js';
import { DEFAULT_MISS_LIMIT, type MissEntry } from '../misses/missTable.js';
import { pageServer } from '../page/pageServer.js';
import type { ServeAppOptions } from './app.js';
import type { Metrics } from './metrics.js';
import type { ModuleIndex } from '../bundleset/moduleIndex.js';
import type { ServeIO } from './serveIO.js';
import { cacheLayout } from '../cache/cacheLayout.js';

/** serve's flags for the inside. */
export interface InsideFlags {
  stateDir?: string;
  missesLimit?: string;
  recordClientAddresses?: boolean;
  auth?: string;
  allowInsecureAuth?: boolean;
  authThrottle?: string;
}

/** How long a worker's 404 waits for the primary to record its miss. */
const MISS_ACK_TIMEOUT_MS = 2000;

/** Usage errors, before anything is opened. */
export function checkInsideFlags(flags: InsideFlags, tls: boolean): number {
  if (flags.auth !== undefined && !tls && !flags.allowInsecureAuth) {
    throw new UsageError('serve: --auth over plain http would send passwords and tokens in the clear', {
      hint: 'give --tls-cert and --tls-key (the go command sends credentials over https only), or --allow-insecure-auth behind a TLS-terminating proxy',
    });
  }
  const t = flags.authThrottle === undefined ? DEFAULT_FAILURES_PER_MINUTE : Number(flags.authThrottle);
  if (!Number.isInteger(t) || t < 1 || t > 100_000)
    throw new UsageError(`serve: --auth-throttle ${JSON.stringify(flags.authThrottle)}: want a count from 1 to 100000`);
  const limit = flags.missesLimit === undefined ? DEFAULT_MISS_LIMIT : Number(flags.missesLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000_000)
    throw new UsageError(`serve: --misses-limit ${JSON.stringify(flags.missesLimit)}: want a count from 1 to 10000000`);
  return limit;
}

/** The error for an --auth file that cannot be read or parsed. */
export class AuthFileError extends GobundleError {
  constructor(message: string, hint?: string) {
    super(ErrorCode.AUTH, message, { hint });
  }
}

/** Read and parse the --auth file (an empty one lets nobody in, so it is refused). */
export async function loadAuthorizer(file: string): Promise<Authorizer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AuthFileError(
      `serve: --auth ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'create it with gobundle passwd',
    );
  }
  const a = new Authorizer(parseAuthFile(file, text));
  if (a.size === 0) throw new AuthFileError(`serve: --auth ${file}: no users or tokens`, 'add one with gobundle passwd <file> <user>');
  return a;
}

/** The client address, recorded only when asked for. */
function clientOf(req: IncomingMessage, record: boolean): string | undefined {
  return record ? (req.socket.remoteAddress ?? undefined) : undefined;
}

/** The URL a client reached this server at (for the wants list's header). */
function sourceOf(req: IncomingMessage, basePath: string): string {
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  const prefix = basePath === '/' ? '' : `/${basePath.replace(/^\/+|\/+$/g, '')}`;
  return `${tls ? 'https' : 'http'}://${req.headers.host ?? 'gobundle-serve'}${prefix}`;
}

export interface InsideSetup {
  /** The hooks for createServeApp. */
  hooks(current: () => ModuleIndex, metrics: Metrics): Pick<ServeAppOptions, 'notFound' | 'pages' | 'gate'>;
  /** The primary's answers to workers (misses); undefined in a worker. */
  answers?: (what: string, payload: unknown) => unknown;
  /** After bundles were added: forget misses they answer (primary). */
  bundlesChanged(index: ModuleIndex): void;
  /** SIGHUP: re-read the --auth file. */
  reloadAuth(): Promise<void>;
  close(): void;
}

interface Common {
  flags: Omit<InsideFlags, 'missesLimit'>;
  io: ServeIO;
  basePath: string;
  sumdbKeys: ReadonlyMap<string, string>;
  event: (msg: string) => void;
}

/** The gate and authorizer shared by primary and workers. */
async function authSetup(c: Common): Promise<{ gate: (m: Metrics) => ServeAppOptions['gate']; reload: () => Promise<void> }> {
  if (c.flags.auth === undefined) return { gate: () => undefined, reload: async () => undefined };
  const file = resolve(c.io.cwd, c.flags.auth);
  let authorizer = await loadAuthorizer(file);
  const throttle = new FailureThrottle(c.flags.authThrottle === undefined ? DEFAULT_FAILURES_PER_MINUTE : Number(c.flags.authThrottle));
  return {
    gate: (metrics) =>
      authGate({
        authorizer: () => authorizer,
        throttle,
        onFailure: () => metrics.authFailures++,
        onThrottled: () => metrics.authThrottled++,
      }),
    reload: async () => {
      authorizer = await loadAuthorizer(file);
      c.event(`reloaded --auth ${file}: ${authorizer.size} users and tokens`);
    },
  };
}

/** The primary (or only) process: it holds the miss record. */
export async function primarySetup(c: Common & { cacheRoot: string }, limit: number): Promise<InsideSetup> {
  const auth = await authSetup(c);
  const stateDir = c.flags.stateDir !== undefined ? resolve(c.io.cwd, c.flags.stateDir) : cacheLayout.serveState(c.cacheRoot);
  const store = await MissStore.open(stateDir, { limit, event: c.event });
  c.event(
    `recording misses in ${store.file} (${store.size} recorded${c.flags.recordClientAddresses ? ', with client addresses' : ''}; at most ${limit})`,
  );
  const record = (m: Miss, client: string | undefined): void => {
    try {
      store.record(m, new Date(), client);
    } catch (err) {
      c.event(`misses: could not record ${m.path}@${m.version}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return {
    hooks: (current, metrics) => ({
      gate: auth.gate(metrics),
      notFound: (target: FailedRequest, req) => {
        const m = classifyMiss(target);
        if (m !== undefined) record(m, clientOf(req, c.flags.recordClientAddresses === true));
      },
      pages: pageServer({
        current,
        sumdbKeys: c.sumdbKeys,
        auth: c.flags.auth !== undefined,
        missRecord: async (req) => reportBodies(store.entries(), current(), sourceOf(req, c.basePath)),
      }),
    }),
    answers: (what, payload) => {
      if (what === 'miss') {
        const p = payload as { miss: Miss; client?: string };
        record(p.miss, p.client);
        return true;
      }
      if (what === 'misses') return store.entries();
      return undefined;
    },
    bundlesChanged: (index) => {
      const lookup = servedLookup(index);
      const n = store.forgetAnswered((m) => isAnswered(m, lookup));
      if (n > 0) c.event(`misses: ${n} answered by the served bundles now, no longer recorded`);
    },
    reloadAuth: auth.reload,
    close: () => store.close(),
  };
}

/** A worker: misses go to the primary, which answers the record. */
export async function workerSetup(c: Common, ask: (what: string, payload: unknown) => Promise<unknown>): Promise<InsideSetup> {
  const auth = await authSetup(c);
  return {
    hooks: (current, metrics) => ({
      gate: auth.gate(metrics),
      notFound: async (target: FailedRequest, req) => {
        const m = classifyMiss(target);
        if (m === undefined) return;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          ask('miss', { miss: m, client: clientOf(req, c.flags.recordClientAddresses === true) }),
          new Promise((r) => (timer = setTimeout(r, MISS_ACK_TIMEOUT_MS))),
        ]);
        clearTimeout(timer);
      },
      pages: pageServer({
        current,
        sumdbKeys: c.sumdbKeys,
        auth: c.flags.auth !== undefined,
        missRecord: async (req) =>
          reportBodies(((await ask('misses', null)) as MissEntry[] | undefined) ?? [], current(), sourceOf(req, c.basePath)),
      }),
    }),
    bundlesChanged: () => undefined,
    reloadAuth: auth.reload,
    close: () => undefined,
  };
}

function reportBodies(entries: readonly MissEntry[], index: ModuleIndex, source: string): { json: Buffer; wants: Buffer } {
  const r = missReport(entries, servedLookup(index), source, new Date());
  return { json: Buffer.from(reportJson(r)), wants: Buffer.from(reportWants(r)) };
}
