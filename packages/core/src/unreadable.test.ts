import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCache } from "./cache.js";
import type { Embedder } from "./embedder.js";
import type { CacheEvents } from "./events.js";
import { defaultGuard } from "./guard.js";
import type { CacheRequest } from "./request.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";
import { sameVectorReason, unreadableReason } from "./unreadable.js";

const request = (question: string): CacheRequest => ({
  model: { provider: "openai", id: "m" },
  messages: [{ role: "user", content: question }],
  params: {},
});
const answer = (text: string) => async () => ({ body: { text }, text, finishReason: "stop" as const });

/** Every text gets one vector, as a model that reads none of it would give; `unknown` reports shares. */
function blindEmbedder(unknown?: (text: string) => number): Embedder & { embedded: string[] } {
  const embedder = {
    id: "blind",
    dimensions: 2,
    embedded: [] as string[],
    async embed(texts: string[]) {
      embedder.embedded.push(...texts);
      return texts.map(() => Float32Array.of(1, 0));
    },
    ...(unknown ? { unrepresented: async (texts: string[]) => texts.map(unknown) } : {}),
  };
  return embedder;
}

async function ask(embedder: Embedder, first: string, second: string) {
  const cache = createCache({ semantic: { embedder } });
  const events = {
    skips: [] as Array<CacheEvents["semantic-skip"]>,
    errors: [] as unknown[],
    rejects: [] as string[],
  };
  cache.on("semantic-skip", (e) => events.skips.push(e));
  cache.on("error", (e) => events.errors.push(e));
  cache.on("semantic-reject", (e) => events.rejects.push(e.reason));
  await cache.run(request(first), answer("first"));
  const outcome = await cache.run(request(second), answer("second"));
  const indexed = await cache.semantic!.index.size();
  return { outcome, ...events, indexed, stats: cache.stats.snapshot().total };
}

describe("questions the matcher cannot read", () => {
  it("are matched exactly only when the embedder reports unknown tokens", async () => {
    const embedder = blindEmbedder((t) => (/[\u0e00-\u0e7f]/u.test(t) ? 1 : 0));
    const { outcome, skips, stats, indexed } = await ask(embedder, "สภาพอากาศในกรุงเทพ", "วิธีหุงข้าว");
    expect(outcome.status).toBe("miss");
    expect(skips.map((s) => s.reason)).toEqual([
      "100% of the text is unknown to the embedder",
      "100% of the text is unknown to the embedder",
    ]);
    expect(stats.semanticSkips).toBe(2);
    // Stored without a vector: nothing to match them by meaning later.
    expect(indexed).toBe(0);
    // Exact repeats still hit.
    const cache = createCache({ semantic: { embedder } });
    await cache.run(request("วิธีหุงข้าว"), answer("rice"));
    expect((await cache.run(request("วิธีหุงข้าว"), answer("again"))).status).toBe("hit");
  });

  it("are matched exactly only when the guard cannot compare them", async () => {
    for (const [text, reason] of [
      ["\ue000\ue001?", /characters the guard cannot compare \(U\+E000\)/],
      ["what is \u0007 here", /U\+0007/],
      ["?!", /no word, number or symbol/],
    ] as const) {
      expect(await unreadableReason(text, blindEmbedder())).toMatch(reason);
    }
    expect(await unreadableReason("What is\tthe\ncapital?", blindEmbedder())).toBeUndefined();
  });

  it("fail open to exact-only, with an error event, when the embedder cannot say what it reads", async () => {
    const embedder: Embedder = {
      ...blindEmbedder(),
      unrepresented: async () => {
        throw new Error("tokenizer crashed");
      },
    };
    const { outcome, errors, skips, indexed } = await ask(
      embedder,
      "How do I reset my password?",
      "How can I reset it?",
    );
    expect(outcome.status).toBe("miss");
    expect(indexed).toBe(0);
    // Each check failed and was reported as an error (not as a skip: the text may be readable):
    // the lookup and the store of both calls.
    expect(errors).toHaveLength(4);
    expect(errors).toEqual(
      Array(4).fill(
        expect.objectContaining({ error: expect.objectContaining({ code: "RECALL_SEMANTIC_ERROR" }) }),
      ),
    );
    expect(skips).toHaveLength(0);
  });

  it("never hit because two different texts got one vector, with the guard on or off", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        async (a, b) => {
          const first = `What does ${a} mean?`;
          const second = `What does ${b} mean?`;
          for (const guard of [undefined, false as const]) {
            const cache = createCache({
              semantic: { embedder: blindEmbedder(), ...(guard === false ? { guard } : {}) },
            });
            await cache.run(request(first), answer("first"));
            const outcome = await cache.run(request(second), answer("second"));
            if (outcome.status === "semantic-hit") {
              // Only texts with the same words (up to case and punctuation) may share a vector.
              expect(sameVectorReason(first, second, 1)).toBeUndefined();
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("still match by meaning when the words are the same up to case", async () => {
    const { outcome } = await ask(
      blindEmbedder(() => 0),
      "How do I reset my password?",
      "how do i reset my PASSWORD?",
    );
    expect(outcome.status).toBe("semantic-hit");
  });

  it("pass a real paraphrase at a similarity below 1", async () => {
    const q = "How do I reset my password?";
    const p = "How can I change my password?";
    const { outcome } = await ask(fakeEmbedder({ synonyms: [[q, p]] }), q, p);
    expect(outcome.status).toBe("semantic-hit");
  });
});

describe("emoji and symbols in the guard", () => {
  const EMOJI = ["🍄", "🍎", "👩🏽‍💻", "🇺🇸", "🇬🇧", "1️⃣", "❤️", "🏳️‍🌈", "→", "←", "+", "∑", "€", "©"];
  it("refuses two questions that differ in one", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EMOJI),
        fc.constantFrom(...EMOJI),
        fc.constantFrom("Is X safe to eat?", "What does X mean?", "X or not?", "how to type X on a mac"),
        (a, b, frame) => {
          fc.pre(a.replace(/\uFE0F/g, "") !== b.replace(/\uFE0F/g, ""));
          const verdict = defaultGuard(frame.replace("X", a), frame.replace("X", b));
          expect(verdict).toMatchObject({ ok: false });
        },
      ),
    );
  });

  it("passes the same ones, variation selectors aside", () => {
    expect(defaultGuard("Is 🍄 safe to eat?", "Is 🍄 safe to eat ??")).toEqual({ ok: true });
    expect(defaultGuard("I ❤️ Paris", "I ❤ Paris")).toEqual({ ok: true });
    expect(defaultGuard("Is 🍄 safe?", "Is 🍎 safe?")).toMatchObject({ ok: false, rule: "symbols" });
  });
});
