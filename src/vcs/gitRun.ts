/**
 * Running the git command for a bare repository in the VCS cache, as
 * cmd/go/internal/modfetch/codehost/codehost.go Run does: GIT_DIR set (so
 * safe.bareRepository=explicit works), no terminal prompts, a time limit,
 * output capped, and an error naming the command, the repository (without
 * credentials) and what git printed on stderr.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';
import { redactUrl } from '../gomod/goenv.js';
import type { ProcessEnv } from '../gomod/goenv.js';

/** How long one git command may run (a fetch of a big repository included). */
export const GIT_TIMEOUT_MS = 10 * 60_000;

/** The largest stdout read into memory (ls-remote of a repository with very many refs still fits). */
export const MAX_GIT_OUTPUT = 64 << 20;

/** git printed an error or could not be run: `git <args> in <repo>: <what happened>`. */
export class GitError extends GobundleError {
  readonly exitCode: number | undefined;
  readonly stderr: string;
  constructor(message: string, options: { exitCode?: number; stderr?: string; hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.VCS, message, options);
    this.exitCode = options.exitCode;
    this.stderr = options.stderr ?? '';
  }
}

export interface GitRunOptions {
  /** The bare repository (GIT_DIR and working directory). */
  dir: string;
  /** The repository URL, for messages (redacted). */
  remote: string;
  env: ProcessEnv;
  timeoutMs?: number;
  /** Write stdout to this file instead of returning it, refusing more than `maxBytes`. */
  stdoutFile?: { path: string; maxBytes: number };
}

/** Credentials inside any URL git echoes back are dropped from what we show. */
function redactText(s: string): string {
  return s.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/\s@]*@/g, '$1');
}

/** Run `git <args>`; resolves to stdout (empty when written to a file). */
export function runGit(args: readonly string[], opts: GitRunOptions): Promise<Buffer> {
  const what = `git ${args.map((a) => redactText(a)).join(' ')} in ${redactUrl(opts.remote)}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  env.GIT_DIR = opts.dir;
  // cmd/go main sets GIT_TERMINAL_PROMPT=0 unless the user set it: a prompt would hang a batch run.
  env.GIT_TERMINAL_PROMPT ??= '0';
  // Likewise GCM_INTERACTIVE=never for Git Credential Manager.
  env.GCM_INTERACTIVE ??= 'never';
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn('git', args, { cwd: opts.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(new GitError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      return;
    }
    const out: Buffer[] = [];
    let outSize = 0;
    const errChunks: Buffer[] = [];
    let errSize = 0;
    let failure: GitError | undefined;
    const fail = (e: GitError): void => {
      failure ??= e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => fail(new GitError(`${what}: timed out after ${Math.round((opts.timeoutMs ?? GIT_TIMEOUT_MS) / 1000)} s`)),
      opts.timeoutMs ?? GIT_TIMEOUT_MS,
    );
    let fileDone: Promise<void> = Promise.resolve();
    if (opts.stdoutFile !== undefined) {
      const { path, maxBytes } = opts.stdoutFile;
      const sink = createWriteStream(path, { flags: 'w' });
      fileDone = new Promise((res, rej) => {
        sink.on('finish', () => res());
        sink.on('error', rej);
      });
      child.stdout.on('data', (chunk: Buffer) => {
        outSize += chunk.length;
        if (outSize > maxBytes) fail(new GitError(`${what}: output larger than ${maxBytes} bytes`));
        else sink.write(chunk);
      });
      child.stdout.on('end', () => sink.end());
    } else {
      child.stdout.on('data', (chunk: Buffer) => {
        outSize += chunk.length;
        if (outSize > MAX_GIT_OUTPUT) fail(new GitError(`${what}: output larger than ${MAX_GIT_OUTPUT} bytes`));
        else out.push(chunk);
      });
    }
    child.stderr.on('data', (chunk: Buffer) => {
      if (errSize < 64 << 10) errChunks.push(chunk);
      errSize += chunk.length;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT') {
        reject(
          new GitError(`${what}: git is not installed (no "git" on PATH)`, {
            hint: 'modules routed to "direct" (GOPRIVATE, GONOPROXY or a "direct" GOPROXY entry) are fetched with git, as the go command does: install git',
            cause: err,
          }),
        );
      } else {
        reject(new GitError(`${what}: ${err.message}`, { cause: err }));
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = redactText(Buffer.concat(errChunks).toString('utf8')).trim();
      if (failure !== undefined) {
        reject(failure);
        return;
      }
      if (code !== 0) {
        reject(
          new GitError(`${what}: exit status ${code ?? 'signal'}${stderr === '' ? '' : `\n\t${stderr.split('\n').join('\n\t')}`}`, {
            exitCode: code ?? undefined,
            stderr,
          }),
        );
        return;
      }
      fileDone.then(
        () => resolve(Buffer.concat(out)),
        (err: unknown) =>
          reject(new GitError(`${what}: writing output: ${err instanceof Error ? err.message : String(err)}`, { cause: err })),
      );
    });
  });
}
