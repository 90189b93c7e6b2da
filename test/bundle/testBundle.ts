/**
 * A test-only bundle writer that follows the bundle format v1 by hand
 * (tar-stream + zlib, a Go signed note made with node:crypto), written
 * independently of src/bundle/writer.ts so the reader is checked against
 * the format rather than against the writer. It can also break every rule
 * on purpose: odd entry types, unsafe names, duplicates, extra and missing
 * files, wrong hashes.
 */
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

type TarHeader = Partial<tar.Header> & { name: string };

export interface TestKey {
  name: string;
  /** `name+hash+base64(0x01‖pub)`, what --trust files hold. */
  verifier: string;
  /** `PRIVATE+KEY+name+hash+base64(0x01‖seed)`. */
  signer: string;
  seed: Buffer;
}

/** A fixed key for tests: the seed is sha256(name), so every run signs the same bytes. */
export function testKey(name: string): TestKey {
  const seed = createHash('sha256').update(`gobundle test key ${name}`).digest();
  const priv = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(priv).export({ format: 'jwk' });
  const pub = Buffer.from(String(jwk.x), 'base64url');
  const keyHash = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([1]), pub]))
    .digest()
    .subarray(0, 4)
    .toString('hex');
  return {
    name,
    seed,
    verifier: `${name}+${keyHash}+${Buffer.concat([Buffer.from([1]), pub]).toString('base64')}`,
    signer: `PRIVATE+KEY+${name}+${keyHash}+${Buffer.concat([Buffer.from([1]), seed]).toString('base64')}`,
  };
}

/** A signed note over `text` (x/mod sumdb/note format). */
export function signNote(text: string, key: TestKey): string {
  const priv = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), key.seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const sig = sign(null, Buffer.from(text), priv);
  const keyHash = Buffer.from(key.verifier.split('+')[1] ?? '', 'hex');
  return `${text}\n\u2014 ${key.name} ${Buffer.concat([keyHash, sig]).toString('base64')}\n`;
}

export interface TestFile {
  name: string;
  data: Buffer | string;
}

export interface Tamper {
  /** Entries written after the regular ones (may break every rule). */
  extraEntries?: { header: TarHeader; data?: Buffer | string }[];
  /** Names listed in the manifest but not written. */
  omit?: string[];
  /** Manifest lies about these files' sha256. */
  wrongHash?: string[];
  /** Skip manifest.sig. */
  unsigned?: boolean;
  /** Sign with this key instead. */
  signWith?: TestKey;
  /** Replace manifest.json bytes after signing. */
  manifestAfterSigning?: (m: string) => string;
}

export interface BuiltBundle {
  tgz: Buffer;
  manifest: string;
}

const sha256 = (d: Buffer | string): string => createHash('sha256').update(d).digest('hex');

/** A well-formed h1 for manifests whose module hashes no test reads. */
const TEST_H1 = `h1:${Buffer.alloc(32).toString('base64')}`;

/** The manifest a bundle of `files` carries (modules derived from .mod names). */
export function testManifest(files: TestFile[], tamper: Tamper = {}): string {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const modules = sorted
    .filter((f) => f.name.endsWith('.mod') && f.name.includes('/@v/'))
    .map((f) => {
      const [p, v] = f.name.split('/@v/') as [string, string];
      return { path: p, version: v.slice(0, -'.mod'.length), zipH1: null, modH1: TEST_H1 };
    });
  const m = {
    format: 'gobundle/v1',
    tool: 'gobundle test',
    created: '2023-03-04T05:06:07Z',
    inputs: [],
    modules,
    sumdb: null,
    files: sorted.map((f) => ({
      name: f.name,
      size: Buffer.byteLength(f.data),
      sha256: tamper.wrongHash?.includes(f.name) ? sha256('not this') : sha256(f.data),
    })),
  };
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Build a bundle (a .tgz in memory) holding `files`, signed by `key` unless tampered otherwise. */
export async function buildTestBundle(files: TestFile[], key: TestKey, tamper: Tamper = {}): Promise<BuiltBundle> {
  const manifest = testManifest(files, tamper);
  const note = signNote(`gobundle manifest v1\n${sha256(manifest)}\n`, tamper.signWith ?? key);
  const written = tamper.manifestAfterSigning ? tamper.manifestAfterSigning(manifest) : manifest;
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res, rej) => {
    pack.on('end', res);
    pack.on('error', rej);
  });
  const add = (header: TarHeader, data?: Buffer | string): void => {
    pack.entry({ mode: 0o644, uid: 0, gid: 0, mtime: new Date(1677906367000), ...header }, data ?? '');
  };
  add({ name: 'gobundle/manifest.json' }, written);
  if (!tamper.unsigned) add({ name: 'gobundle/manifest.sig' }, note);
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  for (const f of sorted) {
    if (tamper.omit?.includes(f.name)) continue;
    add({ name: f.name }, f.data);
  }
  for (const e of tamper.extraEntries ?? []) add(e.header, e.data);
  pack.finalize();
  await done;
  return { tgz: gzipSync(Buffer.concat(chunks), { level: 9 }), manifest: written };
}

/** Write a built bundle to `file`. */
export function writeBundleFile(file: string, b: BuiltBundle): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, b.tgz);
  return file;
}

/** The GOPROXY files of one module version: .info, .mod, .zip (zip content is opaque to serve). */
export function moduleFiles(
  escPath: string,
  version: string,
  opts: { zip?: Buffer | string; time?: string; mod?: string } = {},
): TestFile[] {
  const base = `${escPath}/@v/${version}`;
  return [
    { name: `${base}.info`, data: `${JSON.stringify({ Version: version, Time: opts.time ?? '2023-01-01T00:00:00Z' })}\n` },
    { name: `${base}.mod`, data: opts.mod ?? `module ${escPath}\n` },
    { name: `${base}.zip`, data: opts.zip ?? `zip of ${escPath}@${version}` },
  ];
}

/** Write a tree of files (for "extracted directory" tests). */
export function writeTree(dir: string, files: TestFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.name)), { recursive: true });
    writeFileSync(join(dir, f.name), f.data);
  }
}
