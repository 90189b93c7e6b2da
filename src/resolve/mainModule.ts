/**
 * What the main go.mod contributes beyond its requirements: its exclusions
 * and replacements, which apply to the whole graph (modload's modFileIndex).
 */
import { GobundleError } from '../errors.js';
import { moduleString } from './mvs.js';
import type { ModSummaryInput, Replacement } from './types.js';
import { type ModuleVersion, moduleKey } from '../gomod/moduleVersion.js';
import { ErrorCode } from '../errorCodes.js';

/** The resolved replacement of one module version. */
export type ReplacementTarget = { kind: 'module'; path: string; version: string } | { kind: 'dir'; dir: string };

export class MainModuleIndex {
  readonly path: string;
  readonly goVersion: string | undefined;
  readonly toolchain: string | undefined;
  readonly file: ModSummaryInput;
  private readonly excluded: Set<string>;
  private readonly replacements: Map<string, ReplacementTarget>;

  constructor(file: ModSummaryInput) {
    if (file.module === undefined || file.module.path === '') {
      throw new GobundleError(ErrorCode.MODULE, 'error reading go.mod: missing module declaration');
    }
    this.file = file;
    this.path = file.module.path;
    this.goVersion = file.go;
    this.toolchain = file.toolchain;
    this.excluded = new Set(file.exclude.map(moduleKey));
    this.replacements = new Map();
    for (const r of file.replace) {
      const target: ReplacementTarget = r.local ? { kind: 'dir', dir: r.new.path } : { kind: 'module', path: r.new.path, version: r.new.version };
      const key = moduleKey(r.old);
      const prev = this.replacements.get(key);
      // modload.toReplaceMap: the same left side twice is fine only if the right sides agree.
      if (prev !== undefined && targetString(prev) !== targetString(target)) {
        throw new GobundleError(
          ErrorCode.MODULE,
          `conflicting replacements for ${moduleString(r.old)}:\n\t${targetString(prev)}\n\t${targetString(target)}`,
        );
      }
      this.replacements.set(key, target);
    }
  }

  /** Whether the main go.mod excludes exactly m. */
  isExcluded(m: ModuleVersion): boolean {
    return this.excluded.has(moduleKey(m));
  }

  /**
   * The replacement for m, if any (modload.replacement): a replace directive
   * for exactly path@version wins over one for every version of path. The main
   * module itself (version '') is never replaced.
   */
  replacement(m: ModuleVersion): ReplacementTarget | undefined {
    if (m.path === this.path && m.version === '') return undefined;
    return this.replacements.get(moduleKey(m)) ?? this.replacements.get(moduleKey({ path: m.path, version: '' }));
  }
}

function targetString(t: ReplacementTarget): string {
  return t.kind === 'dir' ? t.dir : moduleString(t);
}

export function toPlanReplacement(t: ReplacementTarget): Replacement {
  return t.kind === 'dir' ? { dir: t.dir } : { path: t.path, version: t.version };
}
