/**
 * bench/cli: start-up of `gobundle --version` and `--help` against `node -e 0` (startup.ts).
 *
 *   npx vite-node bench/cli/run.ts [--runs 21]
 */
import { loadavg } from 'node:os';
import { startupTimes } from './startup.js';

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 21;
const r = startupTimes(runs);
console.log(
  `medians of ${r.runs} alternated runs: node -e 0 ${r.node.toFixed(0)} ms; gobundle --version ${r.version.toFixed(0)} ms (+${(r.version - r.node).toFixed(0)}); ` +
    `gobundle --help ${r.help.toFixed(0)} ms (+${(r.help - r.node).toFixed(0)}); target: within 50 ms of node -e 0; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
);
