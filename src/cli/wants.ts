import { writeFile, rename } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { Command } from 'commander';
import { Agent, fetch as undiciFetch } from 'undici';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { missReport, reportJson, reportWants, type MissReport } from '../misses/missReport.js';
import { readMissesDir } from '../misses/missStore.js';
import { netrcCredentials, parseNetrc } from '../vcs/netrc.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';

interface WantsCliOptions {
  output?: string;
  json?: boolean;
}

/** A serve URL that did not give its miss record. */
export class WantsFetchError extends GobundleError {
  constructor(message: string, hint?: string) {
    super(ErrorCode.WANTS, message, { hint });
  }
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

/**
 * Ask serve. Credentials as the go command finds them: `.netrc` ($NETRC,
 * else ~/.netrc) for the host, or GOBUNDLE_TOKEN as a bearer token; a
 * company CA from SSL_CERT_FILE, as the go command reads it.
 */
async function fromServe(url: string, json: boolean, io: CliIO): Promise<string> {
  const u = new URL(url.replace(/\/+$/, '') + (json ? '/-/misses.json' : '/-/wants.txt'));
  const headers: Record<string, string> = {};
  const token = io.env.GOBUNDLE_TOKEN;
  if (token !== undefined && token !== '') headers.authorization = `Bearer ${token}`;
  else {
    const netrc = io.env.NETRC !== undefined && io.env.NETRC !== '' ? io.env.NETRC : join(io.env.HOME ?? homedir(), '.netrc');
    let lines: ReturnType<typeof parseNetrc> = [];
    try {
      lines = parseNetrc(readFileSync(netrc, 'utf8'));
    } catch {
      // No .netrc: ask without credentials.
    }
    const c = netrcCredentials(lines, u.hostname);
    if (c !== undefined) headers.authorization = `Basic ${Buffer.from(`${c.login}:${c.password}`).toString('base64')}`;
  }
  const caFile = io.env.SSL_CERT_FILE;
  const dispatcher = caFile !== undefined && caFile !== '' ? new Agent({ connect: { ca: readFileSync(caFile) } }) : undefined;
  const shown = `${u.protocol}//${u.host}${u.pathname}`;
  try {
    const res = await undiciFetch(u, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), ...(dispatcher ? { dispatcher } : {}) });
    const body = await res.text();
    if (res.status === 401)
      throw new WantsFetchError(
        `wants: ${shown}: 401 Unauthorized`,
        'put the credentials for this host in ~/.netrc (or $NETRC), or a token in GOBUNDLE_TOKEN',
      );
    if (res.status !== 200)
      throw new WantsFetchError(`wants: ${shown}: ${res.status} ${res.statusText}: ${body.split('\n')[0] ?? ''}`, 'is it gobundle serve?');
    return body;
  } catch (err) {
    if (err instanceof GobundleError) throw err;
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new WantsFetchError(`wants: ${shown}: ${err instanceof Error ? err.message : String(err)}${cause}`);
  } finally {
    await dispatcher?.close();
  }
}
