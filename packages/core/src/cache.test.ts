import Keyv from "keyv";
import { describe, expect, it, vi } from "vitest";
import { createCache } from "./cache.js";
import { RecallError } from "./errors.js";
import { FlatIndex } from "./index/index.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";
import { fakeClock } from "./testing/fake-clock.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";
import { refusingStore } from "./testing/refusing-store.js";

const ask = (q: string, extra: Partial<CacheRequest> = {}): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user", content: q }],
  ...extra,
});
const answer = (text: string, extra: Partial<CacheResponse> = {}): CacheResponse => ({
  body: { text },
  text,
  finishReason: "stop",
  usage: { inputTokens: 1_000, outputTokens: 500 },
  ...extra,
});

describe("the lookup-or-call path", () => {
  it("calls once, then answers from cache with what it saved", async () => {
    const cache = createCache();
    const call = vi.fn(async () => answer("Paris"));
    const miss = await cache.run(ask("Capital of France?"), call);
    const hit = await cache.run(ask("Capital of France?"), call);
    expect(call).toHaveBeenCalledTimes(1);
    expect(miss).toMatchObject({ status: "miss", stored: true });
    expect(hit).toMatchObject({ status: "hit", response: { text: "Paris" } });
    // gpt-4.1: $2 in, $8 out per million tokens.
    expect(hit.saved).toEqual({ inputTokens: 1_000, outputTokens: 500, usd: (1_000 * 2 + 500 * 8) / 1e6 });
    const stats = cache.stats.snapshot();
    expect(stats.total).toMatchObject({ hits: 1, misses: 1, stores: 1, hitRate: 0.5 });
    expect(stats.namespaces.default?.saved.usd).toBeCloseTo(0.006);
  });

  it("makes exactly one upstream call for 100 concurrent identical misses", async () => {
    const cache = createCache();
    let calls = 0;
    const call = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 30));
      return answer("one answer");
    };
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, () => cache.run(ask("Same question"), call)),
    );
    expect(calls).toBe(1);
    expect(outcomes.every((o) => o.response.text === "one answer")).toBe(true);
    expect(outcomes.filter((o) => o.status === "miss")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "coalesced")).toHaveLength(99);
    expect(cache.stats.snapshot().total.coalesced).toBe(99);
  });

  it("lets waiting callers call on their own when the leader's call fails", async () => {
    const cache = createCache();
    let calls = 0;
    const call = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      if (calls === 1) throw new Error("upstream 500");
      return answer("recovered");
    };
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => cache.run(ask("Flaky"), call)));
    expect(results[0]).toMatchObject({ status: "rejected" });
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    expect(fulfilled).toHaveLength(4);
    // One of the waiters took over as leader; the rest waited for it.
    expect(calls).toBe(2);
  });

  it("never stores invalid answers", async () => {
    const cache = createCache();
    const rejected: string[] = [];
    cache.on("reject", (e) => rejected.push(e.reason));
    const cases: Array<[string, CacheResponse, Partial<CacheRequest>?]> = [
      ["empty", answer("   ")],
      ["truncated", answer("Half an ans", { finishReason: "length" })],
      ["filtered", answer("", { finishReason: "content-filter" })],
      ["error", answer("oops", { finishReason: "error" })],
      [
        "unfinished tool call",
        answer("", {
          finishReason: "tool-calls",
          toolCalls: [{ toolCallId: "1", toolName: "weather", input: '{"city": "Par' }],
        }),
      ],
      ["tool-calls without calls", answer("", { finishReason: "tool-calls" })],
      ["bad json", answer("{not json", {}), { params: { responseFormat: { type: "json" } } }],
      [
        "schema mismatch",
        answer('{"city": 3}'),
        {
          params: {
            responseFormat: {
              type: "json",
              schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            },
          },
        },
      ],
    ];
    for (const [q, response, extra] of cases) {
      const out = await cache.run(ask(q, extra), async () => response);
      expect(out.stored, q).toBe(false);
      expect(out.rejectedBecause, q).toBeTruthy();
      expect((await cache.run(ask(q, extra), async () => answer("{}"))).status, q).not.toBe("hit");
    }
    expect(rejected.length).toBeGreaterThanOrEqual(cases.length);
  });

  it("stores finished tool calls and JSON that matches its schema", async () => {
    const cache = createCache();
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const json = await cache.run(
      ask("Where?", { params: { responseFormat: { type: "json", schema } } }),
      async () => answer('{"city":"Paris"}'),
    );
    expect(json.stored).toBe(true);
    const tools = await cache.run(ask("Weather?"), async () =>
      answer("", {
        finishReason: "tool-calls",
        toolCalls: [{ toolCallId: "c1", toolName: "weather", input: '{"city":"Paris"}' }],
      }),
    );
    expect(tools.stored).toBe(true);
  });

  it("runs user validators: functions and Standard Schemas", async () => {
    const noSorry = (r: CacheResponse) => (r.text?.startsWith("Sorry") ? "apology" : true);
    const schema = {
      "~standard": {
        version: 1 as const,
        validate: (v: unknown) =>
          typeof v === "object" && v && "answer" in v ? {} : { issues: [{ message: "needs answer" }] },
      },
    };
    const cache = createCache({ validate: [noSorry, schema] });
    const json = { params: { responseFormat: { type: "json" as const } } };
    expect((await cache.run(ask("a", json), async () => answer('"Sorry, no"'))).stored).toBe(false);
    expect((await cache.run(ask("b", json), async () => answer('{"x":1}'))).rejectedBecause).toMatch(
      /needs answer/,
    );
    expect((await cache.run(ask("c", json), async () => answer('{"answer":1}'))).stored).toBe(true);
    const sorry = await cache.run(ask("d"), async () => answer("Sorry, I cannot"));
    expect(sorry.rejectedBecause).toBe("apology");
  });

  it("honours noCache, noStore, forceRefresh, ttl and namespace per call", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock });
    await cache.run(ask("q"), async () => answer("v1"));
    const bypass = await cache.run(ask("q"), async () => answer("v2"), { noCache: true });
    expect(bypass.status).toBe("bypass");
    expect(bypass.response.text).toBe("v2");
    const noStore = await cache.run(ask("only once"), async () => answer("x"), { noStore: true });
    expect(noStore.stored).toBe(false);
    expect((await cache.run(ask("only once"), async () => answer("y"))).status).toBe("miss");
    await cache.run(ask("refresh me"), async () => answer("old"));
    const refreshed = await cache.run(ask("refresh me"), async () => answer("new"), { forceRefresh: true });
    expect(refreshed.status).toBe("bypass");
    expect((await cache.run(ask("refresh me"), async () => answer("never"))).response.text).toBe("new");
    await cache.run(ask("short"), async () => answer("s"), { ttl: 50 });
    clock.advance(49);
    expect((await cache.run(ask("short"), async () => answer("s2"))).status).toBe("hit");
    clock.advance(1);
    expect((await cache.run(ask("short"), async () => answer("s2"))).status).toBe("miss");
    await cache.run(ask("tenant"), async () => answer("for a"), { namespace: "a" });
    expect(
      (await cache.run(ask("tenant"), async () => answer("for b"), { namespace: "b" })).response.text,
    ).toBe("for b");
  });

  it("renews entries on hits in sliding mode, not in fixed mode", async () => {
    const clock = fakeClock();
    const sliding = createCache({ clock, ttl: 200, ttlMode: "sliding" });
    const fixed = createCache({ clock, ttl: 200 });
    for (const c of [sliding, fixed]) await c.run(ask("s"), async () => answer("a"));
    for (let i = 0; i < 4; i++) {
      clock.advance(70);
      await sliding.run(ask("s"), async () => answer("b"));
    }
    expect((await sliding.run(ask("s"), async () => answer("c"))).status).toBe("hit");
    expect((await fixed.run(ask("s"), async () => answer("c"))).status).toBe("miss");
  });

  it("bounds the default in-memory store", async () => {
    const cache = createCache({ maxEntries: 3 });
    for (const q of ["a", "b", "c", "d"]) await cache.run(ask(q), async () => answer(q));
    expect((await cache.run(ask("a"), async () => answer("a2"))).status).toBe("miss");
    expect((await cache.run(ask("d"), async () => answer("d2"))).status).toBe("hit");
  });
});

