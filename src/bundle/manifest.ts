/**
 * The bundle manifest (gobundle/manifest.json, format gobundle/v1): what the
 * bundle holds, with every file's size and SHA-256 and every module's h1.
 * Pure: builds, serializes, parses and validates; no I/O.
 *
 * The serialized form is part of the signature (the signed note names the
 * SHA-256 of these exact bytes), so serialization is fixed: keys in contract
 * order, JSON.stringify(…, null, 2) + "\n".
 */
import { UsageError } from '../errors.js';
import { MANIFEST_NAME, METADATA_DIR } from './treeLayout.js';
import { ManifestError } from './bundleErrors.js';

export const MANIFEST_FORMAT = 'gobundle/v1';

/** What a bundle was packed from; `kind` absent means a go.mod (bundles before other inputs existed). */
export type ManifestInputKind = 'go.mod' | 'go.work' | 'tool' | 'list';

/**
 * One input of a pack. `goMod` names the file it was read from and
 * `goModSha256` is that file's digest, whatever the kind: the go.mod; the
 * go.work (`module` lists its main modules, space-separated); a tool's own
 * go.mod as fetched, `module@version/go.mod` (`module` and `version` name the
 * tool); an exported list (`module` is its format).
 */
export interface ManifestInput {
  kind?: ManifestInputKind;
  module: string;
  /** Tools only: the version resolved (a query such as @latest is recorded as what it resolved to). */
  version?: string;
  goMod: string;
  goModSha256: string;
}

const INPUT_KINDS: ReadonlySet<string> = new Set<ManifestInputKind>(['go.mod', 'go.work', 'tool', 'list']);

export interface ManifestModule {
  path: string;
  version: string;
  /** null for go.mod-only versions (not in the build list). */
  zipH1: string | null;
  modH1: string;
  /**
   * True for a private module (GONOSUMDB/GOPRIVATE): the checksum database
   * was not asked about it and the bundle's replay has no record of it, so
   * clients must list it in GONOSUMDB (or GOPRIVATE) too. Absent otherwise,
   * and in bundles written before it existed.
   */
  private?: true;
}

/** A checksum-database tree head: its size and base64 root hash. */
export interface ManifestTree {
  treeSize: number;
  treeHash: string;
}

export interface ManifestSumdb extends ManifestTree {
  name: string;
  /**
   * Older tree heads of the same database (earlier bundles') that the
   * bundle's tiles prove to be prefixes of its tree, smallest first, so
   * clients that verified against one of them accept the new tree. Absent
   * in bundles written before it existed: read as [].
   */
  consistentWith?: ManifestTree[];
}

/**
 * An earlier bundle a delta bundle (pack --since) builds on: the delta
 * carries only what its parents lack, so serve needs every parent served
 * beside it. Named by the SHA-256 of the parent's manifest.json bytes (what
 * the parent's signature signs), with the parent's file name and creation
 * time for people.
 */
export interface ManifestParent {
  name: string;
  manifestSha256: string;
  created: string;
}

/**
 * What the bundle says about vulnerability data it does not carry: the
 * default database (no --vulndb, no GOVULNDB) could not be read when it was
 * packed, so `audit` cannot say "nothing known". Absent when the bundle
 * carries vulnerability data, when none was asked for (--no-vulndb,
 * GOVULNDB=off), and in bundles written before it existed.
 */
export interface ManifestVulnDb {
  /** The database tried (credentials removed). */
  url: string;
  carried: false;
  /** What failed, one line. */
  reason: string;
}

export interface ManifestFile {
  name: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  tool: string;
  created: string;
  inputs: ManifestInput[];
  modules: ManifestModule[];
  sumdb: ManifestSumdb | null;
  /** Present (non-empty) only in delta bundles. */
  parents?: ManifestParent[];
  /** Present only when vulnerability data was wanted and could not be had. */
  vulndb?: ManifestVulnDb;
  files: ManifestFile[];
}

const EPOCH = '1970-01-01T00:00:00Z';

