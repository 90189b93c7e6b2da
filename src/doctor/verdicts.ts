/**
 * Verdicts: one per request from how it was answered, one per server (its
 * worst request), and the conclusion: would `gobundle pack` get what it
 * needs, following GOPROXY's fallback rules (cmd/go TryProxies), the way
 * the checksum database is found (initBase), and the vulnerability
 * database's rule (a default that fails is a warning, a named one a
 * failure). Pure.
 */
import { redactUrl, type GoSumDB, type ProxySpec } from '../gomod/goenv.js';
import type { ProbeResult } from '../network/probe.js';
import type { CheckLine, ConnectionInfo, RequestResult, Verdict } from './report.js';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** doctor found that pack would not work: exit 1 (the report says why). */
export class PackWouldFailError extends GobundleError {
  constructor() {
    super(ErrorCode.DOCTOR, 'doctor: pack would not work with these settings from here (the report above says why)');
  }
}

/** A request slower than this to its first byte is slow: a pack makes thousands. */
export const SLOW_MS = 1000;

const RANK: Readonly<Record<Verdict, number>> = { ok: 0, slow: 1, failing: 2, blocked: 3 };

export function worst(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((w, v) => (RANK[v] > RANK[w] ? v : w), 'ok');
}

/** What a good answer looks like: ok, or why not; `notFound` marks an answer that sends the go command to the next entry. */
export type Expectation = (r: ProbeResult & { status: number }) => { ok: boolean; detail: string; notFound?: boolean };

/** The verdict and words for one request. */
export function requestResult(what: string, r: ProbeResult, expect: Expectation): RequestResult & { notFound: boolean } {
  const base = { what, url: r.url, totalMs: r.totalMs, ...(r.ttfbMs === undefined ? {} : { ttfbMs: r.ttfbMs }) };
  if (r.error !== undefined || r.status === undefined) {
    // Never reached (no such host, refused, the outbound proxy, TLS): blocked. Reached, then it failed (a reset, a stall): failing.
    const reached = r.connected && r.error?.kind !== 'tls' && r.error?.kind !== 'proxy';
    return {
      ...base,
      ...(r.status === undefined ? {} : { status: r.status }),
      verdict: reached ? 'failing' : 'blocked',
      detail: r.error?.reason ?? 'no answer',
      notFound: false,
    };
  }
  const e = expect(r as ProbeResult & { status: number });
  const slow = (r.ttfbMs ?? 0) > SLOW_MS;
  return {
    ...base,
    status: r.status,
    verdict: !e.ok ? 'failing' : slow ? 'slow' : 'ok',
    detail: slow && e.ok ? `${e.detail}; slow: ${Math.round(r.ttfbMs ?? 0)} ms to the first byte` : e.detail,
    notFound: e.notFound === true,
  };
}

export function connectionInfo(r: ProbeResult | undefined): ConnectionInfo | undefined {
  if (r === undefined) return undefined;
  const t = r.trace;
  const info: ConnectionInfo = {
    ...(t.dnsMs === undefined ? {} : { dnsMs: t.dnsMs }),
    ...(t.tcpMs === undefined ? {} : { tcpMs: t.tcpMs }),
    ...(t.proxyMs === undefined ? {} : { proxyMs: t.proxyMs }),
    ...(t.tlsMs === undefined ? {} : { tlsMs: t.tlsMs }),
  };
  if (t.certificate !== undefined) {
    const c = t.certificate;
    info.certificate = { subject: c.subject, issuer: c.issuer, validTo: c.validTo, trusted: c.trusted, hostMatches: c.hostMatches };
  }
  return info;
}

/** A text body that looks like an HTML page: what a captive portal or a proxy's error page answers with 200. */
export function looksLikeHtml(r: ProbeResult): boolean {
  const head = (r.body ?? Buffer.alloc(0)).subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  return /^<(!doctype html|html|head|body)/.test(head) || (r.contentType ?? '').toLowerCase().startsWith('text/html');
}

/** An answer's status, as the go command words it. */
export function statusWords(r: ProbeResult & { status: number }): string {
  return `${r.status}${r.statusText === undefined || r.statusText === '' ? '' : ` ${r.statusText}`}`;
}

export interface ConclusionInput {
  specs: readonly ProxySpec[];
  checks: readonly CheckLine[];
  sumdb: GoSumDB;
  /** Whether any module needs the checksum database (no go.mod given: assume so). */
  sumdbNeeded: boolean;
  /** The vulnerability database pack would read, and whether the user named it. */
  vulndb: { url: string; named: boolean } | undefined;
  /** Module paths of the go.mod that GONOPROXY/GOPRIVATE send to their repositories. */
  directModules: readonly string[];
}

/** The check of a GOPROXY entry by its target name. */
function checkFor(checks: readonly CheckLine[], kind: CheckLine['kind'], target: string): CheckLine | undefined {
  return checks.find((c) => c.kind === kind && c.target === target);
}

