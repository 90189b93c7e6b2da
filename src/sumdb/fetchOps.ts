/**
 * SumdbOps over HTTP: the I/O edge of the checksum-database client.
 *
 * Where the database is reached follows cmd/go (modfetch/sumdb.go): an
 * explicit GOSUMDB URL, else the first proxy that answers
 * <proxy>/sumdb/<name>/supported, else https://<name>
 * (ProxyChain.sumdbBase decides). Requests go through the shared
 * HttpTransport, so they share its retries, timeouts and concurrency bound.
 */
import { NetworkError } from '../errors.js';
import { redactUrl } from '../gomod/goenv.js';
import type { HttpTransport } from '../network/httpTransport.js';
import type { ProxyChain } from '../proxy/proxyChain.js';
import type { SumdbOps } from './client.js';

/**
 * The largest checksum-database response we read. A full tile is 8 KiB and
 * a lookup a few hundred bytes plus the signed note; anything near this is
 * not a checksum database talking.
 */
export const MAX_SUMDB_RESPONSE_BYTES = 1 << 20;

/** Ops reading from a database root URL (no trailing slash). */
export function sumdbFetchOps(transport: HttpTransport, base: string): SumdbOps {
  const root = base.replace(/\/+$/, '');
  const tag = { kind: 'sumdb', server: redactUrl(root) } as const;
  return {
    readRemote(path: string): Promise<Uint8Array> {
      const url = `${root}${path}`;
      return transport.getBytes(
        url,
        MAX_SUMDB_RESPONSE_BYTES,
        (meta) => new NetworkError(meta.url, `reading ${meta.url}: response larger than ${MAX_SUMDB_RESPONSE_BYTES} bytes`),
        { tag },
      );
    },
  };
}

/** Ops for database `db`, located through the proxy chain like the go command does. */
export async function sumdbOpsForChain(
  chain: ProxyChain,
  transport: HttpTransport,
  db: { name: string; url: string; urlExplicit: boolean },
): Promise<SumdbOps> {
  return sumdbFetchOps(transport, await chain.sumdbBase(db));
}
