/**
 * Which toolchains a go command with GOTOOLCHAIN=auto switches to for a
 * main module, so a bundle can carry them.
 *
 * Two switches exist (cmd/go toolchain/select.go and switch.go):
 *
 *  - at start-up, Select reads the main go.mod: a `toolchain` line newer
 *    than the running Go is taken, then a `go` line newer than that wins as
 *    "go" + version (a language version from 1.21 on gets ".0": go 1.22 →
 *    go1.22.0, while go 1.20 stays go1.20);
 *  - while loading the module graph, every go.mod read whose `go` line is
 *    ≥ 1.21 and newer than the running Go is a TooNewError
 *    (modload rawGoModSummary); the Switcher keeps the highest and asks
 *    NewerToolchain, which picks from golang.org/toolchain's @v/list.
 *
 * The client's Go is not known when packing, so we bundle what a client too
 * old for the module would need: the start-up choice, and for a dependency
 * newer than that, the first release of the version it requires. Offline,
 * @v/list holds only what the bundle carries, so newerToolchain can only
 * pick a bundled version (it always returns an entry of the list ≥ need).
 * Go before 1.21 cannot switch, so only choices above go1.21.0 count.
 */
import { compare, fromToolchain, isPrerelease, lang, toolchainFor } from './gover.js';

/** The oldest go command that switches toolchains (GOTOOLCHAIN exists from Go 1.21). */
export const OLDEST_SWITCHING_TOOLCHAIN = 'go1.21.0';

/** What a main module tells the go command about toolchains. */
export interface ToolchainInputs {
  /** The main module's path, for messages. */
  module: string;
  /** The main go.mod's `go` line, undefined without one. */
  go: string | undefined;
  /** The main go.mod's `toolchain` line, undefined without one. */
  toolchain: string | undefined;
  /** The highest `go` line ≥ 1.21 among the other go.mod files the go command reads while loading the graph. */
  dependencyGo: { module: string; version: string } | undefined;
}

/**
 * toolchain/select.go Select in GOTOOLCHAIN=auto mode for a go command that
 * is `local` (a toolchain name such as "go1.21.0"): the toolchain it runs
 * instead, or undefined to keep running itself. `toolchain default` means
 * never switch for the go.mod.
 */
export function selectToolchain(local: string, go: string | undefined, toolchain: string | undefined): string | undefined {
  if (toolchain === 'default') return undefined;
  let minVers = fromToolchain(local);
  let chosen: string | undefined;
  if (toolchain !== undefined) {
    // Accepted only if newer than what runs: an equal one is satisfied already.
    const toolVers = fromToolchain(toolchain);
    if (toolVers !== '' && compare(toolVers, minVers) > 0) {
      chosen = toolchain;
      minVers = toolVers;
    }
  }
  if (go !== undefined && compare(go, minVers) > 0) chosen = toolchainFor(go);
  return chosen;
}

/**
 * toolchain/switch.go newerToolchain: the toolchain to run for a module
 * graph that needs at least Go `need`, given the versions golang.org/toolchain
 * lists (bare Go versions, sorted ascending). From the newest down it
 * considers only the latest release of each language family ≥ need, and
 * prefers the latest patch of the family before the newest release family
 * (1.39.X when 1.40.1 is out); failing that, the newest. Undefined when no
 * listed version is ≥ need ("no releases found for go >= need").
 */
export function newerToolchain(need: string, list: readonly string[]): string | undefined {
  let latest = '';
  for (let i = list.length - 1; i >= 0; i--) {
    const v = list[i]!;
    if (compare(v, need) < 0) break;
    if (lang(latest) === lang(v)) continue;
    const newer = latest;
    latest = v;
    if (newer !== '' && !isPrerelease(newer)) break;
  }
  return latest === '' ? undefined : `go${latest}`;
}

/** A toolchain the bundle must carry, and why. */
export interface ToolchainNeed {
  /** A toolchain name, e.g. "go1.22.12". */
  toolchain: string;
  /** e.g. "example.com/m go.mod says go 1.22.12". */
  reason: string;
}

/**
 * The toolchains GOTOOLCHAIN=auto makes an old enough client (≥ Go 1.21)
 * download for one main module: Select's start-up choice, then, when a
 * dependency needs a newer Go than that choice runs, the first release of
 * the version it needs. With those in golang.org/toolchain's @v/list (and
 * nothing else), the switch's newerToolchain picks one of them: it returns
 * an entry of the list ≥ need, and the first release of need is one.
 */
export function autoToolchains(m: ToolchainInputs): ToolchainNeed[] {
  const needs: ToolchainNeed[] = [];
  const start = selectToolchain(OLDEST_SWITCHING_TOOLCHAIN, m.go, m.toolchain);
  if (start !== undefined) {
    const fromLine = m.toolchain !== undefined && start === m.toolchain;
    needs.push({ toolchain: start, reason: `${m.module} go.mod says ${fromLine ? `toolchain ${m.toolchain}` : `go ${m.go}`}` });
  }
  const running = fromToolchain(start ?? OLDEST_SWITCHING_TOOLCHAIN);
  const dep = m.dependencyGo;
  if (dep !== undefined && compare(dep.version, running) > 0) {
    const toolchain = toolchainFor(dep.version);
    needs.push({ toolchain, reason: `module ${dep.module} requires go >= ${dep.version}` });
  }
  return needs;
}
