import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { signManifest } from '../bundle/signature.js';
import { MIN_PART_SIZE, parsePartSize, signPartList } from '../bundle/partList.js';
import { defaultCacheDir } from '../cache/cacheDir.js';
import { DownloadCache } from '../cache/downloadCache.js';
import { TreeHeadStore } from '../cache/treeHeads.js';
import { readBundleHead, readBundleManifest } from '../bundle/manifestFile.js';
import { manifestDigest } from '../bundle/bundleParents.js';
import { basename } from 'node:path';
import type { DeltaParent } from '../pack/deltaStage.js';
import { describeOrigin, loadGoConfig } from '../config/goConfig.js';
import { UsageError } from '../errors.js';
import { lookupGoFlag, parseGoProxy } from '../gomod/goenv.js';
import { packBundle } from '../pack/packBundle.js';
import { createVulnDbStage } from '../pack/vulndbStage.js';
import { vulnDbSetting } from './vulnDbSetting.js';
import { type PreviousBundle, sumdbStageForConfig } from '../pack/sumdbStage.js';
import { writeGoSumFile } from '../pack/writeGoSum.js';
import { LineProgress, LiveProgress, silentProgress, type PackProgress } from '../pack/progress.js';
import { ProxyChain } from '../proxy/proxyChain.js';
import { lazyVcsSource } from '../vcs/lazyVcsSource.js';
import { matchPrefixPatterns } from '../gomod/modulePath.js';
import { DEFAULT_CONCURRENCY } from '../concurrency/semaphore.js';
import { readInputs } from '../inputs/readInputs.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, HttpTransport } from '../network/httpTransport.js';
import { parseDurationOption } from './durationOption.js';
import { networkSettings } from '../network/networkSettings.js';
import { formatServerStats } from './networkStats.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { toolchainRequest } from './toolchainOptions.js';
import { toolVersion } from './toolVersion.js';
import { SignatureError } from '../bundle/bundleErrors.js';

