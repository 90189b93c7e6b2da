import { describe, expect, test } from 'vitest';
import { GobundleError } from '../../src/errors.js';
import {
  DEFAULT_GOROOT_ENV,
  lookupGoFlag,
  parseEnvFile,
  parseGoFlags,
  parseGoProxy,
  parseGoSumDB,
  proxiesForModule,
  redactUrl,
  resolveGoEnv,
  sumdbApplies,
  type GoSumDB,
  type ProxySpec,
} from '../../src/gomod/goenv.js';

const u = (url: string, fallBackOnError = false): ProxySpec => ({ kind: 'url', url, fallBackOnError });
const direct: ProxySpec = { kind: 'direct', fallBackOnError: false };
const off: ProxySpec = { kind: 'off', fallBackOnError: false };
const noproxy: ProxySpec = { kind: 'noproxy', fallBackOnError: false };

/** Call `fn`, returning the message of the GobundleError it throws (or failing). */
function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof GobundleError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an error, got none');
}

describe('parseGoProxy', () => {
  // Expected lists follow cmd/go modfetch/proxy.go proxyList.
  const cases: Array<{ value: string; gonoproxy?: string; want: ProxySpec[] }> = [
    { value: 'https://proxy.golang.org,direct', want: [u('https://proxy.golang.org'), direct] },
    { value: 'https://a.example|https://b.example,direct', want: [u('https://a.example', true), u('https://b.example'), direct] },
    { value: 'off', want: [off] },
    { value: 'direct', want: [direct] },
    { value: '  https://a.example  ,  direct  ', want: [u('https://a.example'), direct] },
    { value: '\thttps://a.example\n', want: [u('https://a.example')] },
    { value: 'https://a.example,,https://b.example', want: [u('https://a.example'), u('https://b.example')] },
    { value: 'https://a.example|,https://b.example', want: [u('https://a.example', true), u('https://b.example')] },
    { value: ',https://a.example', want: [u('https://a.example')] },
    { value: 'https://a.example|', want: [u('https://a.example', true)] },
    { value: 'https://a.example|direct', want: [u('https://a.example', true), direct] },
    { value: 'https://a.example|off', want: [u('https://a.example', true), off] },
    { value: 'direct,https://a.example', want: [direct] },
    { value: 'direct|https://a.example', want: [{ kind: 'direct', fallBackOnError: true }] },
    { value: 'off,https://a.example', want: [off] },
    { value: 'https://a.example,off,direct', want: [u('https://a.example'), off] },
    { value: 'proxy.example.com', want: [u('https://proxy.example.com')] },
    { value: 'localhost:3000', want: [u('https://localhost:3000')] },
    { value: 'example.com/go/proxy', want: [u('https://example.com/go/proxy')] },
    { value: 'http://127.0.0.1:8080/sub/', want: [u('http://127.0.0.1:8080/sub/')] },
    { value: 'HTTPS://Proxy.Example.com', want: [u('HTTPS://Proxy.Example.com')] },
    { value: 'https://user:secret@proxy.example.com', want: [u('https://user:secret@proxy.example.com')] },
    { value: 'file:///srv/goproxy', want: [u('file:///srv/goproxy')] },
    { value: 'file://', want: [u('file://')] },
    { value: 'https://a.example,direct', gonoproxy: 'corp.example.com', want: [noproxy, u('https://a.example'), direct] },
    { value: 'off', gonoproxy: 'corp.example.com', want: [noproxy, off] },
    { value: 'direct', gonoproxy: 'corp.example.com', want: [direct] },
    // Only the exact string "direct" suppresses noproxy.
    { value: ' direct', gonoproxy: 'corp.example.com', want: [noproxy, direct] },
  ];
  test.each(cases)('parseGoProxy($value, $gonoproxy)', ({ value, gonoproxy, want }) => {
    expect(parseGoProxy(value, gonoproxy), `parseGoProxy(${JSON.stringify(value)})`).toEqual(want);
  });

  const errors: Array<{ value: string; gonoproxy?: string; want: string }> = [
    // These messages were checked against `go mod download` with Go 1.23.
    { value: '/abs/path', want: 'invalid proxy URL missing scheme: /abs/path' },
    { value: 'foo', want: 'invalid proxy URL missing scheme: foo' },
    { value: 'DIRECT', want: 'invalid proxy URL missing scheme: DIRECT' },
    { value: ',', want: 'GOPROXY list is not the empty string, but contains no entries' },
    { value: ' , | ', want: 'GOPROXY list is not the empty string, but contains no entries' },
    { value: '', want: 'GOPROXY list is not the empty string, but contains no entries' },
    { value: ',', gonoproxy: 'corp.example.com', want: 'GOPROXY list is not the empty string, but contains no entries' },
    { value: 'ftp://x.example', want: 'invalid proxy URL scheme (must be https, http, file): ftp://x.example' },
    { value: 'file://host/x', want: 'invalid file:// proxy URL with non-path elements: file://host/x' },
    { value: 'file:/abs', want: 'invalid file:// proxy URL with non-path elements: file:/abs' },
    { value: 'file:///srv/p?x=1', want: 'invalid file:// proxy URL with non-path elements: file:///srv/p?x=1' },
    { value: 'file:///srv/p#frag', want: 'invalid file:// proxy URL with non-path elements: file:///srv/p#frag' },
    { value: 'https://a.example,/abs', want: 'invalid proxy URL missing scheme: /abs' },
    { value: 'https://user:secret@a.example:port', want: 'invalid proxy URL: https://a.example:port' },
    { value: 'file:rel', want: 'invalid proxy URL: https://file:rel' },
  ];
  test.each(errors)('parseGoProxy($value) fails', ({ value, gonoproxy, want }) => {
    expect(
      errorOf(() => parseGoProxy(value, gonoproxy)),
      `parseGoProxy(${JSON.stringify(value)}) error`,
    ).toEqual({ code: 'EGOENV', message: want });
  });
});

