import { describe, expect, it } from "vitest";
import { createCache } from "./cache.js";
import type { Embedder } from "./embedder.js";
import type { CacheEvents } from "./events.js";
import type { CacheRequest } from "./request.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";

const request = (question: string): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1-mini" },
  messages: [{ role: "user", content: question }],
});
const answer = (text: string) => async () => ({ body: { text }, text, finishReason: "stop" as const });

/** An embedder (fake vectors) whose calls can be held, to play a busy or stuck model. */
function heldEmbedder(extra: Partial<Embedder> = {}) {
  const inner = fakeEmbedder({ synonyms: [["How do I reset my password?", "How can I reset my password?"]] });
  let hold: Promise<void> | undefined;
  let letGo = () => {};
  const batches: string[][] = [];
  const embedder: Embedder = {
    id: inner.id,
    dimensions: inner.dimensions,
    ...extra,
    async embed(texts) {
      batches.push([...texts]);
      if (hold) await hold;
      return inner.embed(texts);
    },
  };
  return {
    embedder,
    batches,
    stick() {
      hold = new Promise((resolve) => {
        letGo = resolve;
      });
    },
    unstick() {
      hold = undefined;
      letGo();
    },
  };
}

function watch(cache: ReturnType<typeof createCache>) {
  const shed: Array<CacheEvents["semantic-shed"]> = [];
  const errors: Array<CacheEvents["error"]> = [];
  cache.on("semantic-shed", (e) => shed.push(e));
  cache.on("error", (e) => errors.push(e));
  return { shed, errors };
}

