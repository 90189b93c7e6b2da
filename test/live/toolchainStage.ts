/**
 * A real toolchain: `gobundle pack --toolchain go1.27.3` of a module whose
 * go.mod says `go 1.27.3`, through the mirror and the real checksum
 * database; then, in the network namespace, the machine's Go 1.26.8 with
 * GOTOOLCHAIN=auto and GOSUMDB at its default switches to the bundled
 * toolchain (checked against serve's checksum-database replay) and builds.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOffline } from './airGap.js';
import { firstProxy, freshDir, gobundle, log, mustSucceed, onlineEnv } from './liveEnv.js';
import { type LiveContext, readManifest } from './projectStages.js';

export const LIVE_TOOLCHAIN = 'go1.27.3';

export interface StageResult {
  ok: boolean;
  lines: string[];
  data: unknown;
}

export async function toolchainStage(ctx: LiveContext): Promise<StageResult> {
  const dir = join(ctx.state, 'toolchain');
  const src = freshDir(join(dir, 'src'));
  writeFileSync(join(src, 'go.mod'), `module example.com/livetoolchain\n\ngo ${LIVE_TOOLCHAIN.slice(2)}\n`);
  writeFileSync(
    join(src, 'main.go'),
    'package main\n\nimport (\n\t"fmt"\n\t"runtime"\n)\n\nfunc main() { fmt.Println(runtime.Version()) }\n',
  );
  mkdirSync(join(ctx.state, 'bundles'), { recursive: true });
  const bundle = join(ctx.state, 'bundles', 'toolchain.tgz');
  log(`toolchain: gobundle pack --toolchain ${LIVE_TOOLCHAIN}`);
  const env = onlineEnv(ctx.goproxy, { GOPATH: freshDir(join(dir, 'pack-gopath')), GOBUNDLE_CACHE: freshDir(join(dir, 'pack-cache')) });
  const pack = mustSucceed(
    'toolchain: gobundle pack',
    await gobundle(['pack', src, '--toolchain', LIVE_TOOLCHAIN, '-o', bundle, '--sign-key', ctx.signKey, '--no-vulndb', '--quiet'], {
      cwd: src,
      env,
      timeoutMs: 1_800_000,
    }),
  );
  const manifest = readManifest(bundle);
  const toolchainFiles = manifest.files.filter((f) => f.name.startsWith('golang.org/toolchain/'));
  log('toolchain: offline, GOTOOLCHAIN=auto');
  const res = await runOffline(
    {
      outsideUrl: firstProxy(ctx.goproxy),
      serveCache: join(ctx.state, 'serve-cache'),
      groups: [
        {
          label: 'serve',
          source: { kind: 'serve', bundles: [bundle], trust: ctx.trust },
          srcDir: src,
          workDir: join(dir, 'offline'),
          gopath: join(dir, 'offline-gopath'),
          modCache: join(dir, 'offline-gopath', 'pkg', 'mod'),
          goCache: join(dir, 'offline-gocache'),
          env: { GOTOOLCHAIN: 'auto' },
          steps: [
            { name: 'go version', args: ['version'], expectStdout: `go version ${LIVE_TOOLCHAIN} ` },
            { name: 'go build ./...', args: ['build', './...'] },
            { name: 'go run . (prints runtime.Version())', args: ['run', '.'], expectStdout: LIVE_TOOLCHAIN },
            { name: 'go mod verify', args: ['mod', 'verify'] },
          ],
        },
      ],
    },
    join(dir, 'offline-spec.json'),
  );
  const steps = res.groups[0]?.steps ?? [];
  const ok = steps.length > 0 && steps.every((s) => s.ok);
  const lines = [
    `pack: ${pack.seconds.toFixed(1)} s, bundle ${(statSync(bundle).size / 1e6).toFixed(1)} MB (toolchain files: ${toolchainFiles.map((f) => `${f.name} ${(f.size / 1e6).toFixed(1)} MB`).join(', ')}), checksum database tree#${manifest.sumdb?.treeSize}`,
    `offline (${res.airGap}), Go 1.26.8 with GOTOOLCHAIN=auto, GOSUMDB default, GOPROXY = serve only:`,
    ...steps.map(
      (s) =>
        `- ${s.name}: ${s.ok ? 'ok' : 'FAILED'} (${s.seconds.toFixed(1)} s)${s.detail !== '' ? `: ${s.detail.replaceAll('\n', ' ')}` : ''}`,
    ),
  ];
  return {
    ok,
    lines,
    data: { bundleBytes: statSync(bundle).size, packSeconds: pack.seconds, airGap: res.airGap, steps, serveLog: res.groups[0]?.serveLog },
  };
}
