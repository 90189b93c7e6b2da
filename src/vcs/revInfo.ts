/**
 * The `.info` file of a module version fetched from version control, byte
 * for byte as the go command writes it into its module cache
 * (cmd/go/internal/modfetch/cache.go writeDiskStat over modfetch.RevInfo and
 * codehost.Origin): compact JSON `{"Version","Time","Origin"}`, the Origin
 * without TagPrefix/TagSum, and without Ref for pseudo-versions.
 */
import { createHash } from 'node:crypto';
import { isPseudoVersion } from '../gomod/pseudo.js';

/** codehost.Origin, fields in the struct's (and so the JSON's) order. */
export interface Origin {
  VCS?: string;
  URL?: string;
  Subdir?: string;
  Hash?: string;
  TagPrefix?: string;
  TagSum?: string;
  Ref?: string;
  RepoSum?: string;
}

const ORIGIN_FIELDS = ['VCS', 'URL', 'Subdir', 'Hash', 'TagPrefix', 'TagSum', 'Ref', 'RepoSum'] as const;

/** Go's time.Time JSON for a whole-second UTC time: RFC 3339 with `Z`. */
export function formatGoTime(t: Date): string {
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The bytes of `<version>.info`. */
export function infoFileBytes(version: string, time: Date, origin: Origin | undefined): Buffer {
  const info: { Version: string; Time: string; Origin?: Origin } = { Version: version, Time: formatGoTime(time) };
  if (origin !== undefined) {
    const clean: Origin = {};
    for (const k of ORIGIN_FIELDS) {
      const v = origin[k];
      if (v === undefined || v === '') continue;
      if (k === 'TagPrefix' || k === 'TagSum') continue;
      if (k === 'Ref' && isPseudoVersion(version)) continue;
      clean[k] = v;
    }
    info.Origin = clean;
  }
  return Buffer.from(JSON.stringify(info), 'utf8');
}

/** codehost/codehost.go isOriginTag: tags whose changes would change a version's resolution. */
export function isOriginTag(tag: string, canonical: (v: string) => string): boolean {
  const c = canonical(tag);
  return c !== '' && tag.startsWith(c) && !isPseudoVersion(tag);
}

/** Go's %q of a plain ASCII tag name (git ref names exclude the characters that would need escaping beyond these). */
function goQuoteAscii(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** gitRepo.Tags' TagSum: `t1:` + base64 sha256 over `%q hash\n` of the origin tags. */
export function tagSum(tags: readonly { name: string; hash: string }[], prefix: string, canonical: (v: string) => string): string {
  const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const h = createHash('sha256');
  for (const t of tags) {
    const rest = t.name.startsWith(dir) ? t.name.slice(dir.length) : t.name;
    if (isOriginTag(rest, canonical)) h.update(`${goQuoteAscii(t.name)} ${t.hash}\n`);
  }
  return `t1:${h.digest('base64')}`;
}
