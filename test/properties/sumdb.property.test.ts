/**
 * Properties of the checksum database's pure verifiers: the signed-note
 * parser on mutated notes (opens with the same text, or a NoteError of the
 * right kind), the transparency-log proofs over random trees (honest proofs
 * verify; any mutated proof or claim fails with TlogError ETLOGPROOF or
 * ETLOG), and tile paths.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '../../src/errorCodes.js';
import { NoteError, newSigner, newVerifier, open, sign } from '../../src/sumdb/note.js';
import { TlogError } from '../../src/sumdb/tlog/hash.js';
import { checkRecord, checkTree, proveRecord, proveTree } from '../../src/sumdb/tlog/proof.js';
import { storedHashIndex, treeHash } from '../../src/sumdb/tlog/storedHash.js';
import { parseTilePath, tilePath } from '../../src/sumdb/tlog/tile.js';
import { MemoryLog, recordText } from '../sumdb/tlog/memoryLog.js';
import { mutatedBytes, runs } from './propertyRuns.js';

// x/mod's note_test.go keys.
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const NOTE_CODES: readonly string[] = [ErrorCode.NOTE, ErrorCode.NOTESIG, ErrorCode.NOTEUNVERIFIED, ErrorCode.NOTEUNKNOWNKEY];

describe('signed-note parser', () => {
  const text = 'go.sum database tree\n1234\nT3ySbPnpzZwxKw6TJ3a0e7YqHQ4rErbFEtTn9CErcSk=\n';
  const signed = sign(text, [newSigner(SKEY)]);
  const verifier = newVerifier(VKEY);

  test('mutated notes: the signed text, or a NoteError with a note code', () => {
    expect(open(signed, [verifier]).text).toBe(text);
    fc.assert(
      fc.property(mutatedBytes(signed, 4), (msg) => {
        let opened;
        try {
          opened = open(msg, [verifier]);
        } catch (err) {
          expect(err, `open(${JSON.stringify(msg.toString('latin1'))})`).toBeInstanceOf(NoteError);
          expect(NOTE_CODES).toContain((err as NoteError).code);
          return;
        }
        // Whatever still opens was signed by the key: its text is the signed text.
        expect(opened.text, `open(${JSON.stringify(msg.toString('latin1'))}) accepted a changed text`).toBe(text);
        expect(opened.sigs.map((s) => s.name)).toContain('PeterNeumann');
      }),
      runs(2000),
    );
  });

  test('random bytes never open', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (msg) => {
        expect(() => open(msg, [verifier])).toThrow(NoteError);
      }),
      runs(1000),
    );
  });
});

describe('transparency-log proofs on random trees', () => {
  const MAX = 300;
  const log = new MemoryLog();
  const heads: Buffer[] = [];
  beforeAll(async () => {
    await log.growTo(MAX);
    for (let n = 0; n <= MAX; n++) heads.push(await treeHash(n, log));
  });

  const hashBytes = (h: Buffer, at: number, bit: number): Buffer => {
    const b = Buffer.from(h);
    b[at % b.length] = (b[at % b.length] as number) ^ (1 << (bit % 8));
    return b;
  };

  const expectProofFailure = (fn: () => void, what: string): void => {
    try {
      fn();
    } catch (err) {
      expect(err, what).toBeInstanceOf(TlogError);
      expect([ErrorCode.TLOGPROOF, ErrorCode.TLOG], what).toContain((err as TlogError).code);
      return;
    }
    throw new Error(`${what}: accepted`);
  };

  test('record proofs verify, and every mutation fails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: MAX }), fc.nat(), fc.nat(), fc.nat(7), fc.nat(), async (t, nSeed, at, bit, which) => {
        const n = nSeed % t;
        const proof = await proveRecord(t, n, log);
        const leafN = (await log.readHashes([storedHashIndex(0, n)]))[0] as Buffer;
        checkRecord(proof, t, heads[t] as Buffer, n, leafN);
        const th = heads[t] as Buffer;
        const what = `checkRecord(t=${t}, n=${n}) mutated ${which % 4}`;
        switch (which % 4) {
          case 0:
            if (proof.length === 0) return;
            expectProofFailure(
              () =>
                checkRecord(
                  proof.map((p, i) => (i === at % proof.length ? hashBytes(p, at, bit) : p)),
                  t,
                  th,
                  n,
                  leafN,
                ),
              what,
            );
            break;
          case 1:
            expectProofFailure(() => checkRecord(proof, t, hashBytes(th, at, bit), n, leafN), what);
            break;
          case 2:
            expectProofFailure(() => checkRecord(proof, t, th, n, hashBytes(leafN, at, bit)), what);
            break;
          default:
            expectProofFailure(() => checkRecord([...proof, th], t, th, n, leafN), what);
        }
      }),
      runs(300),
    );
  });

  test('tree proofs verify, and every mutation fails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: MAX }), fc.nat(), fc.nat(), fc.nat(7), fc.nat(), async (t, nSeed, at, bit, which) => {
        const n = 1 + (nSeed % t);
        const proof = await proveTree(t, n, log);
        const th = heads[t] as Buffer;
        const h = heads[n] as Buffer;
        checkTree(proof, t, th, n, h);
        const what = `checkTree(t=${t}, n=${n}) mutated ${which % 4}`;
        switch (which % 4) {
          case 0:
            if (proof.length === 0) return;
            expectProofFailure(
              () =>
                checkTree(
                  proof.map((p, i) => (i === at % proof.length ? hashBytes(p, at, bit) : p)),
                  t,
                  th,
                  n,
                  h,
                ),
              what,
            );
            break;
          case 1:
            expectProofFailure(() => checkTree(proof, t, hashBytes(th, at, bit), n, h), what);
            break;
          case 2:
            expectProofFailure(() => checkTree(proof, t, th, n, hashBytes(h, at, bit)), what);
            break;
          default:
            if (proof.length === 0) return;
            expectProofFailure(() => checkTree(proof.slice(1), t, th, n, h), what);
        }
      }),
      runs(300),
    );
  });

  test('nonsense inputs are refused, never crash', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 12 }),
        fc.integer({ min: -3, max: 2000 }),
        fc.integer({ min: -3, max: 2000 }),
        (raw, t, n) => {
          const p = raw.map((r) => Buffer.from(r));
          const h = Buffer.alloc(32, 7);
          expectProofFailure(() => checkRecord(p, t, h, n, Buffer.alloc(32, 9)), `checkRecord(random, ${t}, ${n})`);
          expectProofFailure(() => checkTree(p, t, h, n, Buffer.alloc(32, 8)), `checkTree(random, ${t}, ${n})`);
        },
      ),
      runs(500),
    );
  });

  test('recordText is the log the tests built', () => {
    expect(recordText(0)).toContain('example.com/m0 v1.0.0 h1:');
  });
});

describe('tile paths', () => {
  test('parseTilePath(tilePath(t)) = t; anything else parses to a tile that prints back or throws TlogError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: -1, max: 3 }), fc.nat(2_000_000_000), fc.nat())
            .map(([h, l, n, w]) => tilePath({ h, l, n, w: 1 + (w % 2 ** h) })),
          fc.string({ maxLength: 30 }).map((s) => `tile/${s}`),
          fc
            .array(fc.constantFrom('tile', '8', '0', '1', 'x001', '234', '.p', '/', 'data', '-1', '256', '000'), { maxLength: 8 })
            .map((a) => a.join('')),
        ),
        (path) => {
          let tile;
          try {
            tile = parseTilePath(path);
          } catch (err) {
            expect(err, `parseTilePath(${JSON.stringify(path)})`).toBeInstanceOf(TlogError);
            return;
          }
          expect(tilePath(tile), `tilePath(parseTilePath(${JSON.stringify(path)}))`).toBe(path);
        },
      ),
      runs(1000),
    );
  });
});
