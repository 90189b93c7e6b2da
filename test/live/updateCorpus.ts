/**
 * Refresh test/live/corpus/<name>/go.mod and go.sum from each project's
 * module zip, as the machine's mirror serves it (run after changing
 * corpus.json): `npx vite-node test/live/updateCorpus.ts [name...]`.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { downloadModule } from './projectSource.js';
import { liveDir, log, machineGoproxy, readCorpus, stateDir } from './liveEnv.js';

const only = process.argv.slice(2);
const goproxy = machineGoproxy();
const modCache = join(stateDir(undefined), 'online-modcache');
mkdirSync(modCache, { recursive: true });
for (const p of readCorpus().projects) {
  if (only.length > 0 && !only.includes(p.name)) continue;
  const dir = await downloadModule(p, goproxy, modCache);
  const dest = join(liveDir, 'corpus', p.name);
  mkdirSync(dest, { recursive: true });
  copyFileSync(join(dir, 'go.mod'), join(dest, 'go.mod'));
  if (existsSync(join(dir, 'go.sum'))) copyFileSync(join(dir, 'go.sum'), join(dest, 'go.sum'));
  else rmSync(join(dest, 'go.sum'), { force: true });
  log(`${p.name}: ${p.module}@${p.version}`);
}
