import type { Clock } from "../pipeline/clock.js";

/** A clock that stands still until moved: pass it as `createCache({ clock })` and call `advance`. */
export interface FakeClock extends Clock {
  /** Moves the time forward by `ms`. */
  advance(ms: number): void;
  /** Sets the time to `ms` since the epoch. */
  set(ms: number): void;
}

/**
 * A fake clock for tests of TTLs, sliding TTLs and breaker cooldowns, so they move time instead of
 * sleeping. Starts at `start` (default: the real time when created).
 *
 * @example
 * const clock = fakeClock();
 * const cache = createCache({ clock, ttl: 1_000 });
 * // … store an answer, then:
 * clock.advance(1_001); // the entry has expired
 */
export function fakeClock(start: number = Date.now()): FakeClock {
  let time = start;
  return {
    now: () => time,
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`fakeClock.advance needs a non-negative number of ms, got ${ms}`);
      time += ms;
    },
    set(ms) {
      time = ms;
    },
  };
}
