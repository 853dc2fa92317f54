import { describe, expect, it, vi } from "vitest";
import { createCache } from "./cache.js";
import type { CacheEntry } from "./entry.js";
import type { CacheEvents } from "./events.js";
import { createMemoryBus } from "./memory-bus.js";
import { createMemoryStore } from "./memory-store.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";
import { judge, ORIGINAL, paraphraseAt, paraphraseEmbedder, paraphrases } from "./testing/paraphrases.js";
import { atCosine, unit } from "./testing/vectors.js";
import { MIN_OBSERVATIONS, POOL_MIN } from "./verify/evidence.js";
import type { VerifierFunction } from "./verify/verifier.js";

/**
 * The FAQ wordings of `testing/paraphrases.ts` (threshold 0.97, band [0.8, 0.97)), and a few more
 * for these tests.
 */
paraphrases.set("I forgot my password, how do I reset it?", paraphraseAt(0.88, 4));
paraphrases.set("Password reset: how?", paraphraseAt(0.6, 5));
paraphrases.set("How do I reset my password on Monday?", paraphraseAt(0.95, 6));
paraphrases.set("Help me reset the password, I cannot log in?", paraphraseAt(0.82, 7));
const tableEmbedder = paraphraseEmbedder;

const ask = (q: string): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user", content: q }],
});
const reply = (text: string): CacheResponse => ({
  body: { text },
  text,
  finishReason: "stop",
  usage: { inputTokens: 10, outputTokens: 20 },
});

function cacheWith(
  verify: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
  store = createMemoryStore(),
) {
  return createCache({
    store,
    semantic: {
      embedder: tableEmbedder(),
      budgetMs: 60_000,
      guard: false,
      ...(verify ? { verify: verify as never } : {}),
      ...extra,
    },
  });
}

async function seed(cache: ReturnType<typeof createCache>): Promise<void> {
  await cache.run(ask(ORIGINAL), async () => reply("Open Settings, then Reset password."));
}

describe("sync verification", () => {
  it("serves a candidate in the band when the verifier says same, and the wording then hits through its alias", async () => {
    const { verifier, calls } = judge("same");
    const cache = cacheWith({ verifier, mode: "sync" });
    await seed(cache);
    const upstream = vi.fn(async () => reply("fresh"));
    const first = await cache.run(ask("What is the way to reset my password?"), upstream);
    expect(first.status).toBe("semantic-hit");
    expect(first.decidedBy).toBe("verifier");
    expect(first.response.text).toBe("Open Settings, then Reset password.");
    expect(first.id).toMatch(/^rh1\./);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.candidate.question).toBe(ORIGINAL);
    expect(calls[0]!.similarity).toBeCloseTo(0.9, 3);
    expect(calls[0]!.freshAnswer).toBeUndefined();
    await cache.drain();
    const again = await cache.run(ask("What is the way to reset my password?"), upstream);
    expect(again.decidedBy).toBe("alias");
    expect(calls).toHaveLength(1);
    expect(upstream).not.toHaveBeenCalled();
    const stats = cache.stats.snapshot().total;
    expect(stats.verify).toMatchObject({ calls: 1, same: 1, failed: 0 });
    expect(stats.verify.cost.inputTokens).toBe(100);
    expect(stats.verify.cost.usd).toBeGreaterThan(0);
    expect(stats.semanticHitsBy).toMatchObject({ verifier: 1, alias: 1 });
    expect(stats.promotions).toBe(1);
  });

  it("misses when the verifier says different or unsure, and never asks below the band", async () => {
    for (const decision of ["different", "unsure"] as const) {
      const { verifier, calls } = judge(decision);
      const cache = cacheWith({ verifier, mode: "sync" });
      await seed(cache);
      const out = await cache.run(ask("What is the way to reset my password?"), async () => reply("fresh"));
      expect(out.status).toBe("miss");
      expect(calls).toHaveLength(1);
      const below = await cache.run(ask("Password reset: how?"), async () => reply("fresh"));
      expect(below.status).toBe("miss");
      expect(calls).toHaveLength(1);
    }
  });

  it("fails open on a verifier that throws or hangs: a miss within the budget, an error event", async () => {
    const throwing: VerifierFunction = async () => {
      throw new Error("judge down");
    };
    const hanging: VerifierFunction = () => new Promise(() => {});
    for (const verifier of [throwing, hanging]) {
      const cache = cacheWith({ verifier, mode: "sync", budgetMs: 50 });
      const errors: CacheEvents["error"][] = [];
      const verifies: CacheEvents["verify"][] = [];
      cache.on("error", (e) => errors.push(e));
      cache.on("verify", (e) => verifies.push(e));
      await seed(cache);
      const started = performance.now();
      const out = await cache.run(ask("What is the way to reset my password?"), async () => reply("fresh"));
      expect(out.status).toBe("miss");
      expect(out.response.text).toBe("fresh");
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(verifies[0]).toMatchObject({
        decision: "unsure",
        failed: verifier === throwing ? "error" : "timeout",
      });
      if (verifier === throwing)
        expect(errors.some((e) => e.error.message.includes("judge down"))).toBe(true);
    }
  });

  it("never asks the verifier about a candidate the guard refuses", async () => {
    const { verifier, calls } = judge("same");
    const cache = createCache({
      semantic: { embedder: tableEmbedder(), budgetMs: 60_000, verify: { verifier, mode: "sync" } },
    });
    const rejects: CacheEvents["semantic-reject"][] = [];
    cache.on("semantic-reject", (e) => rejects.push(e));
    await seed(cache);
    const out = await cache.run(ask("How do I reset my password on Monday?"), async () => reply("fresh"));
    expect(out.status).toBe("miss");
    expect(calls).toHaveLength(0);
    expect(rejects).toHaveLength(1);
  });

  it("leaves a call alone with verify: false", async () => {
    const { verifier, calls } = judge("same");
    const cache = cacheWith({ verifier, mode: "sync" });
    await seed(cache);
    const out = await cache.run(ask("What is the way to reset my password?"), async () => reply("fresh"), {
      verify: false,
    });
    expect(out.status).toBe("miss");
    expect(calls).toHaveLength(0);
  });
});

