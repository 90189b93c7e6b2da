/**
 * A module inside a version-control repository, as cmd/go sees it
 * (cmd/go/internal/modfetch/coderepo.go): which tags are its versions
 * (`sub/v1.2.3` for a module in `sub/`, `/vN` and `+incompatible` rules),
 * which version a tag, branch or commit resolves to (`convert`, with the
 * go command's pseudo-versions), which go.mod a version has (`findDir`,
 * `GoMod`, the synthesized `module <path>` file) and where its zip's files
 * come from (`Zip`).
 *
 * Pure: every repository read goes through the injected {@link CodeHost}
 * (the edge in gitRepo.ts implements it with the git command).
 */
import { synthesizeModFile, modulePathLine, parseModFile } from '../gomod/modfile.js';
import { canonicalVersion, checkPathMajor, matchPathMajor, pathMajorPrefix, splitPathVersion } from '../gomod/modulePath.js';
import { isPseudoVersion, pseudoVersion, pseudoVersionBase, pseudoVersionRev, pseudoVersionTime } from '../gomod/pseudo.js';
import * as semver from '../gomod/semver.js';
import { MAX_GO_MOD } from '../modzip/limits.js';
import { hasPathPrefix } from './repoRoot.js';
import type { Origin } from './revInfo.js';

/** A commit as the code host reports it (codehost.RevInfo). */
export interface CodeRev {
  /** The full commit hash. */
  name: string;
  /** The 12-character hash used in pseudo-versions. */
  short: string;
  /** The commit time, whole seconds, UTC. */
  time: Date;
  /** The revision asked for, when it is one of the commit's tags; else the hash. */
  version: string;
  /** The commit's tags, sorted. */
  tags: string[];
  origin: Origin;
}

/** The repository reads coderepo.go makes (codehost.Repo, cut to what a git repository answers). */
export interface CodeHost {
  /** Tags starting with prefix, sorted by name, with the go command's TagSum over them. */
  tags(prefix: string): Promise<{ list: { name: string; hash: string }[]; origin: Origin }>;
  /** Resolve a tag, branch, `HEAD` or hash (prefix); throws {@link UnknownRevisionError} when there is none. */
  stat(rev: string): Promise<CodeRev>;
  /** The default branch's commit, with Origin.Ref `HEAD`. */
  latest(): Promise<CodeRev>;
  /** A file at a revision, or undefined when it does not exist there. */
  readFile(rev: string, file: string, maxSize: number): Promise<Buffer | undefined>;
  /** The highest tag `prefix + semver` reachable from rev that `allowed` accepts ('' for none). */
  recentTag(rev: string, prefix: string, allowed: (tag: string) => boolean): Promise<string>;
  /** Whether the tag's commit is an ancestor of rev. */
  descendsFrom(rev: string, tag: string): Promise<boolean>;
}

/** A revision that does not exist (codehost.UnknownRevisionError): "not found" for the proxy chain. */
export class UnknownRevisionError extends Error {
  readonly rev: string;
  constructor(rev: string) {
    super(`unknown revision ${rev}`);
    this.rev = rev;
  }
}

/** A version the module cannot have (module.InvalidVersionError wrapped in a ModuleError), with cmd/go's text. */
export class InvalidCodeVersionError extends Error {
  /** True when the go command reports it as "not found" (notExistError): fall through to the next GOPROXY entry. */
  readonly notExist: boolean;
  constructor(message: string, notExist = false) {
    super(message);
    this.notExist = notExist;
  }
}

/** A module version resolved from the repository (modfetch.RevInfo plus what Zip needs). */
export interface ModuleRev {
  version: string;
  time: Date;
  /** The full commit hash. */
  name: string;
  origin: Origin;
}

/** What the zip of a version is made of: `git archive` of `subdir` at `rev`, plus the root LICENSE if the module has none. */
export interface ZipSource {
  rev: string;
  /** The module's directory in the repository ('' for the root). */
  subdir: string;
  /** The go version the module's go.mod declares ('' if none): the zip rules depend on it. */
  goVersion: string;
}

