/**
 * GOVCS: which version control systems the go command may run for which
 * paths (cmd/go/internal/vcs/vcs.go parseGOVCS, allow, checkGOVCS). The
 * user's rules come first, then the default `private:all,public:git|hg`;
 * `private` means the repository root matches GOPRIVATE.
 */
import { GobundleError } from '../errors.js';
import { matchPrefixPatterns } from '../gomod/modulePath.js';
import { GoEnvError } from '../gomod/goenv.js';

interface GovcsRule {
  pattern: string;
  allowed: string[];
}

export type Govcs = readonly GovcsRule[];

const DEFAULT_GOVCS: Govcs = [
  { pattern: 'private', allowed: ['all'] },
  { pattern: 'public', allowed: ['git', 'hg'] },
];

function govcsError(message: string): GobundleError {
  return new GoEnvError(message, {
    hint: 'GOVCS is a comma-separated list of pattern:vcs|vcs rules, e.g. private:git,public:off',
  });
}

/** Parse GOVCS (with the defaults appended), failing with cmd/go's messages. */
export function parseGovcs(value: string): Govcs {
  const s = value.trim();
  const rules: GovcsRule[] = [];
  const have = new Map<string, string>();
  if (s !== '') {
    for (let item of s.split(',')) {
      item = item.trim();
      if (item === '') throw govcsError('empty entry in GOVCS');
      const colon = item.indexOf(':');
      if (colon < 0) throw govcsError(`malformed entry in GOVCS (missing colon): "${item}"`);
      const pattern = item.slice(0, colon).trim();
      const list = item.slice(colon + 1).trim();
      if (pattern === '') throw govcsError(`empty pattern in GOVCS: "${item}"`);
      if (list === '') throw govcsError(`empty VCS list in GOVCS: "${item}"`);
      if (pattern === '.' || pattern === '..' || pattern.startsWith('./') || pattern.startsWith('../')) {
        throw govcsError(`relative pattern not allowed in GOVCS: "${pattern}"`);
      }
      const old = have.get(pattern);
      if (old !== undefined) throw govcsError(`unreachable pattern in GOVCS: "${item}" after "${old}"`);
      have.set(pattern, item);
      const allowed = list.split('|').map((a) => a.trim());
      if (allowed.includes('')) throw govcsError(`empty VCS name in GOVCS: "${item}"`);
      rules.push({ pattern, allowed });
    }
  }
  return [...rules, ...DEFAULT_GOVCS];
}

/** govcsConfig.allow: the first rule matching the root decides; none matching forbids. */
export function govcsAllows(rules: Govcs, root: string, isPrivate: boolean, vcs: string): boolean {
  for (const rule of rules) {
    const match = rule.pattern === 'private' ? isPrivate : rule.pattern === 'public' ? !isPrivate : matchPrefixPatterns(rule.pattern, root);
    if (!match) continue;
    return rule.allowed.some((a) => a === vcs || a === 'all');
  }
  return false;
}

/** checkGOVCS: undefined when allowed, else cmd/go's message. `mod` (a proxy) is always allowed. */
export function govcsProblem(rules: Govcs, root: string, goprivate: string, vcs: string): string | undefined {
  if (vcs === 'mod') return undefined;
  const isPrivate = matchPrefixPatterns(goprivate, root);
  if (govcsAllows(rules, root, isPrivate, vcs)) return undefined;
  return `GOVCS disallows using ${vcs} for ${isPrivate ? 'private' : 'public'} ${root}; see 'go help vcs'`;
}
