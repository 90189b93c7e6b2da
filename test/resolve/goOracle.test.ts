/**
 * Cross-checks the graph scenarios against the real go command (Go 1.23):
 * each scenario becomes a file:// module proxy and a main module, `go list -m all`
 * runs against them, and its output must equal formatListMAll(plan) while the
 * go.mod files it downloaded must equal the plan's loaded set plus the build
 * list's go.mods (which `go list -m all` reads to report Go versions).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { formatListMAll, resolvePlan } from '../../src/resolve/plan.js';
import type { ModSummaryInput } from '../../src/resolve/types.js';
import { goBinary, hermeticGoEnv } from '../support/gotool.js';
import { parseScenarios, scenarioSource, type Scenario } from './graphText.js';
import { SCENARIOS } from './scenarios.js';

/** Bound on one go command run. */
const GO_TIMEOUT_MS = 60_000;

const work = mkdtempSync(join(tmpdir(), 'gobundle-oracle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function goModText(f: ModSummaryInput, fallbackModule: string): string {
  let s = `module ${f.module?.path ?? fallbackModule}\n`;
  if (f.go !== undefined) s += `\ngo ${f.go}\n`;
  if (f.toolchain !== undefined) s += `\ntoolchain ${f.toolchain}\n`;
  for (const r of f.require) s += `\nrequire ${r.path} ${r.version}${r.indirect ? ' // indirect' : ''}\n`;
  for (const x of f.exclude) s += `\nexclude ${x.path} ${x.version}\n`;
  for (const r of f.replace) {
    const left = r.old.version === '' ? r.old.path : `${r.old.path} ${r.old.version}`;
    s += `\nreplace ${left} => ${r.local ? r.new.path : `${r.new.path} ${r.new.version}`}\n`;
  }
  return s;
}

/** dirhash.Hash1 over the single file go.mod. */
function goModHash(text: string): string {
  const line = `${createHash('sha256').update(text).digest('hex')}  go.mod\n`;
  return `h1:${createHash('sha256').update(line).digest('base64')}`;
}

function write(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

function cachedMods(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.mod')) {
        const rel = relative(root, p);
        const at = rel.indexOf('/@v/');
        out.push(`${rel.slice(0, at)}@${rel.slice(at + 4, -4)}`);
      }
    }
  };
  walk(root);
  return out.sort();
}

function runGoListMAll(s: Scenario): { status: number | null; stdout: string; stderr: string; mods: string[] } {
  const dir = join(work, s.name);
  const proxy = join(dir, 'proxy');
  const main = join(dir, 'src', 'main');
  let gosum = '';
  for (const [key, f] of s.mods) {
    const at = key.lastIndexOf('@');
    const path = key.slice(0, at);
    const version = key.slice(at + 1);
    const text = goModText(f, path);
    write(join(proxy, path, '@v', `${version}.mod`), text);
    write(join(proxy, path, '@v', `${version}.info`), JSON.stringify({ Version: version, Time: '2024-01-01T00:00:00Z' }));
    gosum += `${path} ${version}/go.mod ${goModHash(text)}\n`;
  }
  for (const [d, f] of s.dirs) write(join(main, d, 'go.mod'), goModText(f, 'example.com/local'));
  write(join(main, 'go.mod'), goModText(s.main, 'example.com/main'));
  write(join(main, 'go.sum'), gosum);
  const modcache = join(dir, 'modcache');
  const r = spawnSync(goBinary('1.23'), ['list', '-m', 'all'], {
    cwd: main,
    encoding: 'utf8',
    timeout: GO_TIMEOUT_MS,
    env: hermeticGoEnv({
      GOPROXY: `file://${proxy}`,
      GOMODCACHE: modcache,
      GOPATH: join(dir, 'gopath'),
      GOCACHE: join(dir, 'gocache'),
      // readonly is go list's default; leaving -mod unset keeps cmd/go's plain error wording.
      GOFLAGS: s.mode === 'mod' ? '-mod=mod' : '',
    }),
  });
  const download = join(modcache, 'cache', 'download');
  let mods: string[] = [];
  try {
    mods = cachedMods(download);
  } catch {
    // nothing downloaded
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, mods };
}

// The proxy's "not found" wording is the proxy's own; compare the rest.
const scenarios = parseScenarios(SCENARIOS).filter((s) => s.name !== 'missing-go-mod');

describe('scenarios agree with go list -m all (go 1.23)', () => {
  test.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const got = runGoListMAll(s);
    if (s.error !== undefined) {
      expect(got.status, `go list -m all exited ${got.status}, want failure; stdout:\n${got.stdout}`).not.toBe(0);
      expect(got.stderr).toContain(`go: ${s.error}`);
      return;
    }
    expect(got.status, `go list -m all failed:\n${got.stderr}`).toBe(0);
    const plan = await resolvePlan(s.main, scenarioSource(s), { mode: s.mode });
    expect(formatListMAll(plan)).toBe(got.stdout);
    const want = new Set(plan.loaded.map((m) => `${m.path}@${m.version}`));
    for (const m of plan.buildList.slice(1)) {
      if (m.replace === undefined) want.add(`${m.path}@${m.version}`);
      else if (!('dir' in m.replace)) want.add(`${m.replace.path}@${m.replace.version}`);
    }
    expect([...want].sort().join(' ')).toBe(got.mods.join(' '));
  });
});
