import { describe, expect, test } from 'vitest';
import {
  InvalidSignatureError,
  NoteError,
  UnverifiedNoteError,
  generateKey,
  keyHash,
  newEd25519VerifierKey,
  newSigner,
  newVerifier,
  open,
  sign,
  verifierList,
} from '../../src/sumdb/note.js';
import { goVectors } from './goVectors.js';

const vectors = goVectors();

// Fixed test keys (from x/mod's own note_test.go).
const TEST_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEST_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';

describe('keys', () => {
  test.each(vectors.keys)('generateKey($name) with x/mod seed', (k) => {
    const got = generateKey(k.name, () => Buffer.from(k.seedHex, 'hex'));
    expect(got.signerKey, `signer key for ${k.name}`).toBe(k.signerKey);
    expect(got.verifierKey, `verifier key for ${k.name}`).toBe(k.verifierKey);
    expect(newSigner(k.signerKey).keyHash).toBe(newVerifier(k.verifierKey).keyHash);
  });

  test('x/mod note_test keys parse', () => {
    const s = newSigner(TEST_SKEY);
    const v = newVerifier(TEST_VKEY);
    expect(s.name).toBe('PeterNeumann');
    expect(s.keyHash).toBe(0xc74f20a3);
    expect(v.keyHash).toBe(0xc74f20a3);
  });

  test('a fresh random key signs and verifies', () => {
    const { signerKey, verifierKey } = generateKey('fresh.example');
    const msg = sign('fresh\n', [newSigner(signerKey)]);
    expect(open(msg, [newVerifier(verifierKey)]).text).toBe('fresh\n');
  });

  test('newEd25519VerifierKey matches the verifier key', () => {
    const k = vectors.keys[0]!;
    const pub = Buffer.from(k.verifierKey.split('+')[2]!, 'base64').subarray(1);
    expect(newEd25519VerifierKey(k.name, pub)).toBe(k.verifierKey);
    expect(keyHash(k.name, Buffer.concat([Buffer.from([1]), pub]))).toBe(0xe773cea6);
  });

  const badVerifierKeys: [string, string][] = [
    ['', 'malformed verifier id'],
    ['PeterNeumann+c74f20a3', 'malformed verifier id'],
    ['PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'malformed verifier id'],
    ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T', 'malformed verifier id'],
    ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T*', 'malformed verifier id'],
    ['Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'malformed verifier id'],
    ['PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'invalid verifier hash'],
    ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX', 'invalid verifier hash'],
    // Right hash for a 2-byte algorithm-2 key: unknown algorithm.
    [
      `x+${keyHash('x', Buffer.from([2, 0]))
        .toString(16)
        .padStart(8, '0')}+AgA=`,
      'unknown verifier algorithm',
    ],
    // Right hash, algorithm 1, but a 1-byte key.
    [
      `x+${keyHash('x', Buffer.from([1, 0]))
        .toString(16)
        .padStart(8, '0')}+AQA=`,
      'malformed verifier id',
    ],
  ];
  test.each(badVerifierKeys)('newVerifier(%j) fails with %j', (vkey, want) => {
    expect(() => newVerifier(vkey)).toThrow(new NoteError(want));
  });

  const badSignerKeys: [string, string][] = [
    ['PRIVATE+KEY+PeterNeumann+c74f20a3', 'malformed verifier id'],
    ['PRIVATE+KEX+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'malformed verifier id'],
    ['PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'invalid verifier hash'],
    ['PRIVATE+KEY+PeterNeumann+c74f20a3+AgEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'unknown verifier algorithm'],
    ['PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKD==', 'malformed verifier id'],
    [TEST_VKEY, 'malformed verifier id'],
  ];
  test.each(badSignerKeys)('newSigner(%j) fails with %j', (skey, want) => {
    expect(() => newSigner(skey)).toThrow(new NoteError(want));
  });
});

describe('notes signed by x/mod', () => {
  const signers = vectors.keys.map((k) => newSigner(k.signerKey));
  const verifiers = vectors.keys.map((k) => newVerifier(k.verifierKey));

  test.each(vectors.notes)('sign($text) reproduces note.Sign', (nv) => {
    // Ed25519 is deterministic, so our signature bytes must equal x/mod's.
    expect(
      sign(
        nv.text,
        nv.signers.map((i) => signers[i]!),
      ).toString('utf8'),
    ).toBe(nv.note);
  });

  test.each(vectors.notes)('open($text) agrees with note.Open', (nv) => {
    const known = nv.verify.map((i) => verifiers[i]!);
    const wantErr = nv.verified?.[0]?.startsWith('error: ') ? nv.verified[0].slice('error: '.length) : undefined;
    if (wantErr !== undefined) {
      expect(() => open(Buffer.from(nv.note, 'utf8'), known)).toThrow(new NoteError(wantErr));
      return;
    }
    const n = open(Buffer.from(nv.note, 'utf8'), known);
    expect(n.text).toBe(nv.text);
    expect(n.sigs.map((s) => s.name)).toEqual(nv.verified ?? []);
    expect(n.unverifiedSigs.map((s) => s.name)).toEqual(nv.unverified ?? []);
  });
});

describe('open rejects what x/mod rejects', () => {
  const s = newSigner(TEST_SKEY);
  const v = newVerifier(TEST_VKEY);
  const good = sign("If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n", [s]);
  const goodText = good.toString('utf8');
  const other = generateKey('Other', () => Buffer.alloc(32, 7));
  const otherSigner = newSigner(other.signerKey);
  const sigLine = goodText.slice(goodText.lastIndexOf('\n\n') + 2);

  test('the x/mod note_test signature', () => {
    // From x/mod note_test.go TestSign.
    expect(goodText).toBe(
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n" +
        '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
    );
  });

  const flip = (b: Buffer, i: number): Buffer => {
    const c = Buffer.from(b);
    c[i] = c[i]! ^ 1;
    return c;
  };

  const cases: [string, string | Buffer, string][] = [
    ['flipped text byte', flip(good, 3), `invalid signature for key PeterNeumann+c74f20a3`],
    ['no blank line', goodText.replace('\n\n', '\n'), 'malformed note'],
    ['no final newline', goodText.slice(0, -1), 'malformed note'],
    ['control character', goodText.replace('cryptography', 'crypto\x01graphy'), 'malformed note'],
    ['carriage return', goodText.replace('problem,\n', 'problem,\r\n'), 'malformed note'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('a\xff'.slice(0, 1)), Buffer.from([0xff]), good.subarray(1)]), 'malformed note'],
    ['no signatures', goodText.slice(0, goodText.lastIndexOf('\n\n') + 2), 'malformed note'],
    ['signature without dash', goodText.replace('— PeterNeumann', '-- PeterNeumann'), 'malformed note'],
    ['signature with bad base64', goodText.replace('x08go', 'x08g*'), 'malformed note'],
    ['short signature', goodText.replace(/— PeterNeumann .*\n$/, '— PeterNeumann AAAAAA==\n'), 'malformed note'],
    ['name with plus', goodText.replace('— PeterNeumann', '— Peter+Neumann'), 'malformed note'],
    ['only unknown keys', sign('hi\n', [otherSigner]), 'note has no verifiable signatures'],
    ['101 signatures', 'hi\n\n' + sign('hi\n', [otherSigner]).toString('utf8').split('\n\n')[1]!.repeat(101), 'malformed note'],
  ];
  test.each(cases)('open(%s) fails with %j', (_name, msg, want) => {
    expect(() => open(typeof msg === 'string' ? Buffer.from(msg, 'utf8') : msg, [v])).toThrow(want);
  });

  test('error classes', () => {
    expect(() => open(flip(good, 3), [v])).toThrow(InvalidSignatureError);
    expect(() => open(sign('hi\n', [otherSigner]), [v])).toThrow(UnverifiedNoteError);
  });

  test('duplicate signature lines by the known key are ignored, unknown ones kept once', () => {
    const both = sign(goodText.slice(0, goodText.lastIndexOf('\n\n') + 1), [s, otherSigner]).toString('utf8');
    const lines = both.slice(both.lastIndexOf('\n\n') + 2);
    const doubled = both + lines;
    const n = open(Buffer.from(doubled, 'utf8'), [v]);
    expect(n.sigs.map((x) => x.name)).toEqual(['PeterNeumann']);
    expect(n.unverifiedSigs.map((x) => x.name)).toEqual(['Other']);
    expect(sigLine.startsWith('— PeterNeumann ')).toBe(true);
  });

  test('a wrong key with the right name and hash is refused', () => {
    // A verifier claiming PeterNeumann's name and hash but holding Other's key.
    const impostor = { name: v.name, keyHash: v.keyHash, verify: newVerifier(other.verifierKey).verify };
    expect(() => open(good, verifierList(impostor))).toThrow('invalid signature for key PeterNeumann+c74f20a3');
  });

  test('ambiguous verifiers', () => {
    expect(() => open(good, verifierList(v, v))).toThrow('ambiguous key PeterNeumann+c74f20a3');
  });

  test('sign keeps existing signatures and refuses text without final newline', () => {
    const n = open(sign('hi\n', [s, otherSigner]), [v]);
    const resigned = sign(n, [s]).toString('utf8');
    expect(resigned.split('\n— ').map((l) => l.split(' ')[0])).toEqual(['hi\n', 'Other', 'PeterNeumann']);
    expect(() => sign('no newline', [s])).toThrow('malformed note');
  });
});
