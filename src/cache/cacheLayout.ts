/**
 * What lives inside gobundle's cache directory (cacheDir.ts decides where
 * that is): the one place that knows the layout, so every user asks here
 * and tests reuse it.
 *
 *   content/sha256/aa/bb/<rest of hex>   download cache: bytes by SHA-256 (downloadCache.ts)
 *   index.jsonl                          download cache: key → entry, one JSON line each (indexLog.ts)
 *   index/aa/<sha256 of key>.json        the same, before index.jsonl: copied into it once (legacyIndex.ts)
 *   tmp/                                 download cache: writes in progress
 *   sumdb-heads/<encoded db name>/       tree heads written into bundles (treeHeads.ts)
 *   vcs/<sha256 of "git3:" + url>/       bare git repositories of direct modules (vcs/gitRepo.ts)
 *   serve/                               .tgz bundles extracted for serve and export (or their --cache-dir):
 *     <sha256>/                          one verified extraction per bundle (bundle/extractionCache.ts)
 *     state/                             serve's default --state-dir (the record of misses)
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export const cacheLayout = {
  /** Where the bytes with this SHA-256 are stored. */
  content(dir: string, sha256: string): string {
    return join(dir, 'content', 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256.slice(4));
  },
  /** The download cache's index: key (`path@version.kind`) → entry, appended one line per entry. */
  indexLog(dir: string): string {
    return join(dir, 'index.jsonl');
  },
  /** The download cache's index before index.jsonl: a folder of one JSON file per entry (read once, by legacyIndex.ts). */
  legacyIndex(dir: string): string {
    return join(dir, 'index');
  },
  /** Temp files of writes in progress. */
  tmp(dir: string): string {
    return join(dir, 'tmp');
  },
  /** The tree heads recorded for every checksum database. */
  sumdbHeads(dir: string): string {
    return join(dir, 'sumdb-heads');
  },
  /** The tree heads recorded for one checksum database. */
  sumdbHeadsOf(dir: string, name: string): string {
    return join(cacheLayout.sumdbHeads(dir), encodeURIComponent(name));
  },
  /** The bare repository cloned from a git URL (the "git3:" prefix versions the layout). */
  vcsRepo(dir: string, url: string): string {
    return join(dir, 'vcs', createHash('sha256').update(`git3:${url}`).digest('hex'));
  },
  /** Where .tgz bundles are extracted, one folder per bundle sha256 (bundle/extractionCache.ts). */
  extractions(dir: string): string {
    return join(dir, 'serve');
  },
  /** serve's state (its record of misses), beside the extractions it serves from. */
  serveState(extractionRoot: string): string {
    return join(extractionRoot, 'state');
  },
};
