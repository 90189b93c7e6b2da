/**
 * Naming the licence of a LICENSE file, or saying it is unknown: never a
 * guess. The file matches a licence when, after the same normalization of
 * both texts, it equals the licence's canonical text (licenseTexts.ts) word
 * for word, with only the template's variable parts (a copyright holder's
 * name), optional parts (a title, Apache's appendix) and alternative
 * wordings free. The normalization follows the SPDX matching guidelines
 * (spdx.github.io/spdx-spec/v2.3/license-matching-guidelines-and-templates/):
 *
 *   - a comment or quote mark opening a line ("//", "#", ">", " *") is dropped;
 *   - copyright notices — lines starting "Copyright" (or "Portions copyright")
 *     that hold "(c)", "©" or a year, or starting "(c) <year>" or "©" — and
 *     "All rights reserved." lines are dropped (they name holders, not terms);
 *   - a bullet or number opening a line ("*", "-", "1.", "2.1.", "a)") is dropped;
 *   - case, punctuation and whitespace are ignored (text becomes lowercase
 *     words of letters and digits), and "https" reads as "http".
 *
 * One more freedom, for real files: a project's title directly above the
 * copyright notice, under at most a licence title (withoutTitle). Anything
 * else — an added paragraph, a changed word, two licences in one file —
 * leaves the file unknown here; licenseExpression.ts names files made of
 * several licences. Pure.
 */
import { LICENSE_TEMPLATES } from './licenseTexts.js';

/** Most words a template's `<<var>>` stands for. */
export const MAX_VAR_WORDS = 12;

/**
 * A comment or quote mark opening each line of a licence pasted into a source
 * comment or a Markdown quote ("// ", "# ", "> ", " * "): taken off before the
 * line is looked at, so a notice or bullet behind it is seen as one.
 */
const LINE_PREFIX = /^\s*(?:\/\/+|#+|>+|\*(?=\s|$))[ \t]?/;

/**
 * A copyright notice, not a sentence about one ("copyright notice, this list of
 * conditions…" wraps onto a line of its own in BSD texts): a line starting
 * "Copyright" (or "Portions copyright") that holds "(c)", "©" or a year
 * somewhere ("Copyright IBM Corp. 2014, 2025"), or a line starting "(c) <year>" or "©".
 */
const COPYRIGHT_LINE = /^\s*(?:(?:portions\s+)?copyright\b.*(?:\(c\)|©|\b(?:19|20)\d\d\b)|\(c\)\s*\d|©)/i;
const RIGHTS_LINE = /^\s*all rights reserved\.?\s*$/i;
const LIST_MARKER = /^\s*(?:[*•-]|\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-z])[.)])(?=\s)/i;

/** Template markers, kept by licenseWords as one-character tokens: `<<var>>`, `[[`, `]]`, `((`, `||`, `))`. */
const VAR = '\u0001';
const OPT = '\u0002';
const END = '\u0003';
const ALT = '\u0004';
const OR = '\u0005';
const ALT_END = '\u0006';
const MARKERS = /[\u0001-\u0006]/g;

/** The lines of a text as licenseWords reads them: prefixes off, copyright notices and "All rights reserved." dropped, bullets off. */
function licenseLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(LINE_PREFIX, ''))
    .filter((l) => !COPYRIGHT_LINE.test(l) && !RIGHTS_LINE.test(l))
    .map((l) => l.replace(LIST_MARKER, ' '));
}

/** The words of a text after the normalization above (markers kept as one-character tokens). */
export function licenseWords(text: string): string[] {
  const kept = licenseLines(text).join('\n').toLowerCase();
  const words: string[] = [];
  for (const m of kept.matchAll(/[a-z0-9]+|[\u0001-\u0006]/g)) words.push(m[0] === 'https' ? 'http' : m[0]);
  return words;
}

/**
 * A template as a regular expression over `licenseWords(text).join(' ') + ' '`:
 * `<<var>>` is 1 to MAX_VAR_WORDS words, `[[…]]` may be absent and
 * `((a || b))` is one of its alternatives (licensecheck's template syntax).
 */
export function compileTemplate(template: string): RegExp {
  const marked = template
    .replaceAll('<<var>>', ` ${VAR} `)
    .replaceAll('[[', ` ${OPT} `)
    .replaceAll(']]', ` ${END} `)
    .replaceAll('((', ` ${ALT} `)
    .replaceAll('||', ` ${OR} `)
    .replaceAll('))', ` ${ALT_END} `);
  let source = '';
  const open: string[] = [];
  for (const w of licenseWords(marked)) {
    if (w === VAR) source += `(?:[a-z0-9]+ ){1,${MAX_VAR_WORDS}}`;
    else if (w === OPT || w === ALT) {
      source += '(?:';
      open.push(w);
    } else if (w === END || w === ALT_END) {
      const want = w === END ? OPT : ALT;
      if (open.pop() !== want) throw new Error(`licence template: "${w === END ? ']]' : '))'}" without its opening`);
      source += w === END ? ')?' : ')';
    } else if (w === OR) {
      if (open.at(-1) !== ALT) throw new Error('licence template: "||" outside "((…))"');
      source += '|';
    } else source += `${w} `;
  }
  if (open.length !== 0) throw new Error('licence template: "[[" or "((" not closed');
  return new RegExp(`^${source}$`);
}

const COMPILED: readonly [string, RegExp][] = LICENSE_TEMPLATES.map(([id, t]) => [id, compileTemplate(t)]);

/** The SPDX ids gobundle can recognise. */
export const KNOWN_LICENSES: readonly string[] = [...new Set(COMPILED.map(([id]) => id))];

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

/** The SPDX id whose template `words` (licenseWords of a text) match, if any. */
export function matchWords(words: readonly string[]): string | undefined {
  if (words.length === 0) return undefined;
  const normalized = `${words.join(' ')} `;
  for (const [id, re] of COMPILED) if (re.test(normalized)) return id;
  return undefined;
}

function matchExactly(text: string): string | undefined {
  return matchWords(licenseWords(text.replace(MARKERS, ' ')));
}

/** The SPDX id of the licence `text` is, or undefined when it matches none exactly (a title line above the copyright notice aside). */
export function matchLicense(text: string): string | undefined {
  const exact = matchExactly(text);
  if (exact !== undefined) return exact;
  const untitled = withoutTitle(text);
  return untitled === undefined ? undefined : matchExactly(untitled);
}
