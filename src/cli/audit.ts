import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseManifest } from '../bundle/manifest.js';
import { audit, type Finding } from '../vuln/audit.js';
import { parseDbMeta } from '../vuln/dbIndex.js';
import { DB_INDEX } from '../vuln/dbLayout.js';
import { VULNDB_PREFIX, vulndbFileName } from '../bundle/treeLayout.js';
import { VulnDbError, parseOsvEntry } from '../vuln/osv.js';
import { collect } from '../bundleset/trustFiles.js';
import type { CliIO } from './io.js';
import { loadBundleTrust, openTrusted } from '../bundleset/openBundles.js';
import { declareCommand } from './commandIndex.js';
import { VulnerableError } from '../vuln/audit.js';

function line(f: Finding): string {
  const aliases = f.aliases.length === 0 ? '' : ` (${f.aliases.join(', ')})`;
  return `${f.path}@${f.version}: ${f.id}${aliases}: ${f.summary}; ${f.fixed === '' ? 'no fixed version' : `fixed in ${f.fixed}`}\n`;
}

/**
 * `gobundle audit <bundle> --trust <file.pub> [--json]`: which known
 * vulnerabilities (the bundle's own vulndb/) affect the bundled module
 * versions. Exit 0 none, 1 some (or the bundle fails verification), 2 usage.
 */
export function registerAudit(program: Command, io: CliIO): void {
  declareCommand(program, 'audit')
    .argument('<bundle>', '.tgz bundle or extracted bundle directory')
    .option('--json', 'print {"modules", "databaseModified", "findings": [{path, version, id, aliases, summary, fixed}]}')
    .option('--trust <file.pub>', 'verifier key file of a trusted signer (repeatable)', collect, [])
    .option('--allow-unsigned', 'accept a bundle without a signature')
    .option(
      '--sumdb-key <name+hash+key>',
      "checksum database verifier key to check the bundle's replay signatures with (repeatable; default: GOSUMDB's key)",
      collect,
      [],
    )
    .action(async (source: string, options: { json?: boolean; trust: string[]; allowUnsigned?: boolean; sumdbKey: string[] }) => {
      const trust = await loadBundleTrust('audit', options, io, () => undefined);
      const { bundle: b } = await openTrusted(resolve(io.cwd, source), trust, { keep: (name) => name.startsWith(VULNDB_PREFIX) });
      const kept = new Map<string, Buffer>(b.kept ?? []);
      // An extracted directory was verified in place: read its (verified) vulndb/ files from there.
      if (b.kind === 'dir' && b.dir !== undefined) {
        for (const name of b.files.keys()) if (name.startsWith(VULNDB_PREFIX)) kept.set(name, await readFile(join(b.dir, name)));
      }
      const dbMeta = kept.get(vulndbFileName(DB_INDEX));
      if (dbMeta === undefined) {
        const missing = parseManifest(b.manifestBytes).vulndb;
        if (missing !== undefined) {
          // Packed where the default database could not be read: nothing can be said, not even "nothing known".
          throw new VulnDbError(
            `audit: ${source} carries no vulnerability data: ${missing.url} could not be read when it was packed (${missing.reason}), so nothing is known either way`,
            {
              hint: 'pack it again where the database is reachable, or with --vulndb <url> of a copy this machine can reach (a mirror, or file:///path)',
            },
          );
        }
        throw new VulnDbError(`audit: ${source} carries no vulnerability data`, {
          hint: 'pack it again without --no-vulndb (and with GOVULNDB not off)',
        });
      }
      const modified = parseDbMeta(dbMeta, `${source}: ${vulndbFileName(DB_INDEX)}`).modified;
      const entries = [...kept]
        .filter(([name]) => name.startsWith(`${VULNDB_PREFIX}ID/`))
        .map(([name, data]) => parseOsvEntry(data, `${source}: ${name}`));
      // go.mod-only versions are never built: only the build list is audited.
      const modules = parseManifest(b.manifestBytes).modules.filter((m) => m.zipH1 !== null);
      const findings = audit(modules, entries);
      const affected = new Set(findings.map((f) => `${f.path}@${f.version}`)).size;
      if (options.json) {
        io.stdout.write(`${JSON.stringify({ modules: modules.length, databaseModified: modified, findings })}\n`);
      } else {
        for (const f of findings) io.stdout.write(line(f));
        io.stdout.write(
          findings.length === 0
            ? `no known vulnerabilities affect the ${modules.length} module versions (vulnerability data of ${modified})\n`
            : `${findings.length} known vulnerabilit${findings.length === 1 ? 'y affects' : 'ies affect'} ${affected} of ${modules.length} module versions (vulnerability data of ${modified})\n`,
        );
      }
      if (findings.length > 0) throw new VulnerableError(findings.length, affected);
    });
}
