import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { OpenedBundle } from '../bundle/reader.js';
import { UsageError } from '../errors.js';
import type { ServedFile } from '../bundleset/moduleIndex.js';
import { type ExportEntry, type ExportLayout, exportEntries } from '../export/exportEntries.js';
import { type PageFile, pageFiles } from '../page/exportPage.js';
import { ExportError, writeExportTree } from '../export/writeExportTree.js';
import { BundleSet } from '../bundleset/bundleSet.js';
import { collect } from '../bundleset/trustFiles.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { type BundleTrustFlags, extractionRoot, loadBundleTrust, openTrusted } from '../bundleset/openBundles.js';
import { describeReplayVerification } from '../bundle/bundleReplay.js';

interface ExportCliOptions extends BundleTrustFlags {
  to: string;
  layout: string;
  replace?: boolean;
  cacheDir?: string;
}

/**
 * `gobundle export <bundle>... --to <dir>`: verify the bundles exactly as
 * serve does, merge them exactly as serve does, and write what serve would
 * answer as a plain static tree (export/exportEntries.ts), atomically
 * (export/writeExportTree.ts).
 */
export function registerExport(program: Command, io: CliIO): void {
  declareCommand(program, 'export')
    .argument('<bundles...>', '.tgz bundles or extracted bundle directories')
    .requiredOption('--to <dir>', 'directory to create (must not exist or be empty, unless --replace)')
    .option(
      '--layout <goproxy|athens>',
      'goproxy: the GOPROXY protocol as static paths; athens: Athens disk storage (pkg/storage/fs)',
      'goproxy',
    )
    .option('--replace', 'replace a non-empty --to with the new tree')
    .option('--trust <file.pub>', 'verifier key file of a trusted signer (repeatable)', collect, [])
    .option('--allow-unsigned', 'export bundles without a signature')
    .option(
      '--sumdb-key <name+hash+key>',
      "checksum database verifier key to check the bundles' replay signatures with (repeatable; default: GOSUMDB's key)",
      collect,
      [],
    )
    .option('--cache-dir <dir>', 'where .tgz bundles are extracted (shared with serve)')
    .action(async (bundles: string[], options: ExportCliOptions) => {
      if (options.layout !== 'goproxy' && options.layout !== 'athens')
        throw new UsageError(`export: --layout ${JSON.stringify(options.layout)}: want goproxy or athens`);
      const layout: ExportLayout = options.layout;
      const event = (msg: string): void => {
        io.stderr.write(`gobundle: export: ${msg}\n`);
      };
      const trust = await loadBundleTrust('export', options, io, event);
      const cacheRoot = extractionRoot(options.cacheDir, io);
      if (options.allowUnsigned) event('--allow-unsigned: bundles without a signature will be exported');
      const opened: OpenedBundle[] = [];
      for (const source of bundles) {
        const o = await openTrusted(resolve(io.cwd, source), trust, { into: cacheRoot });
        opened.push(o.bundle);
        event(
          `verified ${source}: ${o.bundle.modules} modules, ${o.bundle.files.size} files, ${o.bundle.signer === undefined ? 'UNSIGNED' : `signed by ${o.bundle.signer}`}${o.replay === undefined ? '' : `; ${describeReplayVerification(o.replay)}`}`,
        );
      }
      const set = new BundleSet();
      await set.add(opened);
      const index = set.current;
      for (const view of index.sumdb.values()) for (const w of view.warnings) event(`warning: ${w}`);
      if (layout === 'athens' && index.sumdb.size > 0)
        event(
          'the athens layout carries no checksum-database replay: Athens proxies /sumdb/ requests (or clients set GONOSUMDB/GOSUMDB=off)',
        );
      const to = resolve(io.cwd, options.to);
      // The goproxy layout also carries the page (index.html and -/), so a static server shows what serve's / shows.
      const entries =
        layout === 'goproxy'
          ? withPage(
              exportEntries(index, layout, readVerified),
              pageFiles(index, new Map([...trust.sumdbKeys].map(([name, k]) => [name, k.key]))),
            )
          : exportEntries(index, layout, readVerified);
      const s = await writeExportTree(entries, to, { replace: options.replace ?? false });
      io.stdout.write(
        `exported ${opened.length} bundle${opened.length === 1 ? '' : 's'} to ${to} (${layout} layout): ${s.files} files, ${s.bytes} bytes\n`,
      );
    });
}

async function* withPage(entries: AsyncIterable<ExportEntry>, page: AsyncIterable<PageFile>): AsyncGenerator<ExportEntry> {
  yield* entries;
  yield* page;
}

/** A verified file's bytes, refused if they no longer hash to what was verified. */
async function readVerified(f: ServedFile): Promise<Buffer> {
  const data = await readFile(f.file);
  if (data.length !== f.size || createHash('sha256').update(data).digest('hex') !== f.sha256) {
    throw new ExportError(
      `export: ${f.file} changed since it was verified`,
      'the extracted bundle was modified on disk: remove the extraction cache entry and export again',
    );
  }
  return data;
}
