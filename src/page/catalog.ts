/**
 * The page's data: what the served bundles hold, as the people inside ask
 * about it. Two shapes, both JSON the page fetches:
 *
 * - the catalogue (`/-/catalog.json`, one file, small enough for 10,000
 *   module versions: one short row per module path) for searching, the
 *   bundles served, the checksum databases and the client settings;
 * - one module's detail (`/-/module/<escaped path>/@detail.json`): each
 *   version with the bundles that brought it (file, signer, created),
 *   `.mod`-only versions marked, its licences as the SBOM finds them, and
 *   the carried vulnerability entries that name the module, with their
 *   affected and fixed versions and which served versions they affect.
 *
 * Built from the served bundles' verified manifests and the merged
 * vulnerability database; licences come in through a function, since
 * reading zips is I/O (pageServer.ts, export). Pure.
 */
import type { Manifest } from '../bundle/manifest.js';
import { escapePath } from '../gomod/modulePath.js';
import { compare, isValid } from '../gomod/semver.js';
import type { OsvEntry } from '../vuln/osvEntry.js';
import { affects, canonicalizeSemverPrefix, latestFixedVersion } from '../vuln/semverRange.js';

export const CATALOG_FORMAT = 'gobundle-catalog/v1';

/** A served bundle, as the page needs it. */
export interface CatalogBundle {
  /** File name (no directories: the page is read by people who do not see the server's disk). */
  file: string;
  signer: string | null;
  /** sha256 of the .tgz (or of its part list's whole bundle); null for an extracted directory. */
  sha256: string | null;
  manifest: Manifest;
}

export interface CatalogInput {
  bundles: readonly CatalogBundle[];
  vulns: readonly OsvEntry[];
  /** Verifier keys of checksum databases, by name, when serve was given them. */
  sumdbKeys: ReadonlyMap<string, string>;
  /** Whether serve asks for credentials (the page then shows the .netrc line). */
  auth: boolean;
  /** Whether misses are recorded (serve) or not (a static export). */
  misses: boolean;
}

/** One row per module path: path, number of versions, highest version, number of vulnerability entries naming it, private. */
export type CatalogRow = [path: string, versions: number, highest: string, vulns: number, isPrivate: 0 | 1];

export interface Catalog {
  format: typeof CATALOG_FORMAT;
  /** The newest served bundle's creation time. */
  generated: string;
  modules: CatalogRow[];
  versions: number;
  bundles: {
    file: string;
    signer: string | null;
    sha256: string | null;
    created: string;
    tool: string;
    modules: number;
    files: number;
    bytes: number;
    inputs: { kind: string; name: string }[];
    sumdb: { name: string; tree: number; hash: string; consistentWith: number[] } | null;
    parents: { name: string; created: string; manifestSha256: string }[];
  }[];
  sumdb: { name: string; key: string | null }[];
  /** Module paths marked private: clients must name them in GONOSUMDB. */
  private: string[];
  /** Toolchains carried (go1.22.12), for GOTOOLCHAIN. */
  toolchains: string[];
  vulndb: boolean;
  auth: boolean;
  misses: boolean;
}

export interface VersionDetail {
  version: string;
  modOnly: boolean;
  /** The bundles carrying it, oldest first (the first brought it). */
  bundles: { file: string; signer: string | null; created: string }[];
  /** SPDX ids of the root licence files, 'unknown' for one that matches none; null while not yet read; [] when the zip has none. */
  licenses: string[] | null;
  /** Ids of the carried vulnerability entries that affect it. */
  vulns: string[];
}

export interface VulnDetail {
  id: string;
  aliases: string[];
  summary: string;
  modified: string;
  /** The affected ranges, e.g. ">= v1.0.0, < v1.2.3". */
  affected: string[];
  /** The latest fixing version ("" when none is known). */
  fixed: string;
  /** Served versions it affects. */
  affects: string[];
}

export interface ModuleDetail {
  path: string;
  private: boolean;
  versions: VersionDetail[];
  vulns: VulnDetail[];
}

const TOOLCHAIN = /^v0\.0\.1-(go[^.]+(?:\.[^.]+)*?)\.([a-z0-9]+)-([a-z0-9]+)$/;

