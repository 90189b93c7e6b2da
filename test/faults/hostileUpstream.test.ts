/**
 * A hostile upstream (test/upstream's body faults, switched live): a body
 * cut short with no Content-Length, a Content-Length that promises more
 * than comes, an HTML error page with status 200, a go.mod or zip past
 * cmd/go's size limits, plus a hang mid-body and a reset. Each is detected
 * by size, hash or format, retried or failed clearly naming the module and
 * URL, and never bundled. The checksum database of the test upstream is
 * on, as it is for a real pack, so a damaged file cannot pass as genuine.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../cli/runCli.js';
import { fixtureModules, packEnv, repoRoot, tempDir } from '../pack/packHarness.js';
import { startUpstream, type Faults, type Upstream } from '../upstream/server.js';

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream({ modules: [fixtureModules] });
}, 120_000);
afterAll(async () => {
  await upstream?.stop();
});

const hello = join(repoRoot, 'samples', 'hello');
const G = '/example.com/greeting/@v/v1.1.0';

/** [name, faults, what stderr must say (each fragment, in order)] */
const M = 'gobundle: example.com/greeting@v1.1.0: ';
const badZip = (reason: string) => new RegExp(`^${M}invalid module zip \\S+/cache/tmp/\\d+-[0-9a-f]+: ${reason}\n$`);
const closed = (url: string, file: string) =>
  `${M}reading ${url}${G}.${file}: connection closed by the server (gave up after 4 attempts)\nhint: the proxy ${url} was named by GOPROXY (from the environment); `;

/**
 * A damaged go.mod is a checksum mismatch before it is a go.mod that does not
 * parse, as with the go command (which says, for these two, `verifying
 * go.mod: checksum mismatch` with the same two hashes).
 */
const modMismatch = (downloaded: string) =>
  'gobundle: verifying example.com/greeting@v1.1.0/go.mod: checksum mismatch\n' +
  `\tdownloaded: ${downloaded}\n` +
  '\tgobundle.test: h1:8CLKfGjqdJNXRpBznlr7iO8dyI9y1F6BjBZYhWSoXw4=\n\n' +
  'SECURITY ERROR\nThis download does NOT match the one reported by the checksum server or recorded in go.sum.\n' +
  'The bits may have been replaced on the origin server, or an attacker may have intercepted the download attempt.\n';

/** [name, faults, what stderr must be: a prefix (string) or a whole-message pattern] */
const cases: [string, Faults, (url: string) => string | RegExp][] = [
  // Half a go.mod still parses, declaring a shorter module path: the checksum says what happened.
  ['truncated .mod', { truncate: [`${G}.mod`] }, () => modMismatch('h1:vUsPMGpx9ZXXzECCOsOmYCW7npJTwuA16yl89n3Mgls=')],
  [
    'truncated .zip',
    { truncate: [`${G}.zip`] },
    () => badZip('end of central directory record signature not found. Either not a zip file, or file is truncated'),
  ],
  ['lying Content-Length on .mod', { lieLength: [`${G}.mod`] }, (url) => closed(url, 'mod')],
  ['lying Content-Length on .zip', { lieLength: [`${G}.zip`] }, (url) => closed(url, 'zip')],
  [
    'HTML error page with 200 for .info',
    { html200: [`${G}.info`] },
    (url) =>
      `${M}invalid response from proxy "${url}": Unexpected token '<', "<!DOCTYPE "... is not valid JSON\nhint: the proxy ${url} returned malformed JSON; report it to its operator\n`,
  ],
  ['HTML error page with 200 for .mod', { html200: [`${G}.mod`] }, () => modMismatch('h1:RZ9Ol/+yeZbY3EujKOlXxevBmLW3SgrY2ZyvfdqFIQQ=')],
  [
    'HTML error page with 200 for .zip',
    { html200: [`${G}.zip`] },
    () => badZip('end of central directory record signature not found. Either not a zip file, or file is truncated'),
  ],
  [
    'oversized .mod',
    { oversize: [`${G}.mod`] },
    (url) =>
      `${M}downloaded go.mod file too large\nhint: the go command refuses a go.mod file larger than 16777216 bytes; the proxy ${url} served a bigger one\n`,
  ],
  [
    'oversized .zip',
    { oversize: [`${G}.zip`] },
    (url) =>
      `${M}downloaded zip file too large\nhint: the go command refuses a zip file larger than 524288000 bytes; the proxy ${url} served a bigger one\n`,
  ],
];

describe('pack against a hostile upstream', () => {
  test.each(cases)('%s', { timeout: 120_000 }, async (name, faults, want) => {
    const dir = tempDir('hostile-up');
    await upstream.setFaults(faults);
    try {
      const target = join(dir, 'out.tgz');
      const res = await runCli(['pack', hello, '-o', target, '--unsigned', '--cache-dir', join(dir, 'cache'), '--quiet'], {
        cwd: dir,
        env: packEnv(upstream.url, dir, { GOSUMDB: upstream.sumdbVerifierKey }),
      });
      expect(res.code, res.stderr).toBe(1);
      const w = want(upstream.url);
      if (typeof w === 'string') expect(res.stderr.startsWith(w), `${name}: stderr\n${res.stderr}\nwant it to start with\n${w}`).toBe(true);
      else expect(res.stderr).toMatch(w);
      expect(existsSync(target), 'a bundle was written').toBe(false);
      const log = await upstream.requestLog();
      expect(
        log.some((e) => e.fault !== undefined && Object.keys(faults).includes(e.fault)),
        'the fault was not injected',
      ).toBe(true);
    } finally {
      await upstream.setFaults({});
    }
  });
});
