/**
 * The toolchain part of a pack: which golang.org/toolchain versions the
 * bundle carries (named with --toolchain, or `auto`: what GOTOOLCHAIN=auto
 * makes an old enough client switch to for the inputs, src/toolchain/auto.ts)
 * and which of their files. The files are then fetched like any module file,
 * through the same GOPROXY chain and cache, and verified against the
 * checksum database without exception (modfetch/sumdb.go useSumDB).
 */
import type { Plan } from '../resolve/types.js';
import { autoToolchains, type ToolchainNeed } from '../toolchain/auto.js';
import { TOOLCHAIN_MODULE, formatPlatform, parseToolchainModuleVersion, type Platform } from '../toolchain/dlVersion.js';
import { sortToolchains, toolchainFiles, toolchainList, uniquePlatforms, type ToolchainFile } from '../toolchain/toolchainFiles.js';

export interface ToolchainRequest {
  /** Toolchain names given explicitly, e.g. "go1.22.12". */
  toolchains: readonly string[];
  /** Add what GOTOOLCHAIN=auto needs for the inputs. */
  auto: boolean;
  /** Platforms to carry every toolchain for (at least one). */
  platforms: readonly Platform[];
}

export interface ToolchainPlan {
  /** Toolchain names, sorted as Go versions. */
  toolchains: string[];
  /** Why each toolchain is carried. */
  needs: ToolchainNeed[];
  platforms: Platform[];
  files: ToolchainFile[];
  /** The @v/list of golang.org/toolchain. */
  list: string[];
}

/** A toolchain a wants list asks for, on one platform (what an offline client's switch missed). */
export interface WantedToolchain {
  toolchain: string;
  platform: Platform;
}

/** The request with the toolchains a wants list asks for added (their platforms too). */
export function withWantedToolchains(
  request: ToolchainRequest | undefined,
  wanted: readonly WantedToolchain[],
): ToolchainRequest | undefined {
  if (wanted.length === 0) return request;
  const platforms = [...(request?.platforms ?? []), ...wanted.map((w) => w.platform)];
  return {
    toolchains: [...(request?.toolchains ?? []), ...wanted.map((w) => w.toolchain)],
    auto: request?.auto ?? false,
    platforms: platforms.filter((p, i) => platforms.findIndex((q) => q.goos === p.goos && q.goarch === p.goarch) === i),
  };
}

/** The toolchain files of a pack of these main-module plans (pure). */
export function planToolchains(request: ToolchainRequest, plans: readonly Pick<Plan, 'main' | 'dependencyGo'>[]): ToolchainPlan {
  const needs: ToolchainNeed[] = request.toolchains.map((t) => ({ toolchain: t, reason: 'named with --toolchain' }));
  if (request.auto) {
    for (const p of plans) {
      needs.push(
        ...autoToolchains({ module: p.main.path, go: p.main.goVersion, toolchain: p.main.toolchain, dependencyGo: p.dependencyGo }),
      );
    }
  }
  const toolchains = sortToolchains(needs.map((n) => n.toolchain));
  const platforms = uniquePlatforms(request.platforms);
  const files = toolchainFiles(toolchains, platforms);
  const carried = files.filter((f) => f.kind === 'zip').flatMap((f) => parseToolchainModuleVersion(f.version) ?? []);
  return { toolchains, needs, platforms, files, list: toolchainList(carried, platforms) };
}

/** One line for progress: "toolchains go1.22.12 for linux/amd64, darwin/arm64" (or "no toolchains"). */
export function describeToolchains(plan: ToolchainPlan): string {
  if (plan.toolchains.length === 0) return `no toolchains (${TOOLCHAIN_MODULE} not carried)`;
  return `toolchains ${plan.toolchains.join(', ')} for ${plan.platforms.map(formatPlatform).join(', ')}`;
}
