/**
 * Naming the licence of a LICENSE file, or saying it is unknown: never a
 * guess. The file matches a licence when, after the same normalization of
 * both texts, it equals the licence's canonical text (licenseTexts.ts) word
 * for word, with only the template's variable parts (a copyright holder's
 * name) and optional parts (a title, Apache's appendix) free. The
 * normalization follows the SPDX matching guidelines
 * (spdx.github.io/spdx-spec/v2.3/license-matching-guidelines-and-templates/):
 *
 *   - copyright notices — lines starting "Copyright" and then "(c)", "©" or a
 *     year, or starting "(c) <year>" or "©" — and "All rights reserved."
 *     lines are dropped (they name holders, not terms);
 *   - a bullet or number opening a line ("*", "-", "1.", "2.1.", "a)") is dropped;
 *   - case, punctuation and whitespace are ignored (text becomes lowercase
 *     words of letters and digits), and "https" reads as "http".
 *
 * Anything else — an added paragraph, a changed word, two licences in one
 * file — leaves the file unknown. Pure.
 */
import { LICENSE_TEMPLATES } from './licenseTexts.js';

/** Most words a template's `<<var>>` stands for. */
export const MAX_VAR_WORDS = 12;

/** A copyright notice, not a sentence about one ("copyright notice, this list of conditions…" wraps onto a line of its own in BSD texts). */
const COPYRIGHT_LINE = /^\s*(copyright\s*(\(c\)|©|\d)|\(c\)\s*\d|©)/i;
const RIGHTS_LINE = /^\s*all rights reserved\.?\s*$/i;
const LIST_MARKER = /^\s*(?:[*•-]|\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-z])[.)])(?=\s)/i;

const VAR = '\u0001';
const OPT = '\u0002';
const END = '\u0003';

/** The words of a text after the normalization above (markers kept as one-character tokens). */
export function licenseWords(text: string): string[] {
  const kept = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((l) => !COPYRIGHT_LINE.test(l) && !RIGHTS_LINE.test(l))
    .map((l) => l.replace(LIST_MARKER, ' '))
    .join('\n')
    .toLowerCase();
  const words: string[] = [];
  for (const m of kept.matchAll(/[a-z0-9]+|[\u0001-\u0003]/g)) words.push(m[0] === 'https' ? 'http' : m[0]);
  return words;
}

/** A template as a regular expression over `licenseWords(text).join(' ') + ' '`. */
export function compileTemplate(template: string): RegExp {
  const marked = template.replaceAll('<<var>>', ` ${VAR} `).replaceAll('[[', ` ${OPT} `).replaceAll(']]', ` ${END} `);
  let source = '';
  let depth = 0;
  for (const w of licenseWords(marked)) {
    if (w === VAR) source += `(?:[a-z0-9]+ ){1,${MAX_VAR_WORDS}}`;
    else if (w === OPT) {
      source += '(?:';
      depth++;
    } else if (w === END) {
      if (depth === 0) throw new Error('licence template: "]]" without "[["');
      source += ')?';
      depth--;
    } else source += `${w} `;
  }
  if (depth !== 0) throw new Error('licence template: "[[" without "]]"');
  return new RegExp(`^${source}$`);
}

const COMPILED: readonly [string, RegExp][] = [...LICENSE_TEMPLATES].map(([id, t]) => [id, compileTemplate(t)]);

/** The SPDX ids gobundle can recognise. */
export const KNOWN_LICENSES: readonly string[] = COMPILED.map(([id]) => id);

/** The SPDX id of the licence `text` is, or undefined when it matches none exactly. */
export function matchLicense(text: string): string | undefined {
  const words = licenseWords(text.replace(/[\u0001-\u0003]/g, ' '));
  if (words.length === 0) return undefined;
  const normalized = `${words.join(' ')} `;
  for (const [id, re] of COMPILED) if (re.test(normalized)) return id;
  return undefined;
}
