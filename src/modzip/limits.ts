/**
 * The go command's size limits for module files (x/mod zip and
 * cmd/go codehost): the same numbers bound what we download and what we
 * accept inside a zip.
 */

/** The largest module zip, and the largest total uncompressed size of its files (x/mod zip.MaxZipFile). */
export const MAX_ZIP_FILE = 500 << 20;
/** The largest go.mod, served or inside a module zip (x/mod zip.MaxGoMod). */
export const MAX_GO_MOD = 16 << 20;
/** The largest LICENSE inside a module zip (x/mod zip.MaxLICENSE). */
export const MAX_LICENSE = 16 << 20;
