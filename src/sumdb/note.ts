/**
 * Signed notes: a port of golang.org/x/mod/sumdb/note.
 *
 * A note is UTF-8 text ending in "\n", a blank line, then one signature line
 * per key: "— <name> <base64(4-byte key hash ‖ signature)>". The checksum
 * database signs its tree heads this way, and gobundle signs its bundle
 * manifests the same way so one key format and one verifier serve both.
 *
 * The parsing rules follow x/mod exactly because the go command is the
 * other party: a note we accept must be one it accepts and the reverse.
 * Only Ed25519 keys (algorithm byte 0x01) exist.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign as edSign, verify as edVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

/** The algorithm byte that precedes an Ed25519 key in its encoded form. */
const ALG_ED25519 = 1;
/** Ed25519 public keys and seeds are 32 bytes. */
const ED25519_KEY_SIZE = 32;
/** x/mod refuses notes with more signatures than this (a bound on work per note). */
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = Buffer.from('— ', 'utf8');
const SIG_SPLIT = Buffer.from('\n\n', 'utf8');

// DER wrappers that let node:crypto import raw Ed25519 keys (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A malformed note or key, a bad signature, or a note no trusted key verifies. */
export class NoteError extends GobundleError {
  /** The code of this kind of failure; subclasses set their own. */
  static readonly errorCode: ErrorCode = ErrorCode.NOTE;
  constructor(message: string) {
    super((new.target as typeof NoteError).errorCode, message);
  }
}

/** The note carries no signature by a known key (x/mod UnverifiedNoteError). */
export class UnverifiedNoteError extends NoteError {
  static override readonly errorCode: ErrorCode = ErrorCode.NOTEUNVERIFIED;
  readonly note: Note;
  constructor(note: Note) {
    super('note has no verifiable signatures');
    this.note = note;
  }
}

/** A signature by a known key does not verify (x/mod InvalidSignatureError). */
export class InvalidSignatureError extends NoteError {
  static override readonly errorCode: ErrorCode = ErrorCode.NOTESIG;
  readonly keyName: string;
  readonly keyHash: number;
  constructor(name: string, hash: number) {
    super(`invalid signature for key ${name}+${hex8(hash)}`);
    this.keyName = name;
    this.keyHash = hash;
  }
}

/** No verifier with this name and hash is known (x/mod UnknownVerifierError). */
export class UnknownVerifierError extends NoteError {
  static override readonly errorCode: ErrorCode = ErrorCode.NOTEUNKNOWNKEY;
  readonly keyName: string;
  readonly keyHash: number;
  constructor(name: string, hash: number) {
    super(`unknown key ${name}+${hex8(hash)}`);
    this.keyName = name;
    this.keyHash = hash;
  }
}

export interface Verifier {
  readonly name: string;
  readonly keyHash: number;
  verify(msg: Uint8Array, sig: Uint8Array): boolean;
}

export interface Signer {
  readonly name: string;
  readonly keyHash: number;
  sign(msg: Uint8Array): Uint8Array;
}

/** Looks up the verifier for a signature line; throws UnknownVerifierError when none. */
export interface Verifiers {
  verifier(name: string, hash: number): Verifier;
}

export interface Signature {
  name: string;
  hash: number;
  /** base64 of the 4-byte key hash followed by the signature, as on the line. */
  base64: string;
}

export interface Note {
  text: string;
  /** Verified signatures. */
  sigs: Signature[];
  /** Signatures by keys the caller did not know. */
  unverifiedSigs: Signature[];
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** First 4 bytes (big-endian) of SHA-256(name ‖ "\n" ‖ alg ‖ key). */
export function keyHash(name: string, algAndKey: Uint8Array): number {
  const sum = createHash('sha256').update(name, 'utf8').update('\n').update(algAndKey).digest();
  return sum.readUInt32BE(0);
}

/** x/mod isValidName: non-empty, valid UTF-8 (always true for JS strings we build), no space, no "+". */
function isValidName(name: string): boolean {
  return name !== '' && !/\p{White_Space}/u.test(name) && !name.includes('+') && !/[\uD800-\uDFFF]/.test(name);
}

/**
 * Decode standard padded base64 the way Go's base64.StdEncoding does for our
 * inputs: padding required, no foreign characters. Buffer.from(…, 'base64')
 * silently skips garbage, which would accept keys and signatures Go rejects.
 */
function decodeBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

/** Split at the first occurrence of sep, like x/mod chop. */
function chop(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + sep.length)];
}

function parseHash16(hash16: string): number | undefined {
  return /^[0-9a-fA-F]{8}$/.test(hash16) ? Number.parseInt(hash16, 16) : undefined;
}

function publicKeyObject(pub: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, pub]), format: 'der', type: 'spki' });
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyOfSeed(seed: Uint8Array): Buffer {
  const spki = createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - ED25519_KEY_SIZE);
}

