/**
 * A client for one GOPROXY base URL (cmd/go modfetch proxyRepo): `list`,
 * `.info`, `.mod`, `.zip` and `@latest`, with the go command's size caps.
 * Errors carry one prefix of context, `path@version: `, over the
 * transport's `reading <url>: <what happened>`.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { GobundleError, ModuleError, NetworkError, NotFoundError } from '../errors.js';
import { canonicalVersion, check, escapePath, escapeVersion, InvalidVersionError } from '../gomod/modulePath.js';
import { redactUrl } from '../gomod/goenv.js';
import type { HttpTransport } from '../network/httpTransport.js';
import type { RequestTag } from '../network/requestStats.js';
import { discard, writeCapped } from '../network/cappedBody.js';
import { proxyUrl } from './proxyUrl.js';
import { MAX_GO_MOD, MAX_ZIP_FILE } from '../modzip/limits.js';
import { ProxyResponseError, RequestedVersionError, TooLargeError } from './proxyErrors.js';
import { FileSystemError } from '../files/fileSystemError.js';

/**
 * The largest `.info`, `@latest` or `@v/list` we read. cmd/go reads these
 * unbounded; a cap keeps a broken proxy from filling memory.
 */
export const MAX_METADATA_FILE = 16 << 20;

/** Size limits of downloaded files, in bytes. */
export interface ProxyLimits {
  zip: number;
  mod: number;
  metadata: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = { zip: MAX_ZIP_FILE, mod: MAX_GO_MOD, metadata: MAX_METADATA_FILE };

/** The JSON of `.info` and `@latest` (cmd/go modfetch.RevInfo). */
export interface RevInfo {
  Version: string;
  Time?: string;
  Origin?: Record<string, unknown>;
  [field: string]: unknown;
}

/** One line of `@v/list`: a version and, from some proxies, its RFC 3339 time. */
export interface ListEntry {
  version: string;
  time?: string;
}

/**
 * Where a zip goes: a file path (truncated on every attempt) or a function
 * that opens a fresh sink for every attempt, because a retry after a broken
 * download — or a fall-through to the next proxy — starts over.
 */
export type ZipDestination = string | (() => Writable | Promise<Writable>);

export class ProxyClient {
  /** The proxy base URL as configured. */
  readonly baseUrl: string;
  readonly #transport: HttpTransport;
  readonly #limits: ProxyLimits;
  readonly #tag: RequestTag;

  /** `limits` defaults to the go command's; tests lower them. */
  constructor(baseUrl: string, transport: HttpTransport, limits: ProxyLimits = DEFAULT_PROXY_LIMITS) {
    this.baseUrl = baseUrl;
    this.#transport = transport;
    this.#limits = limits;
    this.#tag = { kind: 'proxy', server: redactUrl(baseUrl) };
  }

  /** The URL of a protocol file for a module, e.g. `urlFor(p, '@v/list')`. */
  urlFor(path: string, file: string): string {
    return proxyUrl(this.baseUrl, escapePath(path), file);
  }

  #versionFile(path: string, version: string, ext: 'info' | 'mod' | 'zip'): string {
    let escaped: string;
    try {
      escaped = escapeVersion(version);
    } catch (err) {
      if (!(err instanceof InvalidVersionError)) throw err;
      throw new RequestedVersionError(path, version, `invalid version: ${err.reason}`, { cause: err });
    }
    return this.urlFor(path, `@v/${escaped}.${ext}`);
  }

  /** `@v/list`: every non-empty line, unfiltered (callers drop invalid and pseudo-versions). */
  async list(path: string): Promise<ListEntry[]> {
    const bytes = await this.#bytes(path, '', this.urlFor(path, '@v/list'), this.#limits.metadata, 'version list');
    const entries: ListEntry[] = [];
    for (const line of bytes.toString('utf8').split('\n')) {
      const [version, time] = line.trim().split(/\s+/);
      if (version === undefined || version === '') continue;
      entries.push(time === undefined ? { version } : { version, time });
    }
    return entries;
  }

  /**
   * The raw bytes of `.info` (what a bundle carries), checked as info()
   * checks them: a body that is not a version's JSON (an HTML error page
   * answered with 200) or names another version is refused, not stored.
   */
  async infoBytes(path: string, version: string): Promise<Buffer> {
    const bytes = await this.#bytes(path, version, this.#versionFile(path, version, 'info'), this.#limits.metadata, 'info file');
    this.#checkInfo(path, version, this.#parseInfo(path, version, bytes));
    return bytes;
  }

