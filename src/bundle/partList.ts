/**
 * The part list of a bundle split for removable media (pack
 * --max-part-size): a Go signed note (src/sumdb/note.ts, the manifest
 * signature's scheme, same signer key) whose text is
 *
 *   gobundle parts v1
 *   <bundle name> <size> <sha256>
 *   <part name> <size> <sha256>
 *   …
 *
 * the second line naming the whole .tgz the parts concatenate to, then one
 * line per part in order. Names are file names in the part list's own
 * folder. The list lets the far side name a missing, swapped or damaged part
 * before reading a byte of the bundle, and its signature makes the names and
 * hashes trustworthy (the manifest inside the bundle is still what vouches
 * for the files).
 */
import { newSigner, newVerifier, open, sign, type Verifier } from '../sumdb/note.js';
import { PartListError, SignatureError } from './bundleErrors.js';

/** First line of the signed text. */
export const PART_LIST_HEADER = 'gobundle parts v1';
/** The part list's file name: the bundle's name plus this. */
export const PART_LIST_SUFFIX = '.parts';
/** A part list names a few thousand parts at most; anything larger is not one. */
export const MAX_PART_LIST_BYTES = 1 << 20;
/** The smallest --max-part-size (smaller would be a typo that makes millions of files). */
export const MIN_PART_SIZE = 1024;

export interface PartEntry {
  name: string;
  size: number;
  sha256: string;
}

export interface PartList {
  bundle: PartEntry;
  parts: PartEntry[];
}

/** Name of part `i` (0-based) of bundle file `bundle`: bundle.tgz.part-001, … */
export function partName(bundle: string, i: number): string {
  return `${bundle}.part-${String(i + 1).padStart(3, '0')}`;
}

export function partListText(list: PartList): string {
  const line = (e: PartEntry): string => `${e.name} ${e.size} ${e.sha256}\n`;
  return `${PART_LIST_HEADER}\n${line(list.bundle)}${list.parts.map(line).join('')}`;
}

/** The signed part list (note bytes). */
export function signPartList(list: PartList, signerKey: string): Buffer {
  return sign(partListText(list), [newSigner(signerKey.trim())]);
}

/** Whether bytes look like a part list (so a bundle argument can be one). */
export function isPartList(head: Uint8Array): boolean {
  return Buffer.from(head.subarray(0, PART_LIST_HEADER.length + 1)).toString('utf8') === `${PART_LIST_HEADER}\n`;
}

const ENTRY = /^([^\s/\\]+) (\d+) ([0-9a-f]{64})$/;

/** Parse the text of a part list; throws EPARTS naming the line. */
export function parsePartListText(file: string, text: string): PartList {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines[0] !== PART_LIST_HEADER)
    throw new PartListError(`${file}: not a gobundle part list (first line must be ${JSON.stringify(PART_LIST_HEADER)})`);
  const entries = lines.slice(1).map((l, i) => {
    const m = ENTRY.exec(l);
    const size = m === null ? NaN : Number(m[2]);
    if (m === null || !Number.isSafeInteger(size) || m[1] === '.' || m[1] === '..') {
      throw new PartListError(`${file}:${i + 2}: want "<file name> <size> <sha256>", got ${JSON.stringify(l)}`);
    }
    return { name: m[1] as string, size, sha256: m[3] as string };
  });
  const [bundle, ...parts] = entries;
  if (bundle === undefined || parts.length === 0) throw new PartListError(`${file}: names no parts`);
  const total = parts.reduce((n, p) => n + p.size, 0);
  if (total !== bundle.size) throw new PartListError(`${file}: parts add up to ${total} bytes, the bundle line says ${bundle.size}`);
  if (new Set(parts.map((p) => p.name)).size !== parts.length) throw new PartListError(`${file}: a part is listed twice`);
  return { bundle, parts };
}

/**
 * Open a part list with the trusted verifier keys (`name+hash+key`); returns
 * the list and the signer's name. Throws ESIGNATURE when no key verifies it.
 */
export function openPartList(file: string, bytes: Uint8Array, trust: readonly string[]): { list: PartList; signer: string } {
  const verifiers: Verifier[] = trust.map((k) => newVerifier(k.trim()));
  let note;
  try {
    note = open(bytes, verifiers);
  } catch (err) {
    throw new SignatureError(
      `${file}: part list signature not verified by any trusted key: ${err instanceof Error ? err.message : String(err)}`,
      {
        hint: 'the part list must be signed by the bundle signer: check --trust, and that the .parts file came with these parts',
      },
    );
  }
  return { list: parsePartListText(file, note.text), signer: note.sigs[0]?.name ?? '' };
}

/** Parse a size: bytes, or a number with K, M, G or T (powers of 1024, an optional "iB"/"B" after): 700M, 4G, 1048576. */
export function parsePartSize(s: string): number | undefined {
  const m = /^(\d+)(?:([KMGT])(?:i?B)?)?$/i.exec(s.trim());
  if (m === null) return undefined;
  const unit = { K: 1, M: 2, G: 3, T: 4 }[(m[2] ?? '').toUpperCase() as 'K'] ?? 0;
  const n = Number(m[1]) * 1024 ** unit;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The list a part list names, its signature not checked (for reading a bundle's head; opening a bundle uses openPartList). */
export function readPartListUnverified(file: string, bytes: Uint8Array): PartList {
  const text = Buffer.from(bytes).toString('utf8');
  const split = text.lastIndexOf('\n\n');
  return parsePartListText(file, split < 0 ? text : text.slice(0, split + 1));
}
