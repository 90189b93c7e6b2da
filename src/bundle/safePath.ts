/**
 * Whether a name taken from a bundle (a tar entry or a manifest line) is safe
 * to join onto an extraction directory. A bundle comes from outside the
 * trusted network's control until its signature is checked, and even a
 * signed one must never make us write or serve outside its own tree, so the
 * rule is strict and simple: relative, forward slashes only, no empty, `.`
 * or `..` elements, no NUL or other control characters.
 */

/** Longest entry name we accept (Linux PATH_MAX); anything longer is hostile or broken. */
export const MAX_ENTRY_NAME_BYTES = 4096;

/** Why `name` is unsafe as a relative path inside a bundle, or undefined when it is safe. */
export function unsafeNameReason(name: string): string | undefined {
  if (name === '') return 'empty name';
  if (Buffer.byteLength(name, 'utf8') > MAX_ENTRY_NAME_BYTES) return `name longer than ${MAX_ENTRY_NAME_BYTES} bytes`;
  if (name.includes('\0')) return 'NUL in name';
  if (/[\x01-\x1f\x7f]/.test(name)) return 'control character in name';
  if (name.includes('\\')) return 'backslash in name';
  if (name.startsWith('/')) return 'absolute name';
  if (/^[A-Za-z]:/.test(name)) return 'drive letter in name';
  for (const elem of name.split('/')) {
    if (elem === '') return 'empty path element';
    if (elem === '.' || elem === '..') return `"${elem}" path element`;
  }
  return undefined;
}
