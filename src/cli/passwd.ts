import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { NAME, withEntry } from '../auth/authFile.js';
import { hashPassword, newToken, tokenDigest } from '../auth/credentials.js';
import { UsageError } from '../errors.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';

interface PasswdCliOptions {
  token?: boolean;
}

/** Shortest password accepted. */
export const MIN_PASSWORD = 8;

/**
 * `gobundle passwd <file> <user>`: add or replace a user of serve --auth,
 * the password read from standard input (its first line), or prompted for
 * without echo on a terminal; `--token` makes a bearer token instead and
 * prints it once. The file is rewritten atomically, mode 0600.
 */
export function registerPasswd(program: Command, io: CliIO): void {
  declareCommand(program, 'passwd')
    .argument('<file>', 'the --auth file (created if missing)')
    .argument('<name>', 'the user (or token) name')
    .option('--token', 'make a random bearer token for NAME and print it (once) instead of reading a password')
    .action(async (file: string, name: string, options: PasswdCliOptions) => {
      if (!NAME.test(name))
        throw new UsageError(`passwd: ${JSON.stringify(name)}: want a name of letters, digits and . _ @ + - (no colon), at most 64`);
      const path = resolve(io.cwd, file);
      let text = '';
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      let token: string | undefined;
      let entry;
      if (options.token) {
        token = newToken();
        entry = { kind: 'token' as const, name, digest: tokenDigest(token) };
      } else {
        const password = await readPassword(io, name);
        if (password.length < MIN_PASSWORD) throw new UsageError(`passwd: the password must be at least ${MIN_PASSWORD} characters`);
        entry = { kind: 'user' as const, name, hash: hashPassword(password) };
      }
      const next = withEntry(text, entry);
      const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
      await writeFile(tmp, next.text, { mode: 0o600 });
      await rename(tmp, path);
      io.stderr.write(`gobundle: passwd: ${next.replaced ? 'replaced' : 'added'} ${entry.kind} ${name} in ${path}\n`);
      if (token !== undefined) io.stdout.write(`${token}\n`);
    });
}

/** The password: prompted for without echo on a terminal, else the first line of standard input. */
async function readPassword(io: CliIO, name: string): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    io.stderr.write(`password for ${name}: `);
    const first = await readHidden(stdin);
    io.stderr.write('\nagain: ');
    const second = await readHidden(stdin);
    io.stderr.write('\n');
    if (first !== second) throw new UsageError('passwd: the two passwords differ');
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  const line = Buffer.concat(chunks).toString('utf8').split('\n')[0] ?? '';
  return line.replace(/\r$/, '');
}

/** One line from a terminal in raw mode, not echoed. */
function readHidden(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let line = '';
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      if (err) reject(err);
      else resolveLine(line);
    };
    const onData = (b: Buffer): void => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('passwd: interrupted'));
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    stdin.on('data', onData);
  });
}