/** Compare names by their UTF-8 bytes (the order of tar entries and manifest.files). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** RFC 3339 in UTC with whole seconds, the form `created` takes. */
export function formatCreated(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The bundle's creation time: SOURCE_DATE_EPOCH (seconds) if set, else the
 * newest .info Time, else the Unix epoch — never the wall clock, so the
 * same inputs give the same bundle.
 */
export function chooseCreated(sourceDateEpoch: string | undefined, infoTimes: readonly (string | undefined)[]): string {
  if (sourceDateEpoch !== undefined && sourceDateEpoch !== '') {
    if (!/^\d+$/.test(sourceDateEpoch)) {
      throw new UsageError(`SOURCE_DATE_EPOCH=${JSON.stringify(sourceDateEpoch)}: not a number of seconds`);
    }
    return formatCreated(Number(sourceDateEpoch) * 1000);
  }
  let newest: number | undefined;
  for (const t of infoTimes) {
    if (t === undefined) continue;
    const ms = Date.parse(t);
    if (!Number.isNaN(ms) && (newest === undefined || ms > newest)) newest = ms;
  }
  return newest === undefined ? EPOCH : formatCreated(newest);
}

export interface BuildManifestArgs {
  tool: string;
  created: string;
  inputs: readonly ManifestInput[];
  modules: readonly ManifestModule[];
  sumdb: ManifestSumdb | null;
  parents?: readonly ManifestParent[];
  vulndb?: ManifestVulnDb;
  files: readonly ManifestFile[];
}

/** A manifest with lists sorted as the format requires. */
export function buildManifest(args: BuildManifestArgs): Manifest {
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    tool: args.tool,
    created: args.created,
    inputs: args.inputs.map((i) => ({
      ...(i.kind === undefined || i.kind === 'go.mod' ? {} : { kind: i.kind }),
      module: i.module,
      ...(i.version === undefined ? {} : { version: i.version }),
      goMod: i.goMod,
      goModSha256: i.goModSha256,
    })),
    modules: [...args.modules]
      .sort((a, b) => compareNames(a.path, b.path) || compareNames(a.version, b.version))
      .map((m) => ({
        path: m.path,
        version: m.version,
        zipH1: m.zipH1,
        modH1: m.modH1,
        ...(m.private === true ? { private: true as const } : {}),
      })),
    sumdb:
      args.sumdb === null
        ? null
        : {
            name: args.sumdb.name,
            treeSize: args.sumdb.treeSize,
            treeHash: args.sumdb.treeHash,
            consistentWith: [...(args.sumdb.consistentWith ?? [])]
              .sort((a, b) => a.treeSize - b.treeSize)
              .map((t) => ({ treeSize: t.treeSize, treeHash: t.treeHash })),
          },
    // Left out of full bundles, so their bytes stay what they were before deltas existed.
    ...(args.parents === undefined || args.parents.length === 0
      ? {}
      : { parents: args.parents.map((p) => ({ name: p.name, manifestSha256: p.manifestSha256, created: p.created })) }),
    // Likewise only when there is something to say, so other bundles' bytes stay as they were.
    ...(args.vulndb === undefined ? {} : { vulndb: { url: args.vulndb.url, carried: false as const, reason: args.vulndb.reason } }),
    files: [...args.files].sort((a, b) => compareNames(a.name, b.name)).map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })),
  };
  validateManifest(manifest);
  return manifest;
}

