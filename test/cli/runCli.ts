/** Run the gobundle CLI in-process with captured output, for tests. */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await main(['node', 'gobundle', ...args], {
    stdout: out.stream,
    stderr: err.stream,
    env: opts.env ?? { GOENV: 'off' },
    cwd: opts.cwd ?? process.cwd(),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