export class CodeRepo {
  readonly modPath: string;
  readonly codeRoot: string;
  /** The module's directory in the repository (without the /vN major subdirectory). */
  readonly codeDir: string;
  readonly pathMajor: string;
  readonly pathPrefix: string;
  readonly pseudoMajor: string;
  readonly #code: CodeHost;

  /**
   * newCodeRepo: `path` lives in the repository whose root is the import
   * path `codeRoot`; `repoSubdir` is the directory codeRoot maps to (Go
   * 1.25's go-import subdirectory form; '' for the repository's top).
   */
  constructor(code: CodeHost, codeRoot: string, path: string, repoSubdir = '') {
    if (!hasPathPrefix(path, codeRoot)) throw new Error(`mismatched repo: found ${codeRoot} for ${path}`);
    const split = splitPathVersion(path);
    if (!split.ok) throw new Error(`invalid module path "${path}"`);
    let pathPrefix = split.prefix;
    if (codeRoot === path) pathPrefix = path;
    let codeDir = '';
    if (codeRoot !== path) {
      if (!hasPathPrefix(pathPrefix, codeRoot)) throw new Error(`repository rooted at ${codeRoot} cannot contain module ${path}`);
      codeDir = pathPrefix.slice(codeRoot.length).replace(/^\/+|\/+$/g, '');
    }
    const sub = repoSubdir.replace(/^\/+|\/+$/g, '');
    if (sub !== '') codeDir = codeDir === '' ? sub : `${sub}/${codeDir}`;
    this.#code = code;
    this.modPath = path;
    this.codeRoot = codeRoot;
    this.codeDir = codeDir;
    this.pathMajor = split.pathMajor;
    this.pathPrefix = pathPrefix;
    this.pseudoMajor = pathMajorPrefix(split.pathMajor);
  }

