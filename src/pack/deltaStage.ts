/**
 * Delta bundles (pack --since): a bundle that carries only what the earlier
 * bundles it names lack, and records their manifests' digests in its own
 * signed manifest, so serve can refuse it unless they are served beside it.
 *
 * What a delta leaves out: every module file (.info, .mod, .zip), `@v/list`
 * and vulnerability file whose name and SHA-256 a parent lists. Left in:
 * files a parent lacks or holds with other bytes (a `@v/list` with more
 * versions; serve answers the union of every served bundle's list), and the
 * whole checksum-database replay: it is small, the delta's tree is the
 * newest, and its stage was given the parents as --previous bundles, so it
 * proves their records and their trees in its tree (and verify can check it
 * alone).
 */
import type { Manifest, ManifestModule, ManifestParent } from '../bundle/manifest.js';
import { SUMDB_PREFIX } from '../bundle/treeLayout.js';
import { moduleKey } from '../gomod/moduleVersion.js';

/** An earlier bundle a delta is packed against. */
export interface DeltaParent {
  /** Where it was read from, for messages. */
  from: string;
  /** Its file name, recorded in the delta's manifest for people. */
  name: string;
  manifest: Manifest;
  /** SHA-256 of its manifest.json bytes: what the delta records and serve matches. */
  manifestSha256: string;
}

/** The parents as the delta's manifest records them. */
export function manifestParents(parents: readonly DeltaParent[]): ManifestParent[] {
  const seen = new Set<string>();
  const out: ManifestParent[] = [];
  for (const p of parents) {
    if (seen.has(p.manifestSha256)) continue;
    seen.add(p.manifestSha256);
    out.push({ name: p.name, manifestSha256: p.manifestSha256, created: p.manifest.created });
  }
  return out;
}

/** The files the parents lack (by name and SHA-256); the checksum-database replay always. */
export function deltaFiles<F extends { name: string; sha256: string }>(files: readonly F[], parents: readonly DeltaParent[]): F[] {
  const held = new Map<string, Set<string>>();
  for (const p of parents) {
    for (const f of p.manifest.files) {
      let set = held.get(f.name);
      if (set === undefined) held.set(f.name, (set = new Set()));
      set.add(f.sha256);
    }
  }
  return files.filter((f) => f.name.startsWith(SUMDB_PREFIX) || held.get(f.name)?.has(f.sha256) !== true);
}

/** The module versions no parent carries with the same hashes. */
export function deltaModules<M extends ManifestModule>(modules: readonly M[], parents: readonly DeltaParent[]): M[] {
  const held = new Map<string, ManifestModule>();
  for (const p of parents) for (const m of p.manifest.modules) held.set(moduleKey(m), m);
  return modules.filter((m) => {
    const h = held.get(moduleKey(m));
    // A parent with only the go.mod of a version the delta needs whole: the delta carries the version.
    return h === undefined || h.modH1 !== m.modH1 || (m.zipH1 !== null && h.zipH1 !== m.zipH1);
  });
}
