/**
 * Real vulnerability data: the corpus bundles are packed with `--vulndb
 * file://<db>` (the v1 database built from golang.org/x/vulndb, see
 * test/support/vulnDbFromModule.ts). Here, for the corpus projects pinned to
 * vulnerable versions: govulncheck v1.9.0 (built from the mirror) runs
 * offline with `-scan module`, `-db` pointed at serve's /vulndb/ and at the
 * export's vulndb/, and its module findings must equal `gobundle audit`'s.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOffline } from './airGap.js';
import { type CorpusProject, firstProxy, freshDir, gobundle, log, mustSucceed, onlineEnv, run } from './liveEnv.js';
import { type LiveContext, bundlePath, checkProject } from './projectStages.js';
import { type OfflineGroup } from './offlineClient.js';
import { parseJsonStream } from './projectSource.js';
import { type StageResult } from './toolchainStage.js';

const GOVULNCHECK = 'golang.org/x/vuln/cmd/govulncheck@v1.9.0';

/** `path@version id` for every module-level finding in govulncheck's JSON stream (stdlib and toolchain left out: audit does not judge them). */
export function govulncheckFindings(stream: string): string[] {
  const out = new Set<string>();
  for (const msg of parseJsonStream<{ finding?: { osv: string; trace?: { module?: string; version?: string }[] } }>(stream)) {
    const f = msg.finding;
    const top = f?.trace?.[0];
    if (f === undefined || top?.module === undefined || top.module === 'stdlib' || top.module === 'toolchain') continue;
    out.add(`${top.module}@${top.version} ${f.osv}`);
  }
  return [...out].sort();
}

export async function vulnStage(ctx: LiveContext, projects: CorpusProject[]): Promise<StageResult> {
  const bin = join(ctx.state, 'bin');
  log(`vuln: go install ${GOVULNCHECK}`);
  mustSucceed(
    'go install govulncheck',
    await run('go', ['install', GOVULNCHECK], {
      cwd: ctx.state,
      env: onlineEnv(ctx.goproxy, {
        GOBIN: bin,
        GOMODCACHE: join(ctx.state, 'online-modcache'),
        GOCACHE: join(ctx.state, 'gocache-online'),
      }),
      timeoutMs: 1_800_000,
    }),
  );
  const govulncheck = join(bin, 'govulncheck');
  const lines: string[] = [];
  const data: unknown[] = [];
  let ok = projects.length >= 3;
  for (const p of projects) {
    const bundle = bundlePath(ctx, p.name);
    if (!existsSync(bundle) || ctx.vulndb === undefined) await checkProject(p, { ...ctx, offline: false });
    const work = join(ctx.state, 'work', p.name);
    const a = await gobundle(['audit', bundle, '--trust', ctx.trust, '--json'], { cwd: work, env: process.env, timeoutMs: 600_000 });
    if (a.status !== 0 && a.status !== 1) throw new Error(`vuln: ${p.name}: gobundle audit exit ${a.status}: ${a.stderr}`);
    const audit = (JSON.parse(a.stdout) as { findings: { path: string; version: string; id: string }[] }).findings
      .map((f) => `${f.path}@${f.version} ${f.id}`)
      .sort();
    const exportTree = join(work, 'vuln-export');
    freshDir(exportTree);
    mustSucceed(
      `vuln: ${p.name}: gobundle export`,
      await gobundle(
        ['export', bundle, '--trust', ctx.trust, '--to', join(exportTree, 'tree'), '--cache-dir', join(ctx.state, 'export-cache')],
        { cwd: work, env: process.env, timeoutMs: 1_800_000 },
      ),
    );
    const scan = (db: string) => [
      { name: 'go mod download all', args: ['mod', 'download', 'all'] },
      {
        name: `govulncheck -db ${db.startsWith('file') ? 'file://<export>/vulndb' : '<serve>/vulndb'} -scan module`,
        cmd: govulncheck,
        args: ['-db', db, '-scan', 'module', '-format', 'json', './...'],
        keepStdout: true,
      },
    ];
    const group = (label: string, source: OfflineGroup['source'], db: string): OfflineGroup => ({
      label,
      source,
      srcDir: join(work, 'src'),
      workDir: join(work, `vuln-${label}`),
      gopath: join(work, `vuln-${label}-gopath`),
      modCache: join(work, `vuln-${label}-gopath`, 'pkg', 'mod'),
      goCache: join(ctx.state, 'gocache-offline'),
      steps: scan(db),
    });
    log(`vuln: ${p.name}: govulncheck offline`);
    const res = await runOffline(
      {
        outsideUrl: firstProxy(ctx.goproxy),
        serveCache: join(ctx.state, 'serve-cache'),
        groups: [
          group('serve', { kind: 'serve', bundles: [bundle], trust: ctx.trust }, '{proxy}/vulndb'),
          group('export', { kind: 'file', dir: join(exportTree, 'tree') }, `file://${join(exportTree, 'tree', 'vulndb')}`),
        ],
      },
      join(work, 'vuln-spec.json'),
    );
    const perSource = res.groups.map((g) => {
      const s = g.steps[1];
      const failed = g.steps.find((x) => !x.ok);
      const findings = s?.ok === true && s.stdout !== undefined ? govulncheckFindings(s.stdout) : undefined;
      return { label: g.label, failed: failed === undefined ? undefined : `${failed.name}: ${failed.detail}`, findings };
    });
    const equal = perSource.every((s) => s.findings !== undefined && JSON.stringify(s.findings) === JSON.stringify(audit));
    ok &&= equal && audit.length > 0;
    const ids = new Set(audit.map((f) => f.split(' ')[1]));
    lines.push(
      `- ${p.name} (${p.module}@${p.version}): gobundle audit ${audit.length} findings (${ids.size} advisories); ` +
        perSource
          .map(
            (s) => `govulncheck via ${s.label}: ${s.findings === undefined ? `FAILED ${s.failed ?? ''}` : `${s.findings.length} findings`}`,
          )
          .join('; ') +
        `: ${equal ? 'equal' : 'DIFFERENT'}`,
    );
    if (!equal) {
      for (const s of perSource) {
        if (s.findings === undefined) continue;
        const onlyGo = s.findings.filter((f) => !audit.includes(f));
        const onlyAudit = audit.filter((f) => !s.findings?.includes(f));
        if (onlyGo.length + onlyAudit.length > 0)
          lines.push(`  - ${s.label}: only govulncheck: ${onlyGo.join(', ') || '-'}; only audit: ${onlyAudit.join(', ') || '-'}`);
      }
    }
    data.push({ project: p.name, audit, perSource, airGap: res.airGap });
  }
  if (projects.length < 3) lines.push(`only ${projects.length} corpus projects are marked vulnerable: the check needs 3`);
  return { ok, lines, data };
}

/** For a reader of results.json: the database entry count (index/vulns.json). */
export function vulnDbEntries(dbDir: string): number {
  return (JSON.parse(readFileSync(join(dbDir, 'index', 'vulns.json'), 'utf8')) as unknown[]).length;
}
