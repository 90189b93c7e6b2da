/**
 * The vulnerability-database stage of pack: from a Go vulnerability
 * database in the v1 layout (GOVULNDB, default https://vuln.go.dev; see
 * go.dev/doc/security/vuln/database) it takes every entry that names a
 * module path the bundle carries, or `stdlib` or `toolchain`, checks each
 * one's OSV shape, and returns them as bundle files under vulndb/ with
 * index files built from exactly those entries — so the folder is itself a
 * valid database for govulncheck and `gobundle audit`, and the manifest
 * covers every byte of it. Entries for a path are carried whatever their
 * ranges say: which versions they affect is decided offline, visibly.
 *
 * Reads go through pack's HttpTransport (one connection pool, retries,
 * file:// too), each capped: a body larger than its cap is an error, not a
 * truncated file.
 *
 * A database the user named must be read, or the pack fails. The default
 * one is optional: when it cannot be read (a firewall, no internet) the
 * stage says why instead of failing, and pack writes the bundle without
 * vulnerability data, recording why in its manifest.
 */
import { GobundleError, NetworkError } from '../errors.js';
import { redactUrl } from '../gomod/goenv.js';
import type { HttpTransport } from '../network/httpTransport.js';
import { readCapped } from '../network/cappedBody.js';
import { buildIndex, idsForModules, parseDbMeta, parseModulesIndex } from '../vuln/dbIndex.js';
import { DB_INDEX, MODULES_INDEX, VULNS_INDEX, entryPath } from '../vuln/dbLayout.js';
import { vulndbFileName } from '../bundle/treeLayout.js';
import { STDLIB_MODULE, TOOLCHAIN_VULN_MODULE, VulnDbError, parseOsvEntry } from '../vuln/osv.js';
import type { OsvEntry } from '../vuln/osvEntry.js';
import type { StageFile, VulnDbStage } from './packBundle.js';

/** The database govulncheck uses by default. */
export const DEFAULT_GOVULNDB = 'https://vuln.go.dev';
/** index/modules.json of vuln.go.dev is a few MiB; a database ten times its size still fits. */
export const MAX_VULNDB_INDEX_BYTES = 64 << 20;
/** One OSV entry is a few KiB; the largest published ones are far below this. */
export const MAX_VULNDB_ENTRY_BYTES = 4 << 20;

/** Attempts per file of the default database: it is an extra, so a firewall that drops packets costs two timeouts, not four. */
export const OPTIONAL_VULNDB_ATTEMPTS = 2;

const HINT =
  'point GOVULNDB or --vulndb <url> at a reachable copy of the Go vulnerability database, or pass --no-vulndb to pack without vulnerability data';

export interface VulnDbStageOptions {
  /** The default database, which the user did not name: a failure is reported, not thrown. */
  optional?: boolean;
  /** Who named the database, for the hint: `--vulndb`, `GOVULNDB (from the environment)`. */
  namedBy?: string;
}

export function createVulnDbStage(url: string, transport: Pick<HttpTransport, 'get'>, stageOptions: VulnDbStageOptions = {}): VulnDbStage {
  const base = url.replace(/\/+$/, '');
  const shown = redactUrl(base);
  const optional = stageOptions.optional === true;
  // govulncheck sends no credentials to the database; neither does pack.
  const options = {
    tag: { kind: 'vulndb', server: shown },
    credentials: false,
    ...(optional ? { attempts: OPTIONAL_VULNDB_ATTEMPTS } : {}),
  } as const;
  const fetchFile = (path: string, cap: number): Promise<Buffer> =>
    transport.get(
      `${base}/${path}`,
      (body, meta) => readCapped(body, cap, meta.contentLength, () => new VulnDbError(`reading ${meta.url}: larger than ${cap} bytes`)),
      options,
    );
  return async (modulePaths) => {
    try {
      // index/db.json marks the v1 layout (govulncheck recognises a database by it).
      parseDbMeta(await fetchFile(DB_INDEX, MAX_VULNDB_INDEX_BYTES), `${shown}/${DB_INDEX}`);
      const index = parseModulesIndex(await fetchFile(MODULES_INDEX, MAX_VULNDB_INDEX_BYTES), `${shown}/${MODULES_INDEX}`);
      const ids = idsForModules(index, new Set([...modulePaths, STDLIB_MODULE, TOOLCHAIN_VULN_MODULE]));
      const fetched = await Promise.all(
        ids.map(async (id) => {
          const where = `${shown}/${entryPath(id)}`;
          const data = await fetchFile(entryPath(id), MAX_VULNDB_ENTRY_BYTES);
          const entry: OsvEntry = parseOsvEntry(data, where);
          if (entry.id !== id) throw new VulnDbError(`${where}: "id" is ${JSON.stringify(entry.id)}, want ${JSON.stringify(id)}`);
          return { entry, data };
        }),
      );
      const idx = buildIndex(fetched.map((f) => f.entry));
      const files: StageFile[] = [
        { name: vulndbFileName(DB_INDEX), data: idx.db },
        { name: vulndbFileName(MODULES_INDEX), data: idx.modules },
        { name: vulndbFileName(VULNS_INDEX), data: idx.vulns },
        ...fetched.map((f) => ({ name: vulndbFileName(entryPath(f.entry.id)), data: f.data })),
      ];
      return { url: shown, entries: fetched.length, files };
    } catch (err) {
      if (!(err instanceof GobundleError)) throw err;
      if (optional) return { url: shown, entries: 0, files: [], unavailable: err.message.replace(/\n\t/g, '; ') };
      // A failure with advice of its own (the outbound proxy, TLS) keeps it, after where the URL came from.
      const own = err instanceof NetworkError && err.constructor !== NetworkError ? `${err.hint ?? ''}; ` : '';
      const named = stageOptions.namedBy === undefined ? '' : `${stageOptions.namedBy} names it; `;
      throw new VulnDbError(`vulnerability database ${shown}: ${err.message}`, { hint: `${named}${own}${HINT}`, cause: err });
    }
  };
}
