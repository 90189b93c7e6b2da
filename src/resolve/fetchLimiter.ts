/**
 * A FIFO semaphore for go.mod fetches.
 *
 * The graph loader starts a fetch the moment it discovers a module version;
 * the limiter only bounds how many are in flight. Waiters are served in
 * arrival order, so discovery order (roughly breadth-first) is kept and a slow
 * fetch never holds back its siblings' children.
 */

/** Default number of concurrent go.mod fetches. */
export const DEFAULT_CONCURRENCY = 16;

export class FetchLimiter {
  readonly limit: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number = DEFAULT_CONCURRENCY) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter so active never dips and overshoots.
      if (next !== undefined) next();
      else this.active--;
    }
  }
}
