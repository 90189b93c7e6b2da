import { access, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { generateKey } from '../sumdb/note.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { KeygenError } from '../bundle/bundleErrors.js';

/** `gobundle keygen <name> [--out-dir DIR]`: a signer key (<name>.key, 0600) and its verifier key (<name>.pub). */
export function registerKeygen(program: Command, io: CliIO): void {
  declareCommand(program, 'keygen')
    .argument('<name>', 'key name (no spaces or "+"), e.g. the signing team or host')
    .option('--out-dir <dir>', 'where to write the two files', '.')
    .action(async (name: string, options: { outDir: string }) => {
      let keys: { signerKey: string; verifierKey: string };
      try {
        keys = generateKey(name);
      } catch (err) {
        throw new UsageError(`keygen: ${err instanceof Error ? err.message : String(err)}`, {
          hint: 'a key name is non-empty and has no spaces or "+"',
        });
      }
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) {
        throw new UsageError(`keygen: key name ${JSON.stringify(name)} cannot be used as a file name`);
      }
      const dir = resolve(io.cwd, options.outDir);
      const keyFile = join(dir, `${name}.key`);
      const pubFile = join(dir, `${name}.pub`);
      const create = async (file: string, text: string, mode: number): Promise<void> => {
        try {
          // wx: refuse to overwrite an existing key (losing a signer key is not undoable).
          await writeFile(file, text, { flag: 'wx', mode });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw new KeygenError(`keygen: ${file}: ${code === 'EEXIST' ? 'already exists' : (err as Error).message}`, {
            hint: code === 'EEXIST' ? 'remove it or choose another name or --out-dir; keygen never overwrites keys' : undefined,
          });
        }
      };
      for (const file of [keyFile, pubFile]) {
        const exists = await access(file).then(
          () => true,
          () => false,
        );
        if (exists) {
          throw new KeygenError(`keygen: ${file}: already exists`, {
            hint: 'remove it or choose another name or --out-dir; keygen never overwrites keys',
          });
        }
      }
      await create(keyFile, `${keys.signerKey}\n`, 0o600);
      await create(pubFile, `${keys.verifierKey}\n`, 0o644);
      io.stdout.write(`wrote ${keyFile} (secret signer key: keep it private)\nwrote ${pubFile} (verifier key: ${keys.verifierKey})\n`);
    });
}
