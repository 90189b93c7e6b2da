/**
 * The request slots of a pack run, shared by go.mod fetches and bulk
 * (.info and .zip) downloads, with go.mod fetches served first.
 *
 * go.mod fetches are the resolver's critical path: each one can reveal the
 * next level of the graph, while a zip can wait without delaying anything
 * else. A fixed split (bulk gets 3/4 of the slots) left the resolver with a
 * quarter of them while speculative zip downloads were queued; with a
 * priority a go.mod fetch waits only for the next slot to free up, and bulk
 * downloads use every slot the resolver is not using.
 */
export class RequestSlots {
  readonly limit: number;
  #active = 0;
  readonly #critical: (() => void)[] = [];
  readonly #bulk: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`request slots must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  /** Holders right now. */
  get active(): number {
    return this.#active;
  }

  /** Wait for a slot (critical waiters before every bulk one, each class in arrival order); the returned function gives it back. */
  async acquire(critical: boolean): Promise<() => void> {
    if (this.#active < this.limit) {
      this.#active++;
    } else {
      // The releaser hands its slot straight to us, so #active stays put.
      await new Promise<void>((resolve) => (critical ? this.#critical : this.#bulk).push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#critical.shift() ?? this.#bulk.shift();
      if (next !== undefined) next();
      else this.#active--;
    };
  }

  /** Run `fn` holding a slot. */
  async run<T>(critical: boolean, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(critical);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
