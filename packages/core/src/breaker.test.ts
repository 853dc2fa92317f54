import { describe, expect, it } from "vitest";
import { Breaker } from "./breaker.js";

describe("Breaker", () => {
  let now = 0;
  const clock = () => now;

  it("opens after the set number of failures in a row, and a success in between resets the count", () => {
    now = 0;
    const breaker = new Breaker({ failures: 3, cooldownMs: 100 }, undefined, clock);
    expect(breaker.failed(breaker.allow()!)).toBe(false);
    expect(breaker.failed(breaker.allow()!)).toBe(false);
    breaker.succeeded(breaker.allow()!);
    expect(breaker.failed(breaker.allow()!)).toBe(false);
    expect(breaker.failed(breaker.allow()!)).toBe(false);
    expect(breaker.open).toBe(false);
    expect(breaker.failed(breaker.allow()!)).toBe(true);
    expect(breaker.open).toBe(true);
    expect(breaker.allow()).toBeUndefined();
  });

  it("lets one probe through after the cooldown: success closes, failure opens again", () => {
    now = 0;
    const breaker = new Breaker({ failures: 1, cooldownMs: 100 }, undefined, clock);
    expect(breaker.failed(breaker.allow()!)).toBe(true);
    now = 99;
    expect(breaker.allow()).toBeUndefined();
    now = 100;
    const probe = breaker.allow();
    expect(probe).toBe("probe");
    expect(breaker.allow()).toBeUndefined(); // one probe at a time
    expect(breaker.failed(probe!)).toBe(true); // opened again, for another cooldown
    now = 150;
    expect(breaker.allow()).toBeUndefined();
    now = 200;
    breaker.succeeded(breaker.allow()!);
    expect(breaker.open).toBe(false);
    expect(breaker.allow()).toBe("closed");
  });

  it("never opens with an infinite failure count (breaker: false)", () => {
    const breaker = new Breaker({ failures: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 1_000; i++) expect(breaker.failed(breaker.allow()!)).toBe(false);
    expect(breaker.allow()).toBe("closed");
  });
});
