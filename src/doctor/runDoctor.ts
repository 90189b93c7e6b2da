/**
 * gobundle doctor's edge: read the settings (loadGoConfig, networkSettings),
 * the go.mod or go.work given, then ask every server pack would ask, on
 * fresh connections, each request bounded and the whole run under one
 * deadline: every GOPROXY entry (a `list` and an `.info` of a real module),
 * direct fetching (a go-import page), the checksum database directly and
 * through each proxy (`supported`, `latest` checked against the GOSUMDB
 * key, one lookup), and the vulnerability database (`index/db.json`).
 * With --probe N, N more requests per proxy. Read-only: nothing is
 * written, nothing cached. The diagnosis itself is pure (settings.ts,
 * traps.ts, routing.ts, verdicts.ts, suggestion.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeOrigin, loadGoConfig } from '../config/goConfig.js';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { GO_SETTINGS, redactUrl, sumdbApplies, proxiesForModule, type ProcessEnv, type ProxySpec } from '../gomod/goenv.js';
import { parseModFile } from '../gomod/modfile.js';
import { escapePath, escapeVersion } from '../gomod/modulePath.js';
import { compare, isValid } from '../gomod/semver.js';
import { parseWorkFile } from '../gomod/gowork.js';
import { mapLimit } from '../concurrency/mapLimit.js';
import { networkSettings, type NetworkSettings } from '../network/networkSettings.js';
import { probe, type ProbeResult } from '../network/probe.js';
import { locateInput } from '../inputs/locateInput.js';
import { proxyUrl } from '../proxy/proxyUrl.js';
import { newVerifier, open, UnverifiedNoteError } from '../sumdb/note.js';
import { parseRecord, parseTree } from '../sumdb/tlog/treeNote.js';
import type { CheckLine, DoctorReport, ProbeRow, RequestResult, Verdict } from './report.js';
import { routeLines } from './routing.js';
import { settingLines } from './settings.js';
import { probeRow, suggestGoproxy } from './suggestion.js';
import { checkTraps, settingTraps } from './traps.js';
import { conclude, connectionInfo, looksLikeHtml, requestResult, statusWords, worst, type Expectation } from './verdicts.js';

/** A go.mod the project names (directly, or through go.work's use lines) that cannot be read. */
export class NoGoModError extends GobundleError {
  constructor(message: string) {
    super(ErrorCode.NOGOMOD, message);
  }
}

/** Each request doctor makes is bounded by this, by default. */
export const DEFAULT_DOCTOR_REQUEST_TIMEOUT_MS = 10_000;
/** The whole run is bounded by this, by default. */
export const DEFAULT_DOCTOR_DEADLINE_MS = 120_000;
/** Requests of --probe in flight per proxy. */
export const PROBE_CONCURRENCY = 8;
/** A module every public proxy has, asked about when no go.mod names one. */
export const WELL_KNOWN_MODULE = 'golang.org/x/mod';
/** Bytes of an answer doctor reads (lists, .info, notes, lookups, db.json are small). */
const BODY_LIMIT = 1 << 20;

export interface DoctorOptions {
  env: ProcessEnv;
  cwd: string;
  /** A go.mod, go.work or directory; undefined: the working directory's, if any. */
  input?: string;
  /** The vulnerability database pack would read (vulnDbSetting), undefined when off. */
  vulndb: { url: string; from: string } | undefined;
  /** --probe N: N requests per proxy. */
  probeCount?: number;
  requestTimeoutMs?: number;
  deadlineMs?: number;
}

interface Requirement {
  path: string;
  version: string;
}

