/**
 * Where gobundle keeps its download cache: $GOBUNDLE_CACHE, else the user
 * cache directory (Go's os.UserCacheDir rules) + "/gobundle".
 */
import { join } from 'node:path';
import { GobundleError } from '../errors.js';
import { ErrorCode } from '../errorCodes.js';

export const CACHE_DIR_NAME = 'gobundle';

/** No cache directory can be derived from the environment ($HOME and the like unset or relative). */
export class CacheDirError extends GobundleError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(ErrorCode.CACHEDIR, message, options);
  }
}

/** os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache, ~/Library/Caches on darwin, %LocalAppData% on windows. */
export function userCacheDir(env: Readonly<Record<string, string | undefined>>, platform: string = process.platform): string {
  const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
  if (platform === 'win32') {
    const dir = nonEmpty(env.LocalAppData) ?? nonEmpty(env.LOCALAPPDATA);
    if (dir === undefined) throw new CacheDirError('%LocalAppData% is not defined', { hint: 'set GOBUNDLE_CACHE or pass --cache-dir' });
    return dir;
  }
  const home = nonEmpty(env.HOME);
  if (platform === 'darwin') {
    if (home === undefined) throw new CacheDirError('$HOME is not defined', { hint: 'set GOBUNDLE_CACHE or pass --cache-dir' });
    return join(home, 'Library', 'Caches');
  }
  const xdg = nonEmpty(env.XDG_CACHE_HOME);
  if (xdg !== undefined) {
    if (!xdg.startsWith('/'))
      throw new CacheDirError('path in $XDG_CACHE_HOME is relative', {
        hint: 'set GOBUNDLE_CACHE or pass --cache-dir',
      });
    return xdg;
  }
  if (home === undefined)
    throw new CacheDirError('neither $XDG_CACHE_HOME nor $HOME are defined', {
      hint: 'set GOBUNDLE_CACHE or pass --cache-dir',
    });
  return join(home, '.cache');
}

/** The cache directory for a run: an explicit --cache-dir, else $GOBUNDLE_CACHE, else userCacheDir()/gobundle. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>, platform: string = process.platform): string {
  const fromEnv = env.GOBUNDLE_CACHE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return join(userCacheDir(env, platform), CACHE_DIR_NAME);
}
