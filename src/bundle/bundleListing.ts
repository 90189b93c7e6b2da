/**
 * What `gobundle ls` shows of a bundle, as data: its manifest's modules
 * with the bytes each carries, its inputs, parents, checksum-database tree
 * and who signed it. Pure: the caller reads the bundle's head and decides
 * whether the signature verified.
 */
import { versionFileName } from './treeLayout.js';
import type { Manifest, ManifestInput, ManifestParent } from './manifest.js';

export interface ListedSigner {
  /** The key's name, as the signature line gives it. */
  name: string;
  /** The key hash (x/mod note: first 4 bytes of sha256(name ‖ "\n" ‖ key)), 8 hex digits: the key's fingerprint. */
  keyHash: string;
  /** true: verified with a --trust key; false: a --trust key was given and none verified it; null: no --trust key given. */
  verified: boolean | null;
}

export interface ListedModule {
  path: string;
  version: string;
  /** Bytes of its .info, .mod and .zip in the bundle. */
  bytes: number;
  /** Only the go.mod is carried (a version the resolver read but the build does not use). */
  goModOnly: boolean;
}

export interface BundleListing {
  bundle: string;
  format: string;
  tool: string;
  created: string;
  signer: ListedSigner | null;
  inputs: ManifestInput[];
  parents: ManifestParent[];
  sumdb: { name: string; treeSize: number; consistentWith: number[] } | null;
  /** Vulnerability data: the entries carried, or why the default database gave none; null: none asked for (or an older bundle). */
  vulndb: { entries: number } | { url: string; unavailable: string } | null;
  files: number;
  bytes: number;
  modules: ListedModule[];
}

/** One input as ls prints it: what it is, then the file it was read from. */
export function describeInput(i: ManifestInput): string {
  switch (i.kind ?? 'go.mod') {
    case 'go.work':
      return `workspace ${i.module} (${i.goMod})`;
    case 'tool':
      return `tool ${i.module}@${i.version ?? '?'}`;
    case 'list':
      return `list ${i.goMod} (${i.module})`;
    default:
      return `${i.module} (${i.goMod})`;
  }
}

export function listBundle(bundle: string, manifest: Manifest, signer: ListedSigner | null): BundleListing {
  const sizes = new Map(manifest.files.map((f) => [f.name, f.size]));
  const modules = manifest.modules.map((m) => {
    const bytes = (['info', 'mod', 'zip'] as const).reduce((n, kind) => n + (sizes.get(versionFileName(m.path, m.version, kind)) ?? 0), 0);
    return { path: m.path, version: m.version, bytes, goModOnly: m.zipH1 === null };
  });
  return {
    bundle,
    format: manifest.format,
    tool: manifest.tool,
    created: manifest.created,
    signer,
    inputs: manifest.inputs,
    parents: manifest.parents ?? [],
    sumdb:
      manifest.sumdb === null
        ? null
        : {
            name: manifest.sumdb.name,
            treeSize: manifest.sumdb.treeSize,
            consistentWith: (manifest.sumdb.consistentWith ?? []).map((t) => t.treeSize),
          },
    vulndb: listedVulnDb(manifest),
    files: manifest.files.length,
    bytes: manifest.files.reduce((n, f) => n + f.size, 0),
    modules,
  };
}

function listedVulnDb(manifest: Manifest): BundleListing['vulndb'] {
  const entries = manifest.files.filter((f) => f.name.startsWith('vulndb/ID/')).length;
  if (manifest.files.some((f) => f.name === 'vulndb/index/db.json')) return { entries };
  if (manifest.vulndb !== undefined) return { url: manifest.vulndb.url, unavailable: manifest.vulndb.reason };
  return null;
}
