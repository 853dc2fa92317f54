import Keyv from "keyv";
import { describe, expect, it, vi } from "vitest";
import { createCache } from "./cache.js";
import { createMemoryLock } from "./memory-lock.js";
import { createMemoryStore } from "./memory-store.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";
import { fakeClock } from "./testing/fake-clock.js";

const ask = (q = "What are your opening hours?"): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4o" },
  messages: [{ role: "user", content: q }],
});
const answer = (text: string, extra: Partial<CacheResponse> = {}): CacheResponse => ({
  body: { text },
  text,
  finishReason: "stop",
  usage: { inputTokens: 100, outputTokens: 50 },
  ...extra,
});
const TTL = 60_000;

describe("stale-while-revalidate", () => {
  it("serves the stale answer at once, refreshes it in the background, then serves the fresh one", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, staleWhileRevalidate: 30_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    const call = vi.fn(async () => answer("8 to 6"));
    const stale = await cache.run(ask(), call);
    expect(stale).toMatchObject({
      status: "stale",
      staleReason: "revalidating",
      response: { text: "9 to 5" },
    });
    expect(stale.ageMs).toBe(TTL + 1);
    expect(stale).not.toHaveProperty("refresh");
    await cache.drain();
    expect(call).toHaveBeenCalledTimes(1);
    const fresh = await cache.run(ask(), call);
    expect(fresh).toMatchObject({ status: "hit", response: { text: "8 to 6" } });
    const total = cache.stats.snapshot().total;
    expect(total).toMatchObject({ stale: 1, graced: 0, hits: 1, misses: 1, refreshes: { stored: 1 } });
    // The stale answer counts as served: 2 of 3 lookups.
    expect(total.hitRate).toBeCloseTo(2 / 3);
  });

  it("keeps the entry in the store for ttl + the window, so it is still there to serve stale", async () => {
    const clock = fakeClock();
    const set = vi.fn();
    const store = createMemoryStore({});
    store.on("error", () => {});
    const spied = new Keyv({ store: store.opts.store });
    const original = spied.set.bind(spied);
    spied.set = (async (key: string, value: unknown, ttl?: number) => {
      set(ttl);
      return original(key, value, ttl);
    }) as typeof spied.set;
    const cache = createCache({ clock, store: spied, ttl: TTL, staleWhileRevalidate: 30_000, grace: 90_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    expect(set).toHaveBeenLastCalledWith(TTL + 90_000);
    await cache.run(ask("another"), async () => answer("x"), { grace: 0 });
    expect(set).toHaveBeenLastCalledWith(TTL + 30_000);
  });

  it("runs one refresh for many concurrent stale hits in one process", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, staleWhileRevalidate: 30_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const call = vi.fn(async () => {
      await gate;
      return answer("8 to 6");
    });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => cache.run(ask(), call)));
    expect(outcomes.every((o) => o.status === "stale" && o.response.text === "9 to 5")).toBe(true);
    release();
    await cache.drain();
    expect(call).toHaveBeenCalledTimes(1);
    expect(cache.stats.snapshot().total.refreshes).toEqual({
      stored: 1,
      rejected: 0,
      failed: 0,
      skipped: 19,
    });
  });

  it("runs one refresh across two instances sharing a lock", async () => {
    const clock = fakeClock();
    const store = createMemoryStore({});
    const lock = createMemoryLock({ clock });
    const options = { clock, store, lock, ttl: TTL, staleWhileRevalidate: 30_000 };
    const a = createCache(options);
    const b = createCache(options);
    await a.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const call = vi.fn(async () => {
      await gate;
      return answer("8 to 6");
    });
    const [fromA, fromB] = await Promise.all([a.run(ask(), call), b.run(ask(), call)]);
    expect([fromA.status, fromB.status]).toEqual(["stale", "stale"]);
    // The loser finds the lock held by the winner, whose call has not returned yet.
    await vi.waitFor(() =>
      expect(a.stats.snapshot().total.refreshes.skipped + b.stats.snapshot().total.refreshes.skipped).toBe(1),
    );
    release();
    await Promise.all([a.drain(), b.drain()]);
    expect(call).toHaveBeenCalledTimes(1);
    const refreshes = [a, b].map((c) => c.stats.snapshot().total.refreshes);
    expect(refreshes.map((r) => r.stored).sort()).toEqual([0, 1]);
    expect(refreshes.map((r) => r.skipped).sort()).toEqual([0, 1]);
    expect(await b.run(ask(), call)).toMatchObject({ status: "hit", response: { text: "8 to 6" } });
  });

  it("skips a refresh when another instance refreshed between its read and the lock", async () => {
    const clock = fakeClock();
    const store = createMemoryStore({});
    const lock = createMemoryLock({ clock });
    const a = createCache({ clock, store, lock, ttl: TTL, staleWhileRevalidate: 30_000 });
    const b = createCache({ clock, store, lock, ttl: TTL, staleWhileRevalidate: 30_000 });
    await a.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    const lookup = await b.lookup(ask());
    expect(lookup.hit && lookup.outcome.status).toBe("stale");
    await a.run(ask(), async () => answer("8 to 6"));
    await a.drain();
    const call = vi.fn(async () => answer("7 to 7"));
    expect(lookup.hit && (await lookup.outcome.refresh?.(call))).toBe("skipped");
    expect(call).not.toHaveBeenCalled();
  });

  it("keeps the stale answer when the refreshed one fails validation, until the window ends", async () => {
    const clock = fakeClock();
    const cache = createCache({
      clock,
      ttl: TTL,
      staleWhileRevalidate: 30_000,
      validate: (res) => (res.text?.includes("sorry") ? "an apology" : true),
    });
    const rejects: string[] = [];
    cache.on("reject", (e) => rejects.push(e.reason));
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    const call = vi.fn(async () => answer("sorry, I cannot say"));
    expect(await cache.run(ask(), call)).toMatchObject({ status: "stale", response: { text: "9 to 5" } });
    await cache.drain();
    expect(rejects).toHaveLength(1);
    expect(cache.stats.snapshot().total.refreshes.rejected).toBe(1);
    clock.advance(10_000);
    expect(await cache.run(ask(), call)).toMatchObject({ status: "stale", response: { text: "9 to 5" } });
    await cache.drain();
    clock.advance(20_000);
    const miss = await cache.run(ask(), async () => answer("8 to 6"));
    expect(miss).toMatchObject({ status: "miss", stored: true });
  });

  it("reports a refresh whose call throws as an error event, never to the caller", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, staleWhileRevalidate: 30_000 });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    const stale = await cache.run(ask(), async () => {
      throw new Error("upstream down");
    });
    expect(stale.status).toBe("stale");
    await cache.drain();
    expect(errors).toEqual(["RECALL_REFRESH_ERROR"]);
    expect(cache.stats.snapshot().total.refreshes.failed).toBe(1);
    // The stale entry stays: the next call is stale again and refreshes again.
    const call = vi.fn(async () => answer("8 to 6"));
    expect((await cache.run(ask(), call)).status).toBe("stale");
    await cache.drain();
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("is a miss past the window", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, staleWhileRevalidate: 30_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 30_000);
    expect(await cache.run(ask(), async () => answer("8 to 6"))).toMatchObject({
      status: "miss",
      stored: true,
    });
  });

  it("is a window per call: a call may ask for none, or give one where the cache has none", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, staleWhileRevalidate: 30_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    const none = await cache.run(ask(), async () => answer("8 to 6"), { staleWhileRevalidate: 0 });
    expect(none.status).toBe("miss");

    const plain = createCache({ clock, ttl: TTL });
    await plain.run(ask(), async () => answer("9 to 5"), { staleWhileRevalidate: 5_000 });
    clock.advance(TTL + 1);
    const stale = await plain.run(ask(), async () => answer("8 to 6"), { staleWhileRevalidate: 5_000 });
    expect(stale.status).toBe("stale");
  });

  it("gives a lookup's stale hit a refresh the adapter runs with its own upstream call", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, staleWhileRevalidate: 30_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    const found = await cache.lookup(ask());
    if (!found.hit) throw new Error("expected a stale hit");
    expect(found.outcome.status).toBe("stale");
    expect(await found.outcome.refresh?.(async () => answer("8 to 6"))).toBe("stored");
    const hit = await cache.lookup(ask());
    expect(hit.hit && hit.outcome).toMatchObject({ status: "hit", response: { text: "8 to 6" } });
  });

  it("never serves stale to a call that bypasses the cache or may not store", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, staleWhileRevalidate: 30_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    expect((await cache.run(ask(), async () => answer("a"), { noStore: true })).status).toBe("miss");
    expect((await cache.run(ask(), async () => answer("b"), { noCache: true })).status).toBe("bypass");
  });

  it("refuses a negative window or grace at creation", () => {
    expect(() => createCache({ staleWhileRevalidate: -1 })).toThrow(/staleWhileRevalidate/);
    expect(() => createCache({ grace: Number.NaN })).toThrow(/grace/);
  });
});

