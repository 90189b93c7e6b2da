/**
 * Bundles carrying a checksum-database replay, for serve and verify tests:
 * the replay comes from the in-memory FakeDatabase through the real client
 * (verifyModules) and replayFiles, exactly as pack stores it; the bundle is
 * written by src/bundle/writer.ts with a manifest naming the tree and signed
 * by a test key. `tamper` changes replay files before the manifest is made,
 * so the manifest signature is good and only the replay check can object.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ManifestSumdb } from '../../src/bundle/manifest.js';
import { writeBundle } from '../../src/bundle/writer.js';
import { verifyModules } from '../../src/sumdb/client.js';
import { replayFiles } from '../../src/sumdb/replay.js';
import { formatHash } from '../../src/sumdb/tlog/hash.js';
import { treeHash } from '../../src/sumdb/tlog/storedHash.js';
import { type TestKey, moduleFiles, signNote, testManifest, type TestFile } from '../bundle/testBundle.js';
import { FAKE_DB_NAME, FakeDatabase, fakeKeys, moduleOf } from '../sumdb/fakeDatabase.js';
import type { MemoryLog } from '../sumdb/tlog/memoryLog.js';
import { type ModuleVersion } from '../../src/gomod/moduleVersion.js';

export const DB = FAKE_DB_NAME;
export const DB_DIR = `sumdb/${FAKE_DB_NAME}`;
export const DB_KEY = fakeKeys.verifierKey;

export interface SumdbBundleOptions {
  log: MemoryLog;
  /** Tree size the database has when the bundle is packed. */
  logSize: number;
  /** Log records (see moduleOf) whose modules the bundle carries. */
  ids: readonly number[];
  key: TestKey;
  /** Change replay files (by bundle file name) before the manifest is made. */
  tamper?: (files: Map<string, Buffer>) => void;
  /** Older tree sizes the bundle proves its tree consistent with (pack's recorded heads or --previous). */
  older?: readonly number[];
  /** Change the manifest's sumdb entry before signing. */
  sumdb?: (s: ManifestSumdb) => ManifestSumdb | null;
}

export function escapedModule(m: ModuleVersion): string {
  return m.path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** Write a signed bundle with the modules of `ids` and their replay; returns the replay files. */
export async function writeSumdbBundle(target: string, opts: SumdbBundleOptions): Promise<Map<string, Buffer>> {
  const db = await FakeDatabase.create(opts.log, { logSize: opts.logSize });
  const modules = opts.ids.map(moduleOf);
  const olderTrees = await Promise.all(
    (opts.older ?? []).map(async (n) => ({ tree: { n, hash: await treeHash(n, opts.log) }, from: `tree#${n}` })),
  );
  const verified = await verifyModules(db, DB_KEY, modules, { olderTrees });
  const replay = replayFiles(verified);
  opts.tamper?.(replay);
  const files: TestFile[] = [
    ...modules.flatMap((m) => moduleFiles(escapedModule(m), m.version)),
    ...[...replay].map(([name, data]) => ({ name, data })),
  ];
  const manifest = JSON.parse(testManifest(files)) as Record<string, unknown>;
  const consistentWith = verified.consistentWith.map((t) => ({ treeSize: t.n, treeHash: formatHash(t.hash) }));
  const sumdb: ManifestSumdb = {
    name: verified.name,
    treeSize: verified.tree.n,
    treeHash: formatHash(verified.tree.hash),
    ...(consistentWith.length > 0 ? { consistentWith } : {}),
  };
  manifest.sumdb = opts.sumdb === undefined ? sumdb : opts.sumdb(sumdb);
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const signature = Buffer.from(signNote(`gobundle manifest v1\n${createHash('sha256').update(manifestBytes).digest('hex')}\n`, opts.key));
  await writeBundle(target, {
    manifest: manifestBytes,
    signature,
    mtime: new Date(1677906367000),
    files: files.map((f) => {
      const data = Buffer.from(f.data);
      return { name: f.name, size: data.length, open: () => Readable.from([data]) };
    }),
  });
  return replay;
}

/** Flip one bit of a byte in the middle of `data`. */
export function flipByte(data: Buffer): Buffer {
  const c = Buffer.from(data);
  const i = Math.floor(c.length / 2);
  c[i] = (c[i] as number) ^ 1;
  return c;
}
