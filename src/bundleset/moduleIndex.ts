/**
 * The union of the opened bundles as one immutable index: every served
 * name (`<escaped path>/@v/<escaped version>.info`, `sumdb/…`) maps to the
 * bundle file holding it, each module's merged `list` is rendered once, and
 * `@latest` is decided once. Requests only do Map lookups (never plain
 * objects keyed by user input). A new bundle produces a new index; requests
 * in flight keep the one they started with.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GobundleError } from '../errors.js';
import type { OpenedBundle } from '../bundle/reader.js';
import { isPseudoVersion } from '../gomod/pseudo.js';
import { isValid, sort } from '../gomod/semver.js';
import { listFileBody, listFileVersions, parseTreeName, versionFileNameEscaped } from '../bundle/treeLayout.js';
import { TOOLCHAIN_MODULE } from '../gomod/goenv.js';
import { servedToolchainList } from '../toolchain/toolchainFiles.js';
import { latestVersion } from './latestVersion.js';
import { type SumdbView, mergeSumdbReplays } from './sumdbMerge.js';
import { ErrorCode } from '../errorCodes.js';
import { type VulnDbView, buildVulnDbView } from './vulndbView.js';
import { BundleError } from '../bundle/bundleErrors.js';

export interface ServedFile {
  /** Absolute path of the verified file. */
  file: string;
  size: number;
  sha256: string;
  /** The bundle it came from (its source path). */
  bundle: string;
}

/** A module's merged `@v/list` as served: the body and its sha256 (the ETag). */
export interface ServedList {
  body: Buffer;
  sha256: string;
}

/** The same file name with different bytes in two bundles: we cannot know which one is right. */
export class BundleConflictError extends GobundleError {
  constructor(name: string, a: string, b: string) {
    super(ErrorCode.CONFLICT, `${name} differs between bundles ${a} and ${b}`, {
      hint: 'a module version must be byte-identical in every bundle; remove one of them',
    });
  }
}

export class ModuleIndex {
  readonly bundles: readonly OpenedBundle[];
  readonly files: ReadonlyMap<string, ServedFile>;
  /** escaped module path → rendered list. */
  readonly lists: ReadonlyMap<string, ServedList>;
  /** escaped module path → the .info file @latest serves. */
  readonly latest: ReadonlyMap<string, ServedFile>;
  /** Checksum database name → what serve answers for it (one tree head; see sumdbMerge.ts). */
  readonly sumdb: ReadonlyMap<string, SumdbView>;
  /** The merged vulnerability database served under /vulndb/ (vulndbView.ts). */
  readonly vulndb: VulnDbView;

  private constructor(
    bundles: readonly OpenedBundle[],
    files: Map<string, ServedFile>,
    lists: Map<string, ServedList>,
    latest: Map<string, ServedFile>,
    sumdb: Map<string, SumdbView>,
    vulndb: VulnDbView = new Map(),
  ) {
    this.vulndb = vulndb;
    this.bundles = bundles;
    this.files = files;
    this.lists = lists;
    this.latest = latest;
    this.sumdb = sumdb;
  }

  static empty(): ModuleIndex {
    return new ModuleIndex([], new Map(), new Map(), new Map(), new Map());
  }

  /** Whether the index knows the module at all (for 404 wording). */
  hasModule(escPath: string): boolean {
    return this.lists.has(escPath);
  }

  /**
   * Build the index of `bundles`. Checksum-database files are merged into
   * one tree head per database (sumdbMerge.ts, which refuses replays that
   * cannot be served consistently); every other name that appears twice
   * must have the same sha256.
   */
  static async build(bundles: readonly OpenedBundle[]): Promise<ModuleIndex> {
    const files = new Map<string, ServedFile>();
    const listVersions = new Map<string, Set<string>>();
    const fileVersions = new Map<string, Set<string>>();
    const infoVersions = new Map<string, Map<string, ServedFile>>();
    for (const b of bundles) {
      if (b.dir === undefined) throw new BundleError(b.source, ['not extracted']);
      for (const f of b.files.values()) {
        const name = parseTreeName(f.name);
        // The checksum-database replay and the vulnerability database are merged on their own terms.
        if (name?.kind === 'sumdb' || name?.kind === 'vulndb') continue;
        const served: ServedFile = { file: join(b.dir, f.name), size: f.size, sha256: f.sha256, bundle: b.source };
        const prev = files.get(f.name);
        if (prev !== undefined) {
          if (prev.sha256 !== f.sha256 && name?.kind !== 'list') {
            throw new BundleConflictError(f.name, prev.bundle, b.source);
          }
          if (name?.kind !== 'list') continue;
        } else {
          files.set(f.name, served);
        }
        if (name?.kind === 'list') {
          const set = getOrAdd(listVersions, name.escPath, () => new Set<string>());
          for (const v of listFileVersions(await readFile(served.file, 'utf8'))) if (isValid(v)) set.add(v);
          continue;
        }
        if (name === undefined || (name.kind !== 'info' && name.kind !== 'mod' && name.kind !== 'zip')) continue;
        // Versions in names are escaped; the list carries real versions.
        getOrAdd(fileVersions, name.escPath, () => new Set<string>()).add(name.version);
        if (name.kind === 'info') getOrAdd(infoVersions, name.escPath, () => new Map<string, ServedFile>()).set(name.version, served);
      }
    }
    const lists = new Map<string, ServedList>();
    for (const [esc, versions] of fileVersions) {
      // A proxy's list holds tagged versions; when no bundle carried a list
      // file for the module, derive it from the versions present.
      const fromList = listVersions.get(esc);
      let chosen = fromList ?? new Set([...versions].filter((v) => isValid(v) && !isPseudoVersion(v)));
      // The go command reads golang.org/toolchain's list for every platform alike: list only what every platform has.
      if (esc === TOOLCHAIN_MODULE) chosen = new Set(servedToolchainList(chosen, (v) => files.has(versionFileNameEscaped(esc, v, 'zip'))));
      const body = listFileBody(sort([...chosen]));
      lists.set(esc, { body, sha256: createHash('sha256').update(body).digest('hex') });
    }
    for (const [esc, versions] of listVersions) {
      if (lists.has(esc)) continue;
      const body = listFileBody(sort([...versions]));
      lists.set(esc, { body, sha256: createHash('sha256').update(body).digest('hex') });
    }
    const latest = new Map<string, ServedFile>();
    for (const [esc, infos] of infoVersions) {
      const v = latestVersion(infos.keys());
      const f = v === undefined ? undefined : infos.get(v);
      if (f !== undefined) latest.set(esc, f);
    }
    const sumdb = await mergeSumdbReplays(bundles);
    return new ModuleIndex([...bundles], files, lists, latest, sumdb, await buildVulnDbView(bundles));
  }
}

function getOrAdd<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}
