/**
 * What `gobundle export` writes: the files of a merged, verified
 * ModuleIndex, by name below the export root, in one of two layouts.
 *
 * goproxy: exactly the paths the go command requests from a GOPROXY and
 * its checksum database through it (cmd/go/internal/modfetch/proxy.go:
 * `<esc path>/@v/list`, `@v/<esc version>.info|.mod|.zip`,
 * `<esc path>/@latest`; cmd/go/internal/modfetch/sumdb.go: `sumdb/<name>/supported`
 * and then x/mod sumdb/client.go's `latest`, `lookup/<esc path>@<esc version>`
 * and `tile/...`), with the same bytes serve answers: the merged list,
 * the @latest serve decides, one tree head per database with lookups
 * rebuilt around it (serve/sumdbMerge.ts), and the right-edge partial
 * tiles cut from full ones as serve cuts them (sumdb/replay.ts) — a static
 * server cannot cut, so they are written out. Plus `vulndb/` when a bundle
 * carries the vulnerability database (serve's /vulndb/).
 *
 * athens: Athens's disk storage (github.com/gomods/athens
 * pkg/storage/fs/fs.go and saver.go: `<root>/<module>/<version>/` holding
 * `go.mod`, `source.zip` and `<version>.info`; the module path is the
 * unescaped one, as pkg/paths/path.go DecodePath hands it to storage, and
 * lister.go lists the version directories). Athens answers checksum-database
 * requests by proxying, so this layout carries no replay.
 */
import { unescapePath } from '../gomod/modulePath.js';
import {
  latestFileNameEscaped,
  listFileNameEscaped,
  parseTreeName,
  parseVersionFileName,
  sumdbDir,
  vulndbFileName,
} from '../bundle/treeLayout.js';
import { SumdbReplay } from '../sumdb/replay.js';
import { TILE_HEIGHT, tilePath, tilesToRead } from '../sumdb/tlog/tile.js';
import type { ModuleIndex, ServedFile } from '../bundleset/moduleIndex.js';
import type { SumdbView } from '../bundleset/sumdbMerge.js';

export type ExportLayout = 'goproxy' | 'athens';

/** One file to write: its name below the export root, and either a verified file to copy or bytes. */
export type ExportEntry = { name: string; file: Pick<ServedFile, 'file' | 'size' | 'sha256'> } | { name: string; body: Buffer };

/** Every entry of `index` in `layout`; `readFile` reads a verified file whole (only tiles, 8 KiB each, go through it). */
export async function* exportEntries(
  index: ModuleIndex,
  layout: ExportLayout,
  readFile: (f: ServedFile) => Promise<Buffer>,
): AsyncGenerator<ExportEntry> {
  if (layout === 'athens') {
    yield* athensEntries(index);
    return;
  }
  for (const [name, f] of index.files) {
    // The served list is the merged one, written below; bundle metadata is not part of a proxy.
    const kind = parseTreeName(name)?.kind;
    if (kind !== 'info' && kind !== 'mod' && kind !== 'zip') continue;
    yield { name, file: f };
  }
  for (const [esc, list] of index.lists) yield { name: listFileNameEscaped(esc), body: list.body };
  for (const [esc, info] of index.latest) yield { name: latestFileNameEscaped(esc), file: info };
  for (const view of index.sumdb.values()) yield* sumdbEntries(view, readFile);
  for (const [path, f] of index.vulndb) yield { name: vulndbFileName(path), body: f.body };
}

function* athensEntries(index: ModuleIndex): Generator<ExportEntry> {
  for (const [name, f] of index.files) {
    const v = parseVersionFileName(name);
    if (v === undefined) continue;
    // Both unescaped, as Athens's stasher saves what the go command reported (pkg/stash, storage Save).
    const dir = `${unescapePath(v.escPath)}/${v.version}`;
    const file = v.kind === 'info' ? `${v.version}.info` : v.kind === 'mod' ? 'go.mod' : 'source.zip';
    yield { name: `${dir}/${file}`, file: f };
  }
}

async function* sumdbEntries(view: SumdbView, readFile: (f: ServedFile) => Promise<Buffer>): AsyncGenerator<ExportEntry> {
  const dir = sumdbDir(view.name);
  for (const [name, body] of view.small) yield { name, body };
  for (const [name, f] of view.tiles) yield { name, file: f };
  // The partial tiles at the right edge of the served tree and of every older tree it is proven
  // consistent with: what a client reads for them (x/mod sumdb/client.go readTile asks for the
  // partial tile first), cut from the stored full tile exactly as serve answers them.
  const replay = new SumdbReplay(view.name, async (name) => {
    const small = view.small.get(name);
    if (small !== undefined) return small;
    const f = view.tiles.get(name);
    return f === undefined ? undefined : readFile({ ...f });
  });
  const written = new Set<string>();
  for (const n of [view.tree.n, ...view.consistentWith.map((t) => t.n)]) {
    for (const t of tilesToRead(n, []).tiles) {
      if (t.w === 2 ** TILE_HEIGHT) continue;
      const path = tilePath(t);
      const name = `${dir}/${path}`;
      if (written.has(name) || view.tiles.has(name)) continue;
      const body = await replay.answer(path);
      if (body === undefined) continue;
      written.add(name);
      yield { name, body };
    }
  }
}
