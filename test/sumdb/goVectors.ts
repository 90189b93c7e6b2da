/**
 * Test vectors computed by golang.org/x/mod itself (test/sumdb/vectors/main.go),
 * built with the real go command: our note and tlog ports must reproduce them.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildGoProgram } from '../support/gotool.js';

export interface KeyVector {
  name: string;
  seedHex: string;
  signerKey: string;
  verifierKey: string;
}
export interface NoteVector {
  text: string;
  signers: number[];
  note: string;
  verify: number[];
  verified: string[] | null;
  unverified: string[] | null;
}
export interface TileVector {
  path: string;
  dataSha256: string;
  dataBase64?: string;
}
export interface ReadVector {
  indexes: number[];
  tiles: string[];
  hashes: string[];
}
export interface ProofVector {
  t: number;
  n: number;
  proof: string[];
  hash: string;
  treeHash: string;
  proveTiles: string[];
}
export interface LogVector {
  n: number;
  treeHash: string;
  treeText: string;
  storedHashCount: number;
  storedHashesSha256: string;
  firstStored: string[];
  tiles: TileVector[];
  reads: ReadVector[];
  recordProofs: ProofVector[];
  treeProofs: ProofVector[];
  tileForIndex: [string, string][];
}
export interface GoVectors {
  keys: KeyVector[];
  notes: NoteVector[];
  logs: LogVector[];
  indexes: { level: number; n: number; index: number }[];
  tilePaths: [string, string][];
  records: [string, string][];
  /**
   * What x/mod's sumdb.Client fetched to look up records `ids` when every
   * lookup carries the tree of size n, remembering the tree of size `older`
   * (0: none) from an earlier run.
   */
  clients: { n: number; ids: number[]; older: number; lines: string[]; tiles: string[]; requests: string[] }[];
}

/** Mirrors recordText in main.go: the i-th record of the vector log. */
export const VECTOR_LOG_MAX = 70014;

let cached: GoVectors | undefined;

export function goVectors(): GoVectors {
  if (cached) return cached;
  const bin = buildGoProgram(join(import.meta.dirname, 'vectors'), 'sumdbvectors');
  const res = spawnSync(bin, [], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  if (res.status !== 0) throw new Error(`sumdbvectors failed (exit ${res.status}): ${res.stderr}`);
  cached = JSON.parse(res.stdout) as GoVectors;
  return cached;
}
