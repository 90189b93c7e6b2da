/**
 * What a go.work workspace contributes to the graph (modload's MainModules
 * in workspace mode): every `use` module is a main module; exclusions of all
 * of them apply; go.work `replace` directives win over the modules' own, and
 * a module's directory replacement is rewritten relative to the go.work
 * directory (modload/modfile.go replacementFrom, canonicalizeReplacePath).
 */
import { posix } from 'node:path';
import { isLocalReplacePath } from '../gomod/modfile.js';
import { type ModuleVersion, moduleKey } from '../gomod/moduleVersion.js';
import { addReplacement, type MainModuleRules, type ReplacementTarget } from './mainModule.js';
import { moduleString } from './mvs.js';
import type { ModSummaryInput } from './types.js';
import { MainModuleError } from './mainModuleError.js';

export interface WorkspaceModule {
  /** The `use` directory as written (relative to the go.work directory unless absolute). */
  dir: string;
  file: ModSummaryInput;
}

export interface WorkspaceInput {
  /** Absolute directory of the go.work file, with slashes. */
  workDir: string;
  go: string | undefined;
  toolchain: string | undefined;
  replace: ModSummaryInput['replace'];
  /** In `use` order. */
  modules: WorkspaceModule[];
}

type RawReplacement = { path: string; version: string };

export class WorkspaceIndex implements MainModuleRules {
  readonly modules: ReadonlyMap<string, WorkspaceModule>;
  private readonly workReplace = new Map<string, ReplacementTarget>();
  private readonly moduleReplace: { dir: string; raw: Map<string, RawReplacement> }[] = [];
  private readonly excluded = new Set<string>();
  private readonly workDir: string;

  constructor(work: WorkspaceInput) {
    this.workDir = work.workDir;
    const modules = new Map<string, WorkspaceModule>();
    for (const m of work.modules) {
      const path = m.file.module?.path ?? '';
      if (path === '') throw new MainModuleError(`${m.dir}: go.mod has no module declaration`);
      const prev = modules.get(path);
      if (prev !== undefined) {
        throw new MainModuleError(`module ${path} appears multiple times in workspace`, {
          hint: `go.work uses both ${prev.dir} and ${m.dir}`,
        });
      }
      modules.set(path, m);
      for (const e of m.file.exclude) this.excluded.add(moduleKey(e));
      const raw = new Map<string, RawReplacement>();
      for (const r of m.file.replace) {
        const key = moduleKey(r.old);
        const prevRaw = raw.get(key);
        if (prevRaw !== undefined && (prevRaw.path !== r.new.path || prevRaw.version !== r.new.version)) {
          throw new MainModuleError(
            `conflicting replacements for ${moduleString(r.old)}:\n\t${moduleString(prevRaw)}\n\t${moduleString(r.new)}`,
          );
        }
        raw.set(key, r.new);
      }
      this.moduleReplace.push({ dir: m.dir, raw });
    }
    this.modules = modules;
    for (const r of work.replace) {
      addReplacement(
        this.workReplace,
        r.old,
        r.local ? { kind: 'dir', dir: r.new.path } : { kind: 'module', path: r.new.path, version: r.new.version },
      );
    }
  }

  workspaceModFile(m: ModuleVersion): ModSummaryInput | undefined {
    return m.version === '' ? this.modules.get(m.path)?.file : undefined;
  }

  isExcluded(m: ModuleVersion): boolean {
    return this.excluded.has(moduleKey(m));
  }

  /**
   * modload.replacementFrom: the go.work's replacement if it has one; else
   * the replacement one of the workspace modules gives, an exact-version one
   * from a second module that disagrees being an error, as in cmd/go.
   */
  replacement(m: ModuleVersion): ReplacementTarget | undefined {
    if (m.version === '' && this.modules.has(m.path)) return undefined;
    const fromWork = this.workReplace.get(moduleKey(m)) ?? this.workReplace.get(moduleKey({ path: m.path, version: '' }));
    if (fromWork !== undefined) return fromWork;
    let found: { r: RawReplacement; dir: string } | undefined;
    for (const mod of this.moduleReplace) {
      const exact = mod.raw.get(moduleKey(m));
      const r = exact ?? mod.raw.get(moduleKey({ path: m.path, version: '' }));
      if (r === undefined) continue;
      if (found !== undefined && exact !== undefined && (found.r.path !== r.path || found.r.version !== r.version)) {
        throw new MainModuleError(
          `conflicting replacements found for ${moduleString(m)} in workspace modules defined by ${posix.join(found.dir, 'go.mod')} and ${posix.join(mod.dir, 'go.mod')}`,
        );
      }
      found = { r, dir: mod.dir };
    }
    if (found === undefined) return undefined;
    if (found.r.version !== '' || !isLocalReplacePath(found.r.path))
      return { kind: 'module', path: found.r.path, version: found.r.version };
    return { kind: 'dir', dir: this.canonicalDir(found.r.path, found.dir) };
  }

  /** canonicalizeReplacePath: a module's directory replacement, relative to the go.work directory. */
  private canonicalDir(dir: string, moduleDir: string): string {
    if (posix.isAbsolute(dir)) return dir;
    const abs = posix.join(posix.isAbsolute(moduleDir) ? moduleDir : posix.join(this.workDir, moduleDir), dir);
    return toDirectoryPath(posix.relative(this.workDir, abs) || '.');
  }
}

/** modload.ToDirectoryPath: a path the go command reads as a directory, not a module path. */
function toDirectoryPath(p: string): string {
  return isLocalReplacePath(p) ? p : `./${posix.normalize(p)}`;
}
