import type { Command } from 'commander';
import { loadGoConfig } from '../config/goConfig.js';
import { lookupGoFlag } from '../gomod/goenv.js';
import { ProxyChain } from '../proxy/proxyChain.js';
import { HttpTransport } from '../network/httpTransport.js';
import { networkSettings } from '../network/networkSettings.js';
import { lazyVcsSource } from '../vcs/lazyVcsSource.js';
import { defaultCacheDir } from '../cache/cacheDir.js';
import { planInputs, type PlannedInput } from '../inputs/planInputs.js';
import { readInputs } from '../inputs/readInputs.js';
import { formatListMAll } from '../resolve/plan.js';
import { planToolchains } from '../inputs/toolchains.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { toolchainRequest } from './toolchainOptions.js';

/** `gobundle plan [<go.mod | go.work | dir>] [--json]`: what a bundle of this module will carry. */
export function registerPlan(program: Command, io: CliIO): void {
  declareCommand(program, 'plan')
    .argument('[gomod]', 'a go.mod or go.work file, or the directory holding it', '.')
    .option('--json', 'print {"buildList":[…],"files":[…]} instead of the go list -m all text')
    .option(
      '--toolchain <list>',
      'with --json, also list the golang.org/toolchain files pack --toolchain would carry (auto and/or go1.X.Y)',
    )
    .option('--platform <list>', "goos/goarch list for --toolchain (default linux/amd64 and this machine's)")
    .action(async (gomod: string, options: { json?: boolean; toolchain?: string; platform?: string }) => {
      const toolchains = toolchainRequest('plan', options.toolchain, options.platform, { platform: process.platform, arch: process.arch });
      const config = await loadGoConfig(io.env);
      const inputs = await readInputs({ paths: [gomod], cwd: io.cwd, privatePatterns: config.env });
      const transport = new HttpTransport({ network: networkSettings(io.env, config.env.GOAUTH) });
      // Modules routed to "direct" come from version control, as for pack.
      const direct = lazyVcsSource({ env: config.env, processEnv: io.env, cacheDir: () => defaultCacheDir(io.env), transport });
      const chain = new ProxyChain({
        specs: config.proxies,
        gonoproxy: config.env.GONOPROXY,
        gonoproxySource: io.env.GONOPROXY ? 'GONOPROXY' : 'GOPRIVATE',
        proxySource: config.proxySource,
        transport,
        direct,
      });
      try {
        // Like the go command, an inconsistent go.mod is an error unless
        // GOFLAGS says -mod=mod (then roots are updated as cmd/go would).
        const mode = lookupGoFlag(config.goflags, 'mod') === 'mod' ? 'mod' : 'readonly';
        const planned = await planInputs(inputs, { fetcher: chain, querier: chain, mode });
        // One path, so one planned input.
        const [{ plan }] = planned.inputs as [PlannedInput];
        for (const r of plan.localReplacements) {
          io.stderr.write(
            `gobundle: note: ${r.path}${r.version === '' ? '' : ` ${r.version}`} => ${r.dir} is a local directory replacement: read from disk, not bundled\n`,
          );
        }
        if (options.json) {
          const carried = toolchains === undefined ? undefined : planToolchains(toolchains, [plan]);
          const json = {
            buildList: plan.buildList.map((m) => ({ path: m.path, version: m.version })),
            files: [...plan.files, ...(carried?.files ?? [])].map((f) => ({ path: f.path, version: f.version, kind: f.kind })),
            ...(carried === undefined ? {} : { toolchains: carried.needs }),
          };
          io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        } else {
          io.stdout.write(formatListMAll(plan));
        }
      } finally {
        await chain.close();
        await direct.close();
        await transport.close();
      }
    });
}
