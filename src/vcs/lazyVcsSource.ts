/**
 * The direct (version-control) source, loaded on first use. vcs/ and what
 * only it imports take about 30 ms of every pack's start-up to load on a
 * 2-core machine, and most packs never fetch a module directly: every
 * module comes from a proxy unless GOPROXY, GONOPROXY or GOPRIVATE route
 * one to "direct". Like the go command, which reads GOVCS when it first
 * needs it, a malformed GOVCS is then reported by the first direct fetch.
 */
import type { ModuleSource } from '../proxy/proxyChain.js';
import type { VcsSource, VcsSourceOptions } from './vcsSource.js';

/** A ModuleSource that loads and makes a VcsSource(opts) when first asked for a module; close() closes it if it was made. */
export function lazyVcsSource(opts: VcsSourceOptions): ModuleSource & { close(): Promise<void> } {
  let source: Promise<VcsSource> | undefined;
  const load = (): Promise<VcsSource> => (source ??= import('./vcsSource.js').then((m) => new m.VcsSource(opts)));
  return {
    close: async () => {
      if (source !== undefined) await (await source).close();
    },
    list: async (path) => (await load()).list(path),
    info: async (path, version) => (await load()).info(path, version),
    infoBytes: async (path, version) => (await load()).infoBytes(path, version),
    latest: async (path) => (await load()).latest(path),
    mod: async (path, version) => (await load()).mod(path, version),
    zipTo: async (path, version, dest) => (await load()).zipTo(path, version, dest),
  };
}
