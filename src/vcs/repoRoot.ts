/**
 * Where a module path's code lives (cmd/go/internal/vcs/vcs.go
 * RepoRootForImportPath), the pure half: the well-known hosting sites
 * (vcsPaths), the `?go-get=1` URL, and reading and matching
 * `<meta name="go-import" content="prefix vcs repo [subdir]">` tags
 * (vcs/discovery.go parseMetaGoImports, vcs.go matchGoImport). Fetching the
 * page is the edge's job (goImportLookup.ts).
 */

/** A repository root: where the code of every path below `root` lives. */
export interface RepoRoot {
  /** The import path at the root of the repository (or of `subdir` in it). */
  root: string;
  /** `git`, `hg`, …, or `mod` (a module proxy serving the paths below root). */
  vcs: string;
  /** The repository URL with its scheme. */
  repo: string;
  /** Go 1.25's fourth go-import field: the directory of the repository that `root` maps to ('' for the top). */
  subdir: string;
}

/** One parsed go-import tag. */
export interface MetaImport {
  prefix: string;
  vcs: string;
  repoRoot: string;
  subdir: string;
}

interface KnownHost {
  pathPrefix: string;
  re: RegExp;
  vcs: string;
  /** The repository URL, `{root}` replaced. */
  repo: string;
  checkNoVcsSuffix: boolean;
}

/** The version control systems cmd/go knows by name (vcs.go vcsList). */
export const KNOWN_VCS = ['hg', 'git', 'svn', 'bzr', 'fossil'] as const;

/** vcs.go vcsPaths, the sites whose layout is known without asking them (the generic `.git` form is below). */
const KNOWN_HOSTS: readonly KnownHost[] = [
  {
    pathPrefix: 'github.com',
    re: /^(github\.com\/[\w.-]+\/[\w.-]+)(\/[\w.-]+)*$/,
    vcs: 'git',
    repo: 'https://{root}',
    checkNoVcsSuffix: true,
  },
  {
    pathPrefix: 'bitbucket.org',
    re: /^(bitbucket\.org\/[\w.-]+\/[\w.-]+)(\/[\w.-]+)*$/,
    vcs: 'git',
    repo: 'https://{root}',
    checkNoVcsSuffix: true,
  },
  {
    pathPrefix: 'hub.jazz.net/git',
    re: /^(hub\.jazz\.net\/git\/[a-z0-9]+\/[\w.-]+)(\/[\w.-]+)*$/,
    vcs: 'git',
    repo: 'https://{root}',
    checkNoVcsSuffix: true,
  },
  {
    pathPrefix: 'git.apache.org',
    re: /^(git\.apache\.org\/[a-z0-9_.-]+\.git)(\/[\w.-]+)*$/,
    vcs: 'git',
    repo: 'https://{root}',
    checkNoVcsSuffix: false,
  },
  {
    pathPrefix: 'git.openstack.org',
    re: /^(git\.openstack\.org\/[\w.-]+\/[\w.-]+)(\.git)?(\/[\w.-]+)*$/,
    vcs: 'git',
    repo: 'https://{root}',
    checkNoVcsSuffix: false,
  },
  {
    pathPrefix: 'chiselapp.com',
    re: /^(chiselapp\.com\/user\/[A-Za-z0-9]+\/repository\/[\w.-]+)$/,
    vcs: 'fossil',
    repo: 'https://{root}',
    checkNoVcsSuffix: false,
  },
];

/** vcs.go's last vcsPaths entry: `host/path.git/...` names its repository and VCS in the path itself. */
const GENERIC_VCS_PATH = /((([a-z0-9.-]+\.)+[a-z0-9.-]+(:[0-9]+)?(\/~?[\w.-]+)+?)\.(bzr|fossil|git|hg|svn))(\/~?[\w.-]+)*$/;

/** str.HasPathPrefix: `s` is `prefix` or starts with `prefix/`. */
export function hasPathPrefix(s: string, prefix: string): boolean {
  if (s.length === prefix.length) return s === prefix;
  if (s.length < prefix.length) return false;
  if (prefix !== '' && prefix.endsWith('/')) return s.startsWith(prefix);
  return s[prefix.length] === '/' && s.startsWith(prefix);
}

/**
 * repoRootFromVCSPaths: the repository of a path on a well-known host, or
 * of a path that spells its repository (`example.com/repo.git/pkg`), or
 * undefined when only a go-import lookup can tell. Throws (an Error with
 * cmd/go's text) for a malformed path on a known host.
 *
 * For the generic form cmd/go pings `https://` then (with GOINSECURE)
 * other schemes; gobundle takes the first scheme the security level allows.
 */