/** The catalogue of the served bundles. */
export function buildCatalog(input: CatalogInput): Catalog {
  const byPath = new Map<string, { versions: Set<string>; private: boolean }>();
  const toolchains = new Set<string>();
  for (const b of input.bundles) {
    for (const m of b.manifest.modules) {
      let e = byPath.get(m.path);
      if (e === undefined) {
        e = { versions: new Set(), private: false };
        byPath.set(m.path, e);
      }
      e.versions.add(m.version);
      if (m.private === true) e.private = true;
      if (m.path === 'golang.org/toolchain') {
        const t = TOOLCHAIN.exec(m.version);
        if (t !== null) toolchains.add(t[1] as string);
      }
    }
  }
  const vulnCount = new Map<string, number>();
  for (const v of input.vulns) {
    if (v.withdrawn !== undefined) continue;
    for (const p of new Set(v.affected.map((a) => a.module))) vulnCount.set(p, (vulnCount.get(p) ?? 0) + 1);
  }
  const modules: CatalogRow[] = [...byPath]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([path, e]) => [path, e.versions.size, highest(e.versions), vulnCount.get(path) ?? 0, e.private ? 1 : 0]);
  const sumdbNames = new Set<string>();
  for (const b of input.bundles) if (b.manifest.sumdb !== null) sumdbNames.add(b.manifest.sumdb.name);
  return {
    format: CATALOG_FORMAT,
    // As of the newest bundle, not the clock: serve and export write the same catalogue for the same bundles.
    generated: input.bundles.reduce((t, b) => (b.manifest.created > t ? b.manifest.created : t), ''),
    modules,
    versions: modules.reduce((n, r) => n + r[1], 0),
    bundles: input.bundles.map((b) => ({
      file: b.file,
      signer: b.signer,
      sha256: b.sha256,
      created: b.manifest.created,
      tool: b.manifest.tool,
      modules: b.manifest.modules.length,
      files: b.manifest.files.length,
      bytes: b.manifest.files.reduce((n, f) => n + f.size, 0),
      inputs: b.manifest.inputs.map((i) => ({
        kind: i.kind ?? 'go.mod',
        name:
          i.kind === 'tool'
            ? `${i.module}@${i.version ?? ''}`
            : i.kind === 'list'
              ? `${i.goMod} (${i.module})`
              : `${i.module} (${i.goMod})`,
      })),
      sumdb:
        b.manifest.sumdb === null
          ? null
          : {
              name: b.manifest.sumdb.name,
              tree: b.manifest.sumdb.treeSize,
              hash: b.manifest.sumdb.treeHash,
              consistentWith: (b.manifest.sumdb.consistentWith ?? []).map((t) => t.treeSize),
            },
      parents: (b.manifest.parents ?? []).map((p) => ({ name: p.name, created: p.created, manifestSha256: p.manifestSha256 })),
    })),
    sumdb: [...sumdbNames].sort().map((name) => ({ name, key: input.sumdbKeys.get(name) ?? null })),
    private: modules.filter((r) => r[4] === 1).map((r) => r[0]),
    toolchains: [...toolchains].sort(),
    vulndb: input.vulns.length > 0,
    auth: input.auth,
    misses: input.misses,
  };
}

function highest(versions: Iterable<string>): string {
  let best = '';
  for (const v of versions) if (best === '' || (isValid(v) && compare(v, best) > 0)) best = v;
  return best;
}

/** One module's detail, or undefined when no served bundle carries the path. */
export function buildModuleDetail(
  path: string,
  bundles: readonly CatalogBundle[],
  vulns: readonly OsvEntry[],
  licenses: (version: string) => string[] | null,
): ModuleDetail | undefined {
  const versions = new Map<string, VersionDetail>();
  let isPrivate = false;
  const oldestFirst = [...bundles].sort((a, b) =>
    a.manifest.created < b.manifest.created ? -1 : a.manifest.created > b.manifest.created ? 1 : 0,
  );
  for (const b of oldestFirst) {
    for (const m of b.manifest.modules) {
      if (m.path !== path) continue;
      if (m.private === true) isPrivate = true;
      let v = versions.get(m.version);
      if (v === undefined) {
        v = { version: m.version, modOnly: true, bundles: [], licenses: null, vulns: [] };
        versions.set(m.version, v);
      }
      if (m.zipH1 !== null) v.modOnly = false;
      v.bundles.push({ file: b.file, signer: b.signer, created: b.manifest.created });
    }
  }
  if (versions.size === 0) return undefined;
  const sorted = [...versions.values()].sort((a, b) => compare(b.version, a.version));
  const details: VulnDetail[] = [];
  for (const e of vulns) {
    if (e.withdrawn !== undefined) continue;
    const ranges = e.affected.filter((a) => a.module === path).flatMap((a) => a.ranges);
    if (ranges.length === 0) continue;
    const hit = sorted.filter((v) => affects(ranges, v.version)).map((v) => v.version);
    for (const v of sorted) if (hit.includes(v.version)) v.vulns.push(e.id);
    const fixed = latestFixedVersion(ranges);
    details.push({
      id: e.id,
      aliases: [...e.aliases],
      summary: e.summary,
      modified: e.modified,
      affected: describeRanges(ranges),
      fixed: fixed === '' ? '' : canonicalizeSemverPrefix(fixed),
      affects: hit,
    });
  }
  details.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  for (const v of sorted) if (!v.modOnly) v.licenses = licenses(v.version);
  for (const v of sorted) if (v.modOnly) v.licenses = [];
  return { path, private: isPrivate, versions: sorted, vulns: details };
}

/** OSV SEMVER ranges as people read them: ">= v1.0.0, < v1.2.3" per introduced/fixed pair. */
export function describeRanges(ranges: readonly { type: string; events: { introduced?: string; fixed?: string }[] }[]): string[] {
  const out: string[] = [];
  const v = (s: string): string => canonicalizeSemverPrefix(s);
  for (const r of ranges) {
    let lo: string | undefined;
    for (const e of r.events) {
      if (e.introduced !== undefined) lo = e.introduced;
      if (e.fixed !== undefined) {
        out.push(lo === undefined || lo === '0' ? `< ${v(e.fixed)}` : `>= ${v(lo)}, < ${v(e.fixed)}`);
        lo = undefined;
      }
    }
    if (lo !== undefined) out.push(lo === '0' ? 'every version' : `>= ${v(lo)}`);
  }
  return out;
}

/** Where a module's detail is, below the page prefix: `module/<escaped path>/@detail.json` (no module path element contains `@`). */
export function detailName(path: string): string {
  return `module/${escapePath(path)}/@detail.json`;
}