/** The modules a go.mod (or each module of a go.work) requires, first version of each path. */
async function readRequirements(
  input: string | undefined,
  cwd: string,
): Promise<{ name: string; requirements: Requirement[] } | undefined> {
  let located;
  if (input === undefined) {
    try {
      located = await locateInput('.', cwd);
      await stat(located.file);
    } catch {
      return undefined;
    }
  } else {
    located = await locateInput(input, cwd);
  }
  const files: string[] = [];
  if (located.kind === 'go.mod') {
    files.push(located.file);
  } else {
    const work = parseWorkFile(located.file, await readFile(located.file));
    for (const u of work.use) files.push(join(located.dir, u.path, 'go.mod'));
  }
  const seen = new Map<string, string>();
  const mains: string[] = [];
  for (const f of files) {
    let data: Buffer;
    try {
      data = await readFile(f);
    } catch (err) {
      throw new NoGoModError(`${f}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const mod = parseModFile(f, data);
    if (mod.module !== undefined) mains.push(mod.module.path);
    for (const r of mod.require) if (!seen.has(r.path)) seen.set(r.path, r.version);
  }
  const name = `${located.kind} ${mains.join(' ') || located.file}`;
  return { name, requirements: [...seen].map(([path, version]) => ({ path, version })) };
}

function proxyEntries(specs: readonly ProxySpec[]): string[] {
  return [...new Set(specs.filter((s) => s.kind === 'url').map((s) => s.url ?? ''))];
}

function bodyText(r: ProbeResult): string {
  return (r.body ?? Buffer.alloc(0)).toString('utf8');
}

const htmlWords = 'an HTML page with 200: a login page, a captive portal or an error page, not the file';

/** The advice for a server that is blocked, failing or slow, from what went wrong. */
function adviceFor(results: readonly ProbeResult[], verdict: Verdict, what: string): string | undefined {
  if (verdict === 'ok') return undefined;
  if (verdict === 'slow') return `measure it with gobundle doctor --probe 50; put a faster mirror first in GOPROXY, with "|" after it`;
  const failed = results.find((r) => r.error !== undefined);
  const err = failed?.error;
  if (err === undefined) return `ask the operator of ${what}; meanwhile list another mirror after it, separated by "|"`;
  switch (err.kind) {
    case 'dns':
      return 'the name does not resolve from here; if only a company proxy can resolve it, set HTTPS_PROXY (and HTTP_PROXY) to that proxy: the go command uses it too';
    case 'refused':
      return 'nothing listens there: check the URL; if connections out must go through a company proxy, set HTTPS_PROXY';
    case 'timeout':
      return failed?.connected === true
        ? `${what} accepts connections and then goes silent: pack --timeout gives up sooner; list another mirror after it, separated by "|"`
        : 'no connection in time: a firewall that drops packets? check the URL; if connections out must go through a company proxy, set HTTPS_PROXY';
    case 'reset':
    case 'truncated':
      return `${what}, or something on the way, cuts connections: list another mirror after it, separated by "|"`;
    case 'tls':
      return 'if this network inspects TLS, set SSL_CERT_FILE to its root certificate (the go command reads it too); otherwise the connection is intercepted';
    case 'proxy':
      return 'the outbound proxy is the problem: see its message; check HTTPS_PROXY/HTTP_PROXY (and NO_PROXY)';
    default:
      return undefined;
  }
}

function summaryFor(verdict: Verdict, results: readonly ProbeResult[], ok: string, failing: string): string {
  switch (verdict) {
    case 'ok':
    case 'slow':
      return ok;
    case 'failing': {
      const err = results.find((r) => r.error !== undefined)?.error;
      return err === undefined ? failing : `reached, but the exchange fails: ${err.reason}`;
    }
    case 'blocked':
      return `cannot be reached: ${results.find((r) => r.error !== undefined)?.error?.reason ?? 'no answer'}`;
  }
}

class Doctor {
  readonly #network: NetworkSettings;
  readonly #signal: AbortSignal;
  readonly #timeoutMs: number;

  constructor(opts: DoctorOptions, network: NetworkSettings) {
    this.#network = network;
    this.#signal = AbortSignal.timeout(opts.deadlineMs ?? DEFAULT_DOCTOR_DEADLINE_MS);
    this.#timeoutMs = opts.requestTimeoutMs ?? DEFAULT_DOCTOR_REQUEST_TIMEOUT_MS;
  }

  get(url: string, credentials = true): Promise<ProbeResult> {
    return probe(this.#network, url, { timeoutMs: this.#timeoutMs, limit: BODY_LIMIT, signal: this.#signal, credentials });
  }

  /** A GOPROXY entry: `list` and `.info` of the module. */
  async proxy(base: string, m: { path: string; version: string | undefined }): Promise<CheckLine> {
    const list = await this.get(proxyUrl(base, escapePath(m.path), '@v/list'));
    const results: (RequestResult & { notFound: boolean })[] = [];
    const versions = bodyText(list)
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter((v) => isValid(v));
    const listExpect: Expectation = (r) => {
      if (r.status === 404 || r.status === 410)
        return { ok: true, notFound: true, detail: `${statusWords(r)}: it does not have ${m.path} (the next GOPROXY entry is asked)` };
      if (r.status !== 200) return { ok: false, detail: statusWords(r) };
      if (looksLikeHtml(r)) return { ok: false, detail: htmlWords };
      const bad = bodyText(r)
        .split('\n')
        .filter((l) => l.trim() !== '' && !isValid(l.trim().split(/\s+/)[0] ?? ''));
      if (bad.length > 0) return { ok: false, detail: `not a version list (${JSON.stringify(bad[0]?.slice(0, 40))})` };
      return { ok: true, detail: `${versions.length} version${versions.length === 1 ? '' : 's'}` };
    };
    results.push(requestResult(`list ${m.path}`, list, listExpect));
    const version = m.version ?? [...versions].sort(compare).pop();
    let info: ProbeResult | undefined;
    if (version !== undefined && list.error === undefined) {
      info = await this.get(proxyUrl(base, escapePath(m.path), `@v/${escapeVersion(version)}.info`));
      results.push(
        requestResult(`info ${m.path}@${version}`, info, (r) => {
          if (r.status === 404 || r.status === 410)
            return { ok: true, notFound: true, detail: `${statusWords(r)}: it does not have ${m.path}@${version}` };
          if (r.status !== 200) return { ok: false, detail: statusWords(r) };
          if (looksLikeHtml(r)) return { ok: false, detail: htmlWords };
          try {
            const j = JSON.parse(bodyText(r)) as { Version?: unknown; Time?: unknown };
            if (j.Version !== version) return { ok: false, detail: `names version ${JSON.stringify(j.Version)}, not ${version}` };
            return { ok: true, detail: `${version}${typeof j.Time === 'string' ? ` of ${j.Time}` : ''}` };
          } catch {
            return { ok: false, detail: 'not the JSON of a version' };
          }
        }),
      );
    }
    const probes = info === undefined ? [list] : [list, info];
    const verdict = worst(results.map((r) => r.verdict));
    const notFound = results.some((r) => r.notFound);
    return {
      kind: 'proxy',
      target: redactUrl(base),
      route: list.route,
      verdict,
      ...(connectionInfo(list) === undefined ? {} : { connection: connectionInfo(list) }),
      requests: results,
      summary: summaryFor(
        verdict,
        probes,
        notFound ? `answers, but does not have ${m.path}: the next GOPROXY entry is asked for it` : `answers: it serves ${m.path}`,
        `answers, but not as a module proxy: ${results.find((r) => r.verdict === 'failing')?.detail ?? ''}`,
      ),
      ...(adviceFor(probes, verdict, redactUrl(base)) === undefined ? {} : { advice: adviceFor(probes, verdict, redactUrl(base)) }),
    };
  }

  /** Direct fetches: can this machine reach the module's own host (a go-import page)? */
  async direct(path: string): Promise<CheckLine> {
    const r = await this.get(`https://${path}?go-get=1`);
    const result = requestResult(`go-import ${path}`, r, (x) => ({ ok: true, detail: statusWords(x) }));
    const verdict = result.verdict;
    return {
      kind: 'direct',
      target: `https://${path}`,
      route: r.route,
      verdict,
      ...(connectionInfo(r) === undefined ? {} : { connection: connectionInfo(r) }),
      requests: [result],
      summary:
        verdict === 'blocked'
          ? `cannot reach https://${path}: ${r.error?.reason ?? ''}`
          : `https://${path} answers (git must reach its repository too)`,
      ...(adviceFor([r], verdict, path) === undefined ? {} : { advice: adviceFor([r], verdict, path) }),
    };
  }

  /** The checksum database at `base` (`label` names it): latest against the key, one lookup. */
  async sumdb(label: string, base: string, key: string, m: Requirement | undefined, supported?: string): Promise<CheckLine> {
    const results: (RequestResult & { notFound: boolean })[] = [];
    const probes: ProbeResult[] = [];
    if (supported !== undefined) {
      const s = await this.get(supported);
      probes.push(s);
      results.push(
        requestResult('supported', s, (r) =>
          r.status === 200
            ? { ok: true, detail: 'it serves this checksum database' }
            : r.status === 404 || r.status === 410
              ? {
                  ok: true,
                  notFound: true,
                  detail: `${statusWords(r)}: it does not serve this checksum database (the next entry is asked)`,
                }
              : { ok: false, detail: statusWords(r) },
        ),
      );
    }
    const served = supported === undefined || (results[0]?.verdict !== 'blocked' && results[0]?.status === 200);
    if (served) {
      const verifier = newVerifier(key);
      const latest = await this.get(`${base}/latest`);
      probes.push(latest);
      results.push(
        requestResult('latest', latest, (r) => {
          if (r.status !== 200) return { ok: false, detail: statusWords(r) };
          if (looksLikeHtml(r)) return { ok: false, detail: htmlWords };
          try {
            const note = open(r.body ?? Buffer.alloc(0), [verifier]);
            const tree = parseTree(note.text);
            return {
              ok: true,
              detail: `tree#${tree.n}, signed by ${verifier.name}+${verifier.keyHash.toString(16).padStart(8, '0')} as GOSUMDB says`,
            };
          } catch (err) {
            if (err instanceof UnverifiedNoteError) {
              const other = err.note.unverifiedSigs.map((s) => `${s.name}+${s.hash.toString(16).padStart(8, '0')}`).join(', ');
              return {
                ok: false,
                detail: `signed by ${other || 'no key'}, not by the key GOSUMDB names (${verifier.name}+${verifier.keyHash.toString(16).padStart(8, '0')}): a database with another key, or a tampered one`,
              };
            }
            return { ok: false, detail: `not a signed tree head: ${err instanceof Error ? err.message : String(err)}` };
          }
        }),
      );
      if (m !== undefined && latest.error === undefined) {
        const lookup = await this.get(`${base}/lookup/${escapePath(m.path)}@${escapeVersion(m.version)}`);
        probes.push(lookup);
        results.push(
          requestResult(`lookup ${m.path}@${m.version}`, lookup, (r) => {
            if (r.status === 404 || r.status === 410) {
              return {
                ok: false,
                detail: `${statusWords(r)}: the database does not know it (a private module? list it in GONOSUMDB or GOPRIVATE)`,
              };
            }
            if (r.status !== 200) return { ok: false, detail: statusWords(r) };
            try {
              const rec = parseRecord(r.body ?? Buffer.alloc(0));
              open(rec.rest, [verifier]);
              return { ok: true, detail: `record ${rec.id}, signed` };
            } catch (err) {
              return { ok: false, detail: `not a signed record: ${err instanceof Error ? err.message : String(err)}` };
            }
          }),
        );
      }
    }
    const verdict = worst(results.map((r) => r.verdict));
    const notServed = results[0]?.notFound === true;
    const failing = results.find((r) => r.verdict === 'failing');
    return {
      kind: 'sumdb',
      target: label,
      route: probes[0]?.route ?? 'direct',
      verdict,
      ...(connectionInfo(probes[0]) === undefined ? {} : { connection: connectionInfo(probes[0]) }),
      requests: results,
      summary: summaryFor(
        verdict,
        probes,
        notServed ? 'this proxy does not serve the checksum database' : 'answers, signed with the GOSUMDB key',
        `answers, but ${failing?.detail ?? 'wrongly'}`,
      ),
      ...(failing?.detail.startsWith('signed by') === true
        ? {
            advice: 'check GOSUMDB: it must name the database this mirror serves (name+hash+key), or use a mirror that serves the real one',
          }
        : adviceFor(probes, verdict, label) === undefined
          ? {}
          : { advice: adviceFor(probes, verdict, label) }),
    };
  }

  async vulndb(url: string): Promise<CheckLine> {
    const base = url.replace(/\/+$/, '');
    // govulncheck sends no credentials to the database; neither does pack.
    const r = await this.get(`${base}/index/db.json`, false);
    const result = requestResult('index/db.json', r, (x) => {
      if (x.status !== 200) return { ok: false, detail: statusWords(x) };
      if (looksLikeHtml(x)) return { ok: false, detail: htmlWords };
      try {
        const j = JSON.parse(bodyText(x)) as { modified?: unknown };
        if (typeof j.modified !== 'string') return { ok: false, detail: 'not a Go vulnerability database (no "modified")' };
        return { ok: true, detail: `modified ${j.modified}` };
      } catch {
        return { ok: false, detail: 'not JSON' };
      }
    });
    return {
      kind: 'vulndb',
      target: redactUrl(base),
      route: r.route,
      verdict: result.verdict,
      ...(connectionInfo(r) === undefined ? {} : { connection: connectionInfo(r) }),
      requests: [result],
      summary: summaryFor(result.verdict, [r], 'answers: a Go vulnerability database', `answers, but ${result.detail}`),
      ...(result.verdict === 'ok'
        ? {}
        : {
            advice:
              'pack --vulndb <url> of a copy this machine can reach (a mirror, or file:///path to a copy); the default database is optional for pack',
          }),
    };
  }

  /** --probe: n requests to `url` at bounded concurrency. */
  async probeProxy(proxy: string, url: string, n: number): Promise<ProbeRow> {
    const latencies: number[] = [];
    const failures: string[] = [];
    await mapLimit(
      Array.from({ length: n }, (_, i) => i),
      Math.min(PROBE_CONCURRENCY, n),
      async () => {
        if (this.#signal.aborted) {
          failures.push('deadline');
          return;
        }
        const r = await this.get(url);
        if (r.error !== undefined) failures.push(r.error.kind);
        else if (r.status !== 200 && r.status !== 404 && r.status !== 410) failures.push(String(r.status));
        else if (r.status === 200 && looksLikeHtml(r)) failures.push('html');
        else latencies.push(r.totalMs);
      },
    );
    return probeRow(proxy, latencies, failures);
  }
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const config = await loadGoConfig(opts.env);
  const network = networkSettings(opts.env, config.env.GOAUTH);
  const origins = Object.fromEntries(GO_SETTINGS.map((k) => [k, describeOrigin(config.origins[k])]));
  const envFileExists =
    config.envFile === undefined
      ? false
      : await stat(config.envFile).then(
          (s) => s.isFile(),
          () => false,
        );
  const mod = await readRequirements(opts.input, opts.cwd);
  const requirements = mod?.requirements ?? [];
  const specs = config.proxies;
  const env = config.env;
  const gonosumdbFromGoprivate = config.origins.GONOSUMDB.kind === 'default' && env.GOPRIVATE !== '';

  const settings = settingLines({
    env: opts.env,
    goEnv: env,
    origins,
    network,
    envFile: { path: config.envFile, exists: envFileExists },
    vulndb: opts.vulndb,
  });
  const routing =
    mod === undefined
      ? null
      : {
          input: mod.name,
          lines: routeLines(
            requirements.map((r) => r.path),
            env,
            specs,
            config.sumdb,
            gonosumdbFromGoprivate,
          ),
        };

  // The module to ask about: the first requirement served by a proxy, else a well-known one.
  const gonoproxySource = env.GONOPROXYFromGOPRIVATE ? 'GOPRIVATE' : 'GONOPROXY';
  const viaProxy = requirements.find((r) =>
    proxiesForModule(specs, r.path, env.GONOPROXY, gonoproxySource).specs.some((s) => s.kind === 'url'),
  );
  const asked: { path: string; version: string | undefined } = viaProxy ?? { path: WELL_KNOWN_MODULE, version: undefined };
  const privatePaths = requirements
    .filter((r) => {
      const first = proxiesForModule(specs, r.path, env.GONOPROXY, gonoproxySource).specs[0];
      return first?.kind === 'direct' && first.routedBy !== 'GOPROXY';
    })
    .map((r) => r.path);
  const directPath = privatePaths[0] ?? asked.path;

  const doctor = new Doctor(opts, network);
  const proxies = proxyEntries(specs);
  const jobs: Promise<CheckLine>[] = proxies.map((p) => doctor.proxy(p, asked));
  if (specs.some((s) => s.kind === 'direct') || directPath !== asked.path) jobs.push(doctor.direct(directPath));

  const db = config.sumdb;
  const sumdbNeeded = requirements.length === 0 || requirements.some((r) => sumdbApplies(r.path, env));
  let lookupModule: Requirement | undefined;
  if (db.off !== true) {
    lookupModule =
      requirements.find((r) => sumdbApplies(r.path, env) && r.path === asked.path) ?? requirements.find((r) => sumdbApplies(r.path, env));
    jobs.push(doctor.sumdb(`${db.name} at ${redactUrl(db.url)}`, db.url.replace(/\/+$/, ''), db.key, lookupModule));
    if (!db.urlExplicit) {
      for (const p of proxies) {
        const base = `${p.replace(/\/$/, '')}/sumdb/${db.name}`;
        jobs.push(doctor.sumdb(`${db.name} via ${redactUrl(p)}`, base, db.key, lookupModule, `${base}/supported`));
      }
    }
  }
  if (opts.vulndb !== undefined) jobs.push(doctor.vulndb(opts.vulndb.url));
  const checks = await Promise.all(jobs);

  let probeTable: DoctorReport['probe'] = null;
  if (opts.probeCount !== undefined && opts.probeCount > 0 && proxies.length > 0) {
    const version = asked.version ?? checks.find((c) => c.kind === 'proxy')?.requests[1]?.what.split('@')[1];
    const file = version === undefined ? '@v/list' : `@v/${escapeVersion(version)}.info`;
    const rows: ProbeRow[] = [];
    for (const p of proxies) rows.push(await doctor.probeProxy(redactUrl(p), proxyUrl(p, escapePath(asked.path), file), opts.probeCount));
    const direct = checks.find((c) => c.kind === 'direct');
    probeTable = {
      n: opts.probeCount,
      concurrency: Math.min(PROBE_CONCURRENCY, opts.probeCount),
      what: version === undefined ? `list ${asked.path}` : `info ${asked.path}@${version}`,
      rows,
      suggestion: suggestGoproxy(rows, specs.some((s) => s.kind === 'direct') ? direct?.verdict : undefined),
    };
  }

  const urls = [...proxies, ...(db.off === true ? [] : [db.url]), ...(opts.vulndb === undefined ? [] : [opts.vulndb.url])];
  const traps = [
    ...settingTraps({ env: opts.env, goEnv: env, origins, specs, network, urls, modulePaths: requirements.map((r) => r.path) }),
    ...checkTraps(specs, checks, origins),
  ];
  const { packWouldWork, conclusion, sumdbUsed } = conclude({
    specs,
    checks,
    sumdb: db,
    sumdbNeeded,
    vulndb: opts.vulndb === undefined ? undefined : { url: opts.vulndb.url, named: opts.vulndb.from !== 'default' },
    directModules: privatePaths,
  });
  // A way to the checksum database pack will not take is shown, but its failure is not pack's.
  const annotated = checks.map((c) =>
    c.kind === 'sumdb' && sumdbUsed !== undefined && c.target !== sumdbUsed && c.verdict !== 'ok'
      ? { ...c, summary: `${c.summary} (pack does not need it: it uses ${sumdbUsed})` }
      : c,
  );
  return { settings, traps, routing, checks: annotated, probe: probeTable, packWouldWork, conclusion };
}
