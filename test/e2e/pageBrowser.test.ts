/// <reference lib="dom" />
/**
 * serve's page in a real browser: Debian's chromium, driven by
 * playwright-core (executablePath, never a downloaded browser), reads a
 * serve of a bundle packed from the test upstream with the fixture
 * vulnerability database and a licensed module. Without a mouse: `/`
 * focuses the search, typing searches, arrow keys and Enter open a module,
 * its vulnerability opens from the keyboard, the settings are copied with
 * the keyboard. GOBUNDLE_SCREENSHOTS=<dir> also writes the README's
 * screenshots (desktop and phone widths). Needs dist/ (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../../src/bundle/manifest.js';
import { unescapePath } from '../../src/gomod/modulePath.js';
import { buildCatalog, buildModuleDetail, type CatalogBundle } from '../../src/page/catalog.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from '../../src/page/pageAssets.js';
import { hermeticGoEnv } from '../support/gotool.js';
import { startServeProcess, type ServeProcess } from '../support/serveProcess.js';
import { startUpstream } from '../upstream/server.js';
import { fixtureVulnDbDir } from '../upstream/vulndbServer.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'gobundle');
const work = mkdtempSync(join(tmpdir(), 'gobundle-page-e2e-'));
export const CHROMIUM = process.env.GOBUNDLE_CHROMIUM ?? '/usr/bin/chromium';
let serve: ServeProcess;
let browser: Browser;

function mustGobundle(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`gobundle ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  if (!existsSync(CHROMIUM))
    throw new Error(`chromium not found at ${CHROMIUM}: install Debian's chromium (see .ci/run) or set GOBUNDLE_CHROMIUM`);
  const upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
  const env = hermeticGoEnv({
    GOPROXY: upstream.url,
    GOSUMDB: upstream.sumdbVerifierKey,
    HOME: work,
    GOBUNDLE_CACHE: join(work, 'pack-cache'),
  });
  writeFileSync(join(work, 'wants.txt'), '# gobundle wants\nexample.com/licensed/mit@v1.0.0\n');
  mustGobundle(['keygen', 'team', '--out-dir', work], env);
  mustGobundle(
    ['pack', join(root, 'samples', 'hello'), '--from-list', 'wants.txt', '-o', 'week1.tgz', '--sign-key', 'team.key', '--quiet'].concat([
      '--vulndb',
      `file://${fixtureVulnDbDir}`,
    ]),
    env,
  );
  await upstream.stop();
  serve = await startServeProcess(
    [
      'week1.tgz',
      '--trust',
      'team.pub',
      '--listen',
      '127.0.0.1:0',
      '--cache-dir',
      join(work, 'cache'),
      '--sumdb-key',
      upstream.sumdbVerifierKey,
    ],
    { cwd: work, env: hermeticGoEnv({ HOME: work }), timeoutMs: 60_000 },
  );
  // A miss for the page to show.
  await (await fetch(`${serve.url}/example.com/newlib/@v/v1.4.0.info`)).arrayBuffer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run'].concat([
      '--disable-component-update',
      '--disable-sync',
    ]),
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (serve !== undefined && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('the page in chromium, without a mouse', () => {
  test('search, open a module, read a vulnerability, see the licence and the misses, copy the settings', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: serve.url });
    const page = await context.newPage();
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(serve.url)) outside.push(r.url());
    });
    await page.goto(`${serve.url}/`);
    await page.waitForSelector('#count');
    expect(await page.textContent('#count')).toBe('3 of 3 modules (3 versions)');
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    await page.keyboard.type('greet');
    await page.waitForFunction(() => document.getElementById('count')?.textContent?.startsWith('1 of 3'));
    expect(await page.textContent('#results')).toBe('example.com/greeting1 version, v1.1.01 vulnerability');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h2.mono');
    expect(await page.textContent('h2.mono')).toBe('example.com/greeting');
    expect(await page.textContent('tbody tr')).toMatch(/^v1\.1\.0week1\.tgz \(team, \d{4}-\d\d-\d\dT[\d:]+Z\)unknownGO-2099-0001$/);
    // The vulnerability link, by keyboard.
    await page.focus('a[data-vuln="GO-2099-0001"]');
    await page.keyboard.press('Enter');
    const details = page.locator('#vuln-GO-2099-0001');
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await details.locator('dl').textContent()).toBe(
      'AliasesCVE-2099-1001, GHSA-test-0001-aaaaAffected>= v1.1.0, < v1.2.0Fixed inv1.2.0Served versions affectedv1.1.0Modified2099-01-10T00:00:00Z',
    );
    expect(await details.locator('summary').textContent()).toBe('GO-2099-0001 Hello greets the wrong world in example.com/greeting');
    if (process.env.GOBUNDLE_SCREENSHOTS)
      await page.screenshot({ path: join(process.env.GOBUNDLE_SCREENSHOTS, 'page-module-desktop.png'), fullPage: true });
    // A licensed module: the SBOM's matcher names MIT.
    await page.goto(`${serve.url}/#/module/example.com/licensed/mit`);
    // Only the hash changes, so the old view is still there until the new one replaces it: wait for the new one.
    await page.waitForFunction(() => document.querySelector('h2.mono')?.textContent === 'example.com/licensed/mit');
    expect(await page.locator('td[data-label="Licence"]').textContent()).toBe('MIT');
    // The misses.
    await page.goto(`${serve.url}/#/misses`);
    await page.waitForFunction(() => document.querySelector('tbody tr')?.textContent?.startsWith('example.com/newlib') === true);
    expect(await page.locator('tbody tr').first().textContent()).toMatch(/^example\.com\/newlibv1\.4\.0info1\d{4}-/);
    // The settings, copied with the keyboard.
    await page.focus('#nav-settings');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#settings-copy');
    await page.focus('#settings-copy');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[role="status"]')?.textContent === ' Copied.');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.split('\n').filter((l) => l.startsWith('export '))).toEqual([
      `export GOPROXY=${serve.url}`,
      'export GOSUMDB=gobundle.test+1b52a358+AeEyTpY49e6KFU3gLKAXeucUo6ndt8675L/9akH56JGg',
      'export GOFLAGS=-mod=mod   # lets go build and go test fill go.sum from the served checksum database',
    ]);
    if (process.env.GOBUNDLE_SCREENSHOTS) {
      await page.goto(`${serve.url}/`);
      await page.waitForSelector('#count');
      await page.screenshot({ path: join(process.env.GOBUNDLE_SCREENSHOTS, 'page-desktop.png') });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${serve.url}/#/module/example.com/greeting`);
      await page.waitForSelector('h2.mono');
      await page.screenshot({ path: join(process.env.GOBUNDLE_SCREENSHOTS, 'page-phone.png') });
    }
    expect(outside).toEqual([]);
    await context.close();
  }, 120_000);
});

/**
 * A served catalogue of 10,000 module versions (2,000 modules, 5 versions
 * each), the page's own assets, answered by a plain server from the pure
 * catalogue: the page loads, searches and opens a module from the keyboard
 * at that size. The times are printed, not asserted.
 */
