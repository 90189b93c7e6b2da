/**
 * A corpus project's source tree, from its module zip: `go mod download -json
 * module@version` through the machine's mirror, then a writable copy of the
 * extracted Dir. The committed go.mod and go.sum (test/live/corpus/<name>/)
 * must equal the zip's: a difference means the corpus no longer describes
 * what the mirror serves.
 */
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type CorpusProject, corpusFiles, freshDir, mustSucceed, onlineEnv, run } from './liveEnv.js';

export interface DownloadedModule {
  Path: string;
  Version: string;
  Dir?: string;
  GoMod?: string;
  Sum?: string;
  GoModSum?: string;
  Error?: string;
}

/** `go mod download -json <args>` (one JSON object per module, concatenated). */
export function parseDownloadJson(text: string): DownloadedModule[] {
  return parseJsonStream<DownloadedModule>(text);
}

/** Concatenated JSON objects, as the go command and govulncheck print them. */
export function parseJsonStream<T>(text: string): T[] {
  const out: T[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as T);
    }
  }
  return out;
}

/** Download module@version into `modCache` and return its extracted directory. */
export async function downloadModule(p: CorpusProject, goproxy: string, modCache: string): Promise<string> {
  const r = mustSucceed(
    `go mod download -json ${p.module}@${p.version}`,
    await run('go', ['mod', 'download', '-json', `${p.module}@${p.version}`], {
      cwd: modCache,
      env: onlineEnv(goproxy, { GOMODCACHE: modCache, GOFLAGS: '-mod=mod' }),
      timeoutMs: 600_000,
    }),
  );
  const [m] = parseDownloadJson(r.stdout);
  if (m?.Dir === undefined) throw new Error(`go mod download -json ${p.module}@${p.version} gave no Dir:\n${r.stdout}`);
  return m.Dir;
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

/** A fresh writable copy of the project's module zip in `dest`, its go.mod/go.sum checked against the corpus. */
export async function projectSource(p: CorpusProject, goproxy: string, modCache: string, dest: string): Promise<string> {
  const dir = await downloadModule(p, goproxy, modCache);
  freshDir(dest);
  cpSync(dir, dest, { recursive: true });
  makeWritable(dest);
  const want = corpusFiles(p.name);
  const sumPath = join(dest, 'go.sum');
  const gotSum = existsSync(sumPath) ? readFileSync(sumPath) : undefined;
  if (!readFileSync(join(dest, 'go.mod')).equals(want.goMod))
    throw new Error(`${p.name}: test/live/corpus/${p.name}/go.mod differs from ${p.module}@${p.version}'s module zip`);
  if (
    (gotSum === undefined) !== (want.goSum === undefined) ||
    (gotSum !== undefined && want.goSum !== undefined && !gotSum.equals(want.goSum))
  ) {
    throw new Error(`${p.name}: test/live/corpus/${p.name}/go.sum differs from ${p.module}@${p.version}'s module zip`);
  }
  return dest;
}
