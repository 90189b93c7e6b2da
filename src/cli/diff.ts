/**
 * `gobundle diff <old> <new> [--json]`: module versions added, removed,
 * upgraded and downgraded between two bundles (their manifests only). When
 * <new> is a delta packed --since <old>, it is compared as served layered on
 * <old> (old's modules plus the delta's).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { diffModules, type ManifestDiff } from '../bundle/manifestDiff.js';
import { readBundleHead } from '../bundle/manifestFile.js';
import { manifestDigest } from '../bundle/bundleParents.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';

export interface DiffReport extends ManifestDiff {
  old: { bundle: string; created: string };
  new: { bundle: string; created: string; layeredOnOld: boolean };
}

export function formatDiff(d: DiffReport): string {
  const lines = [
    `--- ${d.old.bundle} (created ${d.old.created})`,
    `+++ ${d.new.bundle} (created ${d.new.created}${d.new.layeredOnOld ? `, a delta compared as served layered on ${d.old.bundle}` : ''})`,
  ];
  for (const m of d.added) lines.push(`+ ${m.path} ${m.version}`);
  for (const m of d.removed) lines.push(`- ${m.path} ${m.version}`);
  for (const c of d.upgraded) lines.push(`^ ${c.path} ${c.from} -> ${c.to}`);
  for (const c of d.downgraded) lines.push(`v ${c.path} ${c.from} -> ${c.to}`);
  lines.push(
    `${d.added.length} added, ${d.removed.length} removed, ${d.upgraded.length} upgraded, ${d.downgraded.length} downgraded, ${d.unchanged} unchanged`,
  );
  return `${lines.join('\n')}\n`;
}

export function registerDiff(program: Command, io: CliIO): void {
  declareCommand(program, 'diff')
    .argument('<old>', 'the older bundle (.tgz, part list, extracted directory or manifest.json)')
    .argument('<new>', 'the newer bundle')
    .option('--json', 'print the comparison as JSON')
    .action(async (oldBundle: string, newBundle: string, options: { json?: boolean }) => {
      const o = await readBundleHead(resolve(io.cwd, oldBundle));
      const n = await readBundleHead(resolve(io.cwd, newBundle));
      const layeredOnOld = (n.manifest.parents ?? []).some((p) => p.manifestSha256 === manifestDigest(o.manifestBytes));
      const newModules = layeredOnOld ? [...o.manifest.modules, ...n.manifest.modules] : n.manifest.modules;
      const report: DiffReport = {
        old: { bundle: oldBundle, created: o.manifest.created },
        new: { bundle: newBundle, created: n.manifest.created, layeredOnOld },
        ...diffModules(o.manifest.modules, newModules),
      };
      io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDiff(report));
    });
}
