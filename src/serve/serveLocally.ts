/**
 * Verified bundles served on 127.0.0.1 (a free port) for a caller in the
 * same process: verify --build's rehearsal runs the go command against it.
 */
import type { OpenedBundle } from '../bundle/reader.js';
import { BundleSet } from '../bundleset/bundleSet.js';
import { listen } from './server.js';

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

export async function serveLocally(bundles: readonly OpenedBundle[]): Promise<LocalServer> {
  const set = new BundleSet();
  await set.add(bundles);
  const { createServeApp } = await import('./app.js');
  const { listener } = createServeApp({ bundles: set });
  const server = await listen(listener, { host: '127.0.0.1', port: 0 });
  return { url: server.url, close: () => server.close(0) };
}