  /**
   * `.info`, parsed. For a canonical version the proxy must answer for
   * exactly that version (cmd/go proxyRepo.Stat); for a query such as a
   * branch name it names the version it resolved to.
   */
  async info(path: string, version: string): Promise<RevInfo> {
    return this.#parseInfo(path, version, await this.infoBytes(path, version));
  }

  #checkInfo(path: string, version: string, info: RevInfo): void {
    if (info.Version !== version && version === canonicalVersion(version) && isValidModuleVersion(path, version)) {
      throw new ProxyResponseError(path, version, `proxy returned info for version ${info.Version} instead of requested version`, {
        hint: `the proxy ${redactUrl(this.baseUrl)} is misbehaving; report it to its operator`,
      });
    }
  }

  /** `@latest`, parsed (optional in the protocol: a 404 here is normal). */
  async latest(path: string): Promise<RevInfo> {
    const bytes = await this.#bytes(path, '', this.urlFor(path, '@latest'), this.#limits.metadata, 'latest info');
    return this.#parseInfo(path, '', bytes);
  }

  /** The go.mod file, byte for byte (its hash is in go.sum). */
  async mod(path: string, version: string): Promise<Buffer> {
    return this.#bytes(path, version, this.#versionFile(path, version, 'mod'), this.#limits.mod, 'go.mod file');
  }

  /**
   * Stream the module zip into `dest`, never holding it in memory; fails
   * with ETOOLARGE past the zip limit (500 MiB, checked as bytes arrive, as
   * cmd/go's limit + 1 read).
   */
  async zipTo(path: string, version: string, dest: ZipDestination): Promise<{ size: number }> {
    const url = this.#versionFile(path, version, 'zip');
    const limit = this.#limits.zip;
    const tooLarge = (): ModuleError => this.#tooLarge(path, version, 'zip file', limit);
    try {
      return await this.#transport.get(
        url,
        async (body, meta) => {
          if (meta.contentLength !== undefined && meta.contentLength > limit) {
            discard(body);
            throw tooLarge();
          }
          const sink = typeof dest === 'string' ? createWriteStream(dest, { flags: 'w' }) : await dest();
          return { size: await writeCapped(body, sink, limit, tooLarge) };
        },
        { tag: this.#tag },
      );
    } catch (err) {
      throw this.#contextualize(path, version, err);
    }
  }

  #parseInfo(path: string, version: string, bytes: Buffer): RevInfo {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw this.#invalidResponse(path, version, err instanceof Error ? err.message : String(err));
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof (parsed as RevInfo).Version !== 'string') {
      throw this.#invalidResponse(path, version, 'missing "Version"');
    }
    return parsed as RevInfo;
  }

  #invalidResponse(path: string, version: string, reason: string): ProxyResponseError {
    return new ProxyResponseError(path, version, `invalid response from proxy ${JSON.stringify(redactUrl(this.baseUrl))}: ${reason}`, {
      hint: `the proxy ${redactUrl(this.baseUrl)} returned malformed JSON; report it to its operator`,
    });
  }

  #tooLarge(path: string, version: string, what: string, limit: number): TooLargeError {
    return new TooLargeError(path, version, `downloaded ${what} too large`, {
      hint: `the go command refuses a ${what} larger than ${limit} bytes; the proxy ${redactUrl(this.baseUrl)} served a bigger one`,
    });
  }

  /** GET a small file into memory, refusing more than `limit` bytes. */
  async #bytes(path: string, version: string, url: string, limit: number, what: string): Promise<Buffer> {
    try {
      return await this.#transport.getBytes(url, limit, () => this.#tooLarge(path, version, what, limit), { tag: this.#tag });
    } catch (err) {
      throw this.#contextualize(path, version, err);
    }
  }

  /** Add the `path@version: ` prefix to transport errors. */
  #contextualize(path: string, version: string, err: unknown): unknown {
    const prefix = version === '' ? path : `${path}@${version}`;
    if (err instanceof NotFoundError) {
      return new NotFoundError(`${prefix}: ${err.message}`, { hint: err.hint, cause: err });
    }
    if (err instanceof NetworkError) return err.rephrase(prefix);
    if (err instanceof GobundleError) return err;
    return new FileSystemError(`${prefix}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** module.Check: the version is valid for the path (major version agrees). */
function isValidModuleVersion(path: string, version: string): boolean {
  try {
    check(path, version);
    return true;
  } catch {
    return false;
  }
}