export function knownRepoRoot(importPath: string, insecure: boolean): RepoRoot | undefined {
  for (const prefix of ['http:', 'https:']) {
    if (importPath.startsWith(prefix)) throw new Error(`"${prefix}//" not allowed in import path`);
  }
  for (const host of KNOWN_HOSTS) {
    if (!hasPathPrefix(importPath, host.pathPrefix)) continue;
    const m = host.re.exec(importPath);
    if (m === null) throw new Error(`invalid ${host.pathPrefix} import path "${importPath}"`);
    const root = m[1] ?? '';
    const repo = host.repo.replace('{root}', root);
    if (host.checkNoVcsSuffix) {
      for (const vcs of KNOWN_VCS) {
        if (repo.endsWith(`.${vcs}`)) throw new Error(`invalid version control suffix in ${host.pathPrefix} path`);
      }
    }
    return { root, vcs: host.vcs, repo, subdir: '' };
  }
  const m = GENERIC_VCS_PATH.exec(importPath);
  if (m !== null && m.index === 0) {
    const root = m[1] ?? '';
    const repo = m[2] ?? '';
    const vcs = m[6] ?? '';
    return { root, vcs, repo: `${insecure ? 'http' : 'https'}://${repo}`, subdir: '' };
  }
  return undefined;
}

/** vcs.go urlForImportPath: `https://<host><path>?go-get=1` (scheme left to the fetcher). */
export function goGetUrl(importPath: string, scheme: 'https' | 'http'): string {
  const slash = importPath.indexOf('/');
  const host = slash < 0 ? importPath : importPath.slice(0, slash);
  const path = slash < 0 ? '/' : importPath.slice(slash);
  if (!host.includes('.')) throw new Error('import path does not begin with hostname');
  return `${scheme}://${host}${path}?go-get=1`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (all, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

function attributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (const m of tag.matchAll(re)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!attrs.has(name)) attrs.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attrs;
}

/**
 * discovery.go parseMetaGoImports with PreferMod: the go-import tags of an
 * HTML page, read up to `</head>` or `<body>`. Tags with three fields (or
 * four, Go 1.25's subdirectory form) count; `mod` entries come first and
 * hide the other entries with the same prefix.
 */
export function parseMetaGoImports(html: string): MetaImport[] {
  const imports: MetaImport[] = [];
  const tagRe = /<!--[\s\S]*?-->|<(\/?)([A-Za-z][^\s/>]*)([^>]*)>/g;
  for (const m of html.matchAll(tagRe)) {
    if (m[2] === undefined) continue;
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    if (!closing && name === 'body') break;
    if (closing && name === 'head') break;
    if (closing || name !== 'meta') continue;
    const attrs = attributes(m[3] ?? '');
    if (attrs.get('name') !== 'go-import') continue;
    const f = (attrs.get('content') ?? '').split(/\s+/).filter((x) => x !== '');
    if (f.length === 3 || f.length === 4) {
      imports.push({ prefix: f[0] ?? '', vcs: f[1] ?? '', repoRoot: f[2] ?? '', subdir: f[3] ?? '' });
    }
  }
  const modPrefixes = new Set(imports.filter((i) => i.vcs === 'mod').map((i) => i.prefix));
  return [...imports.filter((i) => i.vcs === 'mod'), ...imports.filter((i) => i.vcs !== 'mod' && !modPrefixes.has(i.prefix))];
}

/**
 * vcs.go matchGoImport: the one tag whose prefix is a path prefix of
 * importPath. Several matches are an error, except that a `mod` entry wins
 * over the others. Returns an error text (cmd/go's) when nothing matches.
 */
export function matchGoImport(imports: readonly MetaImport[], importPath: string): MetaImport | { error: string; mismatch: boolean } {
  let match: MetaImport | undefined;
  const mismatches: string[] = [];
  for (const im of imports) {
    if (!hasPathPrefix(importPath, im.prefix)) {
      mismatches.push(im.prefix);
      continue;
    }
    if (match !== undefined) {
      if (match.vcs === 'mod' && im.vcs !== 'mod') break;
      return { error: `multiple meta tags match import path "${importPath}"`, mismatch: false };
    }
    match = im;
  }
  if (match === undefined) {
    return { error: mismatches.map((p) => `meta tag ${p} did not match import path ${importPath}`).join(', '), mismatch: true };
  }
  return match;
}

/** vcs.go validateRepoRoot: the repository must be a URL with a scheme other than file. */
export function repoRootProblem(repoRoot: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(repoRoot);
  if (m === null) return 'no scheme';
  if ((m[1] ?? '').toLowerCase() === 'file') return 'file scheme disallowed';
  return undefined;
}
