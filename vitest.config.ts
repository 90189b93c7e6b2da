import { defineConfig } from 'vitest/config';

// Vitest's 5 s default test timeout fails CPU-heavy tests (the CycloneDX
// schema check, in-process packs) on a loaded 2-core machine; they are not
// timing tests. Tests that wait on servers or the go command set their own.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
