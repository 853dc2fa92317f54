import { describe, expect, it, vi } from "vitest";
import { parseCallOptions } from "./adapter/call-options.js";
import { summarize } from "./adapter/summary.js";
import { mulberry32 } from "./bootstrap.js";
import { createCache } from "./cache.js";
import type { RecallError } from "./errors.js";
import { createMemoryLock } from "./memory-lock.js";
import { createMemoryStore } from "./memory-store.js";
import type { CacheOutcome } from "./pipeline/outcome.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";
import { fakeClock } from "./testing/fake-clock.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";

const QUESTION = "Write a tagline for a coffee shop";
const PARAPHRASE = "Come up with a tagline for a coffee shop";
const ask = (q = QUESTION, temperature?: number): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4o" },
  messages: [{ role: "user", content: q }],
  ...(temperature === undefined ? {} : { params: { temperature } }),
});
const answer = (text: string): CacheResponse => ({
  body: { text },
  text,
  finishReason: "stop",
  usage: { inputTokens: 10, outputTokens: 5 },
});
/** An upstream that answers `tagline 1`, `tagline 2`, … one call after another. */
const upstream = (prefix = "tagline") => {
  let n = 0;
  return vi.fn(async () => answer(`${prefix} ${++n}`));
};
const textOf = (o: CacheOutcome) => (o.response as CacheResponse).text;

