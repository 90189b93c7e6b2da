/**
 * `bin/gobundle serve` as a child process, the way an operator runs it, for
 * the end-to-end tests: started with the given arguments, ready once it
 * prints its one `listening on URL` line (bounded wait), its stderr (event
 * and access log) kept for assertions. Needs dist/ (npm test builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const bin = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'gobundle');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything serve wrote to stderr so far. */
  stderr: () => string;
}

/** Start `gobundle serve <args>` in `cwd`; rejects if it exits or stays silent for `timeoutMs`. */
export function startServeProcess(
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  return new Promise((resolveStart, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not print its listening line within ${opts.timeoutMs} ms:\n${err}`));
    }, opts.timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /^listening on (http\S+)\n/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolveStart({ child, url: m[1] as string, stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${err}`));
    });
  });
}
