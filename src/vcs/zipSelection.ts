/**
 * Which files of a `git archive` go into a module zip, as cmd/go decides
 * (modfetch/coderepo.go Zip, then x/mod zip.Create's checkFiles): the
 * archive's top directory and the module's subdirectory are stripped,
 * directories dropped; files of nested modules, vendored packages,
 * `.hg_archival.txt`, symbolic links and other irregular files are
 * omitted. The vendor rule changed in x/mod v0.22 for modules whose go.mod
 * says go 1.24 or later (zip.go isVendoredPackage): `vendor/modules.txt` is
 * dropped and `pkg/vendor/x.go` kept. Name, size and case rules that make a
 * zip invalid are left to src/modzip's validation of the written zip.
 */
import { compare as compareGoVersions, lang } from '../toolchain/gover.js';

/** One entry of the archive, as its central directory describes it. */
export interface ArchiveEntry {
  /** The name in the archive (with the top-level prefix). */
  name: string;
  /** Unix mode bits from the external attributes (0 when the archive has none). */
  mode: number;
}

export interface SelectedFile {
  /** The archive entry. */
  entry: ArchiveEntry;
  /** Its path in the module zip (after `<module>@<version>/`). */
  path: string;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** x/mod zip isVendoredPackage, with the go ≥ 1.24 fix when the module's go version asks for it. */
export function isVendoredPackage(name: string, goVersion: string): boolean {
  const fixed = goVersion !== '' && compareGoVersions(lang(goVersion), '1.24') >= 0;
  if (fixed && name === 'vendor/modules.txt') return true;
  let i = 0;
  if (name.startsWith('vendor/')) {
    i += 'vendor/'.length;
  } else {
    const j = name.indexOf('/vendor/');
    if (j < 0) return false;
    // Before go 1.24 the offset is wrong (golang.org/issue/37397), kept so old checksums stay valid.
    i = fixed ? j + '/vendor/'.length : i + '/vendor/'.length;
  }
  return name.slice(i).includes('/');
}

function isRegular(mode: number): boolean {
  // An archive entry without Unix attributes is a plain file to Go's archive/zip.
  return mode === 0 || (mode & S_IFMT) === S_IFREG;
}

/**
 * The module's files from the archive entries (top directory `prefix/`,
 * module directory `subdir`), in archive order, and whether the module has
 * its own LICENSE (else a subdirectory module gets the repository's).
 * Throws cmd/go's error for an archive without a single top directory.
 */
export function selectZipFiles(
  entries: readonly ArchiveEntry[],
  subdir: string,
  goVersion: string,
): { files: SelectedFile[]; haveLicense: boolean } {
  const sub = subdir === '' ? '' : `${subdir.replace(/^\/+|\/+$/g, '')}/`;
  let topPrefix = '';
  const candidates: SelectedFile[] = [];
  for (const entry of entries) {
    if (topPrefix === '') {
      const i = entry.name.indexOf('/');
      if (i < 0) throw new Error('missing top-level directory prefix');
      topPrefix = entry.name.slice(0, i + 1);
    }
    if (!entry.name.startsWith(topPrefix)) throw new Error('zip file contains more than one top-level directory');
    let name = entry.name.slice(topPrefix.length);
    if (!name.startsWith(sub)) continue;
    name = name.slice(sub.length);
    if (name === '' || name.endsWith('/')) continue;
    candidates.push({ entry, path: name });
  }

  // checkFiles: directories holding a go.mod (a regular file, any case) other than the root are nested modules.
  const moduleDirs = new Set<string>();
  for (const c of candidates) {
    const slash = c.path.lastIndexOf('/');
    const base = c.path.slice(slash + 1);
    if (base.toLowerCase() === 'go.mod' && isRegular(c.entry.mode)) moduleDirs.add(c.path.slice(0, slash + 1));
  }
  const inSubmodule = (p: string): boolean => {
    for (let dir = p; ;) {
      const slash = dir.lastIndexOf('/');
      if (slash < 0) return false;
      dir = dir.slice(0, slash);
      if (moduleDirs.has(`${dir}/`)) return true;
    }
  };

  const files: SelectedFile[] = [];
  let haveLicense = false;
  for (const c of candidates) {
    if (c.path === 'LICENSE') haveLicense = true;
    if (isVendoredPackage(c.path, goVersion)) continue;
    if (inSubmodule(c.path)) continue;
    if (c.path === '.hg_archival.txt') continue;
    if ((c.entry.mode & S_IFMT) === S_IFLNK) continue;
    if (!isRegular(c.entry.mode)) continue;
    files.push(c);
  }
  return { files, haveLicense };
}
