/**
 * A remote git repository read through a bare clone in the VCS cache
 * (`<cache>/vcs/<sha256 of the URL>`), the way
 * cmd/go/internal/modfetch/codehost/git.go does it: `git ls-remote -q` once
 * for the heads and tags, a shallow fetch of just the commit needed
 * (`refs/tags/v1.2.3:refs/tags/v1.2.3`, or the hash of HEAD), the whole
 * history only when a pseudo-version's base tag or ancestry needs it, and
 * `git archive` with export-subst/export-ignore disabled and autocrlf off.
 *
 * Layout of the cache: one bare repository per remote URL, with `origin`
 * pointing at it; a crash leaves at worst a half-fetched repository, which
 * the next fetch completes (git's own object writes are atomic).
 */
import { appendFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessEnv } from '../gomod/goenv.js';
import * as semver from '../gomod/semver.js';
import type { CodeHost, CodeRev } from './codeRepo.js';
import { UnknownRevisionError } from './codeRepo.js';
import { GitError, runGit } from './gitRun.js';
import { cacheLayout } from '../cache/cacheLayout.js';
import { tagSum, type Origin } from './revInfo.js';

const MIN_HASH_DIGITS = 7;
const GIT_ATTRIBUTES = '\n* -export-subst -export-ignore\n';

function allHex(s: string): boolean {
  return /^[0-9a-f]*$/.test(s);
}

export class GitRepo implements CodeHost {
  readonly url: string;
  readonly dir: string;
  readonly #env: ProcessEnv;
  #ready: Promise<void> | undefined;
  #refs: Promise<Map<string, string>> | undefined;
  #fetchedAll = false;
  #lock: Promise<unknown> = Promise.resolve();
  readonly #stats = new Map<string, Promise<CodeRev>>();

  constructor(url: string, cacheDir: string, env: ProcessEnv) {
    this.url = url;
    this.dir = cacheLayout.vcsRepo(cacheDir, url);
    this.#env = env;
  }

