/**
 * The Go vulnerability database's v1 layout (go.dev/doc/security/vuln/database,
 * golang/vuln internal/client schema.go): three index files and one OSV file
 * per entry, each also served gzip'd with ".gz" appended. The bundle carries
 * the ".json" files under VULNDB_DIR, so the extracted folder is a database
 * govulncheck reads with `-db file://…`; serve adds the ".json.gz" forms its
 * HTTP source reads. Pure.
 */

/** The folder of a bundle holding the vulnerability database. */
export const VULNDB_DIR = 'vulndb';
export const VULNDB_PREFIX = `${VULNDB_DIR}/`;

/** Paths inside the database (no VULNDB_DIR). */
export const DB_INDEX = 'index/db.json';
export const MODULES_INDEX = 'index/modules.json';
export const VULNS_INDEX = 'index/vulns.json';

export function entryPath(id: string): string {
  return `ID/${id}.json`;
}

/** The bundle file name of a database path. */
export function bundleName(dbPath: string): string {
  return `${VULNDB_PREFIX}${dbPath}`;
}

/** The entry id of an `ID/<id>.json` path, else undefined. */
export function idOfEntryPath(dbPath: string): string | undefined {
  const m = /^ID\/([^/]+)\.json$/.exec(dbPath);
  return m?.[1];
}
