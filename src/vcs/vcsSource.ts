/**
 * The `direct` entry of GOPROXY (cmd/go modfetch/repo.go lookupDirect):
 * module files made from version control exactly as the go command makes
 * them — the repository found by goImportLookup.ts (GOINSECURE allowing
 * plain HTTP), GOVCS checked, git read through gitRepo.ts, versions and
 * go.mod files decided by codeRepo.ts, zips built by moduleZip.ts. A
 * go-import tag of the `mod` kind names a module proxy instead, which is
 * then asked like any GOPROXY entry.
 *
 * It answers the same calls as a ProxyClient (list, info, latest, mod,
 * zipTo), so the proxy chain uses it for `direct` and pack needs no change.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GobundleError, NotFoundError } from '../errors.js';
import { redactUrl, type GoEnv, type ProcessEnv } from '../gomod/goenv.js';
import { matchPrefixPatterns } from '../gomod/modulePath.js';
import { MAX_LICENSE, MAX_ZIP_FILE } from '../modzip/limits.js';
import type { HttpTransport } from '../network/httpTransport.js';
import { ProxyClient, type ListEntry, type RevInfo, type ZipDestination } from '../proxy/proxyClient.js';
import { CodeRepo, InvalidCodeVersionError, UnknownRevisionError } from './codeRepo.js';
import { GitError } from './gitRun.js';
import { GitRepo } from './gitRepo.js';
import { GoImportLookup, RepoLookupError } from './goImportLookup.js';
import { govcsProblem, parseGovcs, type Govcs } from './govcs.js';
import { infoFileBytes, formatGoTime } from './revInfo.js';
import { writeModuleZip } from './moduleZip.js';
import { VcsError, VcsModuleError } from './vcsErrors.js';
import type { Writable } from 'node:stream';

export interface VcsSourceOptions {
  env: Pick<GoEnv, 'GOPRIVATE' | 'GOINSECURE'> & { GOVCS?: string };
  /** The environment git runs with (HOME, PATH, credentials helpers, proxies). */
  processEnv: ProcessEnv;
  /** The directory that holds `vcs/` (bare repositories), or how to find it when first needed (plan works without a cache until a module comes from git). */
  cacheDir: string | (() => string);
  /** For go-import pages, and for go-import tags of the `mod` kind. */
  transport: HttpTransport;
}

type Backend = { kind: 'proxy'; client: ProxyClient } | { kind: 'code'; repo: CodeRepo; git: GitRepo };

export class VcsSource {
  readonly #opts: VcsSourceOptions;
  readonly #govcs: Govcs;
  readonly #lookup: GoImportLookup;
  readonly #backends = new Map<string, Promise<Backend>>();
  readonly #gits = new Map<string, GitRepo>();

  constructor(opts: VcsSourceOptions) {
    this.#opts = opts;
    this.#govcs = parseGovcs(opts.env.GOVCS ?? '');
    this.#lookup = new GoImportLookup(opts.transport);
  }

  /** Nothing to release: go-import pages share the transport, whose owner closes it. */
  async close(): Promise<void> {}

