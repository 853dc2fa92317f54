import { createLocalEmbedder, type LocalEmbedder } from "@recall/transformers";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type ProxyFixture, proxyFixture, until } from "./helpers.js";

/** End to end with the real local embedder (all-MiniLM-L6-v2, offline) and the official client. */
describe("the proxy with the local embedder", () => {
  let embedder: LocalEmbedder;
  let fx: ProxyFixture;
  let server: Awaited<ReturnType<typeof listen>>;
  let client: OpenAI;

  beforeAll(async () => {
    embedder = createLocalEmbedder({ onProgress: () => {} });
    await embedder.load();
    // This test checks matching, not load: on a busy machine no lookup may be shed for time (budgetMs).
    fx = await proxyFixture({ cache: { semantic: { embedder, budgetMs: 60_000 } } });
    server = await listen(fx.app);
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "sk-local", maxRetries: 0 });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await fx?.close();
    await embedder?.dispose();
  });

  const ask = (content: string, stream = false) =>
    client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content }], stream })
      .withResponse();

  it("answers a paraphrase from cache, and a different question from upstream", async () => {
    const first = await ask("How do I reset my password?");
    expect(first.response.headers.get("x-recall-cache")).toBe("MISS");
    await until(() => fx.map.size === 1);

    const paraphrase = await ask("How can I reset my password?");
    expect(paraphrase.response.headers.get("x-recall-cache")).toBe("SEMANTIC");
    expect(Number(paraphrase.response.headers.get("x-recall-similarity"))).toBeGreaterThan(0.9);

    const streamed = await ask("how can i reset my password", true);
    expect(streamed.response.headers.get("x-recall-cache")).toBe("SEMANTIC");
    let text = "";
    for await (const chunk of streamed.data as AsyncIterable<OpenAI.ChatCompletionChunk>) {
      text += chunk.choices[0]?.delta.content ?? "";
    }
    const original = (first.data as OpenAI.ChatCompletion).choices[0]!.message.content;
    expect(text).toBe(original);

    const other = await ask("How do I delete my account?");
    expect(other.response.headers.get("x-recall-cache")).toBe("MISS");
    expect(fx.mock.count("chat")).toBe(2);
  });
});
