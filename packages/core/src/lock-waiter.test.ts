import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { createCache } from "./cache.js";
import { createMemoryLock } from "./memory-lock.js";
import { PATIENCE } from "./store.js";

const ask = {
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user" as const, content: "What is the refund policy?" }],
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One store shared by two instances, whose reads take `getMs` (writes are quick). */
function slowStore(getMs: number) {
  const map = new Map<string, unknown>();
  return {
    get: async (key: string) => {
      await sleep(getMs);
      return map.get(key);
    },
    set: async (key: string, value: unknown) => {
      map.set(key, value);
      return true;
    },
    delete: async (key: string) => map.delete(key),
    clear: async () => map.clear(),
  };
}

describe("an instance waiting on another's lock", () => {
  it("reads the holder's answer past a slow store's timeout and its open breaker", async () => {
    const store = slowStore(80);
    const lock = createMemoryLock();
    let upstreamCalls = 0;
    const upstream = async () => {
      upstreamCalls++;
      await sleep(150);
      return { body: { text: "30 days." }, text: "30 days.", finishReason: "stop" as const };
    };
    const holder = createCache({ store: new Keyv({ store }), lock, storeTimeoutMs: 50 });
    // The waiter's first read times out and opens its breaker (one failure is enough here).
    const waiter = createCache({
      store: new Keyv({ store }),
      lock,
      storeTimeoutMs: 50,
      breaker: { failures: 1, cooldownMs: 60_000 },
    });
    const errors: string[] = [];
    waiter.on("error", (e) => errors.push(e.error.code));

    const first = holder.run(ask, upstream);
    await sleep(10);
    const second = waiter.run(ask, upstream);
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe("miss");
    expect(b.status).toBe("coalesced");
    expect(upstreamCalls).toBe(1);
    expect(errors).toContain("RECALL_STORE_TIMEOUT"); // its own first read: the store is slow
  });

  it("still gives up on a store slower than the patient bound, and calls upstream itself", async () => {
    const store = slowStore(50 * PATIENCE + 100);
    const lock = createMemoryLock();
    let upstreamCalls = 0;
    const upstream = async () => {
      upstreamCalls++;
      await sleep(50);
      return { body: { text: "30 days." }, text: "30 days.", finishReason: "stop" as const };
    };
    const options = { lock, storeTimeoutMs: 50, breaker: false as const };
    const holder = createCache({ store: new Keyv({ store }), ...options });
    const waiter = createCache({ store: new Keyv({ store }), ...options });
    const first = holder.run(ask, upstream);
    await sleep(10);
    const [, b] = await Promise.all([first, waiter.run(ask, upstream)]);
    expect(b.status).toBe("miss");
    expect(upstreamCalls).toBe(2);
  });
});
