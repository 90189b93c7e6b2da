/**
 * What a pack run tells a person while it works. On a terminal: one live
 * line on stderr (modules resolved, files and bytes done, rate, ETA),
 * redrawn a few times a second. Elsewhere (CI logs, pipes): one line per
 * phase. Quiet: nothing. The pack pipeline only calls the PackProgress
 * methods; how they look is decided here.
 */

export type PackPhase = 'resolve' | 'download' | 'verify' | 'write';

export interface PackProgress {
  phaseStarted(phase: PackPhase): void;
  phaseDone(phase: PackPhase, summary: string): void;
  moduleDiscovered(): void;
  /** The number of files the bundle needs, once the plan is known. */
  filesPlanned(total: number): void;
  fileReady(bytes: number): void;
  close(): void;
}

export const silentProgress: PackProgress = {
  phaseStarted: () => undefined,
  phaseDone: () => undefined,
  moduleDiscovered: () => undefined,
  filesPlanned: () => undefined,
  fileReady: () => undefined,
  close: () => undefined,
};

/** How often the live line is redrawn. */
const REDRAW_MS = 200;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** One line per phase, for logs. */
export class LineProgress implements PackProgress {
  readonly #out: NodeJS.WritableStream;
  readonly #started = new Map<PackPhase, number>();
  readonly #now: () => number;

  constructor(out: NodeJS.WritableStream, now: () => number = Date.now) {
    this.#out = out;
    this.#now = now;
  }

  phaseStarted(phase: PackPhase): void {
    this.#started.set(phase, this.#now());
  }

  phaseDone(phase: PackPhase, summary: string): void {
    const t0 = this.#started.get(phase) ?? this.#now();
    this.#out.write(`gobundle: ${summary} (${formatSeconds(this.#now() - t0)})\n`);
  }

  moduleDiscovered(): void {}
  filesPlanned(): void {}
  fileReady(): void {}
  close(): void {}
}

/** A live status line for terminals. */
export class LiveProgress implements PackProgress {
  readonly #out: NodeJS.WritableStream;
  readonly #t0 = Date.now();
  #modules = 0;
  #files = 0;
  #bytes = 0;
  #planned: number | undefined;
  #phase: PackPhase = 'resolve';
  #timer: NodeJS.Timeout | undefined;
  #lineLength = 0;

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
    this.#timer = setInterval(() => this.#draw(), REDRAW_MS);
    this.#timer.unref();
  }

  phaseStarted(phase: PackPhase): void {
    this.#phase = phase;
    this.#draw();
  }

  phaseDone(_phase: PackPhase, summary: string): void {
    this.#clear();
    this.#out.write(`gobundle: ${summary}\n`);
    this.#draw();
  }

  moduleDiscovered(): void {
    this.#modules++;
  }

  filesPlanned(total: number): void {
    this.#planned = total;
  }

  fileReady(bytes: number): void {
    this.#files++;
    this.#bytes += bytes;
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
  }

  #clear(): void {
    if (this.#lineLength > 0) this.#out.write(`\r${' '.repeat(this.#lineLength)}\r`);
    this.#lineLength = 0;
  }

  #draw(): void {
    if (this.#timer === undefined) return;
    const elapsed = (Date.now() - this.#t0) / 1000;
    const rate = elapsed > 0 ? this.#bytes / elapsed : 0;
    let line = `${this.#phase}: ${this.#modules} modules · ${this.#files}${this.#planned === undefined ? '' : `/${this.#planned}`} files · ${formatBytes(this.#bytes)} · ${formatBytes(rate)}/s`;
    if (this.#planned !== undefined && this.#files > 0 && this.#files < this.#planned) {
      const eta = (elapsed / this.#files) * (this.#planned - this.#files);
      line += ` · ETA ${Math.ceil(eta)}s`;
    }
    this.#clear();
    this.#out.write(line);
    this.#lineLength = line.length;
  }
}
