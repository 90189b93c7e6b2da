/**
 * Which version `$module/@latest` names: the go command asks for it only
 * when `list` holds no release or prerelease, and then prefers, like
 * cmd/go's proxy query: the highest release, else the highest prerelease,
 * else the newest pseudo-version.
 */
import { isPseudoVersion } from '../gomod/pseudo.js';
import { compare, isPrerelease, isValid } from '../gomod/semver.js';

export function latestVersion(versions: Iterable<string>): string | undefined {
  let release: string | undefined;
  let pre: string | undefined;
  let pseudo: string | undefined;
  const higher = (best: string | undefined, v: string): string => (best === undefined || compare(v, best) > 0 ? v : best);
  for (const v of versions) {
    if (!isValid(v)) continue;
    if (isPseudoVersion(v)) pseudo = higher(pseudo, v);
    else if (isPrerelease(v)) pre = higher(pre, v);
    else release = higher(release, v);
  }
  return release ?? pre ?? pseudo;
}
