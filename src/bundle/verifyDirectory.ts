/**
 * Verifying an extracted bundle tree in place (one a person extracted, or
 * ours from an earlier start): the signed manifest, no links or other
 * non-regular entries anywhere, no files the manifest does not list, every
 * listed file present with its size and sha256.
 */
import { createHash } from 'node:crypto';
import { lstat, open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit } from '../concurrency/mapLimit.js';
import { BundleError } from './bundleErrors.js';
import { MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES, type VerifiedBundle, manifestFileMap, readManifest } from './bundleManifest.js';
import { MANIFEST_NAME, SIGNATURE_NAME } from './treeLayout.js';
import { type TrustPolicy, checkTrust } from './trust.js';

/** Files hashed at once when verifying a directory in place. */
const VERIFY_CONCURRENCY = 4;

async function hashFileBounded(file: string, limit: number): Promise<{ sha256: string; size: number }> {
  // Read at most limit+1 bytes: a file that grew is reported, not hashed forever.
  const h = createHash('sha256');
  let size = 0;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 18);
    for (;;) {
      const want = Math.min(buf.length, limit + 1 - size);
      if (want <= 0) break;
      const { bytesRead } = await fh.read(buf, 0, want, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest('hex'), size };
}

/**
 * Verify an extracted tree in place: signed manifest, no links or other
 * non-regular entries anywhere, no files the manifest does not list, every
 * listed file present with its size and sha256.
 */
export async function verifyDirectory(source: string, dir: string, policy: TrustPolicy): Promise<VerifiedBundle> {
  const readMeta = async (name: string, cap: number): Promise<Buffer | undefined> => {
    const p = join(dir, name);
    let st;
    try {
      st = await lstat(p);
    } catch {
      return undefined;
    }
    if (!st.isFile()) throw new BundleError(source, [`${name}: not a regular file`]);
    if (st.size > cap) throw new BundleError(source, [`${name}: larger than ${cap} bytes`]);
    return readFile(p);
  };
  const manifestBytes = await readMeta(MANIFEST_NAME, MAX_MANIFEST_BYTES);
  if (manifestBytes === undefined) throw new BundleError(source, [`${MANIFEST_NAME}: missing`]);
  const manifest = readManifest(source, manifestBytes);
  const sigBytes = await readMeta(SIGNATURE_NAME, MAX_SIGNATURE_BYTES);
  const signer = checkTrust(source, manifestBytes, sigBytes, policy);
  const expected = manifestFileMap(source, manifest);

  const problems: string[] = [];
  const present = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(rel === '' ? dir : join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const name = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(name);
      else if (!e.isFile()) problems.push(`${name}: not a regular file or directory`);
      else if (name === MANIFEST_NAME || name === SIGNATURE_NAME) continue;
      else if (!expected.has(name)) problems.push(`${name}: not in the manifest`);
      else present.add(name);
    }
  };
  await walk('');

  let bytes = 0;
  await mapLimit([...expected.values()], VERIFY_CONCURRENCY, async (f) => {
    if (!present.has(f.name)) {
      problems.push(`${f.name}: listed in the manifest but missing from the bundle`);
      return;
    }
    const got = await hashFileBounded(join(dir, f.name), f.size);
    if (got.size !== f.size)
      problems.push(`${f.name}: size mismatch: manifest ${f.size}, file ${got.size > f.size ? `more than ${f.size}` : got.size}`);
    else if (got.sha256 !== f.sha256) problems.push(`${f.name}: sha256 mismatch: manifest ${f.sha256}, content ${got.sha256}`);
    else bytes += got.size;
  });
  if (problems.length > 0) throw new BundleError(source, problems.sort());
  return { manifest, signer, manifestBytes, files: expected, modules: manifest.modules.length, bytes };
}
