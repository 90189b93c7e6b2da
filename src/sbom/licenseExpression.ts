/**
 * The licence of a whole licence file, as an SPDX license expression: one id
 * when the file is one known licence (licenseMatch.ts), "A AND B" when it is
 * several, each matched whole, as in gopkg.in/yaml.v3 (MIT for the files
 * ported from libyaml, Apache-2.0 for the rest) or github.com/klauspost/compress
 * (BSD-3-Clause, Apache-2.0 and MIT for different directories). AND, as
 * ScanCode and licensecheck report such files: every part applies to some of
 * the module.
 *
 * The file is cut into paragraphs (runs of lines holding a letter or digit).
 * It is named when its paragraphs split, in order, into licences — a run of
 * paragraphs matching one template — and glue: a paragraph of at most
 * MAX_GLUE_WORDS words that grants, limits or chooses nothing ("This project
 * is covered by two different licenses: MIT and Apache.", "Files: gzhttp/*",
 * "Blackfriday is distributed under the Simplified BSD License:"). Glue may
 * name licences, but only ones among those matched, with a consistent
 * version ("Simplified BSD" is BSD-2-Clause); a word of TERMS ("or", "only",
 * "except", "commercial", "you"…) or the name of any other licence leaves
 * the file unknown. Pure.
 */
import { licenseWords, matchLicense, matchWords } from './licenseMatch.js';

/** Most words of one glue paragraph. */
export const MAX_GLUE_WORDS = 40;

/** Most paragraphs looked at: splitting is quadratic in them (the GPL-3.0 text has about 200). */
export const MAX_PARAGRAPHS = 400;

/** Words that grant, limit or choose: glue holding one is a term of its own, not a caption. */
const TERMS =
  /^(?:not?|nor|none|never|without|except|exceptions?|excluding|only|solely|must|shall|may|should|can|cannot|prohibit\w*|forbid\w*|restrict\w*|permi\w*|grant\w*|waive\w*|warrant\w*|liab\w*|disclaim\w*|patent\w*|trademark\w*|\w*commercial\w*|proprietary|confidential|private|closed|royalt\w*|fees?|pay\w*|purchas\w*|agree\w*|terms?|conditions?|you|your|use|used|using|copy|modify|modifications?|redistribut\w*|sell|sublicens\w*|rights?|free|dual\w*|either|or|options?|optional\w*|choice|choose|alternative\w*|elect|provided|however|but|unless|if|revoc\w*|attribut\w*|notice|credit|acknowledg\w*)$/;

/** The licences gobundle knows, as glue may name them: name word → the ids it can stand for. */
const NAMES: ReadonlyMap<string, readonly string[]> = new Map([
  ['mit', ['MIT']],
  ['expat', ['MIT']],
  ['apache', ['Apache-2.0']],
  ['bsd', ['BSD-2-Clause', 'BSD-2-Clause-Views', 'BSD-3-Clause']],
  ['isc', ['ISC']],
  ['mozilla', ['MPL-2.0']],
  ['mpl', ['MPL-2.0']],
]);

/** The version word that may follow a name (after "license" or "version"): any other number is another licence. */
const VERSIONS: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>> = new Map([
  ['apache', new Map([['2', ['Apache-2.0']]])],
  ['mozilla', new Map([['2', ['MPL-2.0']]])],
  ['mpl', new Map([['2', ['MPL-2.0']]])],
  [
    'bsd',
    new Map([
      ['2', ['BSD-2-Clause', 'BSD-2-Clause-Views']],
      ['3', ['BSD-3-Clause']],
    ]),
  ],
]);

/** Words before "BSD" that say which one. */
const BSD_KIND: ReadonlyMap<string, readonly string[]> = new Map([
  ['simplified', ['BSD-2-Clause', 'BSD-2-Clause-Views']],
  ['freebsd', ['BSD-2-Clause-Views']],
  ['new', ['BSD-3-Clause']],
  ['revised', ['BSD-3-Clause']],
  ['modified', ['BSD-3-Clause']],
  ['original', []],
]);

