/**
 * The private repositories the VCS tests fetch from, built with real git
 * in a temp directory and served by gitServer.ts as `git.corp.example/…`.
 */
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { goImportPage, WorkRepo, type GitHost } from './gitServer.js';

export const HOST = 'git.corp.example';

export interface PrivateRepos {
  /** Commit hashes by name, for queries. */
  commits: Map<string, string>;
}

function serve(host: GitHost, prefix: string, repoName: string, paths: string[] = []): void {
  const page = goImportPage(`${HOST}/${prefix}`, `http://${HOST}/${repoName}.git`);
  host.pages.set(`${HOST}/${prefix}`, page);
  for (const p of paths) host.pages.set(`${HOST}/${p}`, page);
}

export function buildPrivateRepos(root: string, host: GitHost, env: NodeJS.ProcessEnv): PrivateRepos {
  const commits = new Map<string, string>();
  const work = (name: string): WorkRepo => new WorkRepo(join(root, 'work', name), join(root, 'repos', `${name}.git`), env);

  // Tagged versions (light and annotated), an untagged commit after them, a branch.
  const tagged = work('tagged');
  tagged.commit('v1.0.0', { 'go.mod': `module ${HOST}/tagged\n\ngo 1.21\n`, 'tagged.go': 'package tagged\n\nconst V = "1.0.0"\n' });
  tagged.tag('v1.0.0');
  tagged.commit('v1.1.0', { 'tagged.go': 'package tagged\n\nconst V = "1.1.0"\n', 'doc/readme.txt': 'line one\r\nline two\r\n' });
  tagged.tag('v1.1.0', true);
  commits.set('tagged-untagged', tagged.commit('after v1.1.0', { 'tagged.go': 'package tagged\n\nconst V = "next"\n' }));
  tagged.git('checkout', '-q', '-b', 'feature');
  commits.set('tagged-feature', tagged.commit('feature work', { 'feature.go': 'package tagged\n\nconst F = 1\n' }));
  tagged.git('checkout', '-q', 'main');
  tagged.push();
  serve(host, 'tagged', 'tagged');

  // A module in a subdirectory with prefixed tags, beside a root module with a nested module and vendor/.
  const mono = work('mono');
  symlinkSync('mono.go', join(mono.dir, 'link.go'));
  mono.commit('root and sub', {
    'go.mod': `module ${HOST}/mono\n\ngo 1.21\n`,
    LICENSE: 'Copyright the mono authors\n',
    'mono.go': 'package mono\n',
    'vendor/modules.txt': '# example.com/x v1.0.0\nexample.com/x\n',
    'vendor/example.com/x/x.go': 'package x\n',
    'pkg/vendor/v.go': 'package vendor\n',
    'pkg/vendor/deep/d.go': 'package deep\n',
    'sub/go.mod': `module ${HOST}/mono/sub\n\ngo 1.21\n`,
    'sub/sub.go': 'package sub\n',
    'sub/inner/go.mod': `module ${HOST}/mono/sub/inner\n`,
    'sub/inner/i.go': 'package inner\n',
  });
  mono.tag('v1.0.0');
  mono.tag('sub/v0.2.0');
  mono.commit('sub change', { 'sub/sub.go': 'package sub\n\nconst Two = 2\n' });
  mono.tag('sub/v0.3.0');
  mono.push();
  serve(host, 'mono', 'mono', ['mono/sub']);

  // A /v2 module at the repository root.
  const vtwo = work('vtwo');
  vtwo.commit('v2', { 'go.mod': `module ${HOST}/vtwo/v2\n\ngo 1.21\n`, 'v.go': 'package vtwo\n' });
  vtwo.tag('v2.0.0');
  vtwo.commit('v2.1', { 'v.go': 'package vtwo\n\nconst M = 1\n' });
  vtwo.tag('v2.1.0');
  vtwo.push();
  serve(host, 'vtwo', 'vtwo', ['vtwo/v2']);

  // No go.mod at all: v1 tag, and a v2 tag that is +incompatible.
  const legacy = work('legacy');
  legacy.commit('v1', { 'legacy.go': 'package legacy\n' });
  legacy.tag('v1.0.0');
  legacy.commit('v2', { 'legacy.go': 'package legacy\n\nconst Two = 2\n' });
  legacy.tag('v2.0.0');
  legacy.push();
  serve(host, 'legacy', 'legacy');

  // No tags: @latest is a v0.0.0 pseudo-version.
  const notags = work('notags');
  notags.commit('one', { 'go.mod': `module ${HOST}/notags\n\ngo 1.21\n`, 'n.go': 'package notags\n' });
  commits.set('notags-head', notags.commit('two', { 'n.go': 'package notags\n\nconst N = 2\n' }));
  notags.push();
  serve(host, 'notags', 'notags');

  // go 1.24: vendor/modules.txt leaves the zip and pkg/vendor/x.go stays (x/mod v0.22 isVendoredPackage).
  const go124 = work('go124');
  go124.commit('go 1.24', {
    'go.mod': `module ${HOST}/go124\n\ngo 1.24\n`,
    'g.go': 'package go124\n',
    'vendor/modules.txt': '# example.com/x v1.0.0\nexample.com/x\n',
    'vendor/example.com/x/x.go': 'package x\n',
    'pkg/vendor/v.go': 'package vendor\n',
  });
  go124.tag('v1.0.0');
  go124.push();
  serve(host, 'go124', 'go124');

  // A go.mod that names another module.
  const other = work('other');
  other.commit('wrong path', { 'go.mod': 'module example.com/elsewhere\n\ngo 1.21\n', 'o.go': 'package other\n' });
  other.tag('v1.0.0');
  other.push();
  serve(host, 'other', 'other');

  // A go-import page that points at another prefix's repository.
  host.pages.set(`${HOST}/liar`, goImportPage(`${HOST}/liar`, `http://${HOST}/tagged.git`));
  host.pages.set(`${HOST}/liar/sub`, goImportPage(`${HOST}/liar`, `http://${HOST}/vtwo.git`));

  return { commits };
}
