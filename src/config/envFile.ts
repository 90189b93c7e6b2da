/**
 * Locating and reading the go command's user configuration file, the one
 * `go env -w` writes (cmd/go cfg.EnvFile, os.UserConfigDir).
 */
import { readFile } from 'node:fs/promises';
import { posix as posixPath, win32 as win32Path } from 'node:path';
import { parseEnvFile, type ProcessEnv } from '../gomod/goenv.js';

/**
 * The user configuration directory as Go's os.UserConfigDir computes it, or
 * undefined when the variables it needs are unset: %AppData% on Windows,
 * $HOME/Library/Application Support on macOS, $home/lib on Plan 9, else
 * $XDG_CONFIG_HOME or $HOME/.config.
 */
export function userConfigDir(env: ProcessEnv, platform: string = process.platform): string | undefined {
  const nonEmpty = (key: string): string | undefined => {
    const v = env[key];
    return v === undefined || v === '' ? undefined : v;
  };
  switch (platform) {
    case 'win32':
      return nonEmpty('AppData') ?? nonEmpty('APPDATA');
    case 'darwin': {
      const home = nonEmpty('HOME');
      return home === undefined ? undefined : `${home}/Library/Application Support`;
    }
    case 'plan9': {
      const home = nonEmpty('home');
      return home === undefined ? undefined : `${home}/lib`;
    }
    default: {
      const xdg = nonEmpty('XDG_CONFIG_HOME');
      if (xdg !== undefined) return xdg;
      const home = nonEmpty('HOME');
      return home === undefined ? undefined : `${home}/.config`;
    }
  }
}

/**
 * Where the go command reads its env file: $GOENV if set (`off` disables
 * the file: undefined), else <user config dir>/go/env. Undefined too when no
 * config directory can be determined, as cmd/go then reads no file.
 */
export function envFilePath(env: ProcessEnv, platform: string = process.platform): string | undefined {
  const goenv = env.GOENV;
  if (goenv !== undefined && goenv !== '') return goenv === 'off' ? undefined : goenv;
  const dir = userConfigDir(env, platform);
  if (dir === undefined) return undefined;
  return (platform === 'win32' ? win32Path : posixPath).join(dir, 'go', 'env');
}

/**
 * Read and parse an env file. Like cmd/go, a file that cannot be read
 * (missing, unreadable, a directory) contributes nothing rather than
 * failing: a corrupt or absent env file must not make the tool unusable.
 */
export async function readEnvFile(path: string | undefined): Promise<Map<string, string>> {
  if (path === undefined) return new Map();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return new Map();
  }
  return parseEnvFile(text);
}