describe("grace on upstream failure", () => {
  const failing = async (): Promise<CacheResponse> => {
    throw new Error("503 Service Unavailable");
  };

  it("serves the stale entry instead of the error, with the reason, counted", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, grace: 3_600_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 60_000);
    const outcome = await cache.run(ask(), failing);
    expect(outcome).toMatchObject({
      status: "stale",
      staleReason: "upstream failed: 503 Service Unavailable",
      response: { text: "9 to 5" },
    });
    const total = cache.stats.snapshot().total;
    expect(total).toMatchObject({ stale: 1, graced: 1, misses: 2 });
    expect(total.hitRate).toBeCloseTo(1 / 2);
  });

  it("rethrows past grace, with grace off, and when the entry is fresh-less", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, grace: 60_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 60_000);
    await expect(cache.run(ask(), failing)).rejects.toThrow("503");

    const off = createCache({ clock, ttl: TTL });
    await off.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    await expect(off.run(ask(), failing)).rejects.toThrow("503");
    await expect(off.run(ask("never asked"), failing)).rejects.toThrow("503");
  });

  it("is per call: a call can turn it off", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, grace: 3_600_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    await expect(cache.run(ask(), failing, { grace: 0 })).rejects.toThrow("503");
    expect((await cache.run(ask(), failing, { grace: 10_000 })).status).toBe("stale");
  });

  it("hands the stale answer to the callers waiting on the failed one", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, grace: 3_600_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    const call = vi.fn(async () => {
      await new Promise((r) => setTimeout(r, 10));
      throw new Error("timeout");
    });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => cache.run(ask(), call)));
    expect(call).toHaveBeenCalledTimes(1);
    expect(outcomes.every((o) => o.status === "stale" && o.response.text === "9 to 5")).toBe(true);
  });

  it("gives a lookup's ticket a rescue; a ticket without a stale entry fails as before", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, grace: 3_600_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 1);
    const ticket = await cache.lookup(ask());
    if (ticket.hit) throw new Error("expected a miss");
    expect(ticket.rescue(new Error("429 Too Many Requests"))).toMatchObject({
      status: "stale",
      staleReason: "upstream failed: 429 Too Many Requests",
    });
    const cold = await cache.lookup(ask("cold"));
    if (cold.hit) throw new Error("expected a miss");
    expect(cold.rescue(new Error("x"))).toBeUndefined();
  });

  it("serves stale by SWR first, by grace once the window has passed", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: TTL, staleWhileRevalidate: 10_000, grace: 3_600_000 });
    await cache.run(ask(), async () => answer("9 to 5"));
    clock.advance(TTL + 20_000);
    const outcome = await cache.run(ask(), failing);
    expect(outcome).toMatchObject({
      status: "stale",
      staleReason: "upstream failed: 503 Service Unavailable",
    });
  });
});