interface PackCliOptions {
  output?: string;
  signKey?: string;
  unsigned?: boolean;
  proxy?: string;
  concurrency: string;
  speculativeFetch?: boolean;
  cacheDir?: string;
  json?: boolean;
  quiet?: boolean;
  /** true for the flag alone (go.sum beside the first input's go.mod). */
  writeGosum?: string | true;
  previous: string[];
  since: string[];
  maxPartSize?: string;
  tool: string[];
  fromList: string[];
  toolchain?: string;
  platform?: string;
  /** A URL (--vulndb), false (--no-vulndb), or undefined (GOVULNDB, else the default). */
  vulndb?: string | false;
  /** How long one request may wait for an answer, or for the next bytes of its body. */
  timeout?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * --toolchain with GOSUMDB=off: refused, because the go command verifies
 * every golang.org/toolchain download against the checksum database whatever
 * GOSUMDB, GONOSUMDB and GOPRIVATE say (modfetch/sumdb.go useSumDB), so a
 * bundled toolchain is useless without its records.
 */
export const TOOLCHAIN_NEEDS_SUMDB =
  'pack: --toolchain needs the checksum database but GOSUMDB=off: the go command verifies every golang.org/toolchain download against the checksum database even with GOSUMDB=off, GONOSUMDB or GOPRIVATE, so the bundle must carry its records';

/** `gobundle pack [<go.mod | go.work | dir>...] [--tool pkg@version]... -o <bundle.tgz> (--sign-key <file.key> | --unsigned)`. */
export function registerPack(program: Command, io: CliIO): void {
  declareCommand(program, 'pack')
    .argument('[gomod...]', 'go.mod or go.work files, or their directories (default: ./go.mod)')
    .option('-o, --output <bundle.tgz>', 'the bundle to write (replaced atomically)')
    .option('--sign-key <file.key>', 'signer key written by gobundle keygen')
    .option('--unsigned', 'write a bundle without a signature (serve and verify then need --allow-unsigned)')
    .option('--proxy <list>', "GOPROXY list to use instead of the environment's")
    .option('--concurrency <n>', 'downloads in flight', String(DEFAULT_CONCURRENCY))
    .option(
      '--timeout <duration>',
      'how long one request may wait for its response headers, or for the next bytes of its body, before it is retried (e.g. 30s, 2m; default 60s)',
    )
    .option(
      '--speculative-fetch',
      'start downloading zips while resolving (fewer round trips on a slow link, but may download zips the graph does not select)',
    )
    .option('--cache-dir <dir>', 'download cache (default $GOBUNDLE_CACHE, else the user cache dir + /gobundle)')
    .option(
      '--json',
      'print {modules, files, bytes, seconds, bundleSha256, network} on stdout (network: per-server requests, retries, failures, bytes, median latency)',
    )
    .option('--quiet', 'print nothing but errors')
    .option(
      '--tool <pkg@version>',
      'also carry what `go install pkg@version` needs: the module providing the package at that version (or @latest, resolved now and printed) with its own go.mod as the main module (repeatable)',
      collect,
      [],
    )
    .option(
      '--from-list <file>',
      "also carry every module version in a list exported from inside the air gap: a go.sum, the output of go list -m -json all or go mod download -json, or a wants list from gobundle wants (module@version, module@latest: resolved here; what no proxy has is skipped and listed) (format detected); GOPRIVATE/GONOPROXY modules are skipped and listed; downloads must match the list's hashes (repeatable)",
      collect,
      [],
    )
    .option(
      '--toolchain <list>',
      'also carry Go toolchains (golang.org/toolchain): auto (what GOTOOLCHAIN=auto switches to for the inputs) and/or releases, e.g. auto,go1.22.12',
    )
    .option('--platform <list>', "goos/goarch list to carry each toolchain for (default linux/amd64 and this machine's)")
    .option(
      '--previous <bundle>',
      "an earlier bundle (.tgz, extracted directory or its manifest.json) that is or was served: the new bundle proves its checksum-database tree consistent with that bundle's and carries proofs for its modules, so both can be served layered (repeatable)",
      collect,
      [],
    )
    .option(
      '--since <bundle>',
      'write a delta bundle: only the module versions and files this earlier bundle (.tgz, part list, extracted directory or manifest.json) lacks; its manifest digest is recorded, and serve needs it served beside the delta (repeatable; implies --previous)',
      collect,
      [],
    )
    .option(
      '--max-part-size <size>',
      'split the bundle for removable media: parts <bundle>.part-001… of at most SIZE bytes (K, M, G, T: powers of 1024, e.g. 700M, 4G) and the signed part list <bundle>.parts, which verify and serve take in place of the bundle',
    )
    .option('--vulndb <url>', 'Go vulnerability database to carry entries from (default $GOVULNDB, else https://vuln.go.dev)')
    .option('--no-vulndb', 'carry no vulnerability data (same as GOVULNDB=off)')
    .option(
      '--write-gosum [file]',
      'after the bundle is written, write the verified go.sum lines to FILE (default: go.sum beside the first go.mod; use --write-gosum=FILE before positional arguments)',
    )
    .action(async (gomods: string[], options: PackCliOptions) => {
      if (options.output === undefined)
        throw new UsageError('pack: missing -o <bundle.tgz>', { hint: 'name the bundle to write, e.g. -o deps.tgz' });
      if (options.signKey === undefined && !options.unsigned) {
        throw new UsageError('pack: no --sign-key given: bundles are signed so the offline side can trust them', {
          hint: 'create a key with `gobundle keygen <name>` and pass --sign-key <name>.key, or pass --unsigned explicitly',
        });
      }
      if (options.signKey !== undefined && options.unsigned) throw new UsageError('pack: --sign-key and --unsigned contradict each other');
      const concurrency = Number(options.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
        throw new UsageError(`pack: --concurrency ${JSON.stringify(options.concurrency)}: want an integer from 1 to 256`);
      }

      let signerKey: string | undefined;
      if (options.signKey !== undefined) {
        const keyFile = resolve(io.cwd, options.signKey);
        try {
          signerKey = (await readFile(keyFile, 'utf8')).trim();
        } catch (err) {
          throw new SignatureError(`pack: reading --sign-key ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
        // Fail on a bad key now, not after downloading everything.
        signManifest(Buffer.from('{}'), signerKey);
      }

      let maxPartSize: number | undefined;
      if (options.maxPartSize !== undefined) {
        maxPartSize = parsePartSize(options.maxPartSize);
        if (maxPartSize === undefined || maxPartSize < MIN_PART_SIZE) {
          throw new UsageError(
            `pack: --max-part-size ${JSON.stringify(options.maxPartSize)}: want a size of at least ${MIN_PART_SIZE} bytes, e.g. 700M or 4G`,
          );
        }
        if (signerKey === undefined)
          throw new UsageError(
            'pack: --max-part-size needs --sign-key: the part list is signed so the far side can trust it names the right parts',
          );
      }

      const timeoutMs = options.timeout === undefined ? undefined : parseDurationOption('pack: --timeout', options.timeout);

      const toolchains = toolchainRequest('pack', options.toolchain, options.platform, { platform: process.platform, arch: process.arch });

      const vulnDb = vulnDbSetting(options.vulndb, io.env);
      const env = options.proxy === undefined ? io.env : { ...io.env, GOPROXY: options.proxy };
      const config = await loadGoConfig(env);
      if (toolchains !== undefined && config.sumdb.off === true) {
        throw new UsageError(TOOLCHAIN_NEEDS_SUMDB, {
          hint: 'unset GOSUMDB (the default is sum.golang.org) or set it to the database your offline clients use; to pack modules without the database, pack toolchains in a separate run',
        });
      }
      // Every input is read once, here: go.mod and go.work files, go.sum files, lists.
      const inputs = await readInputs({
        paths: gomods,
        tools: options.tool,
        lists: options.fromList,
        cwd: io.cwd,
        privatePatterns: config.env,
      });
      for (const input of inputs.inputs) {
        if (input.kind !== 'list') continue;
        const list = input.list;
        for (const m of list.private)
          io.stderr.write(`gobundle: pack: ${list.name}: skipped ${m.path} ${m.version}: matches GOPRIVATE/GONOPROXY\n`);
        // A wants list says how many versions it names once they are resolved (planInputs).
        if (!options.quiet && list.wanted === undefined) {
          for (const x of list.ignored) io.stderr.write(`gobundle: pack: ${list.name}: ignored ${x.what}: ${x.why}\n`);
          io.stderr.write(
            `gobundle: pack: ${list.name} (${list.format}): ${list.modules.length} module versions to fetch, ${list.private.length} private skipped\n`,
          );
        }
      }
      const proxies = options.proxy === undefined ? config.proxies : parseGoProxy(options.proxy, config.env.GONOPROXY);
      // One transport for proxy and checksum-database requests: one concurrency bound, one connection pool.
      const transport = new HttpTransport({
        concurrency,
        connectionsPerOrigin: concurrency,
        network: networkSettings(io.env, config.env.GOAUTH),
        ...(timeoutMs === undefined
          ? {}
          : { headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs, connectTimeoutMs: Math.min(timeoutMs, DEFAULT_CONNECT_TIMEOUT_MS) }),
      });
      const cacheDir = options.cacheDir !== undefined ? resolve(io.cwd, options.cacheDir) : defaultCacheDir(io.env);
      // Modules routed to "direct" come from version control, as the go command fetches them.
      const direct = lazyVcsSource({ env: config.env, processEnv: io.env, cacheDir, transport });
      const chain = ProxyChain.fromConfig(
        { ...config, proxies, proxySource: options.proxy === undefined ? config.proxySource : '--proxy' },
        { transport, direct },
      );
      const gosumFile =
        options.writeGosum === undefined
          ? undefined
          : options.writeGosum === true
            ? join(inputs.firstDir, 'go.sum')
            : resolve(io.cwd, options.writeGosum);
      const previous: PreviousBundle[] = [];
      for (const p of options.previous) {
        const from = resolve(io.cwd, p);
        previous.push({ from, manifest: await readBundleManifest(from) });
      }
      const since: DeltaParent[] = [];
      for (const p of options.since) {
        const from = resolve(io.cwd, p);
        const head = await readBundleHead(from);
        since.push({
          from,
          name: basename(from),
          manifest: head.manifest,
          manifestSha256: manifestDigest(head.manifestBytes),
        });
        // A delta is served layered on its parents: its checksum-database replay must prove theirs.
        if (!options.previous.some((q) => resolve(io.cwd, q) === from)) previous.push({ from, manifest: head.manifest });
      }
      const heads = new TreeHeadStore(cacheDir);
      const stderrIsTTY = (io.stderr as { isTTY?: boolean }).isTTY === true;
      const progress: PackProgress = options.quiet
        ? silentProgress
        : stderrIsTTY
          ? new LiveProgress(io.stderr)
          : new LineProgress(io.stderr);
      try {
        const result = await packBundle({
          inputs,
          output: resolve(io.cwd, options.output),
          chain,
          onNote: (note) => {
            if (note.level === 'warning' || !options.quiet) io.stderr.write(`gobundle: pack: ${note.text}\n`);
          },
          cache: new DownloadCache(cacheDir),
          goModCache: config.env.GOMODCACHE,
          concurrency,
          speculativeFetch: options.speculativeFetch === true,
          // Like the go command (and gobundle plan): an inconsistent go.mod is an error unless GOFLAGS has -mod=mod.
          mode: lookupGoFlag(config.goflags, 'mod') === 'mod' ? 'mod' : 'readonly',
          sign: signerKey === undefined ? undefined : (manifest) => signManifest(manifest, signerKey),
          vulnDb:
            vulnDb === undefined
              ? undefined
              : createVulnDbStage(vulnDb.url, transport, {
                  optional: vulnDb.from === 'default',
                  namedBy: vulnDb.from === 'GOVULNDB' ? 'GOVULNDB (from the environment)' : vulnDb.from,
                }),
          verifyAgainstSumdb: sumdbStageForConfig(
            { ...config, gosumdbSource: `GOSUMDB (from ${describeOrigin(config.origins.GOSUMDB)})` },
            chain,
            transport,
            { previous, recordedHeads: (name) => heads.list(name) },
          ),
          // The bundle is written either way; a lost record costs only a --previous next time.
          recordTreeHead: (sumdb, bundle) =>
            heads.record(sumdb.name, sumdb, bundle).catch((err: unknown) => {
              io.stderr.write(
                `gobundle: pack: warning: could not record tree#${sumdb.treeSize} of ${sumdb.name} in ${heads.dir}: ${err instanceof Error ? err.message : String(err)}\n`,
              );
            }),
          ...(toolchains === undefined ? {} : { toolchains }),
          since,
          ...(maxPartSize === undefined || signerKey === undefined
            ? {}
            : { split: { maxPartSize, sign: (list) => signPartList(list, signerKey) } }),
          sourceDateEpoch: io.env.SOURCE_DATE_EPOCH,
          isPrivate: (path) => matchPrefixPatterns(config.env.GONOSUMDB, path),
          toolVersion: toolVersion(),
          progress,
        });
        if (result.vulnDbUnavailable !== undefined) {
          const { url, reason } = result.vulnDbUnavailable;
          io.stderr.write(
            `gobundle: pack: warning: the bundle carries no vulnerability data: the default database ${url} could not be read (${reason}); ` +
              'its manifest says so, and audit will report it\n' +
              'hint: to carry the data, pass --vulndb <url> (or set GOVULNDB) to a copy this machine can reach: a mirror, or file:///path to a copy of the database; ' +
              '--no-vulndb packs without asking\n',
          );
        }
        // Only a bundle that was written makes the go.sum true for it.
        if (gosumFile !== undefined) await writeGoSumFile(gosumFile, result.moduleHashes);
        // Where the time and failures went, per server.
        const network = transport.stats.snapshot();
        if (!options.quiet) for (const s of network) io.stderr.write(`gobundle: pack: network: ${formatServerStats(s)}\n`);
        if (options.json) {
          const { modules, files, bytes, seconds, bundleSha256 } = result;
          io.stdout.write(
            `${JSON.stringify({ modules, files, bytes, seconds: Math.round(seconds * 1000) / 1000, bundleSha256, network })}\n`,
          );
        }
      } finally {
        progress.close();
        await chain.close();
        await direct.close();
        await transport.close();
      }
    });
}
