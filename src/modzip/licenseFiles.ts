/**
 * The licence files at the root of a module zip (LICENSE, LICENCE, COPYING,
 * with an optional .txt or .md), read with yauzl entry by entry and capped
 * at the go command's licence size limit. Names are raw bytes as in the
 * zip; the root is `<module>@<version>/`.
 */
import type yauzl from 'yauzl';
import { openZip, readEntry } from './zipEntries.js';
import { MAX_LICENSE } from './limits.js';

const LICENSE_NAME = /^(licen[cs]e|copying)(\.txt|\.md)?$/i;

export interface LicenseFile {
  /** The name inside the module, e.g. "LICENSE". */
  name: string;
  text: string;
}

export async function readLicenseFiles(zipPath: string, prefix: string): Promise<LicenseFile[]> {
  const zip = await openZip(zipPath);
  const found: LicenseFile[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = Buffer.from(entry.fileNameRaw).toString('utf8');
        const rest = name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
        if (rest === undefined || rest.includes('/') || !LICENSE_NAME.test(rest)) {
          zip.readEntry();
          return;
        }
        readEntry(zip, entry, MAX_LICENSE).then(
          (data) => {
            found.push({ name: rest, text: data.toString('utf8') });
            zip.readEntry();
          },
          (err: unknown) => reject(err),
        );
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}
