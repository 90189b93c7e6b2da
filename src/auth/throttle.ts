/**
 * Failed attempts per client, throttled: each client may fail `perMinute`
 * times at once (default DEFAULT_FAILURES_PER_MINUTE), and earns one more
 * attempt every minute / perMinute (a token bucket); a client with none left is refused (429, Retry-After) until it
 * earns one, whatever it sends, so guessing passwords costs minutes per
 * handful. Successes cost nothing. At most MAX_CLIENTS clients are tracked
 * (the longest untouched forgotten first). Pure: the clock is passed in.
 */

export const DEFAULT_FAILURES_PER_MINUTE = 10;
export const MAX_CLIENTS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class FailureThrottle {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  readonly #burst: number;
  readonly #refillMs: number;

  constructor(perMinute = DEFAULT_FAILURES_PER_MINUTE, now: () => number = Date.now) {
    this.#burst = perMinute;
    this.#refillMs = 60_000 / perMinute;
    this.#now = now;
  }

  /** Milliseconds until `client` may try again; 0 when it may now. */
  retryAfterMs(client: string): number {
    const b = this.#refill(client);
    if (b === undefined || b.tokens >= 1) return 0;
    return Math.ceil((1 - b.tokens) * this.#refillMs);
  }

  /** Count a failed attempt of `client`. */
  failed(client: string): void {
    const b = this.#refill(client) ?? { tokens: this.#burst, at: this.#now() };
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
    b.tokens = Math.min(this.#burst, b.tokens + (now - b.at) / this.#refillMs);
    b.at = now;
    if (b.tokens >= this.#burst) {
      this.#buckets.delete(client);
      return undefined;
    }
    return b;
  }
}
