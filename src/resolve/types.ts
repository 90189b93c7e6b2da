/**
 * The resolver's inputs and outputs. The resolver is pure: go.mod files reach
 * it through a GoModSource, so the same code runs against a proxy, a cache, a
 * bundle, or a table in a test.
 */
import { type ModuleVersion } from '../gomod/moduleVersion.js';

/**
 * A parsed go.mod, as far as the module graph cares. Structurally compatible
 * with src/gomod/modfile.ts ModFile, so a parsed file can be passed as is.
 */
export interface ModSummaryInput {
  module: { path: string } | undefined;
  go: string | undefined;
  toolchain?: string | undefined;
  require: { path: string; version: string; indirect: boolean }[];
  /** Honoured only in the main module. */
  exclude: { path: string; version: string }[];
  /** Honoured only in the main module; old.version '' means every version. */
  replace: { old: { path: string; version: string }; new: { path: string; version: string }; local: boolean }[];
}

export interface GoModSource {
  /** Parsed go.mod of path@version as served by the proxy (lax parse, dependencies). */
  remote(m: ModuleVersion): Promise<ModSummaryInput>;
  /** Parsed go.mod of a local-directory replacement (dir as written in the main go.mod, relative to the main module dir). */
  local(dir: string): Promise<ModSummaryInput>;
}

/** Where the go command takes a module's content from instead of path@version. */
export type Replacement = { path: string; version: string } | { dir: string };

export interface BuildListEntry {
  path: string;
  version: string;
  replace?: Replacement;
}

export interface Plan {
  main: { path: string; goVersion: string | undefined; toolchain: string | undefined };
  /**
   * The highest `go` line ≥ 1.21 among the go.mod files read (not the main
   * one): a go command older than it must switch toolchains to load the graph.
   */
  dependencyGo: { module: string; version: string } | undefined;
  /** `go list -m all` order: main first (version ''), then by path. */
  buildList: BuildListEntry[];
  /** Every module version whose go.mod the go command reads (after replacement; local directories excluded), sorted. */
  loaded: ModuleVersion[];
  /** What the bundle carries, sorted by path, version, kind and deduplicated. */
  files: { path: string; version: string; kind: 'mod' | 'info' | 'zip' }[];
  /** Module path → versions for @v/list (all bundled versions of that path, semver sorted). */
  lists: Map<string, string[]>;
  localReplacements: { path: string; version: string; dir: string }[];
}

/** How the go command treats a main go.mod whose requirements need updating (the -mod flag). */
export type ModMode = 'mod' | 'readonly';

export interface ResolveOptions {
  /** Maximum number of go.mod fetches in flight at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /**
   * 'mod' (default): like -mod=mod, inconsistent roots are updated and the
   * graph reloaded. 'readonly': like the go command's default, an inconsistent
   * go.mod is an error ("updates to go.mod needed").
   */
  mode?: ModMode;
}
