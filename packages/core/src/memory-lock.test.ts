import { LOCK_SUITE_TTL_MS, lockSuite } from "@recall/test-suite";
import { describe, expect, it } from "vitest";
import { createCache } from "./cache.js";
import { createMemoryLock } from "./memory-lock.js";
import { createMemoryStore } from "./memory-store.js";
import { fakeClock } from "./testing/fake-clock.js";

const clock = fakeClock();
lockSuite("createMemoryLock", () => createMemoryLock({ clock }), {
  expire: () => clock.advance(LOCK_SUITE_TTL_MS),
});

describe("createMemoryLock", () => {
  it("expires a lock ttlMs after it was taken, read from the clock", async () => {
    const clock = fakeClock();
    const lock = createMemoryLock({ clock });
    expect(await lock.acquire("k", 1_000)).toBeDefined();
    clock.advance(999);
    expect(await lock.acquire("k", 1_000)).toBeUndefined();
    clock.advance(1);
    expect(await lock.acquire("k", 1_000)).toBeDefined();
  });

  it("wakes a waiter when the lock it waits for expires", async () => {
    const lock = createMemoryLock();
    await lock.acquire("k", 30);
    const started = performance.now();
    await lock.waitForRelease("k", 60_000);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await lock.acquire("k", 1_000)).toBeDefined();
  });

  it("calls two caches' cold request upstream once", async () => {
    const lock = createMemoryLock();
    const store = createMemoryStore();
    const [a, b] = [createCache({ store, lock }), createCache({ store, lock })];
    let calls = 0;
    const request = {
      model: { provider: "openai", id: "gpt-4.1" },
      messages: [{ role: "user" as const, content: "Hi" }],
    };
    const call = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { body: { text: "Hello" }, text: "Hello", finishReason: "stop" as const };
    };
    const outcomes = await Promise.all([a.run(request, call), b.run(request, call)]);
    expect(calls).toBe(1);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["coalesced", "miss"]);
  });

  it("rejects a clock without now() and a ttl that is not positive", async () => {
    expect(() => createMemoryLock({ clock: {} as never })).toThrow(
      expect.objectContaining({ code: "RECALL_INVALID_OPTION" }),
    );
    await expect(createMemoryLock().acquire("k", 0)).rejects.toThrow(/ttlMs/);
  });
});
