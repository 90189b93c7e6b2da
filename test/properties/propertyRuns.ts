/**
 * One fast-check configuration for the property suites: a fixed seed (so a
 * CI failure reproduces) that GOBUNDLE_FC_SEED overrides, and bounded runs
 * so the whole set stays well under a minute. fast-check prints the seed
 * and the counterexample path when a property fails; the seed is also in
 * every assertion's parameters so a rerun can pin it.
 */
import fc from 'fast-check';

export const PROPERTY_SEED = Number(process.env.GOBUNDLE_FC_SEED ?? 20261202);

/** fc.assert parameters: the suite's seed, `numRuns` runs, and a per-run time limit so a hang fails instead of stalling CI. */
export function runs(numRuns: number, timeoutMs = 2_000): fc.Parameters<unknown> {
  return { seed: PROPERTY_SEED, numRuns, interruptAfterTimeLimit: 50_000, markInterruptAsFailure: true, timeout: timeoutMs, verbose: 1 };
}

/** Bytes of `base` with up to `max` random edits (replace, insert, delete, truncate). */
export function mutatedBytes(base: Uint8Array, max = 4): fc.Arbitrary<Buffer> {
  const edit = fc.oneof(
    fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  );
  return fc.array(edit, { minLength: 1, maxLength: max }).map((edits) => {
    let b = Buffer.from(base);
    for (const e of edits) {
      const at = b.length === 0 ? 0 : e.at % (b.length + 1);
      if (e.op === 'set' && b.length > 0) b[at % b.length] = e.byte;
      else if (e.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
      else if (e.op === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.count)]);
      else if (e.op === 'truncate') b = b.subarray(0, at);
    }
    return b;
  });
}

/** Text of `base` with up to `max` edits drawn from `pieces` (tokens that matter to the grammar) and random characters. */
export function mutatedText(base: string, pieces: readonly string[], max = 4): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.constantFrom(...pieces),
    fc.string({ maxLength: 4 }),
    fc.constantFrom('\n', ' ', '"', '`', '(', ')', '//', '\u00e9', '\u2028', '\u0000'),
  );
  const edit = fc.record({ at: fc.nat(), del: fc.integer({ min: 0, max: 6 }), ins: piece });
  return fc.array(edit, { minLength: 1, maxLength: max }).map((edits) => {
    let s = base;
    for (const e of edits) {
      const at = e.at % (s.length + 1);
      s = s.slice(0, at) + e.ins + s.slice(at + e.del);
    }
    return s;
  });
}