/** Parse a verifier key `name+hash+base64(0x01 ‖ pubkey)`. */
export function newVerifier(vkey: string): Verifier {
  const [name, rest] = chop(vkey, '+');
  const [hash16, key64] = chop(rest, '+');
  const hash = parseHash16(hash16);
  const key = decodeBase64(key64);
  if (hash === undefined || key === undefined || !isValidName(name) || key.length === 0) {
    throw new NoteError('malformed verifier id');
  }
  if (hash !== keyHash(name, key)) throw new NoteError('invalid verifier hash');
  if (key[0] !== ALG_ED25519) throw new NoteError('unknown verifier algorithm');
  const pub = key.subarray(1);
  if (pub.length !== ED25519_KEY_SIZE) throw new NoteError('malformed verifier id');
  let keyObject: KeyObject;
  try {
    keyObject = publicKeyObject(pub);
  } catch {
    throw new NoteError('malformed verifier id');
  }
  return {
    name,
    keyHash: hash,
    verify(msg: Uint8Array, sig: Uint8Array): boolean {
      if (sig.length !== 64) return false;
      try {
        return edVerify(null, msg, keyObject, sig);
      } catch {
        return false;
      }
    },
  };
}

/** Parse a signer key `PRIVATE+KEY+name+hash+base64(0x01 ‖ seed)`. */
export function newSigner(skey: string): Signer {
  const [priv1, r1] = chop(skey, '+');
  const [priv2, r2] = chop(r1, '+');
  const [name, r3] = chop(r2, '+');
  const [hash16, key64] = chop(r3, '+');
  const hash = parseHash16(hash16);
  const key = decodeBase64(key64);
  if (priv1 !== 'PRIVATE' || priv2 !== 'KEY' || hash === undefined || key === undefined || !isValidName(name) || key.length === 0) {
    // x/mod reuses the verifier wording for signer errors; keep it so messages match.
    throw new NoteError('malformed verifier id');
  }
  if (key[0] !== ALG_ED25519) throw new NoteError('unknown verifier algorithm');
  const seed = key.subarray(1);
  if (seed.length !== ED25519_KEY_SIZE) throw new NoteError('malformed verifier id');
  const pub = publicKeyOfSeed(seed);
  if (hash !== keyHash(name, Buffer.concat([Buffer.from([ALG_ED25519]), pub]))) {
    throw new NoteError('invalid verifier hash');
  }
  const keyObject = privateKeyObject(seed);
  return {
    name,
    keyHash: hash,
    sign(msg: Uint8Array): Uint8Array {
      return edSign(null, msg, keyObject);
    },
  };
}

/** The verifier key for an Ed25519 public key (x/mod NewEd25519VerifierKey). */
export function newEd25519VerifierKey(name: string, pub: Uint8Array): string {
  if (pub.length !== ED25519_KEY_SIZE) {
    throw new NoteError(`invalid public key size ${pub.length}, expected ${ED25519_KEY_SIZE}`);
  }
  const pubkey = Buffer.concat([Buffer.from([ALG_ED25519]), pub]);
  return `${name}+${hex8(keyHash(name, pubkey))}+${pubkey.toString('base64')}`;
}

/**
 * A fresh key pair (x/mod GenerateKey). `rand` supplies the 32-byte seed
 * (Go's ed25519.GenerateKey reads exactly that); tests pass a fixed source to
 * reproduce keys generated by x/mod.
 */