describe("answer variants", () => {
  it("keeps the first N answers of a key, then serves one of them at random on every hit", async () => {
    const cache = createCache({ variants: 3, random: mulberry32(7) });
    const call = upstream();
    const filling = [];
    for (let i = 0; i < 3; i++) filling.push(await cache.run(ask(), call));
    expect(filling.map((o) => [o.status, o.stored, textOf(o), o.variant, o.variants])).toEqual([
      ["miss", true, "tagline 1", 1, 1],
      ["miss", true, "tagline 2", 2, 2],
      ["miss", true, "tagline 3", 3, 3],
    ]);
    const served = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const hit = await cache.run(ask(), call);
      expect(hit.status).toBe("hit");
      expect(hit.variants).toBe(3);
      // The variant number names the answer served.
      expect(textOf(hit)).toBe(`tagline ${hit.variant}`);
      served.set(textOf(hit)!, (served.get(textOf(hit)!) ?? 0) + 1);
    }
    expect(call).toHaveBeenCalledTimes(3);
    expect([...served.keys()].sort()).toEqual(["tagline 1", "tagline 2", "tagline 3"]);
    // Roughly uniform: each of 300 draws a third of the time.
    for (const count of served.values()) expect(count).toBeGreaterThan(70);
    expect(summarize(await cache.run(ask(), call))).toMatchObject({ status: "hit", variants: 3 });
  });

  it("is reproducible with the same seeded random source", async () => {
    const draws = async (seed: number) => {
      const cache = createCache({ variants: 4, random: mulberry32(seed) });
      const call = upstream();
      for (let i = 0; i < 4; i++) await cache.run(ask(), call);
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) seen.push((await cache.run(ask(), call)).variant!);
      return seen;
    };
    expect(await draws(11)).toEqual(await draws(11));
  });

  it("defaults to one answer per key, with no variant fields", async () => {
    const cache = createCache();
    const call = upstream();
    const first = await cache.run(ask(), call);
    const again = await cache.run(ask(), call);
    expect(again).toMatchObject({ status: "hit", response: { text: "tagline 1" } });
    expect(first).not.toHaveProperty("variant");
    expect(again).not.toHaveProperty("variants");
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("applies the cache's variants to sampled calls only: temperature 0 and non-chat calls keep one answer", async () => {
    const cache = createCache({ variants: 3 });
    const call = upstream();
    await cache.run(ask(QUESTION, 0), call);
    expect((await cache.run(ask(QUESTION, 0), call)).status).toBe("hit");
    const embedding: CacheRequest = { kind: "embedding", model: { provider: "openai", id: "e" }, input: "x" };
    await cache.run(embedding, call);
    expect((await cache.run(embedding, call)).status).toBe("hit");
    // A sampled temperature, and an unset one (the provider's default samples), get three.
    await cache.run(ask(QUESTION, 0.7), call);
    expect((await cache.run(ask(QUESTION, 0.7), call)).status).toBe("miss");
    await cache.run(ask("unset"), call);
    expect((await cache.run(ask("unset"), call)).status).toBe("miss");
  });

  it("takes a per-call override, whatever the temperature; variants 1 serves the first answer", async () => {
    const cache = createCache({ random: mulberry32(3) });
    const call = upstream();
    for (let i = 0; i < 2; i++)
      expect((await cache.run(ask(QUESTION, 0), call, { variants: 2 })).status).toBe("miss");
    const hit = await cache.run(ask(QUESTION, 0), call, { variants: 2 });
    expect(hit).toMatchObject({ status: "hit", variants: 2 });
    for (let i = 0; i < 20; i++) {
      const first = await cache.run(ask(QUESTION, 0), call, { variants: 1 });
      expect(first).toMatchObject({ status: "hit", response: { text: "tagline 1" } });
      expect(first).not.toHaveProperty("variant");
    }
    // Asking for more than the entry holds fills it further.
    const third = await cache.run(ask(QUESTION, 0), call, { variants: 3 });
    expect(third).toMatchObject({ status: "miss", variant: 3, variants: 3, response: { text: "tagline 3" } });
    expect(call).toHaveBeenCalledTimes(3);
  });

  it("does not append an answer that fails validation; the next call tries again", async () => {
    const cache = createCache({
      variants: 2,
      validate: (r) => (r.text === "tagline 2" ? "no" : true),
    });
    const call = upstream();
    await cache.run(ask(), call);
    const refused = await cache.run(ask(), call);
    expect(refused).toMatchObject({ status: "miss", stored: false, rejectedBecause: "no" });
    expect(refused).not.toHaveProperty("variant");
    const third = await cache.run(ask(), call);
    expect(third).toMatchObject({
      status: "miss",
      stored: true,
      variant: 2,
      response: { text: "tagline 3" },
    });
    const texts = new Set<string>();
    for (let i = 0; i < 40; i++) texts.add(textOf(await cache.run(ask(), call))!);
    expect([...texts].sort()).toEqual(["tagline 1", "tagline 3"]);
    expect(call).toHaveBeenCalledTimes(3);
  });

  it("coalesces concurrent identical calls while filling: the N filling calls come one after another", async () => {
    const cache = createCache({ variants: 3 });
    let inFlight = 0;
    let most = 0;
    let n = 0;
    const call = vi.fn(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return answer(`tagline ${++n}`);
    });
    for (let burst = 1; burst <= 3; burst++) {
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => cache.run(ask(), call)));
      expect(outcomes.filter((o) => o.status === "miss")).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === "coalesced")).toHaveLength(4);
      // Waiters get the answer of the call they waited for.
      for (const o of outcomes)
        expect(o).toMatchObject({ variant: burst, response: { text: `tagline ${burst}` } });
    }
    expect(call).toHaveBeenCalledTimes(3);
    expect(most).toBe(1);
    const hits = await Promise.all(Array.from({ length: 5 }, () => cache.run(ask(), call)));
    expect(hits.every((o) => o.status === "hit")).toBe(true);
    expect(call).toHaveBeenCalledTimes(3);
  });

  it("fills through a shared lock: an entry holding fewer answers is not taken for another instance's answer", async () => {
    const store = createMemoryStore({});
    const lock = createMemoryLock();
    const a = createCache({ store, lock, variants: 2 });
    const b = createCache({ store, lock, variants: 2 });
    const call = upstream();
    expect(await a.run(ask(), call)).toMatchObject({ status: "miss", variant: 1 });
    expect(await b.run(ask(), call)).toMatchObject({
      status: "miss",
      variant: 2,
      response: { text: "tagline 2" },
    });
    expect((await a.run(ask(), call)).status).toBe("hit");
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("across instances, a call waiting on the lock takes the answer the holder appended", async () => {
    const store = createMemoryStore({});
    const lock = createMemoryLock();
    const a = createCache({ store, lock, variants: 3 });
    const b = createCache({ store, lock, variants: 3 });
    await a.run(ask(), async () => answer("tagline 1"));
    let release!: () => void;
    const slow = vi.fn(
      () => new Promise<CacheResponse>((resolve) => (release = () => resolve(answer("tagline 2")))),
    );
    const first = a.run(ask(), slow);
    await vi.waitFor(() => expect(slow).toHaveBeenCalled());
    const other = vi.fn(async () => answer("never"));
    const second = b.run(ask(), other);
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await first).toMatchObject({ status: "miss", variant: 2 });
    expect((await second).status).toBe("coalesced");
    expect(other).not.toHaveBeenCalled();
  });

  it("appending keeps the entry's age and expiry: the variants expire together with the first", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: 60_000, variants: 2 });
    const call = upstream();
    await cache.run(ask(), call);
    clock.advance(30_000);
    await cache.run(ask(), call);
    clock.advance(1_000);
    expect(await cache.run(ask(), call)).toMatchObject({ status: "hit", ageMs: 31_000 });
    clock.advance(29_000);
    // Past the first answer's TTL, the entry is gone, its variants with it: it fills again.
    expect(await cache.run(ask(), call)).toMatchObject({ status: "miss", variant: 1, variants: 1 });
  });

  it("stale-while-revalidate draws the stale answer among the variants; the refresh replaces them with one, and misses refill", async () => {
    const clock = fakeClock();
    const cache = createCache({
      clock,
      ttl: 60_000,
      staleWhileRevalidate: 30_000,
      variants: 2,
      random: mulberry32(5),
    });
    const call = upstream();
    await cache.run(ask(), call);
    await cache.run(ask(), call);
    clock.advance(60_001);
    const stale = await cache.run(ask(), call);
    expect(stale).toMatchObject({ status: "stale", staleReason: "revalidating", variants: 2 });
    expect(textOf(stale)).toBe(`tagline ${stale.variant}`);
    await cache.drain();
    expect(call).toHaveBeenCalledTimes(3);
    // The refreshed entry holds the refresh's answer only: the next call fills the second again.
    expect(await cache.run(ask(), call)).toMatchObject({ status: "miss", variant: 2, variants: 2 });
    expect(call).toHaveBeenCalledTimes(4);
    const texts = new Set<string>();
    for (let i = 0; i < 30; i++) texts.add(textOf(await cache.run(ask(), call))!);
    expect([...texts].sort()).toEqual(["tagline 3", "tagline 4"]);
  });

  it("grace draws the stale answer among the variants when the upstream fails", async () => {
    const clock = fakeClock();
    const cache = createCache({ clock, ttl: 60_000, grace: 60_000, variants: 3, random: mulberry32(9) });
    const call = upstream();
    for (let i = 0; i < 3; i++) await cache.run(ask(), call);
    clock.advance(60_001);
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const stale = await cache.run(ask(), async () => {
        throw new Error("503");
      });
      expect(stale).toMatchObject({ status: "stale", staleReason: "upstream failed: 503", variants: 3 });
      expect(textOf(stale)).toBe(`tagline ${stale.variant}`);
      seen.add(stale.variant!);
    }
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it("a semantic hit on an entry with variants draws one of them at random", async () => {
    const cache = createCache({
      variants: 3,
      random: mulberry32(1),
      semantic: { embedder: fakeEmbedder({ synonyms: [[QUESTION, PARAPHRASE]] }) },
    });
    const call = upstream();
    // While filling, the question's own entry is not matched by meaning: three misses.
    for (let i = 0; i < 3; i++) expect((await cache.run(ask(), call)).status).toBe("miss");
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const hit = await cache.run(ask(PARAPHRASE), call);
      expect(hit).toMatchObject({ status: "semantic-hit", variants: 3 });
      expect(textOf(hit)).toBe(`tagline ${hit.variant}`);
      seen.add(textOf(hit)!);
    }
    expect(seen.size).toBe(3);
    expect(call).toHaveBeenCalledTimes(3);
  });

  it("noCache and forceRefresh replace the entry with one answer, as without variants", async () => {
    const cache = createCache({ variants: 2 });
    const call = upstream();
    await cache.run(ask(), call);
    await cache.run(ask(), call);
    expect(await cache.run(ask(), call, { forceRefresh: true })).toMatchObject({
      status: "bypass",
      stored: true,
    });
    expect(await cache.run(ask(), call)).toMatchObject({ status: "miss", variant: 2 });
  });

  it("refuses variants that are not an integer from 1 to 32, at creation and per call", () => {
    for (const bad of [0, 33, 1.5, -1, "3", Number.NaN]) {
      let error: RecallError | undefined;
      try {
        createCache({ variants: bad as number });
      } catch (e) {
        error = e as RecallError;
      }
      expect(error?.code).toBe("RECALL_INVALID_OPTION");
      expect(error?.message).toMatch(/variants must be an integer from 1 to 32/);
      expect(() => parseCallOptions({ variants: bad }, { where: "recall" })).toThrow(
        /recall\.variants must be an integer from 1 to 32/,
      );
    }
    expect(() => createCache({ random: 0.5 as unknown as () => number })).toThrow(
      /random must be a function/,
    );
    expect(parseCallOptions({ variants: 4 }, { where: "recall" }).call).toEqual({ variants: 4 });
  });

  it("a bad per-call variants given straight to the engine fails open: the call goes on uncached", async () => {
    const cache = createCache();
    const errors: unknown[] = [];
    cache.on("error", (e) => errors.push(e));
    const call = upstream();
    const outcome = await cache.run(ask(), call, { variants: 0 });
    expect(outcome).toMatchObject({ status: "bypass", stored: false });
    expect(errors).toHaveLength(1);
  });
});
