/**
 * The I/O edge that feeds go.mod files to the pure resolver: remote module
 * versions come from the GOPROXY chain, local-directory replacements from
 * disk (relative to the main module's directory, as the go command reads
 * them). Both are parsed leniently, as cmd/go parses every go.mod that is
 * not the main module's.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parseModFile } from '../gomod/modfile.js';
import type { GoModSource, ModSummaryInput } from '../resolve/types.js';
import { type ModuleVersion } from '../gomod/moduleVersion.js';
import { LocalReplaceError } from './inputErrors.js';

/** What the source needs from the proxy layer: the bytes of `path@version`'s .mod. */
export interface ModFetcher {
  mod(path: string, version: string): Promise<Uint8Array>;
}

export function createGoModSource(fetcher: ModFetcher, mainDir: string): GoModSource {
  return {
    async remote(m: ModuleVersion): Promise<ModSummaryInput> {
      const data = await fetcher.mod(m.path, m.version);
      return parseModFile(`${m.path}@${m.version}/go.mod`, data, { strict: false });
    },
    async local(dir: string): Promise<ModSummaryInput> {
      const file = join(isAbsolute(dir) ? dir : join(mainDir, dir), 'go.mod');
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch (err) {
        throw new LocalReplaceError(
          dir,
          '',
          `reading ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err)}`,
          {
            hint: 'a replace directive that points at a directory needs a go.mod in that directory',
          },
        );
      }
      return parseModFile(file, data, { strict: false });
    },
  };
}
