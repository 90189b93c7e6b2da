/**
 * Go's %q formatting (strconv.Quote and strconv.QuoteRune), so our error
 * messages quote paths and characters exactly as the go command prints them.
 * Printable characters stay as they are; control and other unprintable
 * characters become \a \b \f \n \r \t \v, \xNN, \uNNNN or \UNNNNNNNN.
 */

import { isGoPrint as isPrint } from './goUnicode.js';

function escapeCodePoint(cp: number, quote: string): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (isPrint(cp)) return ch;
  switch (ch) {
    case '\x07':
      return '\\a';
    case '\b':
      return '\\b';
    case '\f':
      return '\\f';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\v':
      return '\\v';
  }
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp === 0xfffd) return '\\ufffd';
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** strconv.Quote: a double-quoted Go string literal. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeCodePoint(ch.codePointAt(0) as number, '"');
  return `${out}"`;
}

/** strconv.QuoteRune: a single-quoted Go character literal. */
export function goQuoteRune(ch: string): string {
  return `'${escapeCodePoint(ch.codePointAt(0) as number, "'")}'`;
}