describe("semantic matching under load", () => {
  it("answers a lookup exact-only within the budget when the embedder is stuck, and counts it", async () => {
    const held = heldEmbedder();
    const cache = createCache({ semantic: { embedder: held.embedder, budgetMs: 30 } });
    const seen = watch(cache);
    await cache.run(request("How do I reset my password?"), answer("Settings > Security."));
    // Exact repeats never touch the embedder.
    held.stick();
    const exact = await cache.run(request("How do I reset my password?"), answer("again"));
    expect(exact.status).toBe("hit");

    const started = performance.now();
    const lookup = await cache.lookup(request("How can I reset my password?"));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(lookup.hit).toBe(false);
    expect(seen.shed).toEqual([
      expect.objectContaining({
        during: "lookup",
        cause: "budget",
        reason: expect.stringMatching(/30 ms budget/),
      }),
    ]);
    expect(cache.stats.snapshot().total.semanticShed).toBe(1);
    expect(seen.errors).toEqual([]);
    if (!lookup.hit) lookup.fail();
    held.unstick();
    await cache.close();
  });

  it("still matches by meaning when the embedder is quick", async () => {
    const held = heldEmbedder();
    const cache = createCache({ semantic: { embedder: held.embedder, budgetMs: 1_000 } });
    await cache.run(request("How do I reset my password?"), answer("Settings > Security."));
    const outcome = await cache.run(request("How can I reset my password?"), answer("other"));
    expect(outcome.status).toBe("semantic-hit");
    await cache.close();
  });

  it("embeds concurrent lookups together, and the writes reuse their vectors", async () => {
    const held = heldEmbedder();
    const cache = createCache({ semantic: { embedder: held.embedder, budgetMs: 5_000 } });
    const questions = ["What is the refund policy?", "Do you ship to Canada?", "Where is my order?"];
    const outcomes = await Promise.all(questions.map((q) => cache.run(request(q), answer(q))));
    expect(outcomes.map((o) => o.stored)).toEqual([true, true, true]);
    expect(held.batches).toEqual([questions]);
    await cache.close();
  });

  it("sheds lookups at once when the embedding queue is full, and stores their answers exact-only", async () => {
    const held = heldEmbedder();
    held.stick();
    const cache = createCache({
      semantic: { embedder: held.embedder, budgetMs: 60_000, maxQueue: 2, batchSize: 1 },
    });
    const seen = watch(cache);
    // One question is being embedded, two wait: the queue is full.
    const pause = () => new Promise((r) => setTimeout(r, 20));
    const waiting = [cache.lookup(request("first question"))];
    await pause();
    waiting.push(cache.lookup(request("second question")), cache.lookup(request("third question")));
    await pause();
    expect(seen.shed).toEqual([]);
    const started = performance.now();
    const shed = await cache.run(request("fourth question"), answer("fourth answer"));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(shed.status).toBe("miss");
    expect(shed.stored).toBe(true);
    expect(seen.shed.map((e) => [e.during, e.cause])).toEqual([
      ["lookup", "queue-full"],
      ["store", "queue-full"],
    ]);
    // Stored exact-only: the exact repeat hits.
    expect((await cache.run(request("fourth question"), answer("x"))).status).toBe("hit");
    held.unstick();
    for (const lookup of await Promise.all(waiting)) if (!lookup.hit) lookup.fail();
    await cache.close();
  });

  it("turns an embedder that fails (a crashed worker) into misses and error events", async () => {
    const cache = createCache({
      semantic: {
        embedder: {
          id: "crashing",
          dimensions: 4,
          async embed() {
            throw new Error("worker exited with code 1");
          },
        },
      },
    });
    const seen = watch(cache);
    const outcome = await cache.run(request("What is the refund policy?"), answer("30 days."));
    expect(outcome.status).toBe("miss");
    expect(outcome.stored).toBe(true);
    expect(seen.errors.map((e) => e.error.code)).toEqual(["RECALL_SEMANTIC_ERROR", "RECALL_SEMANTIC_ERROR"]);
    expect((await cache.run(request("What is the refund policy?"), answer("x"))).status).toBe("hit");
    await cache.close();
  });

  it("gives a local embedder a tight default budget, and a remote one a network-sized one", () => {
    const local = createCache({ semantic: { embedder: { ...fakeEmbedder(), local: true } } });
    const remote = createCache({ semantic: { embedder: fakeEmbedder() } });
    const bounded = createCache({ semantic: { embedder: fakeEmbedder(), embedTimeoutMs: 700 } });
    expect(local.semantic!.budgetMs).toBe(50);
    expect(remote.semantic!.budgetMs).toBe(2_000);
    expect(bounded.semantic!.budgetMs).toBe(700);
  });

  it("loads the embedder's model in ready(), and reports a load that fails", async () => {
    let loads = 0;
    const loaded = createCache({
      semantic: {
        embedder: {
          ...fakeEmbedder(),
          async load() {
            await new Promise((r) => setTimeout(r, 20));
            loads++;
          },
        },
      },
    });
    await loaded.ready();
    expect(loads).toBe(1);

    const failing = createCache({
      semantic: {
        embedder: {
          ...fakeEmbedder(),
          async load() {
            throw new Error("model file missing");
          },
        },
      },
    });
    const seen = watch(failing);
    await expect(failing.ready()).resolves.toBeUndefined();
    expect(seen.errors[0]?.error.message).toMatch(/loading the embedder failed.*model file missing/);
  });

  it("retains the embedder while open and releases it once on close", async () => {
    const events: string[] = [];
    const embedder: Embedder = {
      ...fakeEmbedder(),
      retain() {
        events.push("retain");
        return async () => {
          events.push("release");
        };
      },
    };
    const a = createCache({ semantic: { embedder } });
    const b = createCache({ semantic: { embedder } });
    await a.close();
    await a.close();
    expect(events).toEqual(["retain", "retain", "release"]);
    await b.close();
    expect(events).toEqual(["retain", "retain", "release", "release"]);
  });

  it("refuses bad load options at once", () => {
    const embedder = fakeEmbedder();
    for (const [semantic, message] of [
      [{ budgetMs: 0 }, /semantic.budgetMs must be a positive number/],
      [{ maxQueue: 1.5 }, /semantic.maxQueue must be a positive integer/],
      [{ batchSize: 0 }, /semantic.batchSize must be a positive integer/],
      [{ batchWindowMs: -1 }, /semantic.batchWindowMs must be a non-negative/],
      [{ embedTimeoutMs: Number.POSITIVE_INFINITY }, /semantic.embedTimeoutMs must be a positive/],
    ] as const) {
      expect(() => createCache({ semantic: { embedder, ...semantic } })).toThrow(message);
    }
  });
});