describe("invalidation when the model changes", () => {
  it("reads entries made before `before` as misses and replaces them", async () => {
    const clock = fakeClock(Date.parse("2026-01-01T00:00:00Z"));
    const store = createMemoryStore({});
    const before = createCache({ clock, store });
    await before.run(ask(), async () => answer("old"));
    clock.advance(60_000);
    const cutoff = new Date(clock.now());
    const after = createCache({ clock, store, invalidate: { before: cutoff } });
    const call = vi.fn(async () => answer("new"));
    expect(await after.run(ask(), call)).toMatchObject({ status: "miss", stored: true });
    expect(await after.run(ask(), call)).toMatchObject({ status: "hit", response: { text: "new" } });
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("reads entries made by another model version as misses, by the answer's own model id", async () => {
    const store = createMemoryStore({});
    const old = createCache({ store });
    await old.run(ask(), async () => answer("old", { modelId: "gpt-4o-2024-08-06" }));
    await old.run(ask("other"), async () => answer("other", { modelId: "gpt-4o-2024-11-20" }));
    const claude: CacheRequest = { ...ask(), model: { provider: "anthropic", id: "claude-sonnet-4" } };
    await old.run(claude, async () => answer("claude", { modelId: "claude-sonnet-4-20250514" }));

    const cache = createCache({ store, invalidate: { models: { "gpt-4o": "gpt-4o-2024-11-20" } } });
    const call = vi.fn(async () => answer("new", { modelId: "gpt-4o-2024-11-20" }));
    expect((await cache.run(ask(), call)).status).toBe("miss");
    expect(await cache.run(ask(), call)).toMatchObject({ status: "hit", response: { text: "new" } });
    expect((await cache.run(ask("other"), call)).status).toBe("hit");
    // Models not listed are left alone.
    expect((await cache.run(claude, call)).status).toBe("hit");
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("takes a test of the version, and `provider:id` names", async () => {
    const store = createMemoryStore({});
    const old = createCache({ store });
    await old.run(ask(), async () => answer("old", { modelId: "gpt-4o-2024-08-06" }));
    await old.run(ask("no id"), async () => answer("none"));
    const cache = createCache({
      store,
      invalidate: { models: { "openai:gpt-4o": (id) => id === undefined || id >= "gpt-4o-2024-11-20" } },
    });
    expect((await cache.run(ask(), async () => answer("new"))).status).toBe("miss");
    expect((await cache.run(ask("no id"), async () => answer("new"))).status).toBe("hit");
  });

  it("never serves an invalidated entry stale", async () => {
    const clock = fakeClock();
    const store = createMemoryStore({});
    const old = createCache({ clock, store, ttl: TTL, staleWhileRevalidate: 30_000, grace: 60_000 });
    await old.run(ask(), async () => answer("old", { modelId: "gpt-4o-2024-08-06" }));
    clock.advance(TTL + 1);
    const cache = createCache({
      clock,
      store,
      ttl: TTL,
      staleWhileRevalidate: 30_000,
      grace: 60_000,
      invalidate: { models: { "gpt-4o": "gpt-4o-2024-11-20" } },
    });
    await expect(
      cache.run(ask(), async () => {
        throw new Error("down");
      }),
    ).rejects.toThrow("down");
  });

  it("refuses a bad rule at creation", () => {
    expect(() => createCache({ invalidate: { before: Number.NaN } })).toThrow(/invalidate.before/);
    expect(() => createCache({ invalidate: { models: { "gpt-4o": 4 as never } } })).toThrow(
      /invalidate.models/,
    );
  });
});

describe("per-call options through the adapter kit", () => {
  it("reads staleWhileRevalidate and grace, and refuses bad ones", async () => {
    const { parseCallOptions } = await import("./adapter/call-options.js");
    const parsed = parseCallOptions({ staleWhileRevalidate: 5_000, grace: 0 }, { where: "recall" });
    expect(parsed.call).toEqual({ staleWhileRevalidate: 5_000, grace: 0 });
    expect(() => parseCallOptions({ grace: -1 }, { where: "recall" })).toThrow(/recall.grace/);
    expect(() => parseCallOptions({ staleWhileRevalidate: "1m" }, { where: "recall" })).toThrow(
      /recall.staleWhileRevalidate/,
    );
  });
});
