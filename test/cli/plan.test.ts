/**
 * `gobundle plan` as a user meets it when something is wrong: exit codes
 * and messages a person can act on. (Agreement with `go list -m all` is in
 * test/e2e.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './runCli.js';

function project(goMod: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gobundle-plan-'));
  writeFileSync(join(dir, 'go.mod'), goMod);
  return dir;
}

describe('gobundle plan errors', () => {
  test('an unknown option is a usage error (exit 2)', async () => {
    const r = await runCli(['plan', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
  });

  test('an unknown command is a usage error (exit 2)', async () => {
    const r = await runCli(['plna']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'plna'");
  });

  test('a missing go.mod names the path and what to do (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gobundle-plan-'));
    const r = await runCli(['plan', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `gobundle: ${join(dir, 'go.mod')}: no such file\n` +
        'hint: run gobundle in a Go module (a directory with a go.mod), or pass its path\n',
    );
  });

  test('a path that is neither a go.mod nor a directory is refused', async () => {
    const dir = project('module example.com/m\n');
    writeFileSync(join(dir, 'other.txt'), '');
    const r = await runCli(['plan', join(dir, 'other.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'other.txt')}: not a go.mod or go.work file`);
  });

  test('a bad go.mod reports file:line:col and what is wrong', async () => {
    const dir = project('module example.com/m\n\ngo 1.21\n\nrequire example.com/x\n');
    const r = await runCli(['plan', dir], { env: { GOENV: 'off', GOPROXY: 'off' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^gobundle: ${join(dir, 'go.mod').replace(/[.]/g, '\\.')}:5:\\d+: usage: require module/path v1\\.2\\.3\\n`),
    );
  });

  test("GOPROXY=off stops with the go command's message", async () => {
    const dir = project('module example.com/m\n\ngo 1.21\n\nrequire example.com/x v1.0.0\n');
    const r = await runCli(['plan', dir], { env: { GOENV: 'off', GOPROXY: 'off', GOFLAGS: '-mod=mod' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('module lookup disabled by GOPROXY=off');
  });

  test('a malformed GOPROXY is reported as such', async () => {
    const dir = project('module example.com/m\n\ngo 1.21\n');
    const r = await runCli(['plan', dir], { env: { GOENV: 'off', GOPROXY: ',' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GOPROXY');
  });

  test('a module with no requirements plans just itself', async () => {
    const dir = project('module example.com/m\n\ngo 1.21\n');
    const r = await runCli(['plan', dir], { env: { GOENV: 'off', GOPROXY: 'off' } });
    expect(r).toEqual({ code: 0, stdout: 'example.com/m\n', stderr: '' });
    const j = await runCli(['plan', '--json', dir], { env: { GOENV: 'off', GOPROXY: 'off' } });
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({ buildList: [{ path: 'example.com/m', version: '' }], files: [] });
  });
});
