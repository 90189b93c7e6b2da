/**
 * Debian's nginx as a child process serving a `gobundle export` tree, for
 * the end-to-end and load tests: a generated config (the README's server
 * block, with pid, logs and temp paths in a temp dir), `daemon off;`,
 * 127.0.0.1 on a free port, ready once it answers (bounded wait).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export const NGINX = process.env.GOBUNDLE_NGINX ?? '/usr/sbin/nginx';

export interface NginxProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** nginx in front of an export with TLS and auth_basic, as the README's "Who may fetch" documents it. */
export interface NginxAuth {
  cert: string;
  key: string;
  /** An htpasswd file (`user:$apr1$…` lines, as `openssl passwd -apr1` makes the hashes). */
  htpasswd: string;
}

/** The server block the README documents for an export, listening on `listen` with `root` as the export (and the auth block, when given). */
export function exportServerBlock(listen: string, root: string, auth?: NginxAuth): string {
  const authLines =
    auth === undefined
      ? ''
      : `
    ssl_certificate     ${auth.cert};
    ssl_certificate_key ${auth.key};
    auth_basic "gobundle";
    auth_basic_user_file ${auth.htpasswd};
    location = /healthz { auth_basic off; return 200 "ok\\n"; }`;
  return `
  server {
    listen ${listen}${auth === undefined ? '' : ' ssl'};
    root ${root};${authLines}
    # Module files never change; list, @latest and the checksum database's head do when an export is refreshed.
    location / {
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
    location ~ /@v/list$ {
      add_header Cache-Control "no-cache";
    }
    location ~ /@latest$ {
      default_type application/json;
      add_header Cache-Control "no-cache";
    }
    location ~ ^/sumdb/[^/]+/(supported|latest|lookup/) {
      add_header Cache-Control "no-cache";
    }
    location ~ ^/sumdb/[^/]+/tile/ {
      default_type application/octet-stream;
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
    location ~ ^/vulndb/.*\\.gz$ {
      types { }
      default_type application/gzip;
      add_header Cache-Control "no-cache";
    }
  }`;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolvePort(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

/** Start nginx serving `root`; `dir` holds its config, pid, logs and temp files. */
export async function startNginx(
  root: string,
  dir: string,
  opts: { workers?: number | 'auto'; timeoutMs: number; auth?: NginxAuth },
): Promise<NginxProcess> {
  if (!existsSync(NGINX)) throw new Error(`nginx not found at ${NGINX}: install Debian's nginx (see .ci/run) or set GOBUNDLE_NGINX`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes ${opts.workers ?? 1};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  types {
    application/json info json;
    text/plain mod;
    application/zip zip;
    text/html html;
    text/css css;
    text/javascript js;
  }
  default_type text/plain;
  charset utf-8;
  charset_types text/plain text/html text/css text/javascript;
${exportServerBlock(`127.0.0.1:${port}`, root, opts.auth)}
}
`,
  );
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `${opts.auth === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGQUIT');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
  };
  for (const deadline = Date.now() + opts.timeoutMs; ;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode} before answering:\n${err}`);
    try {
      // Ready once it accepts connections (a TLS front answers the probe through its own CA, which fetch does not know).
      await new Promise<void>((ok, fail) => {
        const c = connect(port, '127.0.0.1', () => {
          c.destroy();
          ok();
        });
        c.once('error', fail);
      });
      if (opts.auth === undefined) await (await fetch(`${url}/nonexistent-probe`)).arrayBuffer();
      return { child, url, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`nginx did not answer on ${url} within ${opts.timeoutMs} ms:\n${err}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
