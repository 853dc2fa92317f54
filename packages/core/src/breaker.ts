/**
 * A circuit breaker for the store. After `failures` failed or late operations in a row it opens:
 * for `cooldownMs` no operation reaches the store, each is answered at once as "nothing there",
 * instead of every call waiting out a timeout on a store that is down or stalled. Then one
 * operation goes through as a probe: success closes the breaker, failure opens it again.
 */
export interface BreakerOptions {
  /** Failed or timed-out operations in a row that open the breaker. Default 5. */
  failures?: number;
  /** How long the store is left alone before a probe. Default 1,000 ms. */
  cooldownMs?: number;
}

/** How an operation was let through: normally, or as the one probe of an open breaker. */
export type Permit = "closed" | "probe";

export class Breaker {
  readonly failures: number;
  readonly cooldownMs: number;
  #inARow = 0;
  #openUntil = 0;
  #probing = false;

  /** `onOpen` is told each time the breaker opens (or a failed probe opens it again). */
  constructor(
    options: BreakerOptions = {},
    private readonly onOpen: (breaker: Breaker) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.failures = options.failures ?? 5;
    this.cooldownMs = options.cooldownMs ?? 1_000;
  }

  get open(): boolean {
    return this.#inARow >= this.failures;
  }

  /** Whether an operation may reach the store now; undefined while the breaker is open. */
  allow(): Permit | undefined {
    if (!this.open) return "closed";
    if (this.#probing || this.now() < this.#openUntil) return undefined;
    this.#probing = true;
    return "probe";
  }

  succeeded(permit: Permit): void {
    this.#inARow = 0;
    if (permit === "probe") this.#probing = false;
  }

  /** Records a failure; true when it opened the breaker (or a failed probe opened it again). */
  failed(permit: Permit): boolean {
    this.#inARow++;
    if (permit === "probe") this.#probing = false;
    if (permit === "probe" || this.#inARow === this.failures) {
      this.#openUntil = this.now() + this.cooldownMs;
      this.onOpen(this);
      return true;
    }
    return false;
  }

  /** "`what` failed 5 times in a row; `meanwhile` for 1000 ms, then one probes it." */
  openMessage(what: string, meanwhile: string): string {
    return `${what} failed ${this.failures} times in a row; ${meanwhile} for ${this.cooldownMs} ms, then one probes it`;
  }
}
