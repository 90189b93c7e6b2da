/**
 * The go command's "h1:" hash (x/mod sumdb/dirhash Hash1), over per-file
 * SHA-256 digests so callers can hash files while streaming them and never
 * hold whole files in memory.
 *
 * summary = for each file, sorted by name: hex(sha256(content)) + "  " + name + "\n"
 * h1      = "h1:" + base64(sha256(summary))
 *
 * Names sort by their UTF-8 bytes, as Go strings do; JavaScript's default
 * string order (UTF-16 code units) differs for names outside the BMP.
 */
import { createHash } from 'node:crypto';
import { InvalidPathError } from './invalidPath.js';

export interface FileDigest {
  /** File name as it appears in the hash: a string (encoded as UTF-8) or raw bytes (zip entry names). */
  name: string | Uint8Array;
  /** Lowercase hex SHA-256 of the file content. */
  sha256Hex: string;
}

const NEWLINE = 0x0a;

/** Compares two strings by their UTF-8 bytes (Go's string order). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Lowercase hex SHA-256 of a whole buffer (for small files such as go.mod). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** dirhash.Hash1 over precomputed per-file digests. */
export function hash1(files: readonly FileDigest[]): string {
  const entries = files.map((f) => ({
    name: typeof f.name === 'string' ? Buffer.from(f.name, 'utf8') : Buffer.from(f.name),
    sha256Hex: f.sha256Hex,
  }));
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  const summary = createHash('sha256');
  for (const e of entries) {
    if (e.name.includes(NEWLINE)) {
      throw new InvalidPathError('file path', e.name.toString('utf8'), 'dirhash: file names with newlines are not supported');
    }
    if (!/^[0-9a-f]{64}$/.test(e.sha256Hex)) throw new Error(`hash1: ${JSON.stringify(e.sha256Hex)} is not a lowercase hex sha256`);
    summary.update(`${e.sha256Hex}  `);
    summary.update(e.name);
    summary.update('\n');
  }
  return 'h1:' + summary.digest('base64');
}

/** The h1 of a go.mod file as recorded in go.sum under `path version/go.mod`: Hash1 over the single name "go.mod". */
export function hashGoMod(data: string | Uint8Array): string {
  return hash1([{ name: 'go.mod', sha256Hex: sha256Hex(data) }]);
}

/**
 * Collects per-file digests as they are produced (e.g. one per zip entry
 * streamed through a hash) and yields the h1 at the end.
 */
export class Hash1Collector {
  private readonly files: FileDigest[] = [];

  add(name: string | Uint8Array, sha256HexDigest: string): void {
    this.files.push({ name, sha256Hex: sha256HexDigest });
  }

  sum(): string {
    return hash1(this.files);
  }
}