/**
 * Would pack work? Modules: walk GOPROXY as TryProxies does for the module
 * doctor asked about. Checksum database: the base initBase would pick.
 * Vulnerability database: only a named one must work.
 */
export function conclude(input: ConclusionInput): { packWouldWork: boolean; conclusion: string; sumdbUsed: string | undefined } {
  const problems: string[] = [];
  const remarks: string[] = [];
  let sumdbUsed: string | undefined;

  // Module files.
  let modules: string | undefined;
  const entries = input.specs.filter((s) => s.kind !== 'noproxy');
  for (const s of entries) {
    if (s.kind === 'off') {
      modules = 'GOPROXY reaches "off": module lookups fail';
      break;
    }
    if (s.kind === 'direct') {
      const d = input.checks.find((c) => c.kind === 'direct');
      if (d !== undefined && d.verdict === 'blocked') modules = `GOPROXY reaches "direct", which cannot work from here (${d.summary})`;
      else remarks.push('modules come from version control ("direct")');
      break;
    }
    const name = redactUrl(s.url ?? '');
    const c = checkFor(input.checks, 'proxy', name);
    if (c === undefined) continue;
    const lastInfo = c.requests[c.requests.length - 1] as (RequestResult & { notFound?: boolean }) | undefined;
    if (c.verdict === 'ok' || c.verdict === 'slow') {
      if (lastInfo?.notFound === true) continue;
      if (c.verdict === 'slow') remarks.push(`${name} is slow`);
      modules = undefined;
      remarks.unshift(`modules come from ${name}`);
      break;
    }
    if (s.fallBackOnError) {
      remarks.push(`${name} is ${c.verdict}; "|" falls through to the next entry`);
      continue;
    }
    const i = entries.indexOf(s);
    modules =
      i === entries.length - 1
        ? `${name} is ${c.verdict} and no GOPROXY entry follows it`
        : `${name} is ${c.verdict}, and the "," after it lets the go command and gobundle go on only after a 404 or 410`;
    break;
  }
  if (modules === undefined && entries.length > 0 && !remarks.some((r) => r.startsWith('modules come from'))) {
    modules = 'no GOPROXY entry has the module doctor asked about';
  }
  if (modules !== undefined) problems.push(modules);
  const direct = input.checks.find((c) => c.kind === 'direct');
  if (input.directModules.length > 0 && direct?.verdict === 'blocked') {
    problems.push(
      `${input.directModules.join(', ')} must come from ${input.directModules.length === 1 ? 'its repository' : 'their repositories'} (GONOPROXY/GOPRIVATE), which cannot be reached from here`,
    );
  }

  // The checksum database.
  if (input.sumdb.off !== true && input.sumdbNeeded) {
    const db = input.sumdb;
    let chosen: CheckLine | undefined;
    if (db.urlExplicit) {
      chosen = checkFor(input.checks, 'sumdb', `${db.name} at ${redactUrl(db.url)}`);
    } else {
      for (const s of entries) {
        if (s.kind !== 'url') break;
        const c = checkFor(input.checks, 'sumdb', `${db.name} via ${redactUrl(s.url ?? '')}`);
        if (c === undefined) continue;
        const supported = c.requests[0] as (RequestResult & { notFound?: boolean }) | undefined;
        if (supported?.notFound === true) continue;
        if (c.verdict === 'blocked' && s.fallBackOnError) continue;
        chosen = c;
        break;
      }
      chosen ??= checkFor(input.checks, 'sumdb', `${db.name} at ${redactUrl(db.url)}`);
    }
    sumdbUsed = chosen?.target;
    if (chosen === undefined) problems.push(`the checksum database ${db.name} was not checked`);
    else if (chosen.verdict === 'failing' || chosen.verdict === 'blocked')
      problems.push(`the checksum database ${chosen.target} is ${chosen.verdict}`);
    else remarks.push(`the checksum database is ${chosen.target}`);
  }

  // The vulnerability database.
  if (input.vulndb !== undefined) {
    const c = checkFor(input.checks, 'vulndb', redactUrl(input.vulndb.url));
    const bad = c === undefined || c.verdict === 'failing' || c.verdict === 'blocked';
    if (bad && input.vulndb.named) problems.push(`the vulnerability database ${redactUrl(input.vulndb.url)} you named cannot be read`);
    else if (bad)
      remarks.push(
        `the default vulnerability database cannot be read: pack will warn and carry none (pass --vulndb <reachable copy> to carry it)`,
      );
  }

  if (problems.length > 0) return { packWouldWork: false, conclusion: `pack would fail: ${problems.join('; ')}`, sumdbUsed };
  return { packWouldWork: true, conclusion: `pack would work: ${remarks.join('; ')}`, sumdbUsed };
}
