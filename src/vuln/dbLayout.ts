/**
 * The Go vulnerability database's v1 layout (go.dev/doc/security/vuln/database,
 * golang/vuln internal/client schema.go): three index files and one OSV file
 * per entry, each also served gzip'd with ".gz" appended. The bundle carries
 * the ".json" files under vulndb/, so the extracted folder is a database
 * govulncheck reads with `-db file://…`; serve adds the ".json.gz" forms its
 * HTTP source reads. Where the folder sits in a bundle is bundle/treeLayout.ts's
 * business. Pure.
 */

/** Paths inside the database (no VULNDB_DIR). */
export const DB_INDEX = 'index/db.json';
export const MODULES_INDEX = 'index/modules.json';
export const VULNS_INDEX = 'index/vulns.json';

export function entryPath(id: string): string {
  return `ID/${id}.json`;
}

/** The entry id of an `ID/<id>.json` path, else undefined. */
export function idOfEntryPath(dbPath: string): string | undefined {
  const m = /^ID\/([^/]+)\.json$/.exec(dbPath);
  return m?.[1];
}
