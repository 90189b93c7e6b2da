/**
 * Reading go.mod files into the summaries the module graph needs
 * (modload.goModSummary and rawGoModSummary).
 *
 * Each go.mod is fetched at most once per resolution, even when several graph
 * loads ask for it at the same time; every remote read is recorded, because a
 * bundle must carry every go.mod the go command reads.
 */
import { ModuleError } from '../errors.js';
import type { Semaphore } from '../concurrency/semaphore.js';
import { compareGoVersion, EXPLICIT_INDIRECT_VERSION, GO_STRICT_VERSION, isToolchainPath } from './goVersion.js';
import type { MainModuleRules } from './mainModule.js';

import type { GoModSource, ModSummaryInput } from './types.js';
import { type ModuleVersion, moduleKey } from '../gomod/moduleVersion.js';

export type Pruning = 'pruned' | 'unpruned';

export interface ModFileSummary {
  /** The path on the `module` line ('' if there is none). */
  modulePath: string;
  /** The `go` line, undefined if absent. */
  goVersion: string | undefined;
  /** Whether this module's own dependencies are pruned out of graphs that include it. */
  pruning: Pruning;
  /** Requirements, plus `go@<goVersion>` for go ≥ 1.21, minus versions the main module excludes. */
  require: readonly ModuleVersion[];
}

/** modload.pruningForGoVersion; a go.mod with no go line is unpruned. */
export function pruningForGoVersion(goVersion: string | undefined): Pruning {
  return goVersion !== undefined && compareGoVersion(goVersion, EXPLICIT_INDIRECT_VERSION) >= 0 ? 'pruned' : 'unpruned';
}

export class GoModLoader {
  private readonly main: MainModuleRules;
  private readonly source: GoModSource;
  private readonly limiter: Semaphore;
  private readonly raw = new Map<string, Promise<ModFileSummary>>();
  private readonly summaries = new Map<string, Promise<ModFileSummary>>();
  /** Remote go.mod reads, in the order they were started. */
  readonly remoteReads = new Map<string, ModuleVersion>();
  /** Module versions whose go.mod came from a local directory replacement. */
  readonly localReads = new Map<string, { path: string; version: string; dir: string }>();
  /**
   * The highest `go` line ≥ 1.21 among the go.mod files read: the go command
   * refuses each such file that is newer than itself (rawGoModSummary's
   * TooNewError) and its Switcher keeps the highest, the lowest module
   * name on a tie. `module` is path@version, or the directory of a local
   * replacement.
   */
  highestGo: { module: string; version: string } | undefined;

  constructor(main: MainModuleRules, source: GoModSource, limiter: Semaphore) {
    this.main = main;
    this.source = source;
    this.limiter = limiter;
  }

  /**
   * The summary of m's go.mod as the graph sees it (goModSummary): read from
   * m's replacement if it has one, checked against the path it was required
   * as, with requirements on excluded versions dropped.
   */
  summary(m: ModuleVersion): Promise<ModFileSummary> {
    const key = moduleKey(m);
    let p = this.summaries.get(key);
    if (p === undefined) {
      p = this.computeSummary(m);
      this.summaries.set(key, p);
    }
    return p;
  }

  private async computeSummary(m: ModuleVersion): Promise<ModFileSummary> {
    if (isToolchainPath(m.path)) return toolchainSummary(m);

    const repl = this.main.replacement(m);
    const workspaceModule = m.version === '' ? this.main.workspaceModFile(m) : undefined;
    let summary: ModFileSummary;
    if (workspaceModule !== undefined) {
      // A workspace module is read from its own directory (modload.rawGoModData); the go command parsed it strictly already.
      summary = summarize(workspaceModule);
    } else if (m.version === '') {
      throw new Error(`internal error: goModSummary called on the main module ${m.path}`);
    } else if (repl?.kind === 'dir') {
      this.localReads.set(moduleKey(m), { path: m.path, version: m.version, dir: repl.dir });
      // A directory replacement's module line is not checked: cmd/go allows anything there.
      summary = await this.rawSummary({ local: repl.dir });
    } else {
      const actual = repl ?? m;
      summary = await this.rawSummary({ remote: { path: actual.path, version: actual.version } });
      if (summary.modulePath === '') {
        throw new ModuleError(actual.path, actual.version, 'parsing go.mod: missing module line');
      }
      if (summary.modulePath !== m.path && summary.modulePath !== actual.path) {
        throw new ModuleError(
          actual.path,
          actual.version,
          `parsing go.mod:\n\tmodule declares its path as: ${summary.modulePath}\n\t        but was required as: ${m.path}`,
        );
      }
    }
    if (summary.require.some((r) => this.main.isExcluded(r))) {
      summary = { ...summary, require: summary.require.filter((r) => !this.main.isExcluded(r)) };
    }
    return summary;
  }

  /** rawGoModSummary: the go.mod as written, with no replacement or exclusion applied. */
  private rawSummary(from: { remote: ModuleVersion } | { local: string }): Promise<ModFileSummary> {
    const key = 'remote' in from ? `r${moduleKey(from.remote)}` : `l${from.local}`;
    let p = this.raw.get(key);
    if (p === undefined) {
      if ('remote' in from) this.remoteReads.set(moduleKey(from.remote), from.remote);
      p = this.limiter
        .run(() => ('remote' in from ? this.source.remote(from.remote) : this.source.local(from.local)))
        .then(summarize)
        .then((summary) => {
          this.noteGo('remote' in from ? moduleKey(from.remote) : from.local, summary.goVersion);
          return summary;
        });
      this.raw.set(key, p);
    }
    return p;
  }

  private noteGo(module: string, goVersion: string | undefined): void {
    if (goVersion === undefined || compareGoVersion(goVersion, GO_STRICT_VERSION) < 0) return;
    const h = this.highestGo;
    const c = h === undefined ? 1 : compareGoVersion(goVersion, h.version);
    if (h === undefined || c > 0 || (c === 0 && module < h.module)) this.highestGo = { module, version: goVersion };
  }
}

function summarize(f: ModSummaryInput): ModFileSummary {
  const require: ModuleVersion[] = f.require.map((r) => ({ path: r.path, version: r.version }));
  // From Go 1.21 the go line is a requirement on the "go" pseudo-module.
  if (f.go !== undefined && compareGoVersion(f.go, GO_STRICT_VERSION) >= 0) require.push({ path: 'go', version: f.go });
  return { modulePath: f.module?.path ?? '', goVersion: f.go, pruning: pruningForGoVersion(f.go), require };
}

/**
 * The "go" and "toolchain" pseudo-modules have no go.mod: `go 1.21.3`
 * requires toolchain go1.21.3 so that toolchain and language move together.
 * Their summaries count as pruned (cmd/go's zero value), so nothing beneath
 * them is walked.
 */
function toolchainSummary(m: ModuleVersion): ModFileSummary {
  const require =
    m.path === 'go' && compareGoVersion(m.version, GO_STRICT_VERSION) >= 0 ? [{ path: 'toolchain', version: `go${m.version}` }] : [];
  return { modulePath: m.path, goVersion: undefined, pruning: 'pruned', require };
}
