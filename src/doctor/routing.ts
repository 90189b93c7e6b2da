/**
 * Where each module path goes, and why: the GOPROXY entries it is asked
 * from (or direct, when GONOPROXY or GOPRIVATE matches), and whether the
 * checksum database vouches for it (GONOSUMDB, GOPRIVATE, GOSUMDB). The
 * answers are the go command's (proxiesForModule, sumdbApplies); this adds
 * which pattern matched. Pure.
 */
import { proxiesForModule, redactUrl, sumdbApplies, type GoEnv, type GoSumDB, type ProxySpec } from '../gomod/goenv.js';
import { matchPrefixPatterns } from '../gomod/modulePath.js';
import type { RouteLine } from './report.js';

/** The first comma-separated pattern of `patterns` that matches `path`. */
export function matchingPattern(patterns: string, path: string): string | undefined {
  return patterns.split(',').find((p) => p.trim() !== '' && matchPrefixPatterns(p, path));
}

/** `https://a, then https://b on any error, then direct on 404/410`: the entries in order with their fallback rule. */
export function describeChain(specs: readonly ProxySpec[]): string {
  return specs
    .map((s, i) => {
      const name = s.kind === 'url' ? redactUrl(s.url ?? '') : s.kind;
      if (i === 0) return name;
      return `then ${name} ${(specs[i - 1]?.fallBackOnError ?? false) ? 'on any error' : 'on 404/410'}`;
    })
    .join(', ');
}

export function routeLines(
  paths: readonly string[],
  env: Pick<GoEnv, 'GOPROXY' | 'GONOPROXY' | 'GOPRIVATE' | 'GONOSUMDB' | 'GOSUMDB' | 'GONOPROXYFromGOPRIVATE'>,
  specs: readonly ProxySpec[],
  sumdb: GoSumDB,
  gonosumdbFromGoprivate: boolean,
): RouteLine[] {
  return paths.map((path) => {
    const route = proxiesForModule(specs, path, env.GONOPROXY, env.GONOPROXYFromGOPRIVATE ? 'GOPRIVATE' : 'GONOPROXY');
    const first = route.specs[0];
    let fetch: string;
    let fetchWhy: string;
    if (first?.routedBy === 'GONOPROXY' || first?.routedBy === 'GOPRIVATE') {
      fetch = 'direct';
      fetchWhy = `${first.routedBy} pattern ${JSON.stringify(matchingPattern(env.GONOPROXY, path) ?? '')} matches`;
    } else if (route.specs.length === 0) {
      fetch = 'nowhere';
      fetchWhy = `GONOPROXY matches (${JSON.stringify(matchingPattern(env.GONOPROXY, path) ?? '')}) but GOPROXY has no direct`;
    } else {
      fetch = describeChain(route.specs);
      fetchWhy = 'GOPROXY';
    }
    let db = '';
    let sumdbWhy: string;
    if (sumdbApplies(path, env)) {
      db = sumdb.off === true ? '' : sumdb.name;
      sumdbWhy = path === 'golang.org/toolchain' ? 'toolchains are always checked' : 'GOSUMDB';
    } else if (env.GOSUMDB === 'off') {
      sumdbWhy = 'GOSUMDB=off';
    } else {
      const pattern = matchingPattern(env.GONOSUMDB, path) ?? '';
      sumdbWhy = `${gonosumdbFromGoprivate ? 'GOPRIVATE' : 'GONOSUMDB'} pattern ${JSON.stringify(pattern)} matches`;
    }
    return { path, fetch, fetchWhy, sumdb: db, sumdbWhy };
  });
}
