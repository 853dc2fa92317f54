import { createCache } from "@recall/core";
import { type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import { createLocalEmbedder, type LocalEmbedder } from "@recall/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, createAnswerer } from "./answer";
import { documents } from "./documents";
import { Retriever } from "./retriever";

const QUESTIONS = [
  "How do I reset my password?",
  "How much does the Pro plan cost?",
  "How do I export a note to PDF?",
  "Can I use Inkwell offline?",
];

let upstream: MockOpenAIServer;
let embedder: LocalEmbedder;

beforeAll(async () => {
  upstream = await startMockOpenAI();
  embedder = createLocalEmbedder();
  await embedder.load();
});

afterAll(async () => {
  await embedder?.dispose();
  await upstream?.close();
});

async function setup() {
  const retriever = new Retriever(embedder);
  await retriever.upsert(documents);
  // This test checks matching, not load: on a busy machine no lookup may be shed for time (budgetMs).
  const cache = createCache({ semantic: { embedder, budgetMs: 60_000 } });
  return { retriever, ask: createAnswerer({ cache, retriever, upstreamUrl: upstream.url }) };
}

const askAll = (ask: (q: string) => Promise<Answer>, questions: string[]) => Promise.all(questions.map(ask));

describe("RAG answers keyed by the retrieved documents' ids and versions", () => {
  it("editing a document invalidates exactly the answers that used it", async () => {
    const { retriever, ask } = await setup();
    upstream.reset();

    const cold = await askAll(ask, QUESTIONS);
    expect(cold.map((a) => a.status)).toEqual(["miss", "miss", "miss", "miss"]);
    expect(upstream.count("chat")).toBe(4);
    for (const a of cold) {
      expect(a.sources).toHaveLength(3);
      expect(a.costUsd).toBeGreaterThan(0);
    }

    const warm = await askAll(ask, QUESTIONS);
    expect(warm.map((a) => a.status)).toEqual(["hit", "hit", "hit", "hit"]);
    expect(warm.map((a) => a.text)).toEqual(cold.map((a) => a.text));
    expect(warm.every((a) => a.costUsd === 0 && a.savedUsd > 0)).toBe(true);
    expect(upstream.count("chat")).toBe(4);

    // One edit used by one question, one used by another, one nobody retrieved.
    let previous = warm;
    for (const id of ["account-password", "billing-plans", "reminders"]) {
      const old = retriever.get(id)!;
      // billing-plans keeps its text: the version alone (in request.context) must invalidate.
      const text = id === "billing-plans" ? old.text : `${old.text} (Updated.)`;
      await retriever.upsert([{ ...old, version: old.version + 1, text }]);
      const dependent = previous.map((a) => a.sources.some((s) => s.id === id));
      const before = upstream.count("chat");

      const after = await askAll(ask, QUESTIONS);
      expect(
        after.map((a) => a.status),
        `after editing ${id}`,
      ).toEqual(dependent.map((d) => (d ? "miss" : "hit")));
      expect(upstream.count("chat") - before).toBe(dependent.filter(Boolean).length);
      for (const [i, a] of after.entries()) {
        if (dependent[i])
          expect(a.sources).toContainEqual({ id, version: old.version + 1, title: old.title });
      }
      previous = after;
    }
    // The edits above were meant to hit one question each, and the last one none.
    expect(upstream.count("chat")).toBe(4 + 1 + 1 + 0);
  });

  it("a paraphrase retrieving the same documents is a semantic hit, and misses once one of them changes", async () => {
    const { retriever, ask } = await setup();
    upstream.reset();

    const original = await ask("How do I reset my password?");
    const paraphrase = await ask("How can I reset my password?");
    expect(paraphrase.status).toBe("semantic-hit");
    expect(paraphrase.text).toBe(original.text);
    expect(upstream.count("chat")).toBe(1);

    const old = retriever.get("account-password")!;
    await retriever.upsert([{ ...old, version: 2, text: old.text.replace("30 minutes", "60 minutes") }]);
    const afterEdit = await ask("How can I reset my password?");
    expect(afterEdit.status).toBe("miss");
    expect(upstream.count("chat")).toBe(2);
  });
});
