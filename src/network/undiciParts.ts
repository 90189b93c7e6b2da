/**
 * The parts of undici gobundle uses (Agent, Pool, Client, the
 * `dispatcher.request` API and its header parser), loaded on their own. `import 'undici'`
 * evaluates its whole index — fetch, WebSocket, caches, mocks, interceptors:
 * about 110 files and 170 ms of every pack's start-up on a 2-core machine,
 * against about 60 ms for these. undici's package has no `exports` map, so
 * its files are the public way in; the types still come from its index.
 *
 * The index also installs the request API on Dispatcher.prototype
 * (`Object.assign(Dispatcher.prototype, api)`); done here the same way.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

const Dispatcher = require('undici/lib/dispatcher/dispatcher') as typeof Undici.Dispatcher;
Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js') as object);

export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export type Agent = Undici.Agent;
export const Pool = require('undici/lib/dispatcher/pool') as typeof Undici.Pool;
export type Pool = Undici.Pool;
export const Client = require('undici/lib/dispatcher/client') as typeof Undici.Client;
export type Client = Undici.Client;
export type { buildConnector, Dispatcher } from 'undici';

/** Response headers as undici's request() gives them: lower-case names, repeated ones as arrays. */
export const parseHeaders = (
  require('undici/lib/core/util') as { parseHeaders(raw: Buffer[]): Record<string, string | string[] | undefined> }
).parseHeaders;
