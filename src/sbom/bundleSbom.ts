/**
 * The SBOM of an opened (verified, extracted) bundle: reads each build-list
 * module's .mod and the licence files of its zip from the verified tree,
 * matches the licences and builds the document (buildSbom.ts).
 */
import { manifestDigest } from '../bundle/bundleParents.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseManifest } from '../bundle/manifest.js';
import type { OpenedBundle } from '../bundle/reader.js';
import { readLicenseFiles } from '../modzip/licenseFiles.js';
import { versionFileName } from '../bundle/treeLayout.js';
import { buildSbomJson, type SbomModule } from './buildSbom.js';
import { licenseExpression } from './licenseExpression.js';
import { moduleEdges } from './moduleGraph.js';
import { BundleError } from '../bundle/bundleErrors.js';

export async function bundleSbom(b: OpenedBundle, toolVersion: string): Promise<string> {
  const dir = b.dir;
  if (dir === undefined) throw new BundleError(b.source, ['not extracted']);
  const manifest = parseManifest(b.manifestBytes);
  const buildList = manifest.modules.filter((m) => m.zipH1 !== null);
  const modules: SbomModule[] = [];
  const graph = [];
  for (const m of buildList) {
    const zipName = versionFileName(m.path, m.version, 'zip');
    const zip = b.files.get(zipName);
    if (zip === undefined) throw new BundleError(b.source, [`${zipName}: in the manifest's modules but not its files`]);
    const files = await readLicenseFiles(join(dir, zipName), `${m.path}@${m.version}/`);
    modules.push({
      path: m.path,
      version: m.version,
      zipSha256: zip.sha256,
      zipH1: m.zipH1 as string,
      modH1: m.modH1,
      licenseFiles: files.map((f) => ({ name: f.name, spdx: licenseExpression(f.text) })),
    });
    graph.push({ path: m.path, version: m.version, goMod: await readFile(join(dir, versionFileName(m.path, m.version, 'mod')), 'utf8') });
  }
  return buildSbomJson({
    manifest,
    manifestSha256: manifestDigest(b.manifestBytes),
    signer: b.signer,
    modules,
    edges: moduleEdges(graph),
    toolVersion,
  });
}
