/**
 * What the main go.mod contributes beyond its requirements: its exclusions
 * and replacements, which apply to the whole graph (modload's modFileIndex).
 */
import { moduleString } from './mvs.js';
import type { ModSummaryInput, Replacement } from './types.js';
import { type ModuleVersion, moduleKey } from '../gomod/moduleVersion.js';
import { MainModuleError } from './mainModuleError.js';

/** The resolved replacement of one module version. */
export type ReplacementTarget = { kind: 'module'; path: string; version: string } | { kind: 'dir'; dir: string };

/**
 * What reading the graph needs to know about the main module or modules:
 * their exclusions and replacements, and, in workspace mode, the go.mod of
 * each main module (there the main modules are nodes of the graph).
 */
export interface MainModuleRules {
  isExcluded(m: ModuleVersion): boolean;
  replacement(m: ModuleVersion): ReplacementTarget | undefined;
  /** The go.mod of a main module that is read as a graph node (workspace mode only). */
  workspaceModFile(m: ModuleVersion): ModSummaryInput | undefined;
}

export class MainModuleIndex implements MainModuleRules {
  readonly path: string;
  readonly goVersion: string | undefined;
  readonly toolchain: string | undefined;
  readonly file: ModSummaryInput;
  private readonly excluded: Set<string>;
  private readonly replacements: Map<string, ReplacementTarget>;

  constructor(file: ModSummaryInput) {
    if (file.module === undefined || file.module.path === '') {
      throw new MainModuleError('error reading go.mod: missing module declaration');
    }
    this.file = file;
    this.path = file.module.path;
    this.goVersion = file.go;
    this.toolchain = file.toolchain;
    this.excluded = new Set(file.exclude.map(moduleKey));
    this.replacements = new Map();
    for (const r of file.replace) {
      const target: ReplacementTarget = r.local
        ? { kind: 'dir', dir: r.new.path }
        : { kind: 'module', path: r.new.path, version: r.new.version };
      addReplacement(this.replacements, r.old, target);
    }
  }

  /** Outside workspace mode the main module's requirements are the roots, never a graph node. */
  workspaceModFile(): undefined {
    return undefined;
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

/** modload.toReplaceMap: the same left side twice is fine only if the right sides agree. */
export function addReplacement(map: Map<string, ReplacementTarget>, old: ModuleVersion, target: ReplacementTarget): void {
  const key = moduleKey(old);
  const prev = map.get(key);
  if (prev !== undefined && targetString(prev) !== targetString(target)) {
    throw new MainModuleError(`conflicting replacements for ${moduleString(old)}:\n\t${targetString(prev)}\n\t${targetString(target)}`);
  }
  map.set(key, target);
}

export function targetString(t: ReplacementTarget): string {
  return t.kind === 'dir' ? t.dir : moduleString(t);
}

export function toPlanReplacement(t: ReplacementTarget): Replacement {
  return t.kind === 'dir' ? { dir: t.dir } : { path: t.path, version: t.version };
}
