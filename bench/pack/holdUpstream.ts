/**
 * A test upstream serving the bench's generated graph (or the real-source
 * graph with --real), held open for a profiling run by hand:
 *
 *   npx vite-node bench/pack/holdUpstream.ts [--real] [--latency 0] [--log requests.jsonl]
 *
 * prints `GOPROXY=… GOSUMDB=… MAIN=<dir>` and serves until killed, e.g. for
 * `node --cpu-prof bin/gobundle pack $MAIN -o x.tgz --unsigned`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateGraph } from '../../test/upstream/generate.js';
import { startUpstream } from '../../test/upstream/server.js';
import { testCacheDir } from '../../test/support/gotool.js';
import { realSourceGraph } from './realSourceGraph.js';

const i = process.argv.indexOf('--latency');
const latencyMs = i >= 0 ? Number(process.argv[i + 1]) : 0;
// The same graphs as packBench.ts.
const graph = process.argv.includes('--real')
  ? realSourceGraph({ cacheDir: join(testCacheDir(), 'bench') })
  : generateGraph({ dir: mkdtempSync(join(tmpdir(), 'gobundle-hold-')), seed: 2024, modules: 300, pathPrefix: 'bench.test' });
const l = process.argv.indexOf('--log');
const logFile = l >= 0 ? process.argv[l + 1] : undefined;
const upstream = await startUpstream({ modules: [graph.modulesDir], ...(logFile === undefined ? {} : { logFile }) });
await upstream.setFaults({ latencyMs });
console.log(`GOPROXY=${upstream.url} GOSUMDB=${upstream.sumdbVerifierKey} MAIN=${graph.mainDir}`);
await new Promise(() => undefined);
