/**
 * The text formats of the checksum database (x/mod sumdb/tlog note.go):
 * the signed tree head "go.sum database tree\nN\nhash\n" and lookup
 * records "id\ntext\n" followed by the signed note.
 */
import { HASH_SIZE, type Hash, TlogError, formatHash } from './hash.js';

export interface Tree {
  n: number;
  hash: Hash;
}

const TREE_PREFIX = 'go.sum database tree\n';
/** x/mod refuses tree notes larger than this. */
const MAX_TREE_TEXT = 1e6;

export function formatTree(tree: Tree): string {
  return `${TREE_PREFIX}${tree.n}\n${formatHash(tree.hash)}\n`;
}

/** Parse a tree note's text (only the first three lines count; more text may follow). */
export function parseTree(text: string | Uint8Array): Tree {
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  const bad = (): TlogError => new TlogError('malformed tree note');
  if (!s.startsWith(TREE_PREFIX) || s.split('\n').length - 1 < 3 || Buffer.byteLength(s) > MAX_TREE_TEXT) throw bad();
  const lines = s.split('\n');
  const nText = lines[1] as string;
  if (!/^(0|[1-9][0-9]*)$/.test(nText)) throw bad();
  const n = Number(nText);
  if (!Number.isSafeInteger(n)) throw bad();
  const h64 = lines[2] as string;
  if (h64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(h64)) throw bad();
  const hash = Buffer.from(h64, 'base64');
  if (hash.length !== HASH_SIZE) throw bad();
  return { n, hash };
}

/**
 * Record text must be UTF-8 lines without control characters other than
 * "\n", without blank lines, ending in "\n" (x/mod isValidRecordText).
 */
export function isValidRecordText(text: string): boolean {
  return text.endsWith('\n') && !/[\u0000-\u0009\u000b-\u001f]/.test(text) && !text.includes('\n\n') && !/[\uD800-\uDFFF]/.test(text);
}

export function formatRecord(id: number, text: string): string {
  if (!isValidRecordText(text)) throw new TlogError('malformed record data');
  return `${id}\n${text}\n`;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Split a lookup response into id, record text and the rest (the signed
 * tree note) — x/mod ParseRecord.
 */
export function parseRecord(msg: Uint8Array): { id: number; text: string; rest: Buffer } {
  const buf = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  const bad = (): TlogError => new TlogError('malformed record data');
  const i = buf.indexOf(0x0a);
  if (i < 0) throw bad();
  const idText = buf.subarray(0, i).toString('latin1');
  // strconv.ParseInt accepts a sign and leading zeros; keep that for agreement.
  if (!/^[+-]?[0-9]+$/.test(idText)) throw bad();
  const id = Number(idText);
  if (!Number.isSafeInteger(id)) throw bad();
  const body = buf.subarray(i + 1);
  const j = body.indexOf('\n\n');
  if (j < 0) throw bad();
  let text: string;
  try {
    text = utf8Fatal.decode(body.subarray(0, j + 1));
  } catch {
    throw bad();
  }
  if (!isValidRecordText(text)) throw bad();
  return { id, text, rest: body.subarray(j + 2) };
}
