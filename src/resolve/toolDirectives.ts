/**
 * Go 1.24 `tool` directives in a main go.mod name packages that `go tool`
 * and `go install tool` build. They add no requirements of their own: the
 * module providing each tool must be required already (`go get -tool` adds
 * the require line, cmd/go/internal/modload), so it is in the build list and
 * a plan carries it whole. This checks that it is, so a bundle is not
 * carried across without a tool the go.mod promises.
 */
import type { BuildListEntry } from './types.js';
import { MainModuleError } from './mainModuleError.js';

/** The build-list module providing pkg: the longest module path that is pkg or a prefix of it at a slash. */
export function moduleProviding(pkg: string, buildList: readonly BuildListEntry[]): BuildListEntry | undefined {
  let best: BuildListEntry | undefined;
  for (const m of buildList) {
    if ((pkg === m.path || pkg.startsWith(`${m.path}/`)) && (best === undefined || m.path.length > best.path.length)) best = m;
  }
  return best;
}

export function checkToolDirectives(
  file: string,
  tools: readonly { path: string; line: number }[],
  buildList: readonly BuildListEntry[],
): void {
  for (const t of tools) {
    if (moduleProviding(t.path, buildList) === undefined) {
      throw new MainModuleError(`${file}:${t.line}: tool ${t.path}: no module in the build list provides it`, {
        hint: `require its module (go get -tool ${t.path} with Go 1.24 or later) and pack again`,
      });
    }
  }
}
