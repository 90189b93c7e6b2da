/**
 * The golang.org/toolchain files of a bundle: for each toolchain × platform
 * the .zip (what the go command downloads), .mod and .info, the linux-amd64
 * .info of every toolchain (modfetch/toolchain.go Stat always stats
 * linux-amd64, whatever the client's platform), and @v/list.
 *
 * The go command reads @v/list without looking at the platform
 * (toolchainRepo.Versions keeps dlToGo of every entry), so a version listed
 * for one platform is a version every client may pick: the list holds only
 * the toolchains carried for every bundled platform.
 */
import { compare, fromToolchain } from './gover.js';
import { STAT_PLATFORM, TOOLCHAIN_MODULE, parseToolchainModuleVersion, toolchainModuleVersion, type Platform } from './dlVersion.js';

export interface ToolchainFile {
  path: typeof TOOLCHAIN_MODULE;
  version: string;
  kind: 'info' | 'mod' | 'zip';
}

function samePlatform(a: Platform, b: Platform): boolean {
  return a.goos === b.goos && a.goarch === b.goarch;
}

/** Toolchain names sorted as Go versions (then by name, for suffixed builds), without duplicates. */
export function sortToolchains(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => compare(fromToolchain(a), fromToolchain(b)) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Platforms without duplicates, in the order given. */
export function uniquePlatforms(platforms: Iterable<Platform>): Platform[] {
  const out: Platform[] = [];
  for (const p of platforms) if (!out.some((q) => samePlatform(p, q))) out.push(p);
  return out;
}

/** Every file to fetch for these toolchains and platforms, each once. */
export function toolchainFiles(toolchains: readonly string[], platforms: readonly Platform[]): ToolchainFile[] {
  const files = new Map<string, ToolchainFile>();
  const add = (version: string, kind: ToolchainFile['kind']): void => {
    files.set(`${version}.${kind}`, { path: TOOLCHAIN_MODULE, version, kind });
  };
  for (const t of sortToolchains(toolchains)) {
    for (const p of uniquePlatforms(platforms)) {
      const v = toolchainModuleVersion(t, p);
      add(v, 'info');
      add(v, 'mod');
      add(v, 'zip');
    }
    add(toolchainModuleVersion(t, STAT_PLATFORM), 'info');
  }
  return [...files.values()];
}

/**
 * @v/list of golang.org/toolchain: the module versions of the toolchains
 * whose zip is carried for every platform in `platforms`, one per platform.
 * `carried` names the (toolchain, platform) zips the bundle holds.
 */
export function toolchainList(carried: readonly { toolchain: string; platform: Platform }[], platforms: readonly Platform[]): string[] {
  const wanted = uniquePlatforms(platforms);
  const list: string[] = [];
  for (const t of sortToolchains(carried.map((c) => c.toolchain))) {
    const everywhere = wanted.every((p) => carried.some((c) => c.toolchain === t && samePlatform(c.platform, p)));
    if (everywhere) for (const p of wanted) list.push(toolchainModuleVersion(t, p));
  }
  return list;
}

/**
 * The @v/list to serve for golang.org/toolchain when several bundles are
 * served as one: of the listed module versions, those whose toolchain has a
 * zip (`hasZip`) for every platform any of them names — the union of two
 * bundles' lists could otherwise offer a version to a platform that has no
 * zip of it.
 */
export function servedToolchainList(listed: Iterable<string>, hasZip: (version: string) => boolean): string[] {
  const parsed = [...new Set(listed)].flatMap((v) => {
    const p = parseToolchainModuleVersion(v);
    return p === undefined ? [] : [{ version: v, ...p }];
  });
  const platforms = uniquePlatforms(parsed.map((p) => p.platform));
  return toolchainList(
    parsed.filter((p) => hasZip(p.version)),
    platforms,
  );
}