/** Names of licences gobundle does not know: glue naming one says the file holds more than the known parts. */
const OTHER_NAMES =
  /^(?:gpl\w*|lgpl\w*|agpl\w*|gnu|general|public|lesser|affero|creative|commons|cc\w*|unlicen\w*|domain|eclipse|epl\w*|cddl\w*|zlib|boost|bsl\w*|busl\w*|artistic|wtfpl|openssl|ssleay|python|psf|x11|json|sspl|elastic|polyform|eupl|ofl|zpl|postgres\w*|ncsa|llvm|unicode|tcg|w3c|curl|libpng|mulan\w*|hippocratic|0bsd|upl|ecl|cpl|ipl|apsl|osl|afl|isc\w+)$/;

/** What a glue paragraph allows: undefined when it is not glue, else the id sets its licence names stand for. */
export function glueMentions(words: readonly string[]): (readonly string[])[] | undefined {
  if (words.length > MAX_GLUE_WORDS) return undefined;
  const mentions: (readonly string[])[] = [];
  for (const [i, w] of words.entries()) {
    if (TERMS.test(w) || OTHER_NAMES.test(w)) return undefined;
    const ids = NAMES.get(w);
    if (ids === undefined) continue;
    let allowed = ids;
    const kind = w === 'bsd' && i > 0 ? BSD_KIND.get(words[i - 1] as string) : undefined;
    if (kind !== undefined) allowed = kind;
    const after = words.slice(i + 1, i + 4).filter((x) => x !== 'license' && x !== 'licence' && x !== 'version' && x !== 'public');
    const version = after[0];
    if (version !== undefined && /^\d+$/.test(version)) {
      const v = VERSIONS.get(w)?.get(version);
      if (v === undefined) return undefined;
      allowed = allowed.filter((id) => v.includes(id));
    }
    if (allowed.length === 0) return undefined;
    mentions.push(allowed);
  }
  return mentions;
}

interface Paragraph {
  text: string;
  words: string[];
}

function paragraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let lines: string[] = [];
  const flush = (): void => {
    if (lines.length === 0) return;
    const t = lines.join('\n');
    out.push({ text: t, words: licenseWords(t) });
    lines = [];
  };
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (/[\p{L}\p{N}]/u.test(line)) lines.push(line);
    else flush();
  }
  flush();
  return out;
}

interface Split {
  ids: string[];
  mentions: (readonly string[])[];
}

/** Paragraphs split into whole licences and glue, first such split found; undefined when there is none. */
function split(ps: readonly Paragraph[]): Split | undefined {
  const reach: (Split | undefined)[] = new Array<Split | undefined>(ps.length + 1).fill(undefined);
  reach[0] = { ids: [], mentions: [] };
  for (let i = 0; i < ps.length; i++) {
    const at = reach[i];
    if (at === undefined) continue;
    const glue = glueMentions((ps[i] as Paragraph).words);
    if (glue !== undefined && reach[i + 1] === undefined) reach[i + 1] = { ids: at.ids, mentions: [...at.mentions, ...glue] };
    const words: string[] = [];
    for (let j = i; j < ps.length; j++) {
      words.push(...(ps[j] as Paragraph).words);
      if (reach[j + 1] !== undefined) continue;
      const id = matchWords(words);
      if (id !== undefined) reach[j + 1] = { ids: [...at.ids, id], mentions: at.mentions };
    }
  }
  return reach[ps.length];
}

/**
 * The SPDX license expression of a licence file: one id, or ids joined by
 * " AND " (each once, in the order the file gives them); undefined when the
 * file is not wholly known licences and glue.
 */
export function licenseExpression(text: string): string | undefined {
  const one = matchLicense(text);
  if (one !== undefined) return one;
  const ps = paragraphs(text);
  if (ps.length > MAX_PARAGRAPHS) return undefined;
  const s = split(ps);
  if (s === undefined || s.ids.length === 0) return undefined;
  const ids = [...new Set(s.ids)];
  if (!s.mentions.every((allowed) => allowed.some((id) => ids.includes(id)))) return undefined;
  return ids.join(' AND ');
}