  #backend(path: string): Promise<Backend> {
    let b = this.#backends.get(path);
    if (b === undefined) {
      b = this.#makeBackend(path);
      this.#backends.set(path, b);
    }
    return b;
  }

  async #makeBackend(path: string): Promise<Backend> {
    const insecure = matchPrefixPatterns(this.#opts.env.GOINSECURE, path);
    let rr;
    try {
      rr = await this.#lookup.repoRoot(path, insecure);
    } catch (err) {
      if (err instanceof RepoLookupError) {
        throw new NotFoundError(`${path}: ${redactText(err.message)}`, {
          hint: insecure
            ? 'check that the module path is right and its host serves a go-import meta tag'
            : 'check the module path; a server reachable only over plain http needs the path in GOINSECURE',
        });
      }
      throw err;
    }
    const govcs = govcsProblem(this.#govcs, rr.root, this.#opts.env.GOPRIVATE, rr.vcs);
    if (govcs !== undefined) throw new VcsError(`${path}: ${govcs}`, { hint: 'set GOVCS to allow it, e.g. GOVCS=private:git' });
    if (rr.vcs === 'mod') return { kind: 'proxy', client: new ProxyClient(rr.repo, this.#opts.transport) };
    if (rr.vcs !== 'git') {
      throw new VcsError(`${path}: repository ${redactUrl(rr.repo)} uses ${rr.vcs}; gobundle fetches modules from git repositories only`, {
        hint: `serve ${rr.root} from a module proxy listed in GOPROXY (or pack it on a machine that can), then pack again`,
      });
    }
    if (!insecure && !/^(https|ssh|git\+ssh):/i.test(rr.repo)) {
      throw new VcsError(`${path}: repository ${redactUrl(rr.repo)} is not reached over a secure protocol`, {
        hint: `add ${rr.root} to GOINSECURE to allow it`,
      });
    }
    let git = this.#gits.get(rr.repo);
    if (git === undefined) {
      git = new GitRepo(
        rr.repo,
        typeof this.#opts.cacheDir === 'string' ? this.#opts.cacheDir : this.#opts.cacheDir(),
        this.#opts.processEnv,
      );
      this.#gits.set(rr.repo, git);
    }
    let repo: CodeRepo;
    try {
      repo = new CodeRepo(git, rr.root, path, rr.subdir);
    } catch (err) {
      throw new VcsModuleError(path, '', err instanceof Error ? err.message : String(err));
    }
    return { kind: 'code', repo, git };
  }

  async #code<T>(
    path: string,
    version: string,
    op: (b: Backend & { kind: 'code' }) => Promise<T>,
    proxied: (c: ProxyClient) => Promise<T>,
  ): Promise<T> {
    const b = await this.#backend(path);
    if (b.kind === 'proxy') return proxied(b.client);
    try {
      return await op(b);
    } catch (err) {
      throw contextualize(path, version, err);
    }
  }

  async list(path: string): Promise<ListEntry[]> {
    return this.#code(
      path,
      '',
      async (b) => (await b.repo.versions()).map((version) => ({ version })),
      (c) => c.list(path),
    );
  }

  async infoBytes(path: string, version: string): Promise<Buffer> {
    return this.#code(
      path,
      version,
      async (b) => {
        const rev = await b.repo.stat(version);
        return infoFileBytes(rev.version, rev.time, rev.origin);
      },
      (c) => c.infoBytes(path, version),
    );
  }

  async info(path: string, version: string): Promise<RevInfo> {
    return JSON.parse((await this.infoBytes(path, version)).toString('utf8')) as RevInfo;
  }

  async latest(path: string): Promise<RevInfo> {
    return this.#code(
      path,
      '',
      async (b): Promise<RevInfo> => {
        const rev = await b.repo.latest();
        return { Version: rev.version, Time: formatGoTime(rev.time) };
      },
      (c) => c.latest(path),
    );
  }

  async mod(path: string, version: string): Promise<Buffer> {
    return this.#code(
      path,
      version,
      (b) => b.repo.goMod(version),
      (c) => c.mod(path, version),
    );
  }

  async zipTo(path: string, version: string, dest: ZipDestination): Promise<{ size: number }> {
    return this.#code(
      path,
      version,
      async (b) => {
        const source = await b.repo.zipSource(version);
        const tmp = await mkdtemp(join(tmpdir(), 'gobundle-archive-'));
        try {
          const archive = join(tmp, 'archive.zip');
          await b.git.archive(source.rev, source.subdir, archive, MAX_ZIP_FILE + 1);
          const sink: Writable = typeof dest === 'string' ? createWriteStream(dest, { flags: 'w' }) : await dest();
          const size = await writeModuleZip(
            archive,
            { path, version },
            source,
            () => b.git.readFile(source.rev, 'LICENSE', MAX_LICENSE),
            sink,
          );
          return { size };
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      },
      (c) => c.zipTo(path, version, dest),
    );
  }
}

function redactText(s: string): string {
  return s.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/\s@"]*@/g, '$1');
}

/** Errors of the code host in the chain's vocabulary: not-found drives fallback, the rest name module and repository. */
function contextualize(path: string, version: string, err: unknown): unknown {
  const prefix = version === '' ? path : `${path}@${version}`;
  if (err instanceof InvalidCodeVersionError) {
    return err.notExist
      ? new NotFoundError(redactText(err.message))
      : new VcsModuleError(path, version, redactText(err.message.slice(err.message.indexOf(': ') + 2)));
  }
  if (err instanceof UnknownRevisionError) return new NotFoundError(`${prefix}: invalid version: ${err.message}`);
  if (err instanceof GitError)
    return new GitError(`${prefix}: ${err.message}`, { exitCode: err.exitCode, stderr: err.stderr, hint: err.hint, cause: err });
  if (err instanceof GobundleError) return err;
  return new VcsError(`${prefix}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
