/** What checking a module zip yields, and the limits it checks against (validateZip.ts). */

/** Limits, overridable so tests need not write 500 MiB files. */
export interface ZipLimits {
  zipFile: number;
  goMod: number;
  license: number;
  /** Zips up to this size are read whole and checked from memory; larger ones are streamed entry by entry. */
  inMemoryZip: number;
}

export interface ZipFileProblem {
  /** The entry name as stored in the zip. */
  name: string;
  reason: string;
}

export interface CheckedZip {
  /** dirhash.HashZip over every central-directory entry. */
  h1: string;
  /** Entry names that passed every check (directories excluded). */
  valid: string[];
  invalid: ZipFileProblem[];
  /** Set when the zip or its total uncompressed size is over the limit. */
  sizeError: string | undefined;
  /** Total uncompressed bytes of the valid files. */
  uncompressedSize: number;
}
