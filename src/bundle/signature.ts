/**
 * The bundle signature: a Go signed note (the checksum database's format,
 * src/sumdb/note.ts) whose text is
 *
 *   gobundle manifest v1
 *   <lowercase hex sha256 of manifest.json>
 *
 * Signing the manifest's hash signs the whole bundle: the manifest lists the
 * size and SHA-256 of every other file. Ed25519 signatures are
 * deterministic, so the same manifest and key give the same bytes.
 */
import { createHash } from 'node:crypto';
import { newSigner, newVerifier, NoteError, open, sign, UnverifiedNoteError, type Verifier } from '../sumdb/note.js';
import { SignatureError } from './bundleErrors.js';

/** First line of the signed text; names the format so a note for anything else never verifies as a bundle. */
export const SIGNATURE_HEADER = 'gobundle manifest v1';

export function signatureText(manifestBytes: Uint8Array): string {
  return `${SIGNATURE_HEADER}\n${createHash('sha256').update(manifestBytes).digest('hex')}\n`;
}

/** Sign manifest.json with a signer key (`PRIVATE+KEY+name+hash+base64`); returns manifest.sig bytes. */
export function signManifest(manifestBytes: Uint8Array, signerKey: string): Buffer {
  let signer;
  try {
    signer = newSigner(signerKey.trim());
  } catch (err) {
    throw new SignatureError(`reading signer key: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'pass a .key file written by gobundle keygen',
      cause: err,
    });
  }
  return sign(signatureText(manifestBytes), [signer]);
}

/**
 * Check manifest.sig against manifest.json with the trusted verifier keys
 * (`name+hash+base64`); returns the name of the key that signed.
 */
export function verifyManifestSignature(manifestBytes: Uint8Array, noteBytes: Uint8Array, verifierKeys: readonly string[]): string {
  const verifiers: Verifier[] = verifierKeys.map((k) => {
    try {
      return newVerifier(k.trim());
    } catch (err) {
      throw new SignatureError(`trusted key ${JSON.stringify(k.trim())}: ${err instanceof Error ? err.message : String(err)}`, {
        hint: 'pass a .pub file written by gobundle keygen',
        cause: err,
      });
    }
  });
  let note;
  try {
    note = open(noteBytes, verifiers);
  } catch (err) {
    const reason = err instanceof NoteError || err instanceof Error ? err.message : String(err);
    throw new SignatureError(`manifest signature: ${reason}`, {
      hint: 'the bundle was not signed by a trusted key; check --trust',
      cause: err,
    });
  }
  const want = signatureText(manifestBytes);
  if (note.text !== want) {
    throw new SignatureError(
      `manifest signature does not match manifest.json\n\tsigned: ${JSON.stringify(note.text)}\n\tactual: ${JSON.stringify(want)}`,
    );
  }
  const signer = note.sigs[0];
  if (signer === undefined) throw new SignatureError('manifest signature: no trusted signature');
  return signer.name;
}

/** The keys a signed note's signature lines name (`name`, 8-hex key hash), none checked; [] for a malformed note. */
export function noteSigners(noteBytes: Uint8Array): { name: string; keyHash: string }[] {
  try {
    open(noteBytes, []);
  } catch (err) {
    if (err instanceof UnverifiedNoteError)
      return err.note.unverifiedSigs.map((s) => ({ name: s.name, keyHash: s.hash.toString(16).padStart(8, '0') }));
  }
  return [];
}
