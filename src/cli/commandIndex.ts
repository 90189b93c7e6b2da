/**
 * What every command is called and what it does, in one table the top-level
 * help and each command's own definition both read. The help lists commands
 * from here without loading them (a command's file pulls in what it runs:
 * undici, express, the CycloneDX library…), so `gobundle --help` and
 * `--version` start as fast as commander itself.
 */
import type { Command } from 'commander';

export interface CommandInfo {
  name: string;
  aliases: readonly string[];
  /** The arguments as the help shows them, e.g. `[gomod...]` (the command declares them). */
  args: string;
  description: string;
}

export const COMMAND_INFO: readonly CommandInfo[] = [
  {
    name: 'plan',
    aliases: [],
    args: '[gomod]',
    description: 'resolve the module graph like the go command and print what a bundle will carry (text: exactly `go list -m all`)',
  },
  {
    name: 'pack',
    aliases: ['bundle'],
    args: '[gomod...]',
    description: 'resolve the module graph through GOPROXY, verify every file, and write a signed bundle laid out as a GOPROXY tree',
  },
  {
    name: 'keygen',
    aliases: [],
    args: '<name>',
    description: 'generate a bundle signing key pair in the Go signed-note format: <name>.key (secret, mode 0600) and <name>.pub',
  },
  {
    name: 'serve',
    aliases: [],
    args: '[bundles...]',
    description: 'serve verified bundles as a read-only GOPROXY (default 127.0.0.1:8080; --listen 0.0.0.0:8080 to expose it)',
  },
  {
    name: 'verify',
    aliases: [],
    args: '<bundles...>',
    description: 'check bundles (signature, every file, safe names) without serving them; exit 1 naming every problem',
  },
  {
    name: 'sbom',
    aliases: [],
    args: '<bundle>',
    description:
      'verify a bundle and write its software bill of materials (CycloneDX 1.6 JSON): modules, hashes, licences, dependencies, signer',
  },
  {
    name: 'audit',
    aliases: [],
    args: '<bundle>',
    description:
      "list the known vulnerabilities (from the bundle's own vulnerability data) that affect its module versions; exit 1 when any do",
  },
  {
    name: 'ls',
    aliases: [],
    args: '<bundle>',
    description:
      'show what a bundle holds: module versions and sizes, inputs, signer, creation time, parents (reads the manifest only; verify checks the files)',
  },
  {
    name: 'diff',
    aliases: [],
    args: '<old> <new>',
    description: 'compare the module versions of two bundles: added, removed, upgraded, downgraded',
  },
  {
    name: 'export',
    aliases: [],
    args: '<bundles...>',
    description:
      'write verified bundles as a static GOPROXY tree (with the checksum-database replay) for nginx, S3 or a CDN, or as Athens disk storage',
  },
  {
    name: 'wants',
    aliases: [],
    args: '<source>',
    description: 'write what the inside asked serve for and its bundles lack, as a list for gobundle pack --from-list',
  },
  {
    name: 'passwd',
    aliases: [],
    args: '<file> <name>',
    description: 'add or replace a user (password from stdin, or prompted) or a bearer token in a serve --auth file',
  },
  {
    name: 'doctor',
    aliases: [],
    args: '[gomod]',
    description:
      'check what pack needs from here: the Go settings and where each came from, their traps, where each module is routed, and how every proxy, checksum database and vulnerability database answers (read-only; exit 0 when pack would work, 1 when not)',
  },
];

/** The command a name or alias on the command line stands for, if any. */
export function commandNamed(name: string): CommandInfo | undefined {
  return COMMAND_INFO.find((c) => c.name === name || c.aliases.includes(name));
}

/** Start a command's definition from its table entry: name, aliases, description. */
export function declareCommand(program: Command, name: string): Command {
  const info = commandNamed(name);
  if (info === undefined || info.name !== name) throw new Error(`no command ${name} in COMMAND_INFO`);
  return program
    .command(info.name)
    .aliases([...info.aliases])
    .description(info.description);
}

/** How the top-level help names a command: `pack|bundle [options] [gomod...]`. */
export function helpTerm(info: CommandInfo): string {
  return `${[info.name, ...info.aliases.slice(0, 1)].join('|')} [options]${info.args === '' ? '' : ` ${info.args}`}`;
}
