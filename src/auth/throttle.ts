/**
 * Failed attempts per client, throttled: each client may fail FAILURE_BURST
 * times at once, and earns one more attempt every FAILURE_REFILL_MS (a token
 * bucket); a client with none left is refused (429, Retry-After) until it
 * earns one, whatever it sends, so guessing passwords costs minutes per
 * handful. Successes cost nothing. At most MAX_CLIENTS clients are tracked
 * (the longest untouched forgotten first). Pure: the clock is passed in.
 */

export const FAILURE_BURST = 10;
export const FAILURE_REFILL_MS = 6_000;
export const MAX_CLIENTS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class FailureThrottle {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Milliseconds until `client` may try again; 0 when it may now. */
  retryAfterMs(client: string): number {
    const b = this.#refill(client);
    if (b === undefined || b.tokens >= 1) return 0;
    return Math.ceil((1 - b.tokens) * FAILURE_REFILL_MS);
  }

  /** Count a failed attempt of `client`. */
  failed(client: string): void {
    const b = this.#refill(client) ?? { tokens: FAILURE_BURST, at: this.#now() };
    b.tokens = Math.max(0, b.tokens - 1);
    this.#buckets.delete(client);
    this.#buckets.set(client, b);
    if (this.#buckets.size > MAX_CLIENTS) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
  }

  #refill(client: string): Bucket | undefined {
    const b = this.#buckets.get(client);
    if (b === undefined) return undefined;
    const now = this.#now();
    b.tokens = Math.min(FAILURE_BURST, b.tokens + (now - b.at) / FAILURE_REFILL_MS);
    b.at = now;
    if (b.tokens >= FAILURE_BURST) {
      this.#buckets.delete(client);
      return undefined;
    }
    return b;
  }
}
