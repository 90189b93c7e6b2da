/**
 * Network conditions tests arrange without a mock: a closed port, and the
 * words the machine's resolver gives for a name that cannot resolve.
 */
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:net';

/** A 127.0.0.1 port that nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * What the machine's resolver says of a name under .invalid or .test (RFC
 * 2606/6761: they never resolve), as gobundle words it: `no such host`
 * where a DNS server answers NXDOMAIN; where none can be reached (a network
 * namespace with only loopback, an air-gapped machine) the resolver fails
 * with EAI_AGAIN, which is retried as transient (`attempts` times) before
 * gobundle gives up.
 */
export async function unresolvable(host: string, attempts = 4): Promise<string> {
  const code = await lookup(host).then(
    () => 'resolved',
    (err: NodeJS.ErrnoException) => err.code,
  );
  if (code === 'ENOTFOUND') return 'no such host';
  if (code === 'EAI_AGAIN') return `temporary failure in name resolution${attempts > 1 ? ` (gave up after ${attempts} attempts)` : ''}`;
  throw new Error(`${host}: the resolver answered ${code}; want ENOTFOUND or EAI_AGAIN`);
}
