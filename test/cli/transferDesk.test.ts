/**
 * The transfer desk, end to end in-process: pack the fixture project
 * `transfer` from the test upstream with the fixture vulnerability database
 * (test/fixtures/vulndb, served on 127.0.0.1:0), then audit, sbom, verify and
 * serve the bundle with the upstream and the database stopped.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseManifest, type Manifest } from '../../src/bundle/manifest.js';
import { openBundle } from '../../src/bundle/reader.js';
import { serveCommand } from '../../src/cli/serve.js';
import { validateSbomJson } from '../../src/sbom/buildSbom.js';
import { packEnv } from '../pack/packHarness.js';
import { startUpstream, type Upstream } from '../upstream/server.js';
import { fixtureVulnDbDir, startVulnDbServer, type VulnDbServer } from '../upstream/vulndbServer.js';
import { runCli } from './runCli.js';

const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'gobundle-transfer-'));
const project = join(root, 'test', 'fixtures', 'projects', 'transfer');
let upstream: Upstream | undefined;
let vulndb: VulnDbServer | undefined;
let manifest: Manifest;
let failedPack: { code: number; stdout: string; stderr: string; url: string };

const fixture = (p: string): Buffer => readFileSync(join(fixtureVulnDbDir, p));
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...packEnv(upstream?.url ?? 'off', work, extra),
  GOBUNDLE_CACHE: join(work, 'cache'),
});

async function mustCli(args: string[], e: NodeJS.ProcessEnv = env()): Promise<string> {
  const r = await runCli(args, { cwd: work, env: e });
  if (r.code !== 0) throw new Error(`gobundle ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  upstream = await startUpstream({ modules: [join(root, 'test', 'fixtures', 'modules')] });
  vulndb = await startVulnDbServer();
  await mustCli(['keygen', 'team', '--out-dir', work]);
  await mustCli(['pack', project, '-o', 'transfer.tgz', '--sign-key', 'team.key', '--quiet'], env({ GOVULNDB: vulndb.url }));
  await mustCli([
    'pack',
    join(root, 'test', 'fixtures', 'projects', 'v2'),
    '-o',
    'clean.tgz',
    '--sign-key',
    'team.key',
    '--quiet',
    '--vulndb',
    vulndb.url,
  ]);
  await mustCli(['pack', project, '-o', 'novuln.tgz', '--sign-key', 'team.key', '--quiet', '--no-vulndb'], env({ GOVULNDB: vulndb.url }));
  vulndb.failWith(404, '/index/modules.json');
  failedPack = {
    ...(await runCli(['pack', project, '-o', 'failed.tgz', '--unsigned', '--quiet'], { cwd: work, env: env({ GOVULNDB: vulndb.url }) })),
    url: vulndb.url,
  };
  vulndb.failWith(undefined);
  const b = await openBundle(join(work, 'transfer.tgz'), { trust: [readFileSync(join(work, 'team.pub'), 'utf8').trim()], extract: false });
  manifest = parseManifest(b.manifestBytes);
  // From here on the bundle is all there is.
  await upstream.stop();
  upstream = undefined;
  await vulndb.stop();
}, 120_000);

afterAll(async () => {
  await upstream?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('pack carries the vulnerability data', () => {
  test('entries naming bundled modules, stdlib and toolchain, byte for byte; none for modules it does not carry', () => {
    const names = manifest.files.map((f) => f.name).filter((n) => n.startsWith('vulndb/'));
    expect(names).toEqual([
      'vulndb/ID/GO-2099-0001.json',
      'vulndb/ID/GO-2099-0002.json',
      'vulndb/ID/GO-2099-0003.json',
      'vulndb/ID/GO-2099-0004.json',
      'vulndb/ID/GO-2099-0005.json',
      'vulndb/ID/GO-2099-0007.json',
      'vulndb/index/db.json',
      'vulndb/index/modules.json',
      'vulndb/index/vulns.json',
    ]);
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    for (const id of ['0001', '0002', '0003', '0004', '0005', '0007']) {
      expect(manifest.files.find((f) => f.name === `vulndb/ID/GO-2099-${id}.json`)?.sha256).toBe(sha(fixture(`ID/GO-2099-${id}.json`)));
    }
  });

  test('a database that fails stops pack with its URL and the way out; nothing is written', () => {
    const u = failedPack.url;
    expect(failedPack).toEqual({
      code: 1,
      stdout: '',
      url: u,
      stderr:
        `gobundle: vulnerability database ${u}: reading ${u}/index/modules.json: 404 Not Found\n\tserver response: injected 404\n` +
        'hint: GOVULNDB (from the environment) names it; point GOVULNDB or --vulndb <url> at a reachable copy of the Go vulnerability database, or pass --no-vulndb to pack without vulnerability data\n',
    });
    expect(existsSync(join(work, 'failed.tgz'))).toBe(false);
  });

  test('--no-vulndb carries none, and a database that fails names its URL and the way out', async () => {
    const b = await openBundle(join(work, 'novuln.tgz'), { trust: [readFileSync(join(work, 'team.pub'), 'utf8').trim()], extract: false });
    expect([...b.files.keys()].filter((n) => n.startsWith('vulndb/'))).toEqual([]);
    const r = await runCli(['pack', project, '-o', 'x.tgz', '--unsigned', '--quiet', '--vulndb', 'ftp://example.com/db'], {
      cwd: work,
      env: env(),
    });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'gobundle: pack: --vulndb "ftp://example.com/db": want an http, https or file URL\nhint: or pass --no-vulndb to pack without vulnerability data\n',
    });
  });
});

describe('gobundle audit', () => {
  test('text: each affecting entry with aliases, summary and fix; exit 1', async () => {
    const r = await runCli(['audit', 'transfer.tgz', '--trust', 'team.pub'], { cwd: work, env: env() });
    expect(r).toEqual({
      code: 1,
      stdout:
        'example.com/greeting@v1.1.0: GO-2099-0001 (CVE-2099-1001, GHSA-test-0001-aaaa): Hello greets the wrong world in example.com/greeting; fixed in v1.2.0\n' +
        'example.com/incompat@v2.0.0+incompatible: GO-2099-0003 (CVE-2099-1003): Major is off by one in example.com/incompat; fixed in v2.0.1\n' +
        '2 known vulnerabilities affect 2 of 10 module versions (vulnerability data of 2099-01-10T00:00:00Z)\n',
      stderr: 'gobundle: audit: 2 known vulnerabilities affect 2 module versions\n',
    });
  });

  test('--json', async () => {
    const r = await runCli(['audit', 'transfer.tgz', '--trust', 'team.pub', '--json'], { cwd: work, env: env() });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      modules: 10,
      databaseModified: '2099-01-10T00:00:00Z',
      findings: [
        {
          path: 'example.com/greeting',
          version: 'v1.1.0',
          id: 'GO-2099-0001',
          aliases: ['CVE-2099-1001', 'GHSA-test-0001-aaaa'],
          summary: 'Hello greets the wrong world in example.com/greeting',
          fixed: 'v1.2.0',
        },
        {
          path: 'example.com/incompat',
          version: 'v2.0.0+incompatible',
          id: 'GO-2099-0003',
          aliases: ['CVE-2099-1003'],
          summary: 'Major is off by one in example.com/incompat',
          fixed: 'v2.0.1',
        },
      ],
    });
  });

  test.each([
    // Only stdlib (2099-01-05) and toolchain (2099-01-08) entries are carried for it.
    [
      'nothing affects it: exit 0',
      ['audit', 'clean.tgz', '--trust', 'team.pub'],
      {
        code: 0,
        stdout: 'no known vulnerabilities affect the 2 module versions (vulnerability data of 2099-01-08T00:00:00Z)\n',
        stderr: '',
      },
    ],
    [
      'no vulnerability data: exit 1',
      ['audit', 'novuln.tgz', '--trust', 'team.pub'],
      {
        code: 1,
        stdout: '',
        stderr:
          'gobundle: audit: novuln.tgz carries no vulnerability data\nhint: pack it again without --no-vulndb (and with GOVULNDB not off)\n',
      },
    ],
    [
      'no trust: exit 2',
      ['audit', 'transfer.tgz'],
      {
        code: 2,
        stdout: '',
        stderr: 'gobundle: audit: no --trust key given\nhint: pass --trust <signer>.pub (or --allow-unsigned for an unsigned bundle)\n',
      },
    ],
  ])('%s', async (_name, args, want) => {
    expect(await runCli(args, { cwd: work, env: env() })).toEqual(want);
  });
});

describe('gobundle verify', () => {
  test('a tampered vulnerability entry is refused, named', async () => {
    const cache = join(work, 'extract');
    const b = await openBundle(join(work, 'transfer.tgz'), {
      trust: [readFileSync(join(work, 'team.pub'), 'utf8').trim()],
      cacheRoot: cache,
    });
    const file = join(b.dir as string, 'vulndb/ID/GO-2099-0001.json');
    const original = readFileSync(file);
    const tampered = Buffer.from(original.toString('utf8').replace('"introduced":"1.1.0"', '"introduced":"1.9.0"'));
    writeFileSync(file, tampered);
    const r = await runCli(['verify', b.dir as string, '--trust', 'team.pub'], { cwd: work, env: env() });
    const want = manifest.files.find((f) => f.name === 'vulndb/ID/GO-2099-0001.json')?.sha256;
    const got = createHash('sha256').update(tampered).digest('hex');
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `gobundle: ${b.dir}: vulndb/ID/GO-2099-0001.json: sha256 mismatch: manifest ${want}, content ${got}\ngobundle: verify: 1 problem in 1 bundle\n`,
    });
    writeFileSync(file, original);
  });
});

describe('gobundle sbom', () => {
  test('validates against the CycloneDX 1.6 schema; one component per build-list module; licences; edges', async () => {
    await mustCli(['sbom', 'transfer.tgz', '--trust', 'team.pub', '-o', 'sbom.json']);
    const text = readFileSync(join(work, 'sbom.json'), 'utf8');
    expect(await validateSbomJson(text)).toBeNull();
    const doc = JSON.parse(text) as {
      specVersion: string;
      metadata: { component: { name: string }; properties: { name: string; value: string }[] };
      components: {
        name: string;
        version: string;
        purl: string;
        hashes: { alg: string; content: string }[];
        licenses?: { license: { id: string } }[];
        properties: { name: string; value: string }[];
      }[];
      dependencies: { ref: string; dependsOn?: string[] }[];
    };
    expect(doc.specVersion).toBe('1.6');
    const buildList = manifest.modules.filter((m) => m.zipH1 !== null);
    expect(doc.components.map((c) => `${c.name}@${c.version}`).sort()).toEqual(buildList.map((m) => `${m.path}@${m.version}`).sort());
    const licences = Object.fromEntries(doc.components.map((c) => [c.name, (c.licenses ?? []).map((l) => l.license.id)]));
    expect(licences).toMatchObject({
      'example.com/licensed/mit': ['MIT'],
      'example.com/licensed/bsd': ['BSD-3-Clause'],
      'example.com/licensed/apache': ['Apache-2.0'],
      'example.com/greeting': [],
    });
    const greeting = doc.components.find((c) => c.name === 'example.com/greeting');
    expect(greeting?.properties).toContainEqual({ name: 'gobundle:licenseFile', value: 'LICENSE: no match' });
    const zip = manifest.files.find((f) => f.name === 'example.com/greeting/@v/v1.1.0.zip');
    expect(greeting?.hashes).toEqual([{ alg: 'SHA-256', content: zip?.sha256 }]);
    expect(greeting?.properties).toContainEqual({
      name: 'gobundle:h1',
      value: manifest.modules.find((m) => m.path === 'example.com/greeting')?.zipH1,
    });
    // prune/b requires c v1.0.0 (go.mod-only) and d: the edge goes to the c that is built, v1.2.0.
    expect(doc.dependencies.find((d) => d.ref === 'pkg:golang/example.com/prune/b@v1.0.0')?.dependsOn).toEqual([
      'pkg:golang/example.com/prune/c@v1.2.0',
      'pkg:golang/example.com/prune/d@v1.0.0',
    ]);
    expect(doc.metadata.component.name).toBe('example.com/project/transfer');
    expect(doc.metadata.properties).toContainEqual({ name: 'gobundle:signer', value: 'team' });
    expect(doc.metadata.properties).toContainEqual({ name: 'gobundle:goModOnly', value: 'example.com/prune/c@v1.0.0' });
  });
});

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _e, cb) {
        chunks.push(Buffer.from(chunk));
        cb();
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

describe('gobundle serve /vulndb/', () => {
  test('serves the carried files as .json and .json.gz, exactly; layered bundles as one merged index', async () => {
    const out = sink();
    const err = sink();
    const stop = new AbortController();
    const done = serveCommand(
      ['transfer.tgz'],
      {
        listen: '127.0.0.1:0',
        trust: ['team.pub'],
        basePath: '/',
        logFormat: 'text',
        accessLog: false,
        cacheDir: join(work, 'serve-cache'),
      },
      { stdout: out.stream, stderr: err.stream, env: env(), cwd: work },
      stop.signal,
    );
    const deadline = Date.now() + 20_000;
    while (!out.text().includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const url = /^listening on (\S+)\n$/.exec(out.text())?.[1];
    expect(url, err.text()).toBeDefined();
    try {
      for (const id of ['GO-2099-0001', 'GO-2099-0004', 'GO-2099-0007']) {
        const json = await fetch(`${url}/vulndb/ID/${id}.json`);
        expect(json.status).toBe(200);
        expect(Buffer.from(await json.arrayBuffer())).toEqual(fixture(`ID/${id}.json`));
        const gz = await fetch(`${url}/vulndb/ID/${id}.json.gz`, { headers: { 'accept-encoding': 'identity' } });
        expect(gz.headers.get('content-type')).toBe('application/gzip');
        expect(gunzipSync(Buffer.from(await gz.arrayBuffer()))).toEqual(fixture(`ID/${id}.json`));
      }
      const modules = JSON.parse(await (await fetch(`${url}/vulndb/index/modules.json`)).text()) as { path: string }[];
      expect(modules.map((m) => m.path)).toEqual([
        'example.com/Upper/Mod',
        'example.com/greeting',
        'example.com/incompat',
        'stdlib',
        'toolchain',
      ]);
      expect(await (await fetch(`${url}/vulndb/index/db.json`)).text()).toBe('{"modified":"2099-01-10T00:00:00Z"}');
      const missing = await fetch(`${url}/vulndb/ID/GO-2099-0006.json`);
      expect([missing.status, await missing.text()]).toEqual([
        404,
        'vulnerability database: ID/GO-2099-0006.json: not in the served bundles\n',
      ]);
    } finally {
      stop.abort();
      await done;
    }
    // Layered: both bundles carry the stdlib and toolchain entries; one database is served, its index rebuilt.
    const out2 = sink();
    const stop2 = new AbortController();
    const done2 = serveCommand(
      ['transfer.tgz', 'clean.tgz'],
      {
        listen: '127.0.0.1:0',
        trust: ['team.pub'],
        basePath: '/',
        logFormat: 'text',
        accessLog: false,
        cacheDir: join(work, 'serve-cache'),
      },
      { stdout: out2.stream, stderr: sink().stream, env: env(), cwd: work },
      stop2.signal,
    );
    const deadline2 = Date.now() + 20_000;
    while (!out2.text().includes('\n') && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 20));
    const url2 = /^listening on (\S+)\n$/.exec(out2.text())?.[1];
    try {
      const vulns = JSON.parse(await (await fetch(`${url2}/vulndb/index/vulns.json`)).text()) as { id: string }[];
      expect(vulns.map((v) => v.id)).toEqual([
        'GO-2099-0001',
        'GO-2099-0002',
        'GO-2099-0003',
        'GO-2099-0004',
        'GO-2099-0005',
        'GO-2099-0007',
      ]);
      expect(await (await fetch(`${url2}/vulndb/index/db.json`)).text()).toBe('{"modified":"2099-01-10T00:00:00Z"}');
      expect(Buffer.from(await (await fetch(`${url2}/vulndb/ID/GO-2099-0004.json`)).arrayBuffer())).toEqual(
        fixture('ID/GO-2099-0004.json'),
      );
    } finally {
      stop2.abort();
      await done2;
    }
  }, 60_000);
});