describe("async verification (promotion)", () => {
  it("misses now, verifies with the fresh answer after the call, and promotes the wording", async () => {
    const { verifier, calls } = judge("same");
    const cache = cacheWith({ verifier });
    const promotions: CacheEvents["promote"][] = [];
    cache.on("promote", (e) => promotions.push(e));
    await seed(cache);
    const wording = "What is the way to reset my password?";
    const first = await cache.run(ask(wording), async () => reply("Settings > Reset password."), {
      noStore: true,
    });
    expect(first.status).toBe("miss");
    await cache.drain();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.freshAnswer?.text).toBe("Settings > Reset password.");
    expect(promotions).toHaveLength(1);
    const upstream = vi.fn(async () => reply("fresh"));
    const next = await cache.run(ask(wording), upstream);
    expect(next).toMatchObject({ status: "semantic-hit", decidedBy: "alias" });
    expect(next.response.text).toBe("Open Settings, then Reset password.");
    expect(next.matchedQuestion).toBe(wording);
    expect(upstream).not.toHaveBeenCalled();
  });

  it("learns from the verdicts: with a bound, an entry with enough same verdicts is served unverified", async () => {
    const { verifier, calls } = judge("same");
    const cache = cacheWith({ verifier, mode: "sync", bound: 0.02, random: () => 0 });
    await seed(cache);
    for (let i = 1; i <= MIN_OBSERVATIONS; i++) {
      const out = await cache.run(ask(`Reset my password please, variant ${i}?`), async () => reply("fresh"));
      expect(out.decidedBy).toBe("verifier");
    }
    await cache.drain();
    expect(calls).toHaveLength(MIN_OBSERVATIONS);
    const learned = await cache.run(ask("What is the way to reset my password?"), async () => reply("fresh"));
    expect(learned.decidedBy).toBe("learned");
    expect(calls).toHaveLength(MIN_OBSERVATIONS);
    // Below every observation the evidence says nothing: verified again.
    const harder = await cache.run(ask("Help me reset the password, I cannot log in?"), async () =>
      reply("fresh"),
    );
    expect(harder.decidedBy).toBe("verifier");
  });

  it("learns from verdicts on other entries of the partition (the pool), kept in the store", async () => {
    // POOL_MIN + 1 unrelated questions, each with a rewording at 0.9.
    const topics = Array.from({ length: POOL_MIN + 1 }, (_, i) => {
      const question = `Pooled topic question ${i}?`;
      const rewording = `Pooled topic rewording ${i}?`;
      paraphrases.set(question, unit(32, 500 + i));
      paraphrases.set(rewording, atCosine(paraphrases.get(question)!, 0.9, 900 + i));
      return { question, rewording };
    });
    const store = createMemoryStore();
    const { verifier, calls } = judge("same");
    const verify = { verifier, mode: "sync", bound: 0.02, random: () => 0 };
    const cache = cacheWith(verify, {}, store);
    for (const { question, rewording } of topics.slice(0, POOL_MIN)) {
      await cache.run(ask(question), async () => reply(`answer to ${question}`));
      const out = await cache.run(ask(rewording), async () => reply("fresh"));
      expect(out.decidedBy).toBe("verifier");
    }
    await cache.drain();
    expect(calls).toHaveLength(POOL_MIN);
    const last = topics[POOL_MIN]!;
    await cache.run(ask(last.question), async () => reply(`answer to ${last.question}`));
    const restarted = cacheWith(verify, {}, store);
    await restarted.ready();
    const learned = await restarted.run(ask(last.rewording), async () => reply("fresh"));
    expect(learned).toMatchObject({ status: "semantic-hit", decidedBy: "learned" });
    expect(learned.response.text).toBe(`answer to ${last.question}`);
    expect(calls).toHaveLength(POOL_MIN);
  });

  it("keeps alias vectors beside the entry, not in it, and deletes them with it", async () => {
    const store = createMemoryStore();
    const cache = cacheWith({ verifier: judge("same").verifier, mode: "sync" }, {}, store);
    await seed(cache);
    const hit = await cache.run(ask("What is the way to reset my password?"), async () => reply("fresh"));
    await cache.drain();
    const entry = (await store.get(hit.key)) as CacheEntry;
    expect(entry.aliases).toHaveLength(1);
    expect(entry.aliases![0]!.vector).toBeUndefined();
    const side = (await store.get(`${hit.key}:aliases`)) as { vectors: Record<string, string> };
    expect(Object.keys(side.vectors)).toEqual([entry.aliases![0]!.id]);
    await cache.delete(hit.key);
    expect(await store.get(`${hit.key}:aliases`)).toBeUndefined();
  });

  it("aliases survive a restart and reach another instance through the bus", async () => {
    const store = createMemoryStore();
    const hub = createMemoryBus();
    const { verifier } = judge("same");
    const options = (extra = {}) => ({
      store,
      bus: hub.connect(),
      semantic: {
        embedder: tableEmbedder(),
        budgetMs: 60_000,
        guard: false as const,
        verify: { verifier },
        ...extra,
      },
    });
    const a = createCache(options());
    const b = createCache(options());
    await Promise.all([a.ready(), b.ready()]);
    await seed(a);
    const wording = "What is the way to reset my password?";
    await a.run(ask(wording), async () => reply("fresh"), { noStore: true });
    await a.drain();
    await new Promise((r) => setTimeout(r, 20));
    const onB = await b.run(ask(wording), async () => reply("fresh"), { noStore: true, verify: false });
    expect(onB.decidedBy).toBe("alias");
    const restarted = createCache(options());
    await restarted.ready();
    const afterRestart = await restarted.run(ask(wording), async () => reply("fresh"), { verify: false });
    expect(afterRestart.decidedBy).toBe("alias");
    await Promise.all([a.close(), b.close(), restarted.close()]);
  });
});

