/**
 * lazyVcsSource: the direct source is only made when a module is first
 * fetched directly, so a pack that never goes direct neither loads vcs/
 * nor reads GOVCS (the go command too reads GOVCS on first use).
 */
import { describe, expect, test } from 'vitest';
import { GobundleError } from '../../src/errors.js';
import { HttpTransport } from '../../src/network/httpTransport.js';
import { lazyVcsSource } from '../../src/vcs/lazyVcsSource.js';

describe('lazyVcsSource', () => {
  test('a malformed GOVCS is reported by the first direct fetch, not when the source is made, and by every one after', async () => {
    const transport = new HttpTransport({ retry: { attempts: 1 } });
    try {
      const direct = lazyVcsSource({
        env: { GOPRIVATE: '', GOINSECURE: '', GOVCS: 'private' },
        processEnv: {},
        cacheDir: '/nonexistent',
        transport,
      });
      await direct.close(); // nothing made yet: nothing to close, no error
      for (const call of [() => direct.list('example.com/m'), () => direct.mod('example.com/m', 'v1.0.0')]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(GobundleError);
        expect((err as Error).message).toBe('malformed entry in GOVCS (missing colon): "private"');
      }
    } finally {
      await transport.close();
    }
  });
});
