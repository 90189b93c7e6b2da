/**
 * A private git host for tests, on 127.0.0.1:0: an HTTP forward proxy that
 * the go command, git and gobundle reach through HTTP_PROXY. Requests for
 * `http://<host>/<path>?go-get=1` get a go-import page; every other request
 * goes to git's own `git http-backend` (CGI) over the bare repositories in
 * `root`. HTTPS (CONNECT) is refused, so clients with GOINSECURE fall back
 * to plain HTTP as they would against a real internal host.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitHost {
  /** http://127.0.0.1:port, to put in HTTP_PROXY. */
  proxyUrl: string;
  /** go-import pages: module path (or prefix) → page body. */
  pages: Map<string, string>;
  /** Every request line seen, for assertions about what was asked. */
  requests: string[];
  close(): Promise<void>;
}

/** A go-import page for `prefix` pointing at `repo` (vcs git unless given). */
export function goImportPage(prefix: string, repo: string, vcs = 'git'): string {
  return `<!DOCTYPE html><html><head><meta name="go-import" content="${prefix} ${vcs} ${repo}"></head><body>go get ${prefix}</body></html>\n`;
}

export async function startGitHost(root: string, env: NodeJS.ProcessEnv): Promise<GitHost> {
  const pages = new Map<string, string>();
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (url.searchParams.get('go-get') === '1') {
      const page = pages.get(`${url.host}${url.pathname}`.replace(/\/$/, ''));
      if (page === undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    const cgi = spawn(GIT_HTTP_BACKEND, [], {
      env: {
        ...env,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.replace(/^\?/, ''),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] === undefined ? {} : { CONTENT_LENGTH: req.headers['content-length'] }),
        ...(req.headers['git-protocol'] === undefined ? {} : { GIT_PROTOCOL: String(req.headers['git-protocol']) }),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      const endLf = end < 0 ? head.indexOf('\n\n') : -1;
      if (end < 0 && endLf < 0) return;
      const split = end >= 0 ? end : endLf;
      const sepLen = end >= 0 ? 4 : 2;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, split).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const k = line.slice(0, colon).trim();
        const v = line.slice(colon + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      headersDone = true;
      res.write(head.subarray(split + sepLen));
    });
    cgi.on('close', () => {
      if (!headersDone) res.writeHead(502);
      res.end();
    });
  });
  server.on('connect', (_req, socket) => {
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    proxyUrl: `http://127.0.0.1:${port}`,
    pages,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A git environment with nothing of this machine's configuration: fixed identity, no system or global config. */
export function hermeticGitEnv(home: string): Record<string, string> {
  mkdirSync(home, { recursive: true });
  const global = join(home, 'gitconfig');
  writeFileSync(global, '[init]\n\tdefaultBranch = main\n[protocol]\n\tversion = 2\n');
  return {
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: global,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_TERMINAL_PROMPT: '0',
  };
}

/** A work tree whose commits are pushed into a bare repository served by the host. */
export class WorkRepo {
  readonly dir: string;
  readonly #env: NodeJS.ProcessEnv;
  #clock: number;

  constructor(dir: string, bare: string, env: NodeJS.ProcessEnv, startSeconds = 1_700_000_000) {
    this.dir = dir;
    this.#env = env;
    this.#clock = startSeconds;
    mkdirSync(dir, { recursive: true });
    mkdirSync(dirname(bare), { recursive: true });
    this.git('init', '-q', '-b', 'main');
    spawnSync('git', ['init', '-q', '--bare', bare], { env, stdio: 'ignore' });
    this.git('remote', 'add', 'origin', bare);
  }

  git(...args: string[]): string {
    const res = spawnSync('git', args, { cwd: this.dir, env: this.#env, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
    return res.stdout.trim();
  }

  /** Write files (undefined deletes), commit them at the next fixed time, and return the commit hash. */
  commit(message: string, files: Record<string, string | undefined>): string {
    for (const [name, body] of Object.entries(files)) {
      const p = join(this.dir, name);
      if (body === undefined) {
        spawnSync('rm', ['-rf', p]);
        continue;
      }
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, body);
    }
    this.git('add', '-A');
    this.#clock += 3600;
    const date = `@${this.#clock} +0200`;
    const res = spawnSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
      cwd: this.dir,
      env: { ...this.#env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`git commit: ${res.stderr}`);
    return this.git('rev-parse', 'HEAD');
  }

  tag(name: string, annotated = false): void {
    if (annotated) this.git('tag', '-a', '-m', name, name);
    else this.git('tag', name);
  }

  push(): void {
    this.git('push', '-q', '--force', 'origin', '--all');
    this.git('push', '-q', '--force', 'origin', '--tags');
  }
}
