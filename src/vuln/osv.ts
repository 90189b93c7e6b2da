/**
 * Entries of the Go vulnerability database in the OSV format
 * (go.dev/doc/security/vuln/database#schema, a subset of the OSV schema,
 * ossf.github.io/osv-schema), checked for the fields gobundle relies on:
 * id, modified, withdrawn, aliases, summary and affected[] with
 * package.{ecosystem: "Go", name} and SEMVER ranges of introduced/fixed
 * events. Other fields are kept in the carried bytes but not read.
 * Pure: parses bytes, does no I/O.
 */
import { GobundleError } from '../errors.js';
import type { OsvAffected, OsvEntry, OsvEvent, OsvRange } from './osvEntry.js';
import { isValidOsvVersion } from './semverRange.js';
import { ErrorCode } from '../errorCodes.js';

/** A problem with vulnerability data: a file of the database that is missing or malformed, or the database unreachable. */
export class VulnDbError extends GobundleError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(ErrorCode.VULNDB, message, options);
  }
}

/**
 * Pseudo-module paths the vulnerability database uses for the standard
 * library and the go command (golang/vuln internal/osv). Not to be confused
 * with golang.org/toolchain, the module toolchains are downloaded as
 * (TOOLCHAIN_MODULE in gomod/goenv.ts).
 */
export const STDLIB_MODULE = 'stdlib';
export const TOOLCHAIN_VULN_MODULE = 'toolchain';

/** IDs become file names (ID/<id>.json): letters, digits, '.', '_' and '-' only. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** RFC 3339 date-time as the database writes it (fractional seconds and offsets allowed). */
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function isValidId(id: string): boolean {
  return ID.test(id);
}

export function isValidTime(t: string): boolean {
  return TIME.test(t) && !Number.isNaN(Date.parse(t));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse JSON bytes or throw VulnDbError naming `where`. */
export function parseJson(data: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (err) {
    throw new VulnDbError(`${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Parse and check one OSV entry; `where` names the file in messages. */
export function parseOsvEntry(data: Uint8Array, where: string): OsvEntry {
  return checkOsvEntry(parseJson(data, where), where);
}

export function checkOsvEntry(value: unknown, where: string): OsvEntry {
  const fail = (what: string): never => {
    throw new VulnDbError(`${where}: ${what}`);
  };
  if (!isObj(value)) return fail('not a JSON object');
  const id = value.id;
  if (typeof id !== 'string' || !isValidId(id))
    return fail(`"id" must be a string of letters, digits, ".", "_" and "-", got ${JSON.stringify(id)}`);
  const modified = value.modified;
  if (typeof modified !== 'string' || !isValidTime(modified))
    return fail(`"modified" must be an RFC 3339 time, got ${JSON.stringify(modified)}`);
  const withdrawn = value.withdrawn;
  if (withdrawn !== undefined && (typeof withdrawn !== 'string' || !isValidTime(withdrawn)))
    return fail(`"withdrawn" must be an RFC 3339 time, got ${JSON.stringify(withdrawn)}`);
  const aliases = value.aliases ?? [];
  if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string')) return fail('"aliases" must be an array of strings');
  const summary = value.summary ?? '';
  if (typeof summary !== 'string') return fail('"summary" must be a string');
  if (!Array.isArray(value.affected)) return fail('"affected" must be an array');
  const affected: OsvAffected[] = [];
  for (const [i, a] of (value.affected as unknown[]).entries()) {
    const at = `affected[${i}]`;
    if (!isObj(a)) return fail(`${at} must be an object`);
    const pkg = a.package;
    if (!isObj(pkg)) return fail(`${at}: "package" must be an object`);
    if (pkg.ecosystem !== 'Go') return fail(`${at}: package.ecosystem must be "Go", got ${JSON.stringify(pkg.ecosystem)}`);
    if (typeof pkg.name !== 'string' || pkg.name === '') return fail(`${at}: package.name must be a module path`);
    const ranges: OsvRange[] = [];
    const rawRanges = a.ranges ?? [];
    if (!Array.isArray(rawRanges)) return fail(`${at}: "ranges" must be an array`);
    for (const [j, r] of (rawRanges as unknown[]).entries()) {
      const rat = `${at}.ranges[${j}]`;
      if (!isObj(r) || typeof r.type !== 'string') return fail(`${rat} must be an object with a "type"`);
      if (!Array.isArray(r.events)) return fail(`${rat}: "events" must be an array`);
      const events: OsvEvent[] = [];
      for (const [k, e] of (r.events as unknown[]).entries()) {
        const eat = `${rat}.events[${k}]`;
        if (!isObj(e)) return fail(`${eat} must be an object`);
        const keys = Object.keys(e).filter((key) => key === 'introduced' || key === 'fixed');
        if (keys.length !== 1) return fail(`${eat} must have exactly one of "introduced" and "fixed"`);
        const key = keys[0] as 'introduced' | 'fixed';
        const v = e[key];
        if (typeof v !== 'string') return fail(`${eat}: "${key}" must be a string`);
        if (r.type === 'SEMVER' && !(key === 'introduced' && v === '0') && !isValidOsvVersion(v)) {
          return fail(`${eat}: ${key} ${JSON.stringify(v)} is not a semantic version`);
        }
        events.push(key === 'introduced' ? { introduced: v } : { fixed: v });
      }
      ranges.push({ type: r.type, events });
    }
    affected.push({ module: pkg.name, ranges });
  }
  return { id, modified, withdrawn: withdrawn as string | undefined, aliases: aliases as string[], summary, affected };
}