describe('proxiesForModule', () => {
  const cases: Array<{
    goproxy: string;
    gonoproxy: string;
    source?: 'GONOPROXY' | 'GOPRIVATE';
    path: string;
    want: { path: string; specs: object[] };
  }> = [
    {
      goproxy: 'https://a.example,direct',
      gonoproxy: '',
      path: 'example.com/m',
      want: { path: 'example.com/m', specs: [u('https://a.example'), { ...direct, routedBy: 'GOPROXY' }] },
    },
    {
      goproxy: 'https://a.example,direct',
      gonoproxy: 'corp.example.com',
      path: 'example.com/m',
      want: { path: 'example.com/m', specs: [u('https://a.example'), { ...direct, routedBy: 'GOPROXY' }] },
    },
    {
      goproxy: 'https://a.example,direct',
      gonoproxy: 'corp.example.com',
      path: 'corp.example.com/x/y',
      want: { path: 'corp.example.com/x/y', specs: [{ ...direct, routedBy: 'GONOPROXY' }] },
    },
    {
      goproxy: 'https://a.example',
      gonoproxy: '*.corp.example.com',
      source: 'GOPRIVATE',
      path: 'git.corp.example.com/x',
      want: { path: 'git.corp.example.com/x', specs: [{ ...direct, routedBy: 'GOPRIVATE' }] },
    },
    // The noproxy entry fetches directly even when GOPROXY=off.
    {
      goproxy: 'off',
      gonoproxy: 'corp.example.com',
      path: 'corp.example.com/x',
      want: { path: 'corp.example.com/x', specs: [{ ...direct, routedBy: 'GONOPROXY' }] },
    },
    {
      goproxy: 'off',
      gonoproxy: 'corp.example.com',
      path: 'example.com/m',
      want: { path: 'example.com/m', specs: [off] },
    },
    {
      goproxy: 'direct',
      gonoproxy: 'corp.example.com',
      path: 'corp.example.com/x',
      want: { path: 'corp.example.com/x', specs: [{ ...direct, routedBy: 'GONOPROXY' }] },
    },
    {
      goproxy: 'https://a.example|https://b.example',
      gonoproxy: 'example.com/a',
      path: 'example.com/ab',
      want: { path: 'example.com/ab', specs: [u('https://a.example', true), u('https://b.example')] },
    },
    { goproxy: 'https://a.example', gonoproxy: '', path: 'go', want: { path: 'golang.org/toolchain', specs: [u('https://a.example')] } },
    {
      goproxy: 'https://a.example',
      gonoproxy: '',
      path: 'toolchain',
      want: { path: 'golang.org/toolchain', specs: [u('https://a.example')] },
    },
    {
      goproxy: 'https://a.example,direct',
      gonoproxy: 'golang.org',
      path: 'go',
      want: { path: 'golang.org/toolchain', specs: [{ ...direct, routedBy: 'GONOPROXY' }] },
    },
  ];
  test.each(cases)('proxiesForModule(GOPROXY=$goproxy, GONOPROXY=$gonoproxy, $path)', ({ goproxy, gonoproxy, source, path, want }) => {
    expect(proxiesForModule(parseGoProxy(goproxy, gonoproxy), path, gonoproxy, source)).toEqual(want);
  });
});

