/**
 * A counting semaphore: at most `limit` holders at once, waiters served in
 * arrival order, with one priority class that goes first. It bounds the go
 * command graph loader's go.mod fetches, every download of a run (whichever
 * proxy it goes to, so a large graph cannot open hundreds of sockets), and
 * pack's request slots, where go.mod fetches — the resolver's critical path:
 * each can reveal the next level of the graph — are served before .info and
 * .zip downloads, which can wait without delaying anything else.
 */
/**
 * Requests in flight at once by default: go.mod fetches while resolving,
 * downloads of a whole run. A pack is a few round trips per module
 * version, so at a proxy's real latency the number in flight sets its
 * speed: on bench/pack's 277-version graph, pack took 1.84 s at 16,
 * 1.52 s at 32 and 1.40 s at 64 with 20 ms per request, and 5.77 s,
 * 3.63 s and 2.64 s with 100 ms (idle 2-core machine). cmd/go's HTTP
 * client does not cap connections per host either (net/http
 * MaxConnsPerHost 0).
 */
export const DEFAULT_CONCURRENCY = 64;

export class Semaphore {
  readonly limit: number;
  #active = 0;
  readonly #urgent: Array<() => void> = [];
  readonly #waiters: Array<() => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  /** Holders right now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#urgent.length + this.#waiters.length;
  }

  /**
   * Wait for a slot (urgent waiters before every other one, each class in
   * arrival order); the returned function gives it back (calling it twice is
   * harmless).
   */
  async acquire(urgent = false): Promise<() => void> {
    if (this.#active < this.limit) {
      this.#active++;
    } else {
      // The releaser hands its slot straight to us, so #active stays put.
      await new Promise<void>((resolve) => (urgent ? this.#urgent : this.#waiters).push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#urgent.shift() ?? this.#waiters.shift();
      if (next !== undefined) next();
      else this.#active--;
    };
  }

  /** Run `fn` holding a slot. */
  async run<T>(fn: () => Promise<T>, urgent = false): Promise<T> {
    const release = await this.acquire(urgent);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
