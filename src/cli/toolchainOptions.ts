/** --toolchain and --platform, shared by pack and plan. */
import { UsageError } from '../errors.js';
import type { ToolchainRequest } from '../inputs/toolchains.js';
import { STAT_PLATFORM, platformOfNode } from '../toolchain/dlVersion.js';
import { parsePlatformArgs, parseToolchainArgs } from '../toolchain/toolchainArg.js';

/** The flags as the toolchain stage takes them: platforms default to linux/amd64 plus this machine's. */
export function toolchainRequest(
  command: string,
  toolchain: string | undefined,
  platform: string | undefined,
  host: { platform: string; arch: string },
): ToolchainRequest | undefined {
  if (toolchain === undefined) {
    if (platform !== undefined) {
      throw new UsageError(`${command}: --platform without --toolchain`, {
        hint: 'name the toolchains to carry, e.g. --toolchain auto --platform linux/amd64',
      });
    }
    return undefined;
  }
  const args = parseToolchainArgs(toolchain, command);
  if (args.length === 0)
    throw new UsageError(`${command}: --toolchain needs a value`, { hint: 'e.g. --toolchain auto or --toolchain go1.22.12' });
  const here = platformOfNode(host.platform, host.arch);
  const platforms =
    platform !== undefined ? parsePlatformArgs(platform, command) : here === undefined ? [STAT_PLATFORM] : [STAT_PLATFORM, here];
  if (platforms.length === 0)
    throw new UsageError(`${command}: --platform needs a value`, { hint: 'e.g. --platform linux/amd64,darwin/arm64' });
  return {
    toolchains: args.flatMap((a) => (a.auto ? [] : [a.toolchain])),
    auto: args.some((a) => a.auto),
    platforms,
  };
}
