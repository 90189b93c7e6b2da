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
 * One more freedom, for real files: a project's title directly above the
 * copyright notice, under at most a licence title (withoutTitle). Anything else — an
 * added paragraph, a changed word, two licences in one file — leaves the file
 * unknown. Pure.
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

/**
 * Words that may change or qualify a licence's terms: a first line holding
 * one is never taken for a title.
 */
const NOT_A_TITLE =
  /\b(licen[cs]e[ds]?|licensing|dual|except|exceptions?|only|not|no|portions?|parts?|apply|applies|under|terms|provided|and|or|but|following|see|copyright)\b/i;

/**
 * A project's name or tagline directly above the first copyright notice
 * ("Gocheck - A rich testing framework for Go" in gopkg.in/check.v1, "go-toml
 * v2" under "The MIT License (MIT)" in github.com/pelletier/go-toml/v2): the
 * last non-blank line before that notice, when it is at most MAX_VAR_WORDS
 * words, holds none of NOT_A_TITLE, and at most MAX_VAR_WORDS words (a
 * licence's own title) come before it. Returns the text without that line.
 */
export function withoutTitle(text: string): string | undefined {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const notice = lines.findIndex((l) => COPYRIGHT_LINE.test(l));
  if (notice < 0) return undefined;
  let at = notice - 1;
  while (at >= 0 && (lines[at] as string).trim() === '') at--;
  if (at < 0) return undefined;
  const title = lines[at] as string;
  const words = licenseWords(title);
  if (words.length === 0 || words.length > MAX_VAR_WORDS || NOT_A_TITLE.test(title)) return undefined;
  if (licenseWords(lines.slice(0, at).join('\n')).length > MAX_VAR_WORDS) return undefined;
  return [...lines.slice(0, at), ...lines.slice(at + 1)].join('\n');
}

function matchExactly(text: string): string | undefined {
  const words = licenseWords(text.replace(/[\u0001-\u0003]/g, ' '));
  if (words.length === 0) return undefined;
  const normalized = `${words.join(' ')} `;
  for (const [id, re] of COMPILED) if (re.test(normalized)) return id;
  return undefined;
}

/** The SPDX id of the licence `text` is, or undefined when it matches none exactly (a title line above the copyright notice aside). */
export function matchLicense(text: string): string | undefined {
  const exact = matchExactly(text);
  if (exact !== undefined) return exact;
  const untitled = withoutTitle(text);
  return untitled === undefined ? undefined : matchExactly(untitled);
}