describe('sumdbApplies', () => {
  const on = { GOSUMDB: 'sum.golang.org', GONOSUMDB: '', GOPROXY: 'https://proxy.golang.org,direct' };
  const cases: Array<{ path: string; cfg: typeof on; want: boolean }> = [
    { path: 'example.com/m', cfg: on, want: true },
    { path: 'example.com/m', cfg: { ...on, GOSUMDB: 'off' }, want: false },
    { path: 'example.com/m', cfg: { ...on, GONOSUMDB: 'example.com' }, want: false },
    { path: 'example.com/m', cfg: { ...on, GONOSUMDB: 'example.com/m/sub' }, want: true },
    { path: 'git.corp.example.com/x/y', cfg: { ...on, GONOSUMDB: 'other.example,*.corp.example.com' }, want: false },
    // golang.org/toolchain needs the database even when it is switched off...
    { path: 'golang.org/toolchain', cfg: { ...on, GOSUMDB: 'off' }, want: true },
    { path: 'golang.org/toolchain', cfg: { ...on, GONOSUMDB: 'golang.org' }, want: true },
    // ...unless GOPROXY is a single file:// entry.
    { path: 'golang.org/toolchain', cfg: { ...on, GOSUMDB: 'off', GOPROXY: 'file:///srv/dist' }, want: false },
    { path: 'golang.org/toolchain', cfg: { ...on, GOPROXY: 'file:///srv/dist' }, want: true },
    { path: 'golang.org/toolchain', cfg: { ...on, GOSUMDB: 'off', GOPROXY: 'file:///srv/dist,direct' }, want: true },
    { path: 'golang.org/toolchain', cfg: { ...on, GOSUMDB: 'off', GOPROXY: 'file:///srv/dist|direct' }, want: true },
  ];
  test.each(cases)('sumdbApplies($path, $cfg)', ({ path, cfg, want }) => {
    expect(sumdbApplies(path, cfg), `sumdbApplies(${path})`).toBe(want);
  });
});

