/**
 * The values of `gobundle pack --toolchain`: `auto`, or a toolchain in any
 * of the spellings the go command accepts for it — go1.22.12, 1.22.12,
 * go@1.22.12, toolchain@go1.22.12 (in cmd/go the paths "go" and "toolchain"
 * stand for golang.org/toolchain, modfetch.Lookup, and toolchainRepo.Stat
 * accepts versions with or without "go").
 */
import { UsageError } from '../errors.js';
import { fromToolchain, isLang, isValid } from './gover.js';
import { parsePlatform, type Platform } from './dlVersion.js';

export type ToolchainArg = { auto: true } | { auto: false; toolchain: string };

/** One --toolchain value (a comma-separated list is split by the caller). */
export function parseToolchainArg(text: string, command = 'pack'): ToolchainArg {
  const value = text.trim();
  if (value === 'auto') return { auto: true };
  let rest = value;
  for (const path of ['go@', 'toolchain@']) if (rest.startsWith(path)) rest = rest.slice(path.length);
  const name = isValid(rest) ? `go${rest}` : rest;
  const v = fromToolchain(name);
  if (v === '') {
    throw new UsageError(`${command}: --toolchain ${JSON.stringify(text)}: not a Go toolchain`, {
      hint: 'name a release such as go1.22.12 (also 1.22.12, go@1.22.12, toolchain@go1.22.12), or auto',
    });
  }
  if (isLang(v)) {
    // toolchain/select.go Exec: "is a language version but not a toolchain version".
    throw new UsageError(
      `${command}: --toolchain ${JSON.stringify(text)}: go${v} is a language version but not a toolchain version (go${v}.x)`,
      {
        hint: `name a release, e.g. go${v}.0`,
      },
    );
  }
  return { auto: false, toolchain: name };
}

/** A comma-separated --toolchain list. */
export function parseToolchainArgs(text: string, command = 'pack'): ToolchainArg[] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => parseToolchainArg(s, command));
}

/** A comma-separated --platform list of goos/goarch. */
export function parsePlatformArgs(text: string, command = 'pack'): Platform[] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => {
      const p = parsePlatform(s.trim());
      if (p === undefined)
        throw new UsageError(`${command}: --platform ${JSON.stringify(s)}: want goos/goarch, e.g. linux/amd64 or darwin/arm64`);
      return p;
    });
}
