/**
 * The h1 hash of a module zip (x/mod dirhash.HashZip), computed by streaming
 * every central-directory entry through SHA-256 so no entry is ever held in
 * memory. Entry names are hashed as their raw bytes, as Go's archive/zip
 * reads them; order, compression and timestamps do not matter.
 */
import type yauzl from 'yauzl';
import { digestEntry, openZip } from './zipEntries.js';
import { hash1, type FileDigest } from '../gomod/dirhash.js';
import { GobundleError } from '../errors.js';
import { ZipHashError } from './zipErrors.js';

/** yauzl and fs messages in our shape: lowercase, no final period. */
function zipError(zipPath: string, err: unknown): GobundleError {
  if (err instanceof GobundleError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  // System errors keep their ENOENT-style prefix; yauzl's sentences are lowercased.
  const isSystem = typeof (err as { code?: unknown }).code === 'string';
  const msg = isSystem ? raw : (raw.charAt(0).toLowerCase() + raw.slice(1)).replace(/\.$/, '');
  return new ZipHashError(`hashing ${zipPath}: ${msg}`, { cause: err });
}

/** dirhash.HashZip(zipPath, Hash1). */
export async function hashZip(zipPath: string): Promise<string> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipPath);
  } catch (err) {
    throw zipError(zipPath, err);
  }
  try {
    const files: FileDigest[] = [];
    // Go opens entries by name through a map, so when a name repeats every
    // occurrence is hashed with the content of the last entry of that name.
    const lastDigest = new Map<string, string>();
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        digestEntry(zip, entry).then(
          (digest) => {
            const name = Buffer.from(entry.fileNameRaw);
            files.push({ name, sha256Hex: digest });
            lastDigest.set(name.toString('latin1'), digest);
            zip.readEntry();
          },
          (err: unknown) => reject(err),
        );
      });
      zip.readEntry();
    });
    return hash1(files.map((f) => ({ name: f.name, sha256Hex: lastDigest.get(Buffer.from(f.name).toString('latin1')) ?? f.sha256Hex })));
  } catch (err) {
    throw zipError(zipPath, err);
  } finally {
    zip.close();
  }
}