describe("fail open", () => {
  it("answers upstream when the store throws, and reports it", async () => {
    const broken = refusingStore();
    const cache = createCache({ store: broken });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    const out = await cache.run(ask("q"), async () => answer("from upstream"));
    expect(out.response.text).toBe("from upstream");
    expect(out.stored).toBe(false);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((c) => c === "RECALL_STORE_ERROR")).toBe(true);
  });

  it("opens the store's breaker when Keyv reports failures as events and resolves them as misses", async () => {
    let reached = 0;
    const down = new Keyv({
      store: {
        get: async () => {
          reached++;
          throw new Error("ECONNREFUSED");
        },
        set: async () => {
          reached++;
          throw new Error("ECONNREFUSED");
        },
        delete: async () => false,
        clear: async () => {},
      } as never,
    });
    // This is how Keyv behaves with @keyv/redis and Redis down: an error event, then a miss.
    expect(await down.get("probe").catch(() => "rejected")).toBeUndefined();
    reached = 0;
    const cache = createCache({ store: down, breaker: { failures: 3, cooldownMs: 60_000 } });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    for (let i = 0; i < 6; i++) await cache.run(ask(`q${i}`), async () => answer("from upstream"));
    expect(errors).toContain("RECALL_STORE_UNAVAILABLE");
    expect(reached).toBeLessThan(6); // once open, calls skip the store
    // The user's own instance is left as it was.
    expect(down.throwOnErrors).toBe(false);
    expect(await down.get("probe")).toBeUndefined();
  });

  it("answers upstream when the store hangs, after the store timeout", async () => {
    const hanging = new Keyv({
      store: {
        get: () => new Promise(() => {}),
        set: () => new Promise(() => {}),
        delete: async () => false,
        clear: async () => {},
      } as never,
    });
    const cache = createCache({ store: hanging, storeTimeoutMs: 20 });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    const started = performance.now();
    const out = await cache.run(ask("q"), async () => answer("fine"));
    expect(out.response.text).toBe("fine");
    // One read and one write, each cut at the timeout.
    expect(performance.now() - started).toBeLessThan(500);
    expect(errors).toEqual(["RECALL_STORE_TIMEOUT", "RECALL_STORE_TIMEOUT"]);
  });

  it("stops waiting on a store that keeps timing out, and probes it after the cooldown", async () => {
    let healthy = false;
    let reached = 0;
    const data = new Map<string, unknown>();
    const flaky = new Keyv({
      store: {
        get: async (key: string) => {
          reached++;
          return healthy ? data.get(key) : new Promise(() => {});
        },
        set: async (key: string, value: unknown) => {
          reached++;
          if (!healthy) return new Promise(() => {});
          data.set(key, value);
          return true;
        },
        delete: async () => false,
        clear: async () => {},
      } as never,
    });
    const clock = fakeClock();
    const cache = createCache({
      store: flaky,
      storeTimeoutMs: 20,
      breaker: { failures: 3, cooldownMs: 300 },
      clock,
    });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    const upstream = vi.fn(async () => answer("fine"));

    for (let i = 0; i < 10; i++) expect((await cache.run(ask("q"), upstream)).response.text).toBe("fine");
    // Read and write of the first call, read of the second: then the store is left alone.
    expect(reached).toBe(3);
    expect(upstream).toHaveBeenCalledTimes(10);
    expect(errors).toEqual([
      "RECALL_STORE_TIMEOUT",
      "RECALL_STORE_TIMEOUT",
      "RECALL_STORE_TIMEOUT",
      "RECALL_STORE_UNAVAILABLE",
    ]);

    healthy = true;
    clock.advance(299);
    expect((await cache.run(ask("q"), upstream)).stored).toBe(false); // still cooling down
    expect(reached).toBe(3);
    clock.advance(1);
    // The first read after the cooldown probes the store; it answers, so the write goes through too.
    expect((await cache.run(ask("q"), upstream)).stored).toBe(true);
    expect((await cache.run(ask("q"), upstream)).status).toBe("hit");
    expect(errors).toHaveLength(4);
  });

  it("goes on without a lock that keeps failing, and probes it after the cooldown", async () => {
    let healthy = false;
    let acquired = 0;
    const lock = {
      acquire: async () => {
        acquired++;
        if (!healthy) throw new Error("READONLY");
        return { release: async () => {} };
      },
      waitForRelease: async () => {},
    };
    const clock = fakeClock();
    const cache = createCache({ lock, breaker: { failures: 2, cooldownMs: 200 }, clock });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    for (let i = 0; i < 5; i++) {
      expect((await cache.run(ask(`q${i}`), async () => answer("fine"))).response.text).toBe("fine");
    }
    expect(acquired).toBe(2);
    expect(errors).toEqual(["RECALL_LOCK_ERROR", "RECALL_LOCK_ERROR", "RECALL_LOCK_UNAVAILABLE"]);

    healthy = true;
    clock.advance(199);
    await cache.run(ask("q4b"), async () => answer("fine"));
    expect(acquired).toBe(2); // still cooling down: the lock is left alone
    clock.advance(1);
    for (let i = 5; i < 8; i++) await cache.run(ask(`q${i}`), async () => answer("fine"));
    expect(acquired).toBe(5); // the probe succeeded: every miss takes the lock again
    expect(errors).toHaveLength(3);
  });

  it("with breaker: false, tries the store on every call", async () => {
    let reached = 0;
    const hanging = new Keyv({
      store: {
        get: () => {
          reached++;
          return new Promise(() => {});
        },
        set: () => {
          reached++;
          return new Promise(() => {});
        },
        delete: async () => false,
        clear: async () => {},
      } as never,
    });
    const cache = createCache({ store: hanging, storeTimeoutMs: 5, breaker: false });
    for (let i = 0; i < 4; i++) await cache.run(ask("q"), async () => answer("fine"));
    expect(reached).toBe(8);
  });

  it("keeps calling when embedding fails", async () => {
    const cache = createCache({
      semantic: {
        embedder: {
          id: "broken",
          dimensions: 4,
          embed: async () => {
            throw new Error("model missing");
          },
        },
      },
    });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    const out = await cache.run(ask("q"), async () => answer("ok"));
    expect(out.response.text).toBe("ok");
    expect(out.stored).toBe(true);
    expect(errors).toContain("RECALL_SEMANTIC_ERROR");
    expect((await cache.run(ask("q"), async () => answer("no"))).status).toBe("hit");
  });

  it("passes a request it cannot key through to upstream", async () => {
    const cache = createCache();
    const out = await cache.run({ model: { provider: "openai", id: "x" }, messages: [] }, async () =>
      answer("still works"),
    );
    expect(out).toMatchObject({ status: "bypass", stored: false });
  });

  it("does not let a throwing listener break a call", async () => {
    const cache = createCache();
    cache.on("miss", () => {
      throw new Error("listener bug");
    });
    expect((await cache.run(ask("q"), async () => answer("ok"))).response.text).toBe("ok");
  });
});