describe('parseGoSumDB', () => {
  const GOLANG_KEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
  // Keys generated and checked with golang.org/x/mod/sumdb/note v0.7.0.
  const TEST_KEY = 'sumdb.example.com+09c3a06e+AXVcTLklbKfNxKz9xs/u2oSQF+W5+VFOmRkb1n4LDUJ2';
  const PATH_KEY = 'example.com/sumdb+5730e789+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f';
  const PORT_KEY = 'localhost:8443+db89c09d+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f';
  const UPPER_KEY = 'Sumdb.Example.com+d70d3332+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f';

  const cases: Array<{ value: string; want: GoSumDB }> = [
    { value: 'off', want: { off: true } },
    { value: 'sum.golang.org', want: { name: 'sum.golang.org', key: GOLANG_KEY, url: 'https://sum.golang.org', urlExplicit: false } },
    { value: '  sum.golang.org\t', want: { name: 'sum.golang.org', key: GOLANG_KEY, url: 'https://sum.golang.org', urlExplicit: false } },
    { value: GOLANG_KEY, want: { name: 'sum.golang.org', key: GOLANG_KEY, url: 'https://sum.golang.org', urlExplicit: false } },
    {
      value: 'sum.golang.google.cn',
      want: { name: 'sum.golang.org', key: GOLANG_KEY, url: 'https://sum.golang.google.cn', urlExplicit: true },
    },
    {
      value: 'sum.golang.org https://mirror.example/sumdb/sum.golang.org',
      want: { name: 'sum.golang.org', key: GOLANG_KEY, url: 'https://mirror.example/sumdb/sum.golang.org', urlExplicit: true },
    },
    { value: TEST_KEY, want: { name: 'sumdb.example.com', key: TEST_KEY, url: 'https://sumdb.example.com', urlExplicit: false } },
    {
      value: `${TEST_KEY} http://127.0.0.1:9/sumdb`,
      want: { name: 'sumdb.example.com', key: TEST_KEY, url: 'http://127.0.0.1:9/sumdb', urlExplicit: true },
    },
    { value: PATH_KEY, want: { name: 'example.com/sumdb', key: PATH_KEY, url: 'https://example.com/sumdb', urlExplicit: false } },
    { value: PORT_KEY, want: { name: 'localhost:8443', key: PORT_KEY, url: 'https://localhost:8443', urlExplicit: false } },
    { value: UPPER_KEY, want: { name: 'Sumdb.Example.com', key: UPPER_KEY, url: 'https://Sumdb.Example.com', urlExplicit: false } },
  ];
  test.each(cases)('parseGoSumDB($value)', ({ value, want }) => {
    expect(parseGoSumDB(value), `parseGoSumDB(${JSON.stringify(value)})`).toEqual(want);
  });

  const errors: Array<{ value: string; want: string }> = [
    { value: '', want: 'missing GOSUMDB' },
    { value: '   ', want: 'missing GOSUMDB' },
    { value: 'sum.golang.org https://a.example extra', want: 'invalid GOSUMDB: too many fields' },
    { value: 'sumdb.example.com', want: 'invalid GOSUMDB: malformed verifier id' },
    { value: 'sum.golang.org+033de0ae', want: 'invalid GOSUMDB: malformed verifier id' },
    { value: 'sumdb.example.com+09c3a06+AXVcTLklbKfNxKz9xs/u2oSQF+W5+VFOmRkb1n4LDUJ2', want: 'invalid GOSUMDB: malformed verifier id' },
    { value: 'sumdb.example.com+09c3a06e+AXVcTLklbKfNxKz9xs/u2oSQF+W5+VFOmRkb1n4LDUJ', want: 'invalid GOSUMDB: malformed verifier id' },
    { value: 'sumdb.example.com+09c3a06f+AXVcTLklbKfNxKz9xs/u2oSQF+W5+VFOmRkb1n4LDUJ2', want: 'invalid GOSUMDB: invalid verifier hash' },
    {
      value: 'sumdb.example.com+733a80e6+AgABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f',
      want: 'invalid GOSUMDB: unknown verifier algorithm',
    },
    { value: 'sumdb.example.com+a1c3f8db+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4=', want: 'invalid GOSUMDB: malformed verifier id' },
    {
      value: 'example.com/+445d67cd+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f',
      want: 'invalid sumdb name (must be host[/path]): example.com/',
    },
    {
      value: 'example.com?x+a4d1b70d+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f',
      want: 'invalid sumdb name (must be host[/path]): example.com?x',
    },
    {
      value: 'user@host+f7fd40a6+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f',
      want: 'invalid sumdb name (must be host[/path]): user@host',
    },
  ];
  test.each(errors)('parseGoSumDB($value) fails', ({ value, want }) => {
    expect(
      errorOf(() => parseGoSumDB(value)),
      `parseGoSumDB(${JSON.stringify(value)}) error`,
    ).toEqual({ code: 'EGOENV', message: want });
  });
});

describe('parseGoFlags', () => {
  const cases: Array<{ value: string; want: string[] }> = [
    { value: '', want: [] },
    { value: '   ', want: [] },
    { value: '-mod=mod', want: ['-mod=mod'] },
    { value: '  -mod=mod   -trimpath ', want: ['-mod=mod', '-trimpath'] },
    { value: '-mod=mod\t-x\n-v\r--race', want: ['-mod=mod', '-x', '-v', '--race'] },
    { value: '"-ldflags=-s -w" -mod=mod', want: ['-ldflags=-s -w', '-mod=mod'] },
    { value: "'-tags=a b'", want: ['-tags=a b'] },
    // Quotes count only at the start of a word, as in cmd/internal/quoted.
    { value: '-ldflags="-s -w"', want: ['-ldflags="-s', '-w"'] },
    { value: '"-x"-y', want: ['-x', '-y'] },
    { value: `"-tags='a'"`, want: [`-tags='a'`] },
  ];
  test.each(cases)('parseGoFlags($value)', ({ value, want }) => {
    expect(parseGoFlags(value), `parseGoFlags(${JSON.stringify(value)})`).toEqual(want);
  });

  const errors: Array<{ value: string; want: string }> = [
    { value: '"-x', want: 'parsing $GOFLAGS: unterminated " string' },
    { value: "-mod=mod '-x", want: "parsing $GOFLAGS: unterminated ' string" },
    { value: 'mod=mod', want: 'parsing $GOFLAGS: non-flag "mod=mod"' },
    { value: '-mod mod', want: 'parsing $GOFLAGS: non-flag "mod"' },
    { value: '-', want: 'parsing $GOFLAGS: non-flag "-"' },
    { value: '--', want: 'parsing $GOFLAGS: non-flag "--"' },
    { value: '---x', want: 'parsing $GOFLAGS: non-flag "---x"' },
    { value: '-=x', want: 'parsing $GOFLAGS: non-flag "-=x"' },
    { value: '--=x', want: 'parsing $GOFLAGS: non-flag "--=x"' },
    { value: '""', want: 'parsing $GOFLAGS: non-flag ""' },
  ];
  test.each(errors)('parseGoFlags($value) fails', ({ value, want }) => {
    expect(
      errorOf(() => parseGoFlags(value)),
      `parseGoFlags(${JSON.stringify(value)}) error`,
    ).toEqual({ code: 'EGOENV', message: want });
  });

  const lookups: Array<{ flags: string[]; name: string; want: string | undefined }> = [
    { flags: ['-mod=mod'], name: 'mod', want: 'mod' },
    { flags: ['--mod=vendor'], name: 'mod', want: 'vendor' },
    { flags: ['-mod=readonly', '-mod=mod'], name: 'mod', want: 'mod' },
    { flags: ['-trimpath'], name: 'trimpath', want: 'true' },
    { flags: ['-modcacherw'], name: 'mod', want: undefined },
    { flags: ['-ldflags=-X a=b'], name: 'ldflags', want: '-X a=b' },
  ];
  test.each(lookups)('lookupGoFlag($flags, $name)', ({ flags, name, want }) => {
    expect(lookupGoFlag(flags, name)).toBe(want);
  });
});

