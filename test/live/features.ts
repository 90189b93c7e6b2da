/**
 * Which go.mod and build-list features a corpus project exercises, detected
 * from its files and `go list -m all` (never taken from corpus.json: the
 * runner checks that every feature corpus.json claims is detected).
 */
export interface BuildListLine {
  path: string;
  version: string;
}

/** `go list -m all` text: the main module, then `path version [=> replacement]` lines. */
export function parseBuildList(text: string): BuildListLine[] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [path = '', version = ''] = line.split(' ');
      return { path, version };
    });
}

const pseudoVersion = /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** The directives of a go.mod named `name` (single-line or block form). */
function hasDirective(goMod: string, name: string): boolean {
  return new RegExp(`^${name}(\\s|\\()`, 'm').test(goMod);
}

export function detectFeatures(goMod: string, goSum: Buffer | undefined, buildListText: string): string[] {
  const lines = parseBuildList(buildListText);
  const mainPath = buildListText.split('\n')[0] ?? '';
  const goLine = /^go\s+(\S+)/m.exec(goMod)?.[1];
  const out: string[] = [];
  if (goLine === undefined) out.push('no go directive');
  else {
    const [major = 0, minor = 0] = goLine.split('.').map(Number);
    if (major === 1 && minor < 17) out.push('unpruned (go < 1.17)');
  }
  if (goSum === undefined) out.push('no go.sum');
  if (hasDirective(goMod, 'tool')) out.push('tool');
  if (hasDirective(goMod, 'toolchain')) out.push('toolchain');
  if (hasDirective(goMod, 'retract')) out.push('retract');
  if (hasDirective(goMod, 'replace')) out.push('replace');
  if (hasDirective(goMod, 'exclude')) out.push('exclude');
  if (hasDirective(goMod, 'godebug')) out.push('godebug');
  if (lines.some((l) => l.version.endsWith('+incompatible'))) out.push('+incompatible');
  if ([mainPath, ...lines.map((l) => l.path)].some((p) => p.startsWith('gopkg.in/'))) out.push('gopkg.in');
  if ([mainPath, ...lines.map((l) => l.path)].some((p) => /\/v[2-9][0-9]*$/.test(p))) out.push('/vN');
  if (lines.some((l) => pseudoVersion.test(l.version))) out.push('pseudo-version');
  return out;
}