describe('the page at 10,000 module versions', () => {
  let big: Server;
  let url = '';
  beforeAll(async () => {
    const h1 = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const modules: Manifest['modules'] = [];
    for (let i = 0; i < 2000; i++)
      for (let v = 0; v < 5; v++)
        modules.push({ path: `example.com/org${i % 40}/module-${i}`, version: `v1.${v}.0`, zipH1: h1, modH1: h1 });
    const bundles: CatalogBundle[] = [
      {
        file: 'big.tgz',
        signer: 'team',
        sha256: null,
        manifest: {
          format: 'gobundle/v1',
          tool: 'gobundle 0.1.0',
          created: '2026-01-01T00:00:00Z',
          inputs: [],
          modules,
          sumdb: null,
          files: [],
        },
      },
    ];
    const catalog = Buffer.from(JSON.stringify(buildCatalog({ bundles, vulns: [], sumdbKeys: new Map(), auth: false, misses: false })));
    big = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] as string;
      const send = (type: string, body: Buffer | string): void => {
        res.writeHead(200, { 'Content-Type': type });
        res.end(body);
      };
      if (path === '/') return send('text/html; charset=utf-8', PAGE_HTML);
      if (path === '/-/page.js') return send('text/javascript; charset=utf-8', PAGE_JS);
      if (path === '/-/page.css') return send('text/css; charset=utf-8', PAGE_CSS);
      if (path === '/-/catalog.json') return send('application/json', catalog);
      const d = /^\/-\/module\/(.+)\/@detail\.json$/.exec(path);
      const detail = d === null ? undefined : buildModuleDetail(unescapePath(decodeURIComponent(d[1] as string)), bundles, [], () => []);
      if (detail !== undefined) return send('application/json', JSON.stringify(detail));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
    const a = big.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => (big === undefined ? r() : big.close(() => r()))));

  test('loads, searches and opens a module from the keyboard; prints how long each took', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    let t = performance.now();
    await page.goto(`${url}/`);
    await page.waitForFunction(() => document.getElementById('count')?.textContent?.startsWith('2000 of 2000'));
    const load = performance.now() - t;
    expect(await page.textContent('#count')).toBe('2000 of 2000 modules (10000 versions); showing the first 200, type more to narrow');
    expect(await page.locator('#results li').count()).toBe(200);
    await page.keyboard.press('/');
    t = performance.now();
    await page.keyboard.type('module-1999');
    await page.waitForFunction(() => document.getElementById('count')?.textContent?.startsWith('1 of 2000'));
    const search = performance.now() - t;
    expect(await page.textContent('#results')).toBe('example.com/org39/module-19995 versions, v1.4.0');
    t = performance.now();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h2.mono');
    const open = performance.now() - t;
    expect(await page.textContent('h2.mono')).toBe('example.com/org39/module-1999');
    expect(await page.locator('tbody tr').count()).toBe(5);
    console.log(
      `page at 10,000 module versions (2,000 modules): loaded and listed in ${load.toFixed(0)} ms, searched (11 keystrokes) in ${search.toFixed(0)} ms, opened a module in ${open.toFixed(0)} ms`,
    );
    await context.close();
  }, 120_000);
});
