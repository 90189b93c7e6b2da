/**
 * doctor's report as text: settings with their origins, traps with what to
 * try, routing, one verdict line per server with its connection phases and
 * requests, the --probe table and suggestion, and the conclusion. Pure.
 */
import type { CheckLine, ConnectionInfo, DoctorReport, ProbeTable } from './report.js';

/** A value as typed, quoted when empty or when it holds spaces or control characters (a CR from a CRLF file). */
function showValue(v: string): string {
  return v === '' || /[\s\u0000-\u001f\u007f]/.test(v.replace(/ (?=\S)/g, '')) ? JSON.stringify(v) : v;
}

function msText(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${Math.round(v)} ms`;
}

function table(rows: readonly string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd());
}

function connectionText(c: ConnectionInfo): string {
  const parts: string[] = [];
  if (c.dnsMs !== undefined) parts.push(`dns ${msText(c.dnsMs)}`);
  if (c.tcpMs !== undefined) parts.push(`tcp ${msText(c.tcpMs)}`);
  if (c.proxyMs !== undefined) parts.push(`CONNECT ${msText(c.proxyMs)}`);
  if (c.tlsMs !== undefined) parts.push(`tls ${msText(c.tlsMs)}`);
  let text = parts.join(', ');
  const cert = c.certificate;
  if (cert !== undefined) {
    text +=
      `; certificate ${cert.subject || '(no subject)'}, issued by ${cert.issuer || '(unknown)'}, expires ${cert.validTo.slice(0, 10)}, ` +
      `${cert.trusted ? 'trusted' : 'NOT trusted'}${cert.hostMatches ? '' : ', NOT for this host'}`;
  }
  return text;
}

function checkLines(c: CheckLine): string[] {
  const name = c.kind === 'direct' ? `direct fetches (${c.target})` : `${c.kind} ${c.target}`;
  const via = c.route === 'direct' || c.route === 'local file' ? '' : ` (${c.route})`;
  const lines = [`  ${c.verdict.padEnd(8)} ${name}${via}`];
  if (c.connection !== undefined && Object.keys(c.connection).length > 0)
    lines.push(`             connection: ${connectionText(c.connection)}`);
  for (const r of c.requests) {
    const answer = r.status === undefined ? 'no answer' : `${r.status} in ${msText(r.ttfbMs)}`;
    lines.push(`             ${r.what}: ${answer}: ${r.detail}`);
  }
  lines.push(`             ${c.summary}`);
  if (c.advice !== undefined) lines.push(`             try: ${c.advice}`);
  return lines;
}

function probeLines(p: ProbeTable): string[] {
  const lines = [`probe: ${p.n} requests per proxy, ${p.concurrency} at a time, each ${p.what}`];
  const rows = [['proxy', 'ok', 'failed', 'p50', 'p90', 'p99', 'failures']];
  for (const r of p.rows) {
    const kinds = Object.entries(r.failures)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    rows.push([r.proxy, String(r.ok), String(r.failed), msText(r.p50Ms), msText(r.p90Ms), msText(r.p99Ms), kinds]);
  }
  lines.push(...table(rows));
  if (p.suggestion === null) {
    lines.push('no GOPROXY to suggest: no proxy answered');
  } else {
    lines.push(`suggested GOPROXY=${p.suggestion.goproxy}`, `  why: ${p.suggestion.reason}`);
  }
  return lines;
}

export function formatReport(r: DoctorReport): string {
  const out: string[] = ['settings'];
  out.push(
    ...table(
      r.settings.map((s) => {
        const origin = s.origin === 'unset' ? 'unset' : `from ${s.origin}`;
        return [s.name, `${showValue(s.value)}  (${origin}${s.note === undefined ? '' : `; ${s.note}`})`];
      }),
    ),
  );
  out.push('traps');
  if (r.traps.length === 0) out.push('  none found');
  for (const t of r.traps) {
    out.push(`  ${t.level}: ${t.message}`);
    if (t.advice !== undefined) out.push(`    try: ${t.advice}`);
  }
  if (r.routing !== null) {
    out.push(`routing (${r.routing.input})`);
    out.push(
      ...table(
        r.routing.lines.map((l) => [
          l.path,
          `${l.fetch} [${l.fetchWhy}]`,
          l.sumdb === '' ? `no checksum database [${l.sumdbWhy}]` : `checksum database ${l.sumdb} [${l.sumdbWhy}]`,
        ]),
      ),
    );
  }
  out.push('checks');
  if (r.checks.length === 0) out.push('  none');
  for (const c of r.checks) out.push(...checkLines(c));
  if (r.probe !== null) out.push(...probeLines(r.probe));
  out.push(r.conclusion);
  return `${out.join('\n')}\n`;
}
