/**
 * The results of `npm run live`: one file per project row and per section
 * (toolchain, vulnerabilities, second week, performance) under
 * <state>/results/, each replaced by the run that produced it — so runs of
 * different stages, even at the same time, never lose each other's results —
 * rendered together as bench/results/live.md and bench/results/live.json.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProjectRow } from './projectStages.js';
import { repoRoot } from './liveEnv.js';

export interface Section {
  title: string;
  /** Markdown lines. */
  lines: string[];
  data: unknown;
  loadAverage: string;
  finished: string;
}

export interface LiveResults {
  go: string;
  rows: Record<string, ProjectRow & { loadAverage: string; finished: string }>;
  notServed: { module: string; version: string; why: string }[];
  sections: Record<string, Section>;
}

function readDir<T>(dir: string): Record<string, T> {
  const out: Record<string, T> = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort())
    if (f.endsWith('.json')) out[f.slice(0, -5)] = JSON.parse(readFileSync(join(dir, f), 'utf8')) as T;
  return out;
}

/** Everything the runs so far produced. */
export function readResults(state: string, go: string, notServed: LiveResults['notServed']): LiveResults {
  return { go, rows: readDir(join(state, 'results', 'rows')), notServed, sections: readDir(join(state, 'results', 'sections')) };
}

export function saveRow(state: string, row: LiveResults['rows'][string]): void {
  const dir = join(state, 'results', 'rows');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${row.name}.json`), JSON.stringify(row, null, 2));
}

export function saveSection(state: string, key: string, section: Section): void {
  const dir = join(state, 'results', 'sections');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${key}.json`), JSON.stringify(section, null, 2));
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

export function renderTable(results: LiveResults, order: string[]): string[] {
  const lines = [
    '| project | module@version | build list | bundle MB | pack s | `go mod download all` s | offline checks passed | licences named / licence files | load avg |',
    '|---|---|--:|--:|--:|--:|--:|--:|---|',
  ];
  let named = 0;
  let files = 0;
  for (const name of order) {
    const r = results.rows[name];
    if (r === undefined) continue;
    named += r.licences.named;
    files += r.licences.withFile;
    const offline =
      r.offline === undefined
        ? 'not run'
        : `${r.offline.passed}/${r.offline.total}${r.offline.failOnlineToo > 0 ? ` (${r.offline.failOnlineToo} fail online too)` : ''}`;
    lines.push(
      `| ${r.name} | ${r.module}@${r.version} | ${r.buildList} | ${mb(r.bundleBytes)} | ${r.packSeconds.toFixed(1)} | ${r.goDownloadSeconds.toFixed(1)} | ${offline} | ${r.licences.named} / ${r.licences.withFile} | ${r.loadAverage} |`,
    );
  }
  lines.push(
    '',
    `Licences: ${named} of ${files} module versions with a root licence file named (${files === 0 ? '-' : ((100 * named) / files).toFixed(1)}%).`,
  );
  return lines;
}

export function renderMarkdown(results: LiveResults, order: string[]): string {
  const out = ['# gobundle against the real ecosystem (`npm run live`)', '', `Go: ${results.go}`, '', ...renderTable(results, order), ''];
  const rows = order.map((n) => results.rows[n]).filter((r) => r !== undefined);
  out.push(
    'Plan equals `go list -m all`: ' +
      rows.filter((r) => r.planMatches).length +
      `/${rows.length}; every zip and go.mod h1 equal to \`go mod download -json all\`'s: ` +
      rows.filter((r) => r.hashes.mismatched.length === 0).length +
      `/${rows.length}.`,
    '',
  );
  out.push('Features per project (detected from go.mod, go.sum and the build list):', '');
  for (const r of rows) out.push(`- ${r.name}: ${r.features.join(', ') || '-'}`);
  out.push('');
  const problems = rows.flatMap((r) => [
    ...r.problems.map((p) => `- ${r.name}: ${p}`),
    ...(r.offline?.failures ?? []).map((f) => `- ${r.name}: offline: ${f}`),
  ]);
  out.push('Problems and offline failures:', '', ...(problems.length > 0 ? problems : ['- none']), '');
  const unnamed = rows.flatMap((r) => r.licences.unnamed.map((u) => `- ${u.module} (${u.file}) [in ${r.name}]`));
  out.push('Licence files the SBOM does not name:', '', ...(unnamed.length > 0 ? [...new Set(unnamed)] : ['- none']), '');
  if (results.notServed.length > 0) {
    out.push(
      'Not served completely by the mirror (replaced in the corpus):',
      '',
      ...results.notServed.map((n) => `- ${n.module}@${n.version}: ${n.why}`),
      '',
    );
  }
  for (const s of Object.values(results.sections))
    out.push(`## ${s.title}`, '', `(finished ${s.finished}, load average ${s.loadAverage})`, '', ...s.lines, '');
  return out.join('\n');
}

/** Render every saved row and section as bench/results/live.md and live.json. */
export function writeResults(results: LiveResults, order: string[]): string {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const md = renderMarkdown(results, order);
  writeFileSync(join(dir, 'live.md'), md);
  writeFileSync(join(dir, 'live.json'), JSON.stringify(results, null, 2) + '\n');
  return md;
}
