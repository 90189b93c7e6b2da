/**
 * Temp files left by killed runs. Every temp name gobundle writes carries
 * the writing process's id (`<prefix><pid>-<random>`); one whose process is
 * gone is a leftover of a run that was killed between creating and
 * renaming it, and can be removed. A live process's temp — another pack
 * writing now — is left alone.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Whether a process with this id exists (signal 0 only checks; EPERM means it exists but is not ours). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the files in `dir` named `<prefix><pid>-…` whose process is gone.
 * Best effort: a directory that cannot be read, or a file another cleaner
 * removed first, is no error. Returns the names removed.
 */
export async function removeStaleTemps(dir: string, prefix: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-/.exec(name.slice(prefix.length));
    if (m === null) continue;
    const pid = Number(m[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    await rm(join(dir, name), { force: true, recursive: true }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}
