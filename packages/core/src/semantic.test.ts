import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCache } from "./cache.js";
import { FlatIndex } from "./index/flat-index.js";
import type { CacheRequest, Message } from "./request.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";

/** Everything a request's hard partition is made of, besides the last user turn. */
interface Context {
  model: string;
  system: string;
  temperature: number;
  tool: string | undefined;
  earlier: string[];
  namespace: string;
}

const QUESTION = "How do I reset my password?";
const PARAPHRASE = "How can I change my password?";

function request(c: Context, question: string): CacheRequest {
  const earlier: Message[] = c.earlier.flatMap((text, i) => [
    { role: "user" as const, content: text },
    { role: "assistant" as const, content: `answer ${i}` },
  ]);
  return {
    model: { provider: "openai", id: c.model },
    messages: [{ role: "system", content: c.system }, ...earlier, { role: "user", content: question }],
    params: {
      temperature: c.temperature,
      ...(c.tool ? { tools: [{ name: c.tool, inputSchema: { type: "object" } }] } : {}),
    },
  };
}

const context = fc.record({
  model: fc.constantFrom("gpt-4.1", "gpt-4.1-mini", "o4-mini"),
  system: fc.constantFrom("You are a support agent.", "You are a pirate.", "Answer in French."),
  temperature: fc.constantFrom(0, 0.7, 1),
  tool: fc.constantFrom(undefined, "lookup_account", "reset_password"),
  earlier: fc.array(fc.constantFrom("Hi", "I use the mobile app", "I am an admin"), { maxLength: 2 }),
  namespace: fc.constantFrom("tenant-a", "tenant-b", "user-42"),
});

/** The same context with one part changed (or none). */
function change(c: Context, part: keyof Context | "nothing"): Context {
  switch (part) {
    case "nothing":
      return c;
    case "model":
      return { ...c, model: `${c.model}-other` };
    case "system":
      return { ...c, system: `${c.system} Be brief.` };
    case "temperature":
      return { ...c, temperature: c.temperature + 0.1 };
    case "tool":
      return { ...c, tool: c.tool ? undefined : "send_email" };
    case "earlier":
      return { ...c, earlier: c.earlier.length > 0 ? c.earlier.slice(1) : ["Hello"] };
    case "namespace":
      return { ...c, namespace: `${c.namespace}-other` };
  }
}

const part = fc.constantFrom(
  "nothing",
  "model",
  "system",
  "temperature",
  "tool",
  "earlier",
  "namespace",
) as fc.Arbitrary<keyof Context | "nothing">;

const answer = (text: string) => ({ body: { text }, text, finishReason: "stop" as const });

describe("semantic matching stays inside its hard partition", () => {
  it("never answers a paraphrase from another model, system prompt, parameters, tools, earlier turns or namespace", async () => {
    await fc.assert(
      fc.asyncProperty(context, part, async (stored, changed) => {
        const asked = change(stored, changed);
        // The embedder sees the question and the paraphrase as one vector (similarity 1).
        const cache = createCache({
          semantic: {
            embedder: fakeEmbedder({ synonyms: [[QUESTION, PARAPHRASE]] }),
            index: new FlatIndex(),
          },
        });
        await cache.run(request(stored, QUESTION), async () => answer("stored"), {
          namespace: stored.namespace,
        });
        const outcome = await cache.run(request(asked, PARAPHRASE), async () => answer("fresh"), {
          namespace: asked.namespace,
        });
        const samePartition = changed === "nothing";
        // Inside the partition the paraphrase hits (so this test can fail); outside it, never.
        expect(outcome.status).toBe(samePartition ? "semantic-hit" : "miss");
        if (!samePartition) expect(outcome.response.text).toBe("fresh");
      }),
      { numRuns: 150 },
    );
  });

  it("reports the similarity and the question it matched", async () => {
    const cache = createCache({
      semantic: { embedder: fakeEmbedder({ synonyms: [[QUESTION, PARAPHRASE]] }), index: new FlatIndex() },
    });
    const c: Context = {
      model: "m",
      system: "s",
      temperature: 0,
      tool: undefined,
      earlier: [],
      namespace: "n",
    };
    await cache.run(request(c, QUESTION), async () => answer("stored"));
    const hit = await cache.run(request(c, PARAPHRASE), async () => answer("fresh"));
    expect(hit).toMatchObject({ status: "semantic-hit", matchedQuestion: QUESTION });
    expect(hit.similarity).toBeGreaterThan(0.999);
  });
});
