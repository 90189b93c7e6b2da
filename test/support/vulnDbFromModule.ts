/**
 * A Go vulnerability database in the v1 layout (index/db.json,
 * index/modules.json, index/vulns.json, ID/<id>.json, each also .json.gz),
 * built from the OSV entries the golang.org/x/vulndb module holds
 * (data/osv/GO-*.json) by that module's own builder, cmd/indexdb — the same
 * code the Go team's database is written with, so gobundle's reader meets
 * the real thing. Needs the go command and a GOPROXY that serves x/vulndb
 * and its dependencies. Used by `npm run live` (test/live/).
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function go(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn('go', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (status) =>
      status === 0 ? resolveRun(out) : reject(new Error(`go ${args.join(' ')} failed (exit ${status}):\n${err.slice(-4000)}`)),
    );
  });
}

/**
 * Build the database for golang.org/x/vulndb@`version` into `outDir` (kept
 * when it already holds index/db.json). `env` is the go command's environment
 * (GOPROXY, GOMODCACHE, …). Returns the number of entries.
 */
export async function buildVulnDb(version: string, outDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const mod = `golang.org/x/vulndb@${version}`;
  const info = JSON.parse(await go(['mod', 'download', '-json', mod], outDir.replace(/\/[^/]*$/, ''), env)) as {
    Dir?: string;
    Error?: string;
  };
  if (info.Dir === undefined) throw new Error(`go mod download ${mod}: ${info.Error ?? 'no Dir'}`);
  if (!existsSync(join(outDir, 'index', 'db.json'))) {
    rmSync(outDir, { recursive: true, force: true });
    await go(['run', `golang.org/x/vulndb/cmd/indexdb@${version}`, '-vulns', join(info.Dir, 'data', 'osv'), '-out', outDir], info.Dir, env);
  }
  return join(info.Dir, 'data', 'osv');
}