/** The exact bytes of manifest.json. */
export function serializeManifest(m: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(m, null, 2)}\n`, 'utf8');
}

/** Parse and validate manifest.json bytes. */
export function parseManifest(data: Uint8Array): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (err) {
    throw new ManifestError(`${MANIFEST_NAME}: ${err instanceof Error ? err.message : String(err)}`);
  }
  validateManifest(parsed);
  return parsed;
}

const HEX64 = /^[0-9a-f]{64}$/;
const H1 = /^h1:[A-Za-z0-9+/]{43}=$/;
const CREATED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Check the shape of a manifest; throws EMANIFEST naming the first problem. */
export function validateManifest(value: unknown): asserts value is Manifest {
  const fail = (what: string): never => {
    throw new ManifestError(`${MANIFEST_NAME}: ${what}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (o: Record<string, unknown>, k: string, where: string): string => {
    const v = o[k];
    if (typeof v !== 'string') return fail(`${where}: "${k}" must be a string`);
    return v;
  };
  if (!isObj(value)) return fail('not a JSON object');
  if (value.format !== MANIFEST_FORMAT) fail(`unsupported format ${JSON.stringify(value.format)}, want ${JSON.stringify(MANIFEST_FORMAT)}`);
  str(value, 'tool', 'manifest');
  if (!CREATED.test(str(value, 'created', 'manifest'))) fail(`"created" must be RFC 3339 UTC with whole seconds`);
  if (!Array.isArray(value.inputs)) fail('"inputs" must be an array');
  for (const [i, input] of (value.inputs as unknown[]).entries()) {
    if (!isObj(input)) return fail(`inputs[${i}] must be an object`);
    if (input.kind !== undefined && (typeof input.kind !== 'string' || !INPUT_KINDS.has(input.kind))) {
      fail(`inputs[${i}]: "kind" must be one of ${[...INPUT_KINDS].join(', ')}`);
    }
    str(input, 'module', `inputs[${i}]`);
    if (input.kind === 'tool') str(input, 'version', `inputs[${i}]`);
    else if (input.version !== undefined) fail(`inputs[${i}]: "version" is only for tool inputs`);
    str(input, 'goMod', `inputs[${i}]`);
    if (!HEX64.test(str(input, 'goModSha256', `inputs[${i}]`))) fail(`inputs[${i}]: "goModSha256" must be lowercase hex sha256`);
  }
  if (!Array.isArray(value.modules)) fail('"modules" must be an array');
  for (const [i, m] of (value.modules as unknown[]).entries()) {
    if (!isObj(m)) return fail(`modules[${i}] must be an object`);
    str(m, 'path', `modules[${i}]`);
    str(m, 'version', `modules[${i}]`);
    if (m.zipH1 !== null && (typeof m.zipH1 !== 'string' || !H1.test(m.zipH1))) fail(`modules[${i}]: "zipH1" must be an h1 hash or null`);
    if (!H1.test(str(m, 'modH1', `modules[${i}]`))) fail(`modules[${i}]: "modH1" must be an h1 hash`);
    if (m.private !== undefined && m.private !== true) fail(`modules[${i}]: "private" must be true or absent`);
  }
  if (value.sumdb !== null) {
    const s = value.sumdb;
    if (!isObj(s)) return fail('"sumdb" must be an object or null');
    str(s, 'name', 'sumdb');
    str(s, 'treeHash', 'sumdb');
    if (typeof s.treeSize !== 'number' || !Number.isSafeInteger(s.treeSize) || s.treeSize < 0)
      fail('sumdb: "treeSize" must be a non-negative integer');
    if (s.consistentWith !== undefined) {
      if (!Array.isArray(s.consistentWith)) fail('sumdb: "consistentWith" must be an array');
      let prevSize = 0;
      for (const [i, t] of (s.consistentWith as unknown[]).entries()) {
        const where = `sumdb.consistentWith[${i}]`;
        if (!isObj(t)) return fail(`${where} must be an object`);
        str(t, 'treeHash', where);
        if (
          typeof t.treeSize !== 'number' ||
          !Number.isSafeInteger(t.treeSize) ||
          t.treeSize <= prevSize ||
          t.treeSize >= (s.treeSize as number)
        ) {
          fail(`${where}: "treeSize" must be an integer above the previous entry's and below sumdb.treeSize`);
        }
        prevSize = t.treeSize as number;
      }
    }
  }
  if (value.parents !== undefined) {
    if (!Array.isArray(value.parents) || value.parents.length === 0) fail('"parents" must be a non-empty array when present');
    const seenParents = new Set<string>();
    for (const [i, p] of (value.parents as unknown[]).entries()) {
      if (!isObj(p)) return fail(`parents[${i}] must be an object`);
      str(p, 'name', `parents[${i}]`);
      const digest = str(p, 'manifestSha256', `parents[${i}]`);
      if (!HEX64.test(digest)) fail(`parents[${i}]: "manifestSha256" must be lowercase hex sha256`);
      if (seenParents.has(digest)) fail(`parents[${i}]: manifest ${digest} listed twice`);
      seenParents.add(digest);
      if (!CREATED.test(str(p, 'created', `parents[${i}]`))) fail(`parents[${i}]: "created" must be RFC 3339 UTC with whole seconds`);
    }
  }
  if (value.vulndb !== undefined) {
    const v = value.vulndb;
    if (!isObj(v)) return fail('"vulndb" must be an object when present');
    str(v, 'url', 'vulndb');
    str(v, 'reason', 'vulndb');
    if (v.carried !== false) fail('vulndb: "carried" must be false');
  }
  if (!Array.isArray(value.files)) fail('"files" must be an array');
  let previous: string | undefined;
  for (const [i, f] of (value.files as unknown[]).entries()) {
    if (!isObj(f)) return fail(`files[${i}] must be an object`);
    const name = str(f, 'name', `files[${i}]`);
    if (name.startsWith(METADATA_DIR)) fail(`files[${i}]: ${JSON.stringify(name)} is under ${METADATA_DIR}`);
    if (typeof f.size !== 'number' || !Number.isSafeInteger(f.size) || f.size < 0)
      fail(`files[${i}]: "size" must be a non-negative integer`);
    if (!HEX64.test(str(f, 'sha256', `files[${i}]`))) fail(`files[${i}]: "sha256" must be lowercase hex sha256`);
    if (previous !== undefined && compareNames(previous, name) >= 0)
      fail(`files[${i}]: ${JSON.stringify(name)} is out of order or repeated`);
    previous = name;
  }
}