describe("feedback", () => {
  it("a wrong semantic hit never pairs that question with that entry again, and tightens the entry", async () => {
    const { verifier, calls } = judge("same");
    const store = createMemoryStore();
    const cache = createCache({
      store,
      semantic: {
        embedder: tableEmbedder(),
        budgetMs: 60_000,
        guard: false,
        verify: { verifier, mode: "sync" },
      },
    });
    await seed(cache);
    const wording = "How can I reset my password?";
    const hit = await cache.run(ask(wording), async () => reply("fresh"));
    expect(hit.decidedBy).toBe("threshold");
    const result = await cache.feedback(hit.id!, { wrong: true });
    expect(result.action).toBe("unpaired");
    const upstream = vi.fn(async () => reply("the right answer"));
    const next = await cache.run(ask(wording), upstream, { noStore: true });
    expect(next.status).toBe("miss");
    expect(calls).toHaveLength(0);
    const entry = (await store.get(hit.key)) as CacheEntry;
    expect(entry.threshold).toBeGreaterThan(0.99);
    expect(entry.evidence?.at(-1)?.[1]).toBe(0);
    expect(cache.stats.snapshot().total.feedback.wrong).toBe(1);
  });

  it("a wrong alias hit drops the alias, and learns at the alias's similarity, not the entry's threshold", async () => {
    const { verifier } = judge("same");
    const store = createMemoryStore();
    const cache = cacheWith({ verifier, mode: "sync" }, {}, store);
    await seed(cache);
    const wording = "What is the way to reset my password?";
    await cache.run(ask(wording), async () => reply("fresh"));
    await cache.drain();
    const viaAlias = await cache.run(ask(wording), async () => reply("fresh"));
    expect(viaAlias.decidedBy).toBe("alias");
    await cache.feedback(viaAlias.id!, { wrong: true });
    const next = await cache.run(ask(wording), async () => reply("fresh"), { noStore: true });
    expect(next.status).toBe("miss");
    const entry = (await store.get(viaAlias.key)) as CacheEntry;
    expect(entry.aliases ?? []).toHaveLength(0);
    expect(entry.threshold).toBeUndefined();
    const [similarity, same] = entry.evidence!.at(-1)!;
    expect(same).toBe(0);
    expect(similarity).toBeCloseTo(0.9, 2);
    // Another paraphrase at the global threshold still hits.
    const other = await cache.run(ask("How can I reset my password?"), async () => reply("fresh"));
    expect(other.decidedBy).toBe("threshold");
  });

  it("keeps every change when feedback on one entry arrives at once", async () => {
    const store = createMemoryStore();
    const cache = cacheWith({ verifier: judge("same").verifier, mode: "sync" }, {}, store);
    await seed(cache);
    const hits = await Promise.all(
      ["How can I reset my password?", "What is the way to reset my password?"].map((q) =>
        cache.run(ask(q), async () => reply("fresh"), { noStore: true }),
      ),
    );
    await cache.drain();
    await Promise.all(hits.map((hit) => cache.feedback(hit.id!, { wrong: true })));
    const entry = (await store.get(hits[0]!.key)) as CacheEntry;
    expect(entry.refused).toHaveLength(2);
  });

  it("a wrong exact hit deletes the entry; bad ids and other namespaces' ids are refused", async () => {
    const cache = createCache();
    await cache.run(ask(ORIGINAL), async () => reply("bad answer"));
    const hit = await cache.run(ask(ORIGINAL), async () => reply("unused"));
    expect(hit.status).toBe("hit");
    await expect(cache.feedback(hit.id!, { wrong: true }, { namespace: "tenant-b" })).rejects.toMatchObject({
      code: "RECALL_INVALID_REQUEST",
    });
    await expect(cache.feedback("nonsense", { wrong: true })).rejects.toMatchObject({
      code: "RECALL_INVALID_REQUEST",
    });
    await expect(cache.feedback(hit.id!, { wrong: "yes" } as never)).rejects.toMatchObject({
      code: "RECALL_INVALID_REQUEST",
    });
    expect((await cache.feedback(hit.id!, { wrong: true }, { namespace: "default" })).action).toBe("deleted");
    const next = await cache.run(ask(ORIGINAL), async () => reply("good answer"));
    expect(next.status).toBe("miss");
  });
});

