/**
 * The versions of golang.org/toolchain, the module the go command downloads
 * a Go toolchain as: `v0.0.1-<toolchain>.<goos>-<goarch>`, e.g.
 * `v0.0.1-go1.22.12.linux-amd64` (toolchain/select.go Exec; the "DL" repo of
 * modfetch/toolchain.go). They are not pseudo-versions, and "v0.0.1" is the
 * version of the packaging, not of Go.
 */
import { TOOLCHAIN_MODULE } from '../gomod/goenv.js';
import { fromToolchain } from './gover.js';

/** The module path of toolchain downloads (toolchain/select.go gotoolchainModule). */
export { TOOLCHAIN_MODULE };
/** The packaging version every toolchain module version starts with (gotoolchainVersion). */
export const TOOLCHAIN_MODULE_VERSION = 'v0.0.1';

export interface Platform {
  goos: string;
  goarch: string;
}

/** The platform whose .info the go command always stats (modfetch/toolchain.go Stat: "linux-amd64 … has always existed"). */
export const STAT_PLATFORM: Platform = { goos: 'linux', goarch: 'amd64' };

/** "linux/amd64", as GOOS/GOARCH are written on the command line. */
export function formatPlatform(p: Platform): string {
  return `${p.goos}/${p.goarch}`;
}

/** The module version of a toolchain for a platform: ("go1.22.12", linux/amd64) → "v0.0.1-go1.22.12.linux-amd64". */
export function toolchainModuleVersion(toolchain: string, p: Platform): string {
  return `${TOOLCHAIN_MODULE_VERSION}-${toolchain}.${p.goos}-${p.goarch}`;
}

/**
 * modfetch/toolchain.go dlToGo: "v0.0.1-go1.19.7.windows-amd64" → "1.19.7";
 * undefined for a version that is not shaped like a download. Like the go
 * command, only the text between the first "-" and the last "." counts, and
 * what follows the last "." must contain a "-".
 */
export function dlToGo(v: string): string | undefined {
  const dash = v.indexOf('-');
  if (dash < 0) return undefined;
  const rest = v.slice(dash + 1);
  const dot = rest.lastIndexOf('.');
  if (dot < 0 || !rest.slice(dot + 1).includes('-')) return undefined;
  const name = rest.slice(0, dot);
  return name.startsWith('go') ? name.slice(2) : name;
}

/**
 * A toolchain module version split into toolchain name and platform, or
 * undefined: the inverse of toolchainModuleVersion, stricter than dlToGo
 * (the packaging prefix must be v0.0.1 and the name a go toolchain).
 */
export function parseToolchainModuleVersion(v: string): { toolchain: string; platform: Platform } | undefined {
  const prefix = `${TOOLCHAIN_MODULE_VERSION}-`;
  if (!v.startsWith(prefix)) return undefined;
  const rest = v.slice(prefix.length);
  const dot = rest.lastIndexOf('.');
  if (dot < 0) return undefined;
  const toolchain = rest.slice(0, dot);
  const [goos, goarch, extra] = rest.slice(dot + 1).split('-');
  if (goos === undefined || goarch === undefined || extra !== undefined || !PLATFORM_WORD.test(goos) || !PLATFORM_WORD.test(goarch))
    return undefined;
  if (fromToolchain(toolchain) === '') return undefined;
  return { toolchain, platform: { goos, goarch } };
}

/** GOOS and GOARCH values are lowercase words and digits (cmd/dist's okgoos/okgoarch lists: linux, amd64, arm64, ppc64le, …). */
const PLATFORM_WORD = /^[a-z0-9]+$/;

/** `<goos>/<goarch>` → Platform, or undefined when not of that shape. */
export function parsePlatform(text: string): Platform | undefined {
  const [goos, goarch, extra] = text.split('/');
  if (goos === undefined || goarch === undefined || extra !== undefined || !PLATFORM_WORD.test(goos) || !PLATFORM_WORD.test(goarch))
    return undefined;
  return { goos, goarch };
}

/** Node's process.platform / process.arch as GOOS / GOARCH (undefined for a pair Go has no name for here). */
export function platformOfNode(platform: string, arch: string): Platform | undefined {
  const goos = NODE_TO_GOOS.get(platform);
  const goarch = NODE_TO_GOARCH.get(arch);
  return goos === undefined || goarch === undefined ? undefined : { goos, goarch };
}

const NODE_TO_GOOS: ReadonlyMap<string, string> = new Map([
  ['linux', 'linux'],
  ['darwin', 'darwin'],
  ['win32', 'windows'],
  ['freebsd', 'freebsd'],
  ['openbsd', 'openbsd'],
  ['netbsd', 'netbsd'],
  ['aix', 'aix'],
  ['sunos', 'solaris'],
  ['android', 'android'],
]);

const NODE_TO_GOARCH: ReadonlyMap<string, string> = new Map([
  ['x64', 'amd64'],
  ['arm64', 'arm64'],
  ['ia32', '386'],
  ['arm', 'arm'],
  ['ppc64', 'ppc64le'],
  ['s390x', 's390x'],
  ['riscv64', 'riscv64'],
  ['loong64', 'loong64'],
  ['mips', 'mips'],
  ['mipsel', 'mipsle'],
]);