  #git(args: string[], stdoutFile?: { path: string; maxBytes: number }): Promise<Buffer> {
    return runGit(args, { dir: this.dir, remote: this.url, env: this.#env, ...(stdoutFile === undefined ? {} : { stdoutFile }) });
  }

  /** One git state change at a time (cmd/go holds r.mu around fetches). */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** `git init --bare` and `git remote add origin` the first time. */
  #init(): Promise<void> {
    this.#ready ??= (async () => {
      try {
        await stat(join(this.dir, 'objects'));
        return;
      } catch {
        // Not there yet.
      }
      await mkdir(this.dir, { recursive: true });
      try {
        await this.#git(['init', '--bare']);
        await this.#git(['remote', 'add', 'origin', '--', this.url]);
      } catch (err) {
        await rm(this.dir, { recursive: true, force: true });
        throw err;
      }
    })();
    return this.#ready;
  }

  /** gitRepo.loadRefs: HEAD, branches and tags from `git ls-remote -q origin`, annotated tags peeled. */
  #loadRefs(): Promise<Map<string, string>> {
    this.#refs ??= (async () => {
      await this.#init();
      let out: Buffer;
      try {
        out = await this.#git(['ls-remote', '-q', 'origin']);
      } catch (err) {
        if (err instanceof GitError && err.stderr.includes('could not read Username')) {
          throw new GitError(err.message, {
            stderr: err.stderr,
            hint: 'confirm the import path is right; for a private repository give git credentials (a credential helper or ~/.netrc), see https://golang.org/doc/faq#git_https',
          });
        }
        throw err;
      }
      const refs = new Map<string, string>();
      for (const line of out.toString('utf8').split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f.length !== 2) continue;
        const [hash, ref] = f as [string, string];
        if (ref === 'HEAD' || ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/')) refs.set(ref, hash);
      }
      for (const [ref, hash] of [...refs]) {
        if (ref.endsWith('^{}')) {
          refs.set(ref.slice(0, -3), hash);
          refs.delete(ref);
        }
      }
      return refs;
    })();
    return this.#refs;
  }

  async tags(prefix: string): Promise<{ list: { name: string; hash: string }[]; origin: Origin }> {
    const refs = await this.#loadRefs();
    const list: { name: string; hash: string }[] = [];
    for (const [ref, hash] of refs) {
      if (!ref.startsWith('refs/tags/')) continue;
      const tag = ref.slice('refs/tags/'.length);
      if (tag.startsWith(prefix)) list.push({ name: tag, hash });
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { list, origin: { VCS: 'git', URL: this.url, TagPrefix: prefix, TagSum: tagSum(list, prefix, semver.canonical) } };
  }

  async latest(): Promise<CodeRev> {
    const refs = await this.#loadRefs();
    const head = refs.get('HEAD');
    if (head === undefined || head === '') throw new GitError(`git ls-remote -q origin in ${this.url}: no commits`);
    const info = await this.stat(head);
    return { ...info, origin: { ...info.origin, Ref: 'HEAD', Hash: head } };
  }

  stat(rev: string): Promise<CodeRev> {
    let p = this.#stats.get(rev);
    if (p === undefined) {
      p = this.#stat(rev);
      this.#stats.set(rev, p);
      p.catch(() => this.#stats.delete(rev));
    }
    return p;
  }

  /** gitRepo.stat: resolve rev through the remote's refs, fetching only what is needed. */
  async #stat(rev0: string): Promise<CodeRev> {
    let rev = rev0;
    await this.#init();
    const refs = await this.#loadRefs();
    let ref = '';
    let hash = '';
    if ((refs.get(`refs/tags/${rev}`) ?? '') !== '') {
      ref = `refs/tags/${rev}`;
      hash = refs.get(ref) ?? '';
    } else if ((refs.get(`refs/heads/${rev}`) ?? '') !== '') {
      ref = `refs/heads/${rev}`;
      hash = refs.get(ref) ?? '';
      rev = hash;
    } else if (rev === 'HEAD' && (refs.get('HEAD') ?? '') !== '') {
      ref = 'HEAD';
      hash = refs.get('HEAD') ?? '';
      rev = hash;
    } else if (rev.length >= MIN_HASH_DIGITS && rev.length <= 40 && allHex(rev)) {
      const prefix = rev;
      for (const [k, h] of [...refs].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (!h.startsWith(prefix)) continue;
        if (hash !== '' && hash !== h) throw new GitError(`ambiguous revision ${rev}`);
        if (ref === '' || ref > k) ref = k;
        rev = h;
        hash = h;
      }
      if (hash === '' && rev.length === 40) hash = rev;
    } else {
      throw new UnknownRevisionError(rev);
    }

    const finish = (info: CodeRev): CodeRev => {
      const origin: Origin = { ...info.origin, Hash: info.name };
      if (ref !== info.name) origin.Ref = ref === '' ? undefined : ref;
      if (origin.Ref === undefined) delete origin.Ref;
      return { ...info, origin };
    };

    return this.#locked(async () => {
      const local = await this.#statLocal(rev, hash === '' ? rev : hash).catch(() => undefined);
      if (local !== undefined) {
        const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : '';
        if (tag !== '' && !local.tags.includes(tag)) {
          await this.#git(['tag', tag, hash]);
          return finish(await this.#statLocal(rev, ref));
        }
        return finish(local);
      }
      if (!this.#fetchedAll && ref !== '' && hash !== '') {
        const refspec = ref === 'HEAD' ? `${hash}:refs/dummy` : `${ref}:${ref}`;
        const fetched = await this.#git(['-c', 'protocol.version=2', 'fetch', '-f', '--depth=1', 'origin', refspec]).then(
          () => true,
          () => false,
        );
        if (fetched) return finish(await this.#statLocal(rev, ref === 'HEAD' ? hash : ref));
      }
      await this.#fetchAllLocked();
      return finish(await this.#statLocal(rev, rev));
    });
  }

  /** gitRepo.fetchRefsLocked: every head and tag with full history. */
  async #fetchAllLocked(): Promise<void> {
    if (this.#fetchedAll) return;
    await this.#git(['fetch', '-f', 'origin', 'refs/heads/*:refs/heads/*', 'refs/tags/*:refs/tags/*']);
    try {
      await stat(join(this.dir, 'shallow'));
      await this.#git(['fetch', '--unshallow', '-f', 'origin']);
    } catch (err) {
      if (err instanceof GitError) throw err;
    }
    this.#fetchedAll = true;
  }

  /** gitRepo.statLocal: the commit `rev` names in the local repository. */
  async #statLocal(version: string, rev: string): Promise<CodeRev> {
    let out: Buffer;
    try {
      out = await this.#git(['-c', 'log.showsignature=false', 'log', '--no-decorate', '-n1', '--format=format:%H %ct %D', rev, '--']);
    } catch {
      throw new UnknownRevisionError(rev);
    }
    const f = out.toString('utf8').trim().split(/\s+/);
    if (f.length < 2) throw new GitError(`unexpected response from git log: ${JSON.stringify(out.toString('utf8'))}`);
    const hash = f[0] ?? '';
    let v = version;
    if (hash.startsWith(v)) v = hash;
    const t = Number.parseInt(f[1] ?? '', 10);
    if (!Number.isSafeInteger(t)) throw new GitError(`invalid time from git log: ${JSON.stringify(out.toString('utf8'))}`);
    const tags: string[] = [];
    for (let i = 2; i < f.length; i++) {
      if (f[i] === 'tag:' && i + 1 < f.length) {
        i++;
        tags.push((f[i] ?? '').replace(/,$/, ''));
      }
    }
    tags.sort();
    const origin: Origin = { VCS: 'git', URL: this.url, Hash: hash };
    if (!hash.startsWith(rev)) origin.Ref = rev;
    return {
      name: hash,
      short: hash.length === 40 ? hash.slice(0, 12) : hash,
      time: new Date(t * 1000),
      version: tags.includes(v) ? v : hash,
      tags,
      origin,
    };
  }

  async readFile(rev: string, file: string, maxSize: number): Promise<Buffer | undefined> {
    const info = await this.stat(rev);
    let out: Buffer;
    try {
      out = await this.#git(['cat-file', 'blob', `${info.name}:${file}`]);
    } catch (err) {
      if (err instanceof GitError && err.exitCode !== undefined) return undefined;
      throw err;
    }
    if (out.length > maxSize) throw new GitError(`${this.url}: ${file} at ${info.name} is larger than ${maxSize} bytes`);
    return out;
  }

  async recentTag(rev: string, prefix: string, allowed: (tag: string) => boolean): Promise<string> {
    const info = await this.stat(rev);
    const describe = async (): Promise<string> => {
      const out = await this.#git(['for-each-ref', '--format', '%(refname)', 'refs/tags', '--merged', info.name]);
      let highest = '';
      for (let line of out.toString('utf8').split('\n')) {
        line = line.trim();
        if (!line.startsWith('refs/tags/')) continue;
        line = line.slice('refs/tags/'.length);
        if (!line.startsWith(prefix) || !allowed(line)) continue;
        const semtag = line.slice(prefix.length);
        if (semver.compare(semtag, highest) > 0) highest = semtag;
      }
      return highest === '' ? '' : prefix + highest;
    };
    const tag = await this.#locked(describe);
    if (tag !== '' && !allHex(tag)) return tag;
    const plausible = await this.tags(`${prefix}v`);
    if (plausible.list.length === 0) return '';
    return this.#locked(async () => {
      await this.#fetchAllLocked();
      return describe();
    });
  }

  async descendsFrom(rev: string, tag: string): Promise<boolean> {
    const isAncestor = (): Promise<boolean> =>
      this.#git(['merge-base', '--is-ancestor', '--', tag, rev]).then(
        () => true,
        (err: unknown) => {
          if (err instanceof GitError && err.exitCode === 1) return false;
          throw err;
        },
      );
    if (await isAncestor().catch(() => false)) return true;
    const tags = await this.tags(tag);
    if (tags.list.length === 0) return false;
    await this.stat(rev);
    return this.#locked(async () => {
      await this.#fetchAllLocked();
      return isAncestor();
    });
  }

  /** gitRepo.ReadZip: `git archive --format=zip --prefix=prefix/ <hash> [-- subdir]` into a file. */
  async archive(rev: string, subdir: string, file: string, maxBytes: number): Promise<void> {
    const info = await this.stat(rev);
    await this.#locked(async () => {
      await ensureGitAttributes(this.dir);
      const args = ['-c', 'core.autocrlf=input', '-c', 'core.eol=lf', 'archive', '--format=zip', '--prefix=prefix/', info.name];
      if (subdir !== '') args.push('--', subdir);
      await this.#git(args, { path: file, maxBytes });
    });
  }
}

/** codehost.ensureGitAttributes: export-subst and export-ignore off, so a revision's zip never depends on git's version. */
async function ensureGitAttributes(repoDir: string): Promise<void> {
  const dir = join(repoDir, 'info');
  const file = join(dir, 'attributes');
  await mkdir(dir, { recursive: true });
  const current = await readFile(file, 'utf8').catch(() => '');
  if (!current.endsWith(GIT_ATTRIBUTES)) await appendFile(file, GIT_ATTRIBUTES);
}
