/**
 * The page as static files beside an export (cli/export.ts), so a static
 * server serves the same page serve does: `index.html`, `-/page.css`,
 * `-/page.js`, `-/catalog.json` and every module's
 * `-/module/<esc path>/@detail.json`, with every licence read (an export is
 * written once, so it waits for them). A static export records no misses;
 * the page says so.
 */
import type { ModuleIndex } from '../bundleset/moduleIndex.js';
import { detailName } from './catalog.js';
import { LicenseReader } from './licenseReader.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './pageAssets.js';
import { PageSite } from './pageSite.js';

/** A file of the page, named below the export root. */
export interface PageFile {
  name: string;
  body: Buffer;
}

export async function* pageFiles(index: ModuleIndex, sumdbKeys: ReadonlyMap<string, string>): AsyncGenerator<PageFile> {
  const site = new PageSite(index, { sumdbKeys, auth: false, misses: false });
  yield { name: 'index.html', body: Buffer.from(PAGE_HTML) };
  yield { name: '-/page.css', body: Buffer.from(PAGE_CSS) };
  yield { name: '-/page.js', body: Buffer.from(PAGE_JS) };
  yield { name: '-/catalog.json', body: site.catalogJson };
  const licenses = new LicenseReader();
  for (const [path] of site.catalog.modules) {
    await licenses.read(site.zips(path), Number.POSITIVE_INFINITY);
    const detail = site.detail(path, licenses);
    if (detail !== undefined) yield { name: `-/${detailName(path)}`, body: Buffer.from(JSON.stringify(detail)) };
  }
}
