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

interface GovulncheckMessage {
  finding?: { osv: string; trace?: { module?: string; version?: string }[] };
  SBOM?: { modules?: { path: string; version?: string }[] };
}

/**
 * From govulncheck's JSON stream: `path@version id` for every module-level
 * finding, and the modules it scanned (its SBOM message: the modules of the
 * package graph, not the whole build list). stdlib and toolchain are left
 * out: audit does not judge them.
 */
export function govulncheckFindings(stream: string): { findings: string[]; scanned: Set<string> } {
  const findings = new Set<string>();
  const scanned = new Set<string>();
  for (const msg of parseJsonStream<GovulncheckMessage>(stream)) {
    for (const m of msg.SBOM?.modules ?? []) if (m.version !== undefined) scanned.add(`${m.path}@${m.version}`);
    const f = msg.finding;
    const top = f?.trace?.[0];
    if (f === undefined || top?.module === undefined || top.module === 'stdlib' || top.module === 'toolchain') continue;
    findings.add(`${top.module}@${top.version} ${f.osv}`);
  }
  return { findings: [...findings].sort(), scanned };
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
  let ok = projects.length > 0;
  for (const p of projects) {
    const bundle = bundlePath(ctx, p.name);
    if (!existsSync(bundle) || ctx.vulndb === undefined) await checkProject(p, { ...ctx, offline: false });
    const work = join(ctx.state, 'work', p.name);
    const a = await gobundle(['audit', bundle, '--trust', ctx.trust, '--json'], { cwd: work, env: process.env, timeoutMs: 600_000 });
    if (a.status !== 0 && a.status !== 1) throw new Error(`vuln: ${p.name}: gobundle audit exit ${a.status}: ${a.stderr}`);
    const audit = (JSON.parse(a.stdout) as { findings: { path: string; version: string; id: string }[] }).findings
      .map((f) => `${f.path}@${f.version} ${f.id}`)
      .sort();
    const exportTree = join(work, 'vuln-export-tree');
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
        args: ['-db', db, '-scan', 'module', '-format', 'json'],
        keepStdout: true,
      },
    ];
    const group = (label: string, source: OfflineGroup['source'], db: string): OfflineGroup => ({
      label,
      source,
      srcDir: join(work, 'src'),
      workDir: join(work, `vuln-work-${label}`),
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
      const out = s?.ok === true && s.stdout !== undefined ? govulncheckFindings(s.stdout) : undefined;
      // govulncheck judges the modules of the package graph; audit every build-list module: compare on govulncheck's.
      const auditScanned = out === undefined ? [] : audit.filter((f) => out.scanned.has(f.split(' ')[0] as string));
      return { label: g.label, failed: failed === undefined ? undefined : `${failed.name}: ${failed.detail}`, out, auditScanned };
    });
    const equal = perSource.every((s) => s.out !== undefined && JSON.stringify(s.out.findings) === JSON.stringify(s.auditScanned));
    ok &&= equal && audit.length > 0;
    const first = perSource[0];
    lines.push(
      `- ${p.name} (${p.module}@${p.version}): gobundle audit ${audit.length} findings on the build list, ` +
        `${first?.auditScanned.length ?? 0} on the ${first?.out?.scanned.size ?? 0} modules govulncheck scanned (its package graph); ` +
        perSource
          .map(
            (s) => `govulncheck via ${s.label}: ${s.out === undefined ? `FAILED ${s.failed ?? ''}` : `${s.out.findings.length} findings`}`,
          )
          .join('; ') +
        `: ${equal ? 'equal' : 'DIFFERENT'}`,
    );
    if (!equal) {
      for (const s of perSource) {
        if (s.out === undefined) continue;
        const onlyGo = s.out.findings.filter((f) => !s.auditScanned.includes(f));
        const onlyAudit = s.auditScanned.filter((f) => !s.out?.findings.includes(f));
        if (onlyGo.length + onlyAudit.length > 0)
          lines.push(`  - ${s.label}: only govulncheck: ${onlyGo.join(', ') || '-'}; only audit: ${onlyAudit.join(', ') || '-'}`);
      }
    }
    data.push({
      project: p.name,
      audit,
      perSource: perSource.map((s) => ({
        label: s.label,
        failed: s.failed,
        findings: s.out?.findings,
        scanned: [...(s.out?.scanned ?? [])],
      })),
      airGap: res.airGap,
    });
  }
  if (projects.length < 3)
    lines.push(`(${projects.length} of the corpus's vulnerable projects checked here; the issue asks for at least 3)`);
  return { ok, lines, data };
}

/** For a reader of results.json: the database entry count (index/vulns.json). */
export function vulnDbEntries(dbDir: string): number {
  return (JSON.parse(readFileSync(join(dbDir, 'index', 'vulns.json'), 'utf8')) as unknown[]).length;
}