  get #tagPrefix(): string {
    return this.codeDir === '' ? '' : `${this.codeDir}/`;
  }

  /** codeRepo.Versions: the module's release versions from the repository's tags, with +incompatible ones where allowed. */
  async versions(): Promise<string[]> {
    if (this.modPath.startsWith('gopkg.in/') && this.modPath.endsWith('-unstable')) return [];
    const p = this.#tagPrefix;
    const tags = await this.#code.tags(p);
    const list: string[] = [];
    const incompatible: string[] = [];
    for (const tag of tags.list) {
      if (!tag.name.startsWith(p)) continue;
      const v = tag.name.slice(p.length);
      if (v === '' || v !== semver.canonical(v)) continue;
      if (isPseudoVersion(v)) continue;
      try {
        checkPathMajor(v, this.pathMajor);
      } catch {
        if (this.codeDir === '' && this.pathMajor === '' && semver.compare(semver.major(v), 'v1') > 0) incompatible.push(v);
        continue;
      }
      list.push(v);
    }
    semver.sort(list);
    semver.sort(incompatible);
    return this.#appendIncompatible(list, incompatible);
  }

  async #hasGoMod(v: string): Promise<boolean> {
    return (await this.#code.readFile(v, 'go.mod', MAX_GO_MOD)) !== undefined;
  }

  async #appendIncompatible(list: string[], incompatible: string[]): Promise<string[]> {
    if (incompatible.length === 0 || this.pathMajor !== '') return list;
    const last = list[list.length - 1];
    if (last !== undefined && (await this.#hasGoMod(last))) return list;
    let lastMajor = '';
    let lastMajorHasGoMod = false;
    for (let i = 0; i < incompatible.length; i++) {
      const v = incompatible[i] ?? '';
      const major = semver.major(v);
      if (major !== lastMajor) {
        let j = i;
        while (j + 1 < incompatible.length && semver.major(incompatible[j + 1] ?? '') === major) j++;
        lastMajor = major;
        lastMajorHasGoMod = await this.#hasGoMod(incompatible[j] ?? '');
      }
      if (!lastMajorHasGoMod) list.push(`${v}+incompatible`);
    }
    return list;
  }

  /** codeRepo.Stat: the module version a revision (a version, tag, branch or hash) resolves to. */
  async stat(rev: string): Promise<ModuleRev> {
    if (rev === 'latest') return this.latest();
    const info = await this.#statCode(this.#revToRev(rev), rev);
    return this.#withOrigin(info, await this.#convert(info, rev));
  }

  /** codeRepo.Latest: the default branch's commit as a module version. */
  async latest(): Promise<ModuleRev> {
    const info = await this.#code.latest();
    return this.#withOrigin(info, await this.#convert(info, ''));
  }

  async #statCode(codeRev: string, rev: string): Promise<CodeRev> {
    try {
      return await this.#code.stat(codeRev);
    } catch (err) {
      if (err instanceof UnknownRevisionError)
        throw new InvalidCodeVersionError(`${this.modPath}@${rev}: invalid version: ${err.message}`, true);
      throw err;
    }
  }

  /** convert's deferred Origin: the commit's, with Subdir, and for pseudo-versions the tags that decided the base. */
  async #withOrigin(info: CodeRev, rev: ModuleRev): Promise<ModuleRev> {
    const origin: Origin = { ...info.origin };
    if (this.codeDir !== '') origin.Subdir = this.codeDir;
    return { ...rev, origin };
  }

  #revToRev(rev: string): string {
    if (semver.isValid(rev)) {
      if (isPseudoVersion(rev)) return pseudoVersionRev(rev);
      if (semver.build(rev) === '+incompatible') rev = rev.slice(0, -'+incompatible'.length);
      return this.codeDir === '' ? rev : `${this.codeDir}/${rev}`;
    }
    return rev;
  }

  #invalid(v: string, reason: string, notExist = false): InvalidCodeVersionError {
    return new InvalidCodeVersionError(`${this.modPath}@${v}: invalid version: ${reason}`, notExist);
  }

  async #convert(info: CodeRev, statVers: string): Promise<ModuleRev> {
    const incompatibleOk = new Map<string, boolean>();
    const canUseIncompatible = async (v: string): Promise<boolean> => {
      if (this.codeDir !== '' || this.pathMajor !== '') return false;
      let ok = incompatibleOk.get('');
      if (ok === undefined) {
        ok = (await this.#code.readFile(info.name, 'go.mod', MAX_GO_MOD)) === undefined;
        incompatibleOk.set('', ok);
      }
      if (!ok) return false;
      if (v !== '' && !statVers.endsWith('+incompatible')) {
        const major = semver.major(v);
        let subOk = incompatibleOk.get(major);
        if (subOk === undefined) {
          subOk = (await this.#code.readFile(info.name, `${major}/go.mod`, MAX_GO_MOD)) === undefined;
          incompatibleOk.set(major, subOk);
        }
        if (!subOk) return false;
      }
      return true;
    };

    const checkCanonical = async (v0: string): Promise<ModuleRev> => {
      let v = v0;
      try {
        await this.#findDir(v);
      } catch (err) {
        throw this.#invalid(v, err instanceof Error ? err.message : String(err), true);
      }
      if (v === statVers.replace(/\+incompatible$/, '')) v = statVers;
      const base = v.replace(/\+incompatible$/, '');
      let errIncompatible: InvalidCodeVersionError | undefined;
      if (!matchPathMajor(base, this.pathMajor)) {
        if (await canUseIncompatible(base)) {
          v = `${base}+incompatible`;
        } else if (this.pathMajor !== '') {
          errIncompatible = this.#invalid(v, 'module path includes a major version suffix, so major version must match');
        } else {
          errIncompatible = this.#invalid(
            v,
            `module contains a go.mod file, so module path must match major version ("${this.pathPrefix}/${semver.major(v)}")`,
          );
        }
      } else if (v.endsWith('+incompatible')) {
        errIncompatible = this.#invalid(v, `+incompatible suffix not allowed: major version ${semver.major(v)} is compatible`);
      }
      if (statVers !== '' && statVers === canonicalVersion(statVers)) {
        const statBase = statVers.replace(/\+incompatible$/, '');
        if (statBase !== base) throw this.#invalid(statVers, `resolves to version ${v} (${statBase} is not a tag)`);
      }
      if (errIncompatible !== undefined) throw errIncompatible;
      return { version: v, time: info.time, name: info.name, origin: info.origin };
    };

    if (isPseudoVersion(statVers)) {
      const rev = await checkCanonical(statVers);
      await this.#validatePseudoVersion(info, statVers);
      return rev;
    }

    const tagPrefix = this.#tagPrefix;
    const isRetracted = await this.#retractedVersions().catch(() => (_v: string) => false);

    const tagToVersion = (tag: string): { v: string; canonical: boolean } => {
      if (!tag.startsWith(tagPrefix)) return { v: '', canonical: false };
      const trimmed = tag.slice(tagPrefix.length);
      if (isPseudoVersion(tag)) return { v: '', canonical: false };
      const v = semver.canonical(trimmed);
      if (v === '' || !trimmed.startsWith(v)) return { v: '', canonical: false };
      return { v, canonical: v === trimmed };
    };

    const fromVcs = tagToVersion(info.version);
    if (fromVcs.canonical) {
      try {
        return await checkCanonical(fromVcs.v);
      } catch {
        // Fall through to the commit's other tags, as convert does.
      }
    }

    let highestCanonical = '';
    let pseudoBase = '';
    for (const pathTag of info.tags) {
      const { v, canonical } = tagToVersion(pathTag);
      if (statVers !== '' && semver.compare(v, statVers) === 0) {
        if (canonical) return checkCanonical(v);
        pseudoBase = v;
      }
      if (canonical && semver.compare(highestCanonical, v) < 0 && !isRetracted(v)) {
        if (matchPathMajor(v, this.pathMajor) || (await canUseIncompatible(v))) highestCanonical = v;
      }
    }
    if (highestCanonical !== '') return checkCanonical(highestCanonical);

    if (pseudoBase === '') {
      // The allowed() callback of RecentTag is synchronous in cmd/go; the
      // +incompatible answer needs reads, so decide it for the root first.
      const incompatibleRoot = this.codeDir === '' && this.pathMajor === '' ? await canUseIncompatible('') : false;
      const subOk = new Map<string, boolean>();
      const tags = await this.#code.tags(tagPrefix);
      for (const t of tags.list) {
        const { v } = tagToVersion(t.name);
        if (v === '' || matchPathMajor(v, this.pathMajor) || !incompatibleRoot || statVers.endsWith('+incompatible')) continue;
        const major = semver.major(v);
        if (!subOk.has(major)) subOk.set(major, await canUseIncompatible(v));
      }
      const tagAllowed = (tag: string): boolean => {
        const { v } = tagToVersion(tag);
        if (v === '') return false;
        if (!matchPathMajor(v, this.pathMajor)) {
          if (!incompatibleRoot) return false;
          if (!statVers.endsWith('+incompatible') && subOk.get(semver.major(v)) === false) return false;
        }
        return !isRetracted(v);
      };
      const tag = await this.#code.recentTag(info.name, tagPrefix, tagAllowed);
      if (tag !== '') pseudoBase = tagToVersion(tag).v;
    }
    return checkCanonical(pseudoVersion(this.pseudoMajor, pseudoBase, info.time, info.short));
  }

  /** codeRepo.validatePseudoVersion: the pseudo-version's hash, time and base tag agree with the commit. */
  async #validatePseudoVersion(info: CodeRev, version: string): Promise<void> {
    const fail = (reason: string): InvalidCodeVersionError => this.#invalid(version, reason);
    const rev = pseudoVersionRev(version);
    if (rev !== info.short) {
      if (rev.startsWith(info.short)) throw fail(`revision is longer than canonical (expected ${info.short})`);
      if (info.short.startsWith(rev)) throw fail(`revision is shorter than canonical (expected ${info.short})`);
      throw fail(`does not match short name of revision (expected ${info.short})`);
    }
    const t = pseudoVersionTime(version);
    if (t.getTime() !== Math.floor(info.time.getTime() / 1000) * 1000) {
      throw fail(`does not match version-control timestamp (expected ${formatPseudoTime(info.time)})`);
    }
    const tagPrefix = this.#tagPrefix;
    const base = pseudoVersionBase(version.replace(/\+incompatible$/, ''));
    if (base === '') {
      if (this.pseudoMajor === '' && semver.major(version) === 'v1') throw fail('major version without preceding tag must be v0, not v1');
      return;
    }
    for (const tag of info.tags) {
      if (tag.startsWith(tagPrefix) && tag.slice(tagPrefix.length) === base) {
        throw fail(
          `tag (${tag}) found on revision ${rev} is already canonical, so should not be replaced with a pseudo-version derived from that tag`,
        );
      }
    }
    const tags = await this.#code.tags(tagPrefix + base);
    let lastTag = '';
    let ancestorFound = false;
    for (const tag of tags.list) {
      const versionOnly = tag.name.startsWith(tagPrefix) ? tag.name.slice(tagPrefix.length) : tag.name;
      if (semver.compare(versionOnly, base) === 0) {
        lastTag = tag.name;
        ancestorFound = await this.#code.descendsFrom(info.name, tag.name);
        if (ancestorFound) break;
      }
    }
    if (lastTag === '') throw fail(`preceding tag (${base}) not found`);
    if (!ancestorFound) throw fail(`revision ${rev} is not a descendent of preceding tag (${lastTag})`);
  }

  /** codeRepo.retractedVersions: the retract lines of the highest release's go.mod. */
  async #retractedVersions(): Promise<(v: string) => boolean> {
    let versions = await this.versions();
    const inc = versions.findIndex((v) => v.endsWith('+incompatible'));
    if (inc >= 0) versions = versions.slice(0, inc);
    if (versions.length === 0) return () => false;
    let highest = [...versions].reverse().find((v) => semver.prerelease(v) === '');
    highest ??= versions[versions.length - 1] ?? '';
    const data = await this.goMod(highest);
    const retract = parseModFile('go.mod', data, { strict: false }).retract;
    return (v) => retract.some((r) => semver.compare(r.low, v) <= 0 && semver.compare(v, r.high) <= 0);
  }

  /**
   * codeRepo.findDir: the revision and directory of a version's module,
   * with its go.mod bytes (undefined when there is none and that is
   * allowed). Throws an Error with cmd/go's text when the repository's
   * go.mod files say the module is not here.
   */
  async #findDir(version: string): Promise<{ rev: string; dir: string; gomod: Buffer | undefined }> {
    if (!semver.isValid(version)) throw new Error('syntax error');
    const rev = this.#revToRev(version);
    const file1 = this.codeDir === '' ? 'go.mod' : `${this.codeDir}/go.mod`;
    const gomod1 = await this.#code.readFile(rev, file1, MAX_GO_MOD);
    const mpath1 = gomod1 === undefined ? '' : modulePathLine(gomod1);
    const found1 = gomod1 !== undefined && (isMajor(mpath1, this.pathMajor) || (this.pathMajor === '' && mpath1.startsWith('gopkg.in/')));

    let file2 = '';
    if (this.pathMajor !== '' && this.codeRoot !== this.modPath && !this.pathMajor.startsWith('.')) {
      const dir2 = this.codeDir === '' ? this.pathMajor.slice(1) : `${this.codeDir}/${this.pathMajor.slice(1)}`;
      file2 = `${dir2}/go.mod`;
      const gomod2 = await this.#code.readFile(rev, file2, MAX_GO_MOD);
      const mpath2 = gomod2 === undefined ? '' : modulePathLine(gomod2);
      const found2 = gomod2 !== undefined && isMajor(mpath2, this.pathMajor);
      if (found1 && found2) {
        throw new Error(
          `${this.pathPrefix}/${file1} and ...${this.pathMajor}/go.mod both have ...${this.pathMajor} module paths at revision ${rev}`,
        );
      }
      if (found2) return { rev, dir: dir2, gomod: gomod2 };
      if (gomod2 !== undefined) {
        if (mpath2 === '') throw new Error(`${this.codeRoot}/${file2} is missing module path at revision ${rev}`);
        throw new Error(`${this.codeRoot}/${file2} has non-...${this.pathMajor} module path "${mpath2}" at revision ${rev}`);
      }
    }
    if (found1) return { rev, dir: this.codeDir, gomod: gomod1 };
    if (gomod1 !== undefined) {
      const suffix = file2 === '' ? '' : ` (and ...${this.pathMajor}/go.mod does not exist)`;
      if (mpath1 === '') throw new Error(`${file1} is missing module path${suffix} at revision ${rev}`);
      if (this.pathMajor !== '')
        throw new Error(`${file1} has non-...${this.pathMajor} module path "${mpath1}"${suffix} at revision ${rev}`);
      if (!splitPathVersion(mpath1).ok) throw new Error(`${file1} has malformed module path "${mpath1}"${suffix} at revision ${rev}`);
      throw new Error(`${file1} has post-${semver.major(version)} module path "${mpath1}"${suffix} at revision ${rev}`);
    }
    if (this.codeDir === '' && (this.pathMajor === '' || this.pathMajor.startsWith('.'))) return { rev, dir: '', gomod: undefined };
    if (file2 !== '') throw new Error(`missing ${this.pathPrefix}/go.mod and ...${this.pathMajor}/go.mod at revision ${rev}`);
    throw new Error(`missing ${this.pathPrefix}/go.mod at revision ${rev}`);
  }

  /** Check a canonical version and, for a pseudo-version, its metadata (GoMod and Zip call Stat first). */
  async #checkVersion(version: string): Promise<void> {
    if (version !== canonicalVersion(version)) throw this.#invalid(version, `version ${version} is not canonical`);
    if (isPseudoVersion(version)) await this.stat(version);
  }

  /** codeRepo.GoMod: the go.mod bytes of a version (the synthesized `module <path>` when it has none). */
  async goMod(version: string): Promise<Buffer> {
    await this.#checkVersion(version);
    const found = await this.#findDirOrInvalid(version);
    if (found.gomod !== undefined) return found.gomod;
    const data = await this.#code.readFile(found.rev, found.dir === '' ? 'go.mod' : `${found.dir}/go.mod`, MAX_GO_MOD);
    return data ?? Buffer.from(synthesizeModFile(this.modPath), 'utf8');
  }

  /** codeRepo.Zip up to `git archive`: which revision and directory hold the version's files. */
  async zipSource(version: string): Promise<ZipSource> {
    await this.#checkVersion(version);
    const found = await this.#findDirOrInvalid(version);
    const gomod = await this.#code.readFile(found.rev, found.dir === '' ? 'go.mod' : `${found.dir}/go.mod`, MAX_GO_MOD);
    const goVersion = gomod === undefined ? '' : (parseModFile('go.mod', gomod, { strict: false }).go ?? '');
    return { rev: found.rev, subdir: found.dir, goVersion };
  }

  async #findDirOrInvalid(version: string): Promise<{ rev: string; dir: string; gomod: Buffer | undefined }> {
    try {
      return await this.#findDir(version);
    } catch (err) {
      if (err instanceof UnknownRevisionError) throw this.#invalid(version, err.message, true);
      if (err instanceof InvalidCodeVersionError || !(err instanceof Error) || err.constructor !== Error) throw err;
      throw this.#invalid(version, err.message, true);
    }
  }
}

/** coderepo.go isMajor: the versions mpath allows fit the major version implied by pathMajor. */
function isMajor(mpath: string, pathMajor: string): boolean {
  if (mpath === '') return false;
  const split = splitPathVersion(mpath);
  if (!split.ok) return false;
  if (pathMajor === '') {
    const p = pathMajorPrefix(split.pathMajor);
    return p === '' || p === 'v0' || p === 'v1';
  }
  if (split.pathMajor === '') return false;
  return pathMajor.slice(1) === split.pathMajor.slice(1);
}

/** module.PseudoVersionTimestampFormat of a time, UTC. */
function formatPseudoTime(t: Date): string {
  return t.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
