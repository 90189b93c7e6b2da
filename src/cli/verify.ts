import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type RehearsalReport, RehearsalError, rehearse } from '../rehearse/rehearsal.js';
import type { Command } from 'commander';
import { BundleError, VerifyError } from '../bundle/bundleErrors.js';
import { GobundleError } from '../errors.js';
import { describeReplayVerification } from '../bundle/bundleReplay.js';
import { type BundleTrust, loadBundleTrust, openTrusted } from '../bundleset/openBundles.js';
import { collect } from '../bundleset/trustFiles.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { describeParent, manifestDigest } from '../bundle/bundleParents.js';
import type { OpenedBundle } from '../bundle/reader.js';

/**
 * `gobundle verify <bundle>... --trust <file.pub> [--build <dir>]`: the
 * transfer-desk check. Streams each bundle (nothing is written), checks the
 * signature and every file and the checksum-database replay (as serve's
 * start-up does), prints one line per good bundle, the parents a delta
 * needs, and every problem of bad ones. With --build, the bundles are
 * extracted into a temporary directory instead and then rehearsed
 * (src/rehearse/rehearsal.ts).
 */
export function registerVerify(program: Command, io: CliIO): void {
  declareCommand(program, 'verify')
    .argument('<bundles...>', '.tgz bundles, part lists (<bundle>.parts) or extracted bundle directories')
    .option('--trust <file.pub>', 'verifier key file of a trusted signer (repeatable)', collect, [])
    .option('--allow-unsigned', 'accept bundles without a signature')
    .option(
      '--sumdb-key <name+hash+key>',
      "checksum database verifier key to check the bundles' replay signatures with (repeatable; default: GOSUMDB's key)",
      collect,
      [],
    )
    .option(
      '--build <dir>',
      'then rehearse: serve the bundles on 127.0.0.1 and run the go command in (a copy of) this project with that server as its only GOPROXY, fresh caches and GOSUMDB on: go mod download all, go build ./..., go list -m all, go mod verify',
    )
    .option('--go <path>', 'the go command for --build', 'go')
    .action(
      async (bundles: string[], options: { trust: string[]; allowUnsigned?: boolean; sumdbKey: string[]; build?: string; go: string }) => {
        const trust = await loadBundleTrust('verify', options, io, (msg) => io.stderr.write(`gobundle: verify: ${msg}\n`));
        // --build serves the bundles, so they are extracted (and verified while extracting) into a temporary cache.
        const extractTo = options.build === undefined ? undefined : await mkdtemp(join(tmpdir(), 'gobundle-verify-'));
        try {
          await verifyAll(bundles, options, trust, extractTo, io);
        } finally {
          if (extractTo !== undefined) await rm(extractTo, { recursive: true, force: true });
        }
      },
    );
}

async function verifyAll(
  bundles: readonly string[],
  options: { allowUnsigned?: boolean; build?: string; go: string },
  trust: BundleTrust,
  extractTo: string | undefined,
  io: CliIO,
): Promise<void> {
  const failures: string[] = [];
  const verified: { source: string; b: OpenedBundle }[] = [];
  for (const source of bundles) {
    try {
      // Only streamed (the replay's files are kept to be checked), unless --build serves the bundles.
      const { bundle: b, replay } = await openTrusted(
        resolve(io.cwd, source),
        trust,
        extractTo === undefined ? { keep: () => false } : { into: extractTo },
      );
      io.stdout.write(
        `${source}: ok: ${b.modules} modules, ${b.files.size} files, ${b.bytes} bytes, ${b.signer === undefined ? 'UNSIGNED (allowed by --allow-unsigned)' : `signed by ${b.signer}`}\n`,
      );
      if (replay !== undefined) io.stdout.write(`${source}: ${describeReplayVerification(replay)}\n`);
      verified.push({ source, b });
    } catch (err) {
      if (!(err instanceof GobundleError)) throw err;
      const lines = err instanceof BundleError ? err.problems.map((p) => `${source}: ${p}`) : [`${source}: ${err.message}`];
      for (const l of lines) io.stderr.write(`gobundle: ${l}\n`);
      if (err.hint !== undefined) io.stderr.write(`hint: ${err.hint}\n`);
      failures.push(...lines);
    }
  }
  // A delta verifies on its own; serving it needs its parents too.
  const given = new Set(verified.map(({ b }) => manifestDigest(b.manifestBytes)));
  for (const { source, b } of verified) {
    for (const p of b.manifest.parents ?? []) {
      io.stdout.write(
        `${source}: a delta: serve it with its parent ${describeParent(p)}${given.has(p.manifestSha256) ? ' (verified above)' : ''}\n`,
      );
    }
  }
  if (failures.length > 0) {
    throw new VerifyError(
      `verify: ${failures.length} problem${failures.length === 1 ? '' : 's'} in ${bundles.length} bundle${bundles.length === 1 ? '' : 's'}`,
    );
  }
  if (options.build === undefined) return;
  const dir = resolve(io.cwd, options.build);
  const passThrough = Object.fromEntries(
    ['CGO_ENABLED', 'CC', 'CXX', 'TMPDIR'].flatMap((k) => (io.env[k] === undefined ? [] : [[k, io.env[k] as string]])),
  );
  const { serveLocally } = await import('../serve/serveLocally.js');
  const report = await rehearse({
    bundles: verified.map((v) => v.b),
    serve: serveLocally,
    dir,
    go: options.go,
    sumdbKeys: trust.sumdbKeys,
    path: io.env.PATH,
    passThrough,
  });
  printRehearsal(report, options.build, io);
}

function printRehearsal(report: RehearsalReport, dir: string, io: CliIO): void {
  const env = Object.entries(report.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  io.stdout.write(`rehearsal: ${report.goVersion} in a copy of ${dir} with ${env} and empty GOPATH, GOMODCACHE and GOCACHE\n`);
  const failed = report.results.filter((r) => !r.ok);
  for (const r of report.results) {
    const what = `go ${r.args.join(' ')}`;
    if (r.ok) {
      io.stdout.write(`rehearsal: ${what}: ok\n`);
      continue;
    }
    io.stdout.write(`rehearsal: ${what}: FAILED (exit ${r.exit})\n`);
    // The go command's own words, indented under the line that names the command.
    const said = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => `\t${l}`)
      .join('\n');
    io.stderr.write(`gobundle: verify --build: ${what} failed (exit ${r.exit}):\n${said}\n`);
  }
  if (failed.length > 0) {
    throw new RehearsalError(
      `verify --build: ${failed.length} of ${report.results.length} go commands failed in ${dir}: ${failed.map((r) => `go ${r.args.join(' ')}`).join(', ')}`,
      {
        hint: 'the go command on the far side would fail the same way: pack the bundle from this project (or add what it lacks) and rehearse again',
      },
    );
  }
}
