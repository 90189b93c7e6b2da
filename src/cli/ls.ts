/**
 * `gobundle ls <bundle> [--json] [--trust <file.pub>]`: what a bundle holds,
 * read from its head (manifest and signature) only — the rest of the file is
 * not read, so this is no verification (gobundle verify is).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type BundleListing, type ListedSigner, describeInput, listBundle } from '../bundle/bundleListing.js';
import { type BundleHead, readBundleHead } from '../bundle/manifestFile.js';
import { noteSigners, verifyManifestSignature } from '../bundle/signature.js';
import { GobundleError } from '../errors.js';
import { describeParent } from '../bundle/bundleParents.js';
import { collect, readTrustFiles } from '../bundleset/trustFiles.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';

function signerOf(head: BundleHead, trust: readonly string[]): ListedSigner | null {
  if (head.signature === undefined) return null;
  const [first] = noteSigners(head.signature);
  if (first === undefined) return { name: '?', keyHash: '?', verified: trust.length === 0 ? null : false };
  if (trust.length === 0) return { ...first, verified: null };
  try {
    verifyManifestSignature(head.manifestBytes, head.signature, trust);
    return { ...first, verified: true };
  } catch (err) {
    if (err instanceof GobundleError) return { ...first, verified: false };
    throw err;
  }
}

/** The text form: one field a line, then one line per module version. */
export function formatListing(l: BundleListing): string {
  const signer =
    l.signer === null
      ? 'none (unsigned)'
      : `${l.signer.name}+${l.signer.keyHash} (${l.signer.verified === true ? 'verified with a --trust key' : l.signer.verified === false ? 'NOT verified by any --trust key' : 'not verified: no --trust given'})`;
  const lines = [
    `bundle:   ${l.bundle}`,
    `format:   ${l.format} (${l.tool})`,
    `created:  ${l.created}`,
    `signer:   ${signer}`,
    ...(l.inputs.length === 0 ? ['inputs:   none'] : l.inputs.map((i, n) => `${n === 0 ? 'inputs:  ' : '         '} ${describeInput(i)}`)),
    ...(l.parents.length === 0
      ? ['parents:  none (a full bundle)']
      : l.parents.map((p, n) => `${n === 0 ? 'parents: ' : '         '} ${describeParent(p)}`)),
    `sumdb:    ${l.sumdb === null ? 'none' : `${l.sumdb.name} tree#${l.sumdb.treeSize}${l.sumdb.consistentWith.length === 0 ? '' : ` (proven consistent with tree#${l.sumdb.consistentWith.join(', tree#')})`}`}`,
    `vulndb:   ${
      l.vulndb === null
        ? 'none'
        : 'entries' in l.vulndb
          ? `${l.vulndb.entries} entries`
          : `none: ${l.vulndb.url} could not be read when packing (${l.vulndb.unavailable})`
    }`,
    `files:    ${l.files} files, ${l.bytes} bytes`,
    `modules:  ${l.modules.length} module versions`,
  ];
  const width = Math.max(0, ...l.modules.map((m) => m.path.length + 1 + m.version.length));
  for (const m of l.modules) {
    const name = `${m.path} ${m.version}`;
    lines.push(`  ${name.padEnd(width)}  ${String(m.bytes).padStart(10)} bytes${m.goModOnly ? '  (go.mod only)' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerLs(program: Command, io: CliIO): void {
  declareCommand(program, 'ls')
    .argument('<bundle>', '.tgz bundle, part list (.parts), extracted bundle directory or manifest.json')
    .option('--json', 'print the listing as JSON')
    .option('--trust <file.pub>', 'check the signature with this verifier key file (repeatable)', collect, [])
    .action(async (bundle: string, options: { json?: boolean; trust: string[] }) => {
      const trust = await readTrustFiles(options.trust, io.cwd);
      const head = await readBundleHead(resolve(io.cwd, bundle));
      const listing = listBundle(bundle, head.manifest, signerOf(head, trust));
      io.stdout.write(options.json ? `${JSON.stringify(listing, null, 2)}\n` : formatListing(listing));
    });
}
