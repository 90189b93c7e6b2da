/**
 * The page's files for a served set of bundles, shared by serve
 * (pageServer.ts) and export (exportPage.ts): the catalogue and each
 * module's detail built from the set's verified manifests, its merged
 * vulnerability database, and licences read from its verified zips.
 */
import { basename } from 'node:path';
import type { OpenedBundle } from '../bundle/reader.js';
import { versionFileName } from '../bundle/treeLayout.js';
import type { ModuleIndex } from '../bundleset/moduleIndex.js';
import { parseOsvEntry } from '../vuln/osv.js';
import type { OsvEntry } from '../vuln/osvEntry.js';
import { type Catalog, type CatalogBundle, type ModuleDetail, buildCatalog, buildModuleDetail } from './catalog.js';
import type { LicenseReader, LicenseZip } from './licenseReader.js';

export interface SiteOptions {
  sumdbKeys: ReadonlyMap<string, string>;
  auth: boolean;
  misses: boolean;
}

/** What the page shows of one served index; built once per index (a new bundle makes a new index). */
export class PageSite {
  readonly index: ModuleIndex;
  readonly bundles: CatalogBundle[];
  readonly vulns: OsvEntry[];
  readonly catalog: Catalog;
  readonly catalogJson: Buffer;

  constructor(index: ModuleIndex, opts: SiteOptions) {
    this.index = index;
    this.bundles = index.bundles.map(catalogBundle);
    this.vulns = [];
    for (const [path, f] of index.vulndb) {
      if (path.startsWith('ID/') && path.endsWith('.json')) this.vulns.push(parseOsvEntry(f.body, `vulndb/${path}`));
    }
    this.catalog = buildCatalog({
      bundles: this.bundles,
      vulns: this.vulns,
      sumdbKeys: opts.sumdbKeys,
      auth: opts.auth,
      misses: opts.misses,
    });
    this.catalogJson = Buffer.from(JSON.stringify(this.catalog));
  }

  /** The served zips of a module (for its licences). */
  zips(path: string): LicenseZip[] {
    const out: LicenseZip[] = [];
    for (const b of this.bundles) {
      for (const m of b.manifest.modules) {
        if (m.path !== path || m.zipH1 === null) continue;
        const f = this.index.files.get(versionFileName(m.path, m.version, 'zip'));
        if (f !== undefined) out.push({ file: f.file, sha256: f.sha256, prefix: `${m.path}@${m.version}/` });
      }
    }
    return out;
  }

  /** A module's detail with the licences `licenses` knows by now, or undefined for a path no bundle carries. */
  detail(path: string, licenses: LicenseReader): ModuleDetail | undefined {
    const zips = new Map(this.zips(path).map((z) => [z.prefix, z]));
    return buildModuleDetail(path, this.bundles, this.vulns, (version) => {
      const z = zips.get(`${path}@${version}/`);
      return z === undefined ? null : licenses.known(z);
    });
  }
}

function catalogBundle(b: OpenedBundle): CatalogBundle {
  return { file: basename(b.source), signer: b.signer ?? null, sha256: b.sha256 ?? null, manifest: b.manifest };
}