describe("configuration errors", () => {
  it.each([
    [{ ttl: -1 }, /ttl must be a non-negative/],
    [{ ttlMode: "forever" }, /ttlMode must be/],
    [{ storeTimeoutMs: 0 }, /storeTimeoutMs must be a positive/],
    [{ breaker: { failures: 0 } }, /breaker.failures must be a positive integer/],
    [{ breaker: { cooldownMs: -1 } }, /breaker.cooldownMs must be a positive/],
    [{ breaker: true }, /breaker must be/],
    [{ store: {} }, /store must be a Keyv instance/],
    [{ namespace: "" }, /namespace must be a non-empty string/],
    [{ semantic: { embedder: {} } }, /semantic.embedder must implement Embedder/],
    [{ semantic: { embedder: fakeEmbedder(), threshold: 1.5 } }, /semantic.threshold/],
    [{ validate: 3 }, /validate must be a function or a Standard Schema/],
  ])("throws a coded error for %j", (options, message) => {
    let thrown: unknown;
    try {
      createCache(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(RecallError.isInstance(thrown)).toBe(true);
    expect((thrown as RecallError).code).toBe("RECALL_INVALID_OPTION");
    expect((thrown as Error).message).toMatch(message);
  });
});

describe("semantic matching", () => {
  const synonyms = [["How do I reset my password?", "How can I change my password?"]];

  it("answers a paraphrase inside the same partition and reports similarity and the matched question", async () => {
    const cache = createCache({ semantic: { embedder: fakeEmbedder({ synonyms }), index: new FlatIndex() } });
    await cache.run(ask("How do I reset my password?"), async () => answer("Use the reset link."));
    const out = await cache.run(ask("How can I change my password?"), async () => answer("never"));
    expect(out.status).toBe("semantic-hit");
    expect(out.similarity).toBeGreaterThan(0.999);
    expect(out.matchedQuestion).toBe("How do I reset my password?");
    expect(out.response.text).toBe("Use the reset link.");
    expect(cache.stats.snapshot().total.semanticHits).toBe(1);
  });

  it("never matches across models, system prompts, namespaces or earlier turns", async () => {
    const cache = createCache({ semantic: { embedder: fakeEmbedder({ synonyms }), index: new FlatIndex() } });
    await cache.run(ask("How do I reset my password?"), async () => answer("A"));
    const variants: Array<[Partial<CacheRequest>, object?]> = [
      [{ model: { provider: "openai", id: "gpt-4o" } }],
      [
        {
          messages: [
            { role: "system", content: "Be terse." },
            { role: "user", content: "How can I change my password?" },
          ],
        },
      ],
      [{}, { namespace: "other" }],
      [{ params: { temperature: 1 } }],
      [
        {
          messages: [
            { role: "user", content: "Hi" },
            { role: "assistant", content: "Hello" },
            { role: "user", content: "How can I change my password?" },
          ],
        },
      ],
    ];
    for (const [extra, options] of variants) {
      const out = await cache.run(
        ask("How can I change my password?", extra),
        async () => answer("B"),
        options,
      );
      expect(out.status, JSON.stringify(extra)).toBe("miss");
    }
  });

  it("refuses candidates the guard rejects, and respects a per-call threshold", async () => {
    const cache = createCache({
      semantic: {
        embedder: fakeEmbedder({ synonyms: [["Refund order 123", "Refund order 456"]] }),
        index: new FlatIndex(),
      },
    });
    const refused: string[] = [];
    cache.on("semantic-reject", (e) => refused.push(e.reason));
    await cache.run(ask("Refund order 123"), async () => answer("Done for 123"));
    expect((await cache.run(ask("Refund order 456"), async () => answer("Done for 456"))).status).toBe(
      "miss",
    );
    expect(refused[0]).toMatch(/numbers/);
  });

  it("rebuilds the index from the store in a new instance", async () => {
    const store = new Keyv();
    const embedder = fakeEmbedder({ synonyms });
    const first = createCache({ store, semantic: { embedder, index: new FlatIndex() } });
    await first.run(ask("How do I reset my password?"), async () => answer("A"));
    const second = createCache({ store, semantic: { embedder, index: new FlatIndex() } });
    await second.ready();
    expect((await second.run(ask("How can I change my password?"), async () => answer("B"))).status).toBe(
      "semantic-hit",
    );
  });

  it("embeds a question once for its lookup and its store", async () => {
    const embedder = fakeEmbedder();
    const cache = createCache({ semantic: { embedder, index: new FlatIndex() } });
    await cache.run(ask("Something new"), async () => answer("x"));
    expect(embedder.calls).toBe(1);
  });
});

describe("a lost leader", () => {
  it("is dropped after one wait bound, so the waiter leads instead of waiting a second time", async () => {
    // The wait bound is a timer: fake timers move it instead of waiting it out.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const cache = createCache({ waitTimeoutMs: 300 });
      // A leader that never settles: a stream whose reader went away.
      const lost = await cache.lookup(ask("stuck"));
      expect(lost.hit).toBe(false);
      let settled = false;
      const run = cache
        .run(ask("stuck"), async () => answer("fresh"))
        .finally(() => {
          settled = true;
        });
      await vi.advanceTimersByTimeAsync(299);
      expect(settled).toBe(false);
      // One bound (300 ms), not two: with the stale slot kept, the waiter would queue behind it
      // again and still be waiting here.
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(true);
      expect(await run).toMatchObject({ status: "miss", stored: true, response: { text: "fresh" } });
      expect((await cache.run(ask("stuck"), async () => answer("never"))).status).toBe("hit");
    } finally {
      vi.useRealTimers();
    }
  });
});
