import { describe, expect, test } from 'vitest';
import { defaultCacheDir } from '../../src/cache/cacheDir.js';

describe('defaultCacheDir', () => {
  test.each<[string, Record<string, string>, string, string]>([
    ['GOBUNDLE_CACHE wins', { GOBUNDLE_CACHE: '/x/c', HOME: '/h', XDG_CACHE_HOME: '/xdg' }, 'linux', '/x/c'],
    ['XDG_CACHE_HOME', { HOME: '/h', XDG_CACHE_HOME: '/xdg' }, 'linux', '/xdg/gobundle'],
    ['~/.cache', { HOME: '/h' }, 'linux', '/h/.cache/gobundle'],
    ['empty GOBUNDLE_CACHE is unset', { GOBUNDLE_CACHE: '', HOME: '/h' }, 'linux', '/h/.cache/gobundle'],
    ['darwin', { HOME: '/Users/u', XDG_CACHE_HOME: '/xdg' }, 'darwin', '/Users/u/Library/Caches/gobundle'],
    ['windows', { LocalAppData: 'C:/Users/u/AppData/Local' }, 'win32', 'C:/Users/u/AppData/Local/gobundle'],
  ])('%s', (_name, env, platform, want) => {
    const got = defaultCacheDir(env, platform);
    expect(got, `defaultCacheDir(${JSON.stringify(env)}, ${platform}) = ${got}, want ${want}`).toBe(want);
  });

  test('relative XDG_CACHE_HOME is an error', () => {
    expect(() => defaultCacheDir({ XDG_CACHE_HOME: 'rel', HOME: '/h' }, 'linux')).toThrow('path in $XDG_CACHE_HOME is relative');
  });
});
