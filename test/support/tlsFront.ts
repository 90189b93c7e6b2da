/**
 * HTTPS in front of a plain-HTTP test server, on 127.0.0.1:0: a real TLS
 * server (node:tls) with the given certificate that passes each decrypted
 * connection byte for byte to the backend's port, as a TLS-terminating
 * load balancer would.
 */
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

export interface TlsFront {
  port: number;
  close(): Promise<void>;
}

export async function startTlsFront(backendPort: number, identity: { key: string; cert: string }): Promise<TlsFront> {
  const sockets = new Set<Socket>();
  const server = createServer({ key: identity.key, cert: identity.cert }, (client: TLSSocket) => {
    const backend = connect(backendPort, '127.0.0.1');
    for (const s of [client, backend]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(backend);
    backend.pipe(client);
    client.on('close', () => backend.destroy());
    backend.on('close', () => client.destroy());
  });
  // Handshakes a client abandons (an untrusted certificate) are not errors of the server.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