describe('parseEnvFile', () => {
  const cases: Array<{ text: string; want: Array<[string, string]> }> = [
    { text: '', want: [] },
    {
      text: 'GOPROXY=https://a.example\nGOSUMDB=off\n',
      want: [
        ['GOPROXY', 'https://a.example'],
        ['GOSUMDB', 'off'],
      ],
    },
    { text: '# comment\nGOPROXY=x', want: [['GOPROXY', 'x']] },
    { text: 'goproxy=x\n_X=1\n=x\n1A=2\n', want: [] },
    { text: 'NOEQUALS\n\n', want: [] },
    { text: 'GOPROXY = x', want: [['GOPROXY ', ' x']] },
    { text: 'GOPROXY="x"', want: [['GOPROXY', '"x"']] },
    { text: 'GOPROXY=a\nGOPROXY=b', want: [['GOPROXY', 'b']] },
    { text: 'GOPROXY=a\r\n', want: [['GOPROXY', 'a\r']] },
    { text: 'GOFLAGS=-mod=mod -tags=a=b', want: [['GOFLAGS', '-mod=mod -tags=a=b']] },
    { text: 'GOPRIVATE=', want: [['GOPRIVATE', '']] },
    { text: ' GOPROXY=x', want: [] },
  ];
  test.each(cases)('parseEnvFile($text)', ({ text, want }) => {
    expect([...parseEnvFile(text)], `parseEnvFile(${JSON.stringify(text)})`).toEqual(want);
  });
});

