/**
 * Where the engine reads the time: entry ages, TTL expiry, sliding renewal and the breakers'
 * cooldowns. Tests pass a fake clock (`fakeClock()` from `@recall/core/testing`) and move it forward
 * instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
