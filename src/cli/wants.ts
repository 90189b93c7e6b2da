import { writeFile, rename } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadGoConfig } from '../config/goConfig.js';
import { GobundleError, NetworkError, NotFoundError } from '../errors.js';
import { readCapped } from '../network/cappedBody.js';
import { HttpTransport } from '../network/httpTransport.js';
import { networkSettings } from '../network/networkSettings.js';
import { missReport, reportJson, reportWants, type MissReport } from '../misses/missReport.js';
import { readMissesDir } from '../misses/missStore.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { WantsFetchError } from '../misses/wantsList.js';

interface WantsCliOptions {
  output?: string;
  json?: boolean;
}

/** How long `wants <url>` waits for serve. */
const FETCH_TIMEOUT_MS = 30_000;

/**
 * `gobundle wants <state-dir | serve URL> [-o FILE] [--json]`: the misses
 * serve recorded, as the list `gobundle pack --from-list` takes on the
 * connected side. From a state directory it reads the record as it is on
 * disk; from a URL it asks serve (`/-/wants.txt`, `/-/misses.json`), which
 * leaves out what its bundles answer now.
 */
export function registerWants(program: Command, io: CliIO): void {
  declareCommand(program, 'wants')
    .argument('<source>', "serve's --state-dir, or serve's URL (http(s)://host:port)")
    .option('-o, --output <file>', 'write the list to this file (replaced atomically) instead of stdout')
    .option('--json', 'print the misses and the wants as JSON')
    .action(async (source: string, options: WantsCliOptions) => {
      const text = /^https?:\/\//.test(source)
        ? await fromServe(source, options.json === true, io)
        : await fromDir(source, options.json === true, io);
      if (options.output === undefined) {
        io.stdout.write(text);
        return;
      }
      const out = resolve(io.cwd, options.output);
      const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
      await writeFile(tmp, text);
      await rename(tmp, out);
    });
}

async function fromDir(dir: string, json: boolean, io: CliIO): Promise<string> {
  const abs = resolve(io.cwd, dir);
  const read = await readMissesDir(abs);
  if (read.unreadable > 0 || read.torn > 0)
    io.stderr.write(`gobundle: wants: ${abs}: skipped ${read.unreadable} unreadable lines and ${read.torn} bytes of a torn last line\n`);
  const r: MissReport = missReport(read.table.entries(), undefined, abs, new Date());
  return json ? reportJson(r) : reportWants(r);
}

/** The largest miss record read from serve (its record is bounded by --misses-limit; this is far above it). */
const MAX_RECORD_BYTES = 64 << 20;

/**
 * Ask serve, through the one network edge (src/network/): credentials as the
 * go command finds them (GOAUTH, default `.netrc` by host and port), or
 * GOBUNDLE_TOKEN as a bearer token; the company proxy and SSL_CERT_FILE
 * roots as for pack.
 */
async function fromServe(url: string, json: boolean, io: CliIO): Promise<string> {
  const u = new URL(url.replace(/\/+$/, '') + (json ? '/-/misses.json' : '/-/wants.txt'));
  const shown = `${u.protocol}//${u.host}${u.pathname}`;
  const token = io.env.GOBUNDLE_TOKEN;
  const config = await loadGoConfig(io.env);
  const transport = new HttpTransport({
    network: networkSettings(io.env, config.env.GOAUTH),
    headersTimeoutMs: FETCH_TIMEOUT_MS,
    bodyTimeoutMs: FETCH_TIMEOUT_MS,
    retry: { attempts: 2 },
  });
  try {
    const body = await transport.get(
      u.href,
      (b, meta) =>
        readCapped(
          b,
          MAX_RECORD_BYTES,
          meta.contentLength,
          () => new WantsFetchError(`wants: ${shown}: larger than ${MAX_RECORD_BYTES} bytes`),
        ),
      {
        tag: { kind: 'proxy', server: `${u.protocol}//${u.host}` },
        ...(token !== undefined && token !== '' ? { credentials: { authorization: `Bearer ${token}` } } : {}),
      },
    );
    return body.toString('utf8');
  } catch (err) {
    if (err instanceof NetworkError && err.status === 401)
      throw new WantsFetchError(
        `wants: ${shown}: 401 Unauthorized`,
        'put the credentials for this host (machine host:port) in ~/.netrc (or $NETRC), or a token in GOBUNDLE_TOKEN',
      );
    if (err instanceof NotFoundError) throw new WantsFetchError(`wants: ${shown}: 404 Not Found`, 'is it gobundle serve?');
    if (err instanceof GobundleError) throw new WantsFetchError(`wants: ${err.message}`, err.hint);
    throw err;
  } finally {
    await transport.close();
  }
}