describe('resolveGoEnv', () => {
  const home = { HOME: '/home/u' };
  const defaults = {
    GOPROXY: 'https://proxy.golang.org,direct',
    GOSUMDB: 'sum.golang.org',
    GOTOOLCHAIN: 'auto',
    GOAUTH: 'netrc',
    GO111MODULE: '',
    GOPRIVATE: '',
    GONOPROXY: '',
    GONOPROXYFromGOPRIVATE: false,
    GONOSUMDB: '',
    GOINSECURE: '',
    GOVCS: '',
    GOFLAGS: '',
    GOPATH: '/home/u/go',
    GOMODCACHE: '/home/u/go/pkg/mod',
  };
  const m = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));

  const cases: Array<{
    name: string;
    env: Record<string, string | undefined>;
    file?: Record<string, string>;
    goroot?: Record<string, string>;
    platform?: string;
    want: Partial<typeof defaults>;
  }> = [
    { name: 'built-in defaults', env: home, want: {} },
    {
      name: 'process beats env file',
      env: { ...home, GOPROXY: 'https://env.example' },
      file: { GOPROXY: 'https://file.example' },
      want: { GOPROXY: 'https://env.example' },
    },
    {
      name: 'empty process value is unset',
      env: { ...home, GOPROXY: '' },
      file: { GOPROXY: 'https://file.example' },
      want: { GOPROXY: 'https://file.example' },
    },
    { name: 'env file beats go.env', env: home, file: { GOSUMDB: 'off' }, goroot: { GOSUMDB: 'sum.golang.org' }, want: { GOSUMDB: 'off' } },
    {
      name: 'go.env beats built-in',
      env: home,
      goroot: { GOPROXY: 'https://goroot.example' },
      want: { GOPROXY: 'https://goroot.example' },
    },
    { name: 'go.env without the key falls back to built-in', env: home, goroot: {}, want: {} },
    {
      name: 'empty env file value hides go.env, then built-in',
      env: home,
      file: { GOPROXY: '' },
      goroot: { GOPROXY: 'https://goroot.example' },
      want: {},
    },
    {
      name: 'GOPRIVATE is the default of GONOPROXY and GONOSUMDB',
      env: { ...home, GOPRIVATE: '*.corp.example.com' },
      want: {
        GOPRIVATE: '*.corp.example.com',
        GONOPROXY: '*.corp.example.com',
        GONOSUMDB: '*.corp.example.com',
        GONOPROXYFromGOPRIVATE: true,
      },
    },
    {
      name: 'explicit GONOPROXY replaces GOPRIVATE',
      env: { ...home, GOPRIVATE: 'corp.example.com', GONOPROXY: 'none' },
      want: { GOPRIVATE: 'corp.example.com', GONOPROXY: 'none', GONOSUMDB: 'corp.example.com' },
    },
    {
      name: 'GOPRIVATE from the env file, GONOSUMDB from the process',
      env: { ...home, GONOSUMDB: 'x.example' },
      file: { GOPRIVATE: 'corp.example.com' },
      want: { GOPRIVATE: 'corp.example.com', GONOPROXY: 'corp.example.com', GONOSUMDB: 'x.example', GONOPROXYFromGOPRIVATE: true },
    },
    {
      name: 'GOINSECURE and GOFLAGS',
      env: { ...home, GOINSECURE: 'a.example', GOFLAGS: '-mod=mod' },
      want: { GOINSECURE: 'a.example', GOFLAGS: '-mod=mod' },
    },
    { name: 'GOPATH list', env: { ...home, GOPATH: '/a:/b' }, want: { GOPATH: '/a:/b', GOMODCACHE: '/a/pkg/mod' } },
    { name: 'GOPATH with trailing slash', env: { ...home, GOPATH: '/a/' }, want: { GOPATH: '/a/', GOMODCACHE: '/a/pkg/mod' } },
    { name: 'GOPATH from env file', env: home, file: { GOPATH: '/f' }, want: { GOPATH: '/f', GOMODCACHE: '/f/pkg/mod' } },
    { name: 'explicit GOMODCACHE', env: { ...home, GOMODCACHE: '/cache' }, want: { GOMODCACHE: '/cache' } },
    { name: 'no HOME', env: {}, want: { GOPATH: '', GOMODCACHE: '' } },
    { name: 'GOPATH starting with an empty element', env: { ...home, GOPATH: ':/b' }, want: { GOPATH: ':/b', GOMODCACHE: '' } },
    {
      name: 'windows',
      env: { USERPROFILE: 'C:\\Users\\u' },
      platform: 'win32',
      want: { GOPATH: 'C:\\Users\\u\\go', GOMODCACHE: 'C:\\Users\\u\\go\\pkg\\mod' },
    },
    {
      name: 'windows GOPATH list',
      env: { GOPATH: 'C:\\a;D:\\b' },
      platform: 'win32',
      want: { GOPATH: 'C:\\a;D:\\b', GOMODCACHE: 'C:\\a\\pkg\\mod' },
    },
  ];
  test.each(cases)('resolveGoEnv: $name', ({ env, file, goroot, platform, want }) => {
    const got = resolveGoEnv(env, m(file ?? {}), goroot === undefined ? DEFAULT_GOROOT_ENV : m(goroot), platform);
    expect(got).toEqual({ ...defaults, ...want });
  });
});

describe('redactUrl', () => {
  const cases: Array<[string, string]> = [
    ['https://user:secret@proxy.example.com/x', 'https://proxy.example.com/x'],
    ['https://token@proxy.example.com', 'https://proxy.example.com'],
    ['https://proxy.example.com/a@b', 'https://proxy.example.com/a@b'],
    ['file:///srv/p', 'file:///srv/p'],
  ];
  test.each(cases)('redactUrl(%j)', (raw, want) => {
    expect(redactUrl(raw), `redactUrl(${JSON.stringify(raw)})`).toBe(want);
  });
});
