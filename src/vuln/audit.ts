/**
 * Which carried vulnerability entries affect which bundled module versions
 * (the question `gobundle audit` answers). An entry affects M@V when one of
 * its affected[] items names M and its ranges cover V (semverRange.ts, as
 * govulncheck decides it); withdrawn entries affect nothing. Pure.
 */
import type { OsvEntry } from './osvEntry.js';
import { affects, canonicalizeSemverPrefix, latestFixedVersion } from './semverRange.js';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** Known vulnerabilities affect bundled modules: exit 1, so a transfer desk can gate on it. */
export class VulnerableError extends GobundleError {
  constructor(findings: number, modules: number) {
    super(
      ErrorCode.VULNERABLE,
      `audit: ${findings} known vulnerabilit${findings === 1 ? 'y affects' : 'ies affect'} ${modules} module version${modules === 1 ? '' : 's'}`,
    );
  }
}

export interface AuditedModule {
  path: string;
  version: string;
}

export interface Finding {
  path: string;
  version: string;
  id: string;
  aliases: string[];
  summary: string;
  /** The latest fixing version with its "v" (as govulncheck's "Fixed in"), or "" when none is known. */
  fixed: string;
}

/** Every (module version, entry) pair where the entry affects the version, sorted by path, version, id. */
export function audit(modules: readonly AuditedModule[], entries: readonly OsvEntry[]): Finding[] {
  const byModule = new Map<string, { entry: OsvEntry; ranges: OsvEntry['affected'][number]['ranges'] }[]>();
  for (const e of entries) {
    if (e.withdrawn !== undefined) continue;
    for (const a of e.affected) {
      const list = byModule.get(a.module) ?? [];
      list.push({ entry: e, ranges: a.ranges });
      byModule.set(a.module, list);
    }
  }
  const findings: Finding[] = [];
  for (const m of modules) {
    const seen = new Set<string>();
    for (const { entry, ranges } of byModule.get(m.path) ?? []) {
      if (seen.has(entry.id) || !affects(ranges, m.version)) continue;
      seen.add(entry.id);
      const fixed = latestFixedVersion(ranges);
      findings.push({
        path: m.path,
        version: m.version,
        id: entry.id,
        aliases: [...entry.aliases],
        summary: entry.summary,
        fixed: fixed === '' ? '' : canonicalizeSemverPrefix(fixed),
      });
    }
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return findings.sort((a, b) => cmp(a.path, b.path) || cmp(a.version, b.version) || cmp(a.id, b.id));
}