export function generateKey(name: string, rand: (n: number) => Uint8Array = randomBytes): { signerKey: string; verifierKey: string } {
  if (!isValidName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  const seed = Buffer.from(rand(ED25519_KEY_SIZE));
  if (seed.length !== ED25519_KEY_SIZE) throw new NoteError('short random seed');
  const pubkey = Buffer.concat([Buffer.from([ALG_ED25519]), publicKeyOfSeed(seed)]);
  const privkey = Buffer.concat([Buffer.from([ALG_ED25519]), seed]);
  const h = hex8(keyHash(name, pubkey));
  return {
    signerKey: `PRIVATE+KEY+${name}+${h}+${privkey.toString('base64')}`,
    verifierKey: `${name}+${h}+${pubkey.toString('base64')}`,
  };
}

/** A Verifiers over a fixed list; two verifiers with the same name and hash are ambiguous. */
export function verifierList(...list: Verifier[]): Verifiers {
  const m = new Map<string, Verifier[]>();
  for (const v of list) {
    const k = `${v.name}+${hex8(v.keyHash)}`;
    m.set(k, [...(m.get(k) ?? []), v]);
  }
  return {
    verifier(name: string, hash: number): Verifier {
      const vs = m.get(`${name}+${hex8(hash)}`);
      if (vs === undefined) throw new UnknownVerifierError(name, hash);
      if (vs.length > 1) throw new NoteError(`ambiguous key ${name}+${hex8(hash)}`);
      return vs[0] as Verifier;
    },
  };
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Open a signed note, verifying its signatures (x/mod note.Open).
 *
 * Rules: valid UTF-8 with no control characters except "\n"; text and
 * signatures split at the last "\n\n"; every signature line well formed;
 * at most 100 signatures; signatures by unknown keys are kept as unverified;
 * a repeated signature by the same key is skipped; a bad signature by a known
 * key is an error; at least one known key must have signed.
 */
export function open(msg: Uint8Array | string, known: Verifiers | readonly Verifier[]): Note {
  const bytes = typeof msg === 'string' ? Buffer.from(msg, 'utf8') : Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  const verifiers: Verifiers = Array.isArray(known) ? verifierList(...(known as readonly Verifier[])) : (known as Verifiers);
  let decoded: string;
  try {
    decoded = utf8Fatal.decode(bytes);
  } catch {
    throw new NoteError('malformed note');
  }
  if (/[\u0000-\u0009\u000b-\u001f]/.test(decoded)) throw new NoteError('malformed note');

  const split = bytes.lastIndexOf(SIG_SPLIT);
  if (split < 0) throw new NoteError('malformed note');
  const text = bytes.subarray(0, split + 1);
  let sigs = bytes.subarray(split + 2);
  if (sigs.length === 0 || sigs[sigs.length - 1] !== 0x0a) throw new NoteError('malformed note');

  const note: Note = { text: text.toString('utf8'), sigs: [], unverifiedSigs: [] };
  const seen = new Set<string>();
  const seenUnverified = new Set<string>();
  let numSig = 0;
  while (sigs.length > 0) {
    const i = sigs.indexOf(0x0a);
    let line = sigs.subarray(0, i);
    sigs = sigs.subarray(i + 1);
    if (!line.subarray(0, SIG_PREFIX.length).equals(SIG_PREFIX)) throw new NoteError('malformed note');
    line = line.subarray(SIG_PREFIX.length);
    const lineText = line.toString('utf8');
    const [name, b64] = chop(lineText, ' ');
    const sig = decodeBase64(b64);
    if (sig === undefined || !isValidName(name) || b64 === '' || sig.length < 5) throw new NoteError('malformed note');
    const hash = sig.readUInt32BE(0);
    const rawSig = sig.subarray(4);
    if (++numSig > MAX_NOTE_SIGNATURES) throw new NoteError('malformed note');

    let v: Verifier;
    try {
      v = verifiers.verifier(name, hash);
    } catch (err) {
      if (err instanceof UnknownVerifierError) {
        if (!seenUnverified.has(lineText)) {
          seenUnverified.add(lineText);
          note.unverifiedSigs.push({ name, hash, base64: b64 });
        }
        continue;
      }
      throw err;
    }
    if (v.name !== name || v.keyHash !== hash) throw new NoteError("verifier name or hash doesn't match signature");
    const key = `${name}+${hex8(hash)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!v.verify(text, rawSig)) throw new InvalidSignatureError(name, hash);
    note.sigs.push({ name, hash, base64: b64 });
  }
  if (note.sigs.length === 0) throw new UnverifiedNoteError(note);
  return note;
}

/**
 * Sign a note's text with every signer (x/mod note.Sign). Existing
 * signatures of a Note are kept, except those by the signers themselves,
 * which are replaced; new signatures come last.
 */
export function sign(note: string | (Partial<Note> & { text: string }), signers: readonly Signer[]): Buffer {
  const n: Note = typeof note === 'string' ? { text: note, sigs: [], unverifiedSigs: [] } : { sigs: [], unverifiedSigs: [], ...note };
  if (!n.text.endsWith('\n')) throw new NoteError('malformed note');
  const text = Buffer.from(n.text, 'utf8');
  const have = new Set<string>();
  const newLines: string[] = [];
  for (const s of signers) {
    have.add(`${s.name}+${hex8(s.keyHash)}`);
    if (!isValidName(s.name)) throw new NoteError('invalid signer');
    const hbuf = Buffer.alloc(4);
    hbuf.writeUInt32BE(s.keyHash >>> 0);
    const b64 = Buffer.concat([hbuf, s.sign(text)]).toString('base64');
    newLines.push(`— ${s.name} ${b64}\n`);
  }
  const oldLines: string[] = [];
  for (const sig of [...n.sigs, ...n.unverifiedSigs]) {
    if (!isValidName(sig.name)) throw new NoteError('malformed note');
    if (have.has(`${sig.name}+${hex8(sig.hash)}`)) continue;
    const raw = decodeBase64(sig.base64);
    if (raw === undefined || raw.length < 4 || raw.readUInt32BE(0) !== sig.hash) throw new NoteError('malformed note');
    oldLines.push(`— ${sig.name} ${sig.base64}\n`);
  }
  return Buffer.concat([text, Buffer.from('\n' + oldLines.join('') + newLines.join(''), 'utf8')]);
}
