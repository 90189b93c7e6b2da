/**
 * `--bundles-dir`: bundles dropped into a directory become visible without a
 * restart. fs.watch gives prompt notice where it works and a periodic rescan
 * covers where it does not (network file systems, missed events). A file
 * is opened only once its size and mtime held still for one scan, so a
 * bundle still being copied in is not read half-written. A bundle that fails
 * verification or conflicts is reported and remembered (by size and mtime)
 * so it is not retried until it changes; serving goes on.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpenedBundle } from '../bundle/reader.js';

/** How often the directory is rescanned. */
export const RESCAN_INTERVAL_MS = 5_000;

export interface BundlesDirWatcherOptions {
  dir: string;
  open(file: string): Promise<OpenedBundle>;
  add(bundle: OpenedBundle): Promise<void>;
  onLoaded(file: string, bundle: OpenedBundle): void;
  onRejected(file: string, err: unknown): void;
  intervalMs?: number;
}

interface Seen {
  stamp: string;
  state: 'pending' | 'done';
}

export class BundlesDirWatcher {
  private readonly seen = new Map<string, Seen>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private rescan = false;
  private stopped = false;

  constructor(private readonly opts: BundlesDirWatcherOptions) {}

  /** Load what is there now (waiting for nothing to be stable: at start the files are taken as they are), then watch. */
  async start(): Promise<void> {
    await this.scan(true);
    try {
      this.watcher = watch(this.opts.dir, () => this.trigger());
      this.watcher.on('error', () => undefined);
    } catch {
      // Polling alone still works.
    }
    this.timer = setInterval(() => this.trigger(), this.opts.intervalMs ?? RESCAN_INTERVAL_MS);
    this.timer.unref();
  }

  /** Scan now and resolve when the scan (and any it triggered) is done. */
  async scanNow(): Promise<void> {
    this.trigger();
    while (this.scanning !== undefined) await this.scanning;
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private trigger(): void {
    if (this.stopped) return;
    if (this.scanning !== undefined) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scan(false).finally(() => {
      this.scanning = undefined;
      if (this.rescan) {
        this.rescan = false;
        this.trigger();
      }
    });
  }

  private async scan(initial: boolean): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.opts.dir)).filter((n) => n.endsWith('.tgz')).sort();
    } catch (err) {
      this.opts.onRejected(this.opts.dir, err);
      return;
    }
    for (const name of names) {
      if (this.stopped) return;
      const file = join(this.opts.dir, name);
      let stamp: string;
      try {
        const st = await stat(file);
        if (!st.isFile()) continue;
        stamp = `${st.size}:${st.mtimeMs}`;
      } catch {
        continue;
      }
      const prev = this.seen.get(file);
      if (prev !== undefined && prev.stamp === stamp && prev.state === 'done') continue;
      if (!initial && (prev === undefined || prev.stamp !== stamp)) {
        // First sight (or it changed): wait one more scan for it to hold still.
        this.seen.set(file, { stamp, state: 'pending' });
        this.rescanSoon();
        continue;
      }
      this.seen.set(file, { stamp, state: 'done' });
      try {
        const bundle = await this.opts.open(file);
        await this.opts.add(bundle);
        this.opts.onLoaded(file, bundle);
      } catch (err) {
        this.opts.onRejected(file, err);
      }
    }
  }

  private rescanSoon(): void {
    const t = setTimeout(() => this.trigger(), Math.min(1_000, this.opts.intervalMs ?? RESCAN_INTERVAL_MS));
    t.unref();
  }
}