describe("what tools read", () => {
  it("the semantic-hit event carries the question asked and the hit id; entries() lists the entries", async () => {
    const cache = cacheWith(undefined);
    const events: CacheEvents["semantic-hit"][] = [];
    cache.on("semantic-hit", (e) => events.push(e));
    await seed(cache);
    const hit = await cache.run(ask("How can I reset my password?"), async () => reply("fresh"));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      question: "How can I reset my password?",
      matchedQuestion: ORIGINAL,
      id: hit.id,
    });
    expect(events[0]!.ms).toBeGreaterThan(0);
    expect(typeof events[0]!.startedAt).toBe("number");
    const listed = [];
    for await (const { key, entry } of cache.entries()) listed.push({ key, question: entry.question });
    expect(listed).toEqual([{ key: hit.key, question: ORIGINAL }]);
  });
});

describe("shadow mode", () => {
  it("serves exact hits only and reports what semantic mode would have done", async () => {
    const { verifier } = judge("same");
    const cache = cacheWith({ verifier }, { mode: "shadow" });
    const shadows: CacheEvents["shadow"][] = [];
    cache.on("shadow", (e) => shadows.push(e));
    await seed(cache);
    const atThreshold = await cache.run(ask("How can I reset my password?"), async () =>
      reply("Open Settings, then Reset password."),
    );
    const inBand = await cache.run(ask("What is the way to reset my password?"), async () =>
      reply("Other text."),
    );
    expect(atThreshold.status).toBe("miss");
    expect(inBand.status).toBe("miss");
    await cache.drain();
    expect(shadows).toHaveLength(2);
    expect(shadows[0]).toMatchObject({
      wouldHit: true,
      decidedBy: "threshold",
      decision: "same",
      answersAgree: true,
    });
    expect(shadows[1]).toMatchObject({ wouldHit: true, decidedBy: "verifier", answersAgree: false });
    const shadow = cache.stats.snapshot().total.shadow;
    expect(shadow).toMatchObject({ candidates: 2, wouldHit: 2, judgedSame: 2, answersAgree: 1 });
    expect(shadow.wouldSave.outputTokens).toBe(40);
    expect(cache.stats.snapshot().total.semanticHits).toBe(0);
  });
});

describe("verify options", () => {
  it("throws at once on a bad configuration", () => {
    const embedder = tableEmbedder();
    const bad = [
      { verifier: 42 },
      { verifier: async () => "same", mode: "later" },
      { verifier: async () => "same", band: 0.99 },
      { verifier: async () => "same", bound: 2 },
      { verifier: async () => "same", budgetMs: -1 },
    ];
    for (const verify of bad)
      expect(() => createCache({ semantic: { embedder, verify: verify as never } })).toThrow(
        /semantic\.verify/,
      );
    expect(() => createCache({ semantic: { embedder, mode: "dry" as never } })).toThrow(/semantic\.mode/);
  });
});
