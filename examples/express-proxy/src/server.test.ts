import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyServer, startProxyServer } from "./server.js";

describe("the example proxy server", () => {
  let server: ProxyServer;
  let client: OpenAI;
  beforeAll(async () => {
    // The test checks matching, not load: on a busy machine no lookup may be shed for time.
    server = await startProxyServer({ port: 0, mockLatencyMs: 50, semanticBudgetMs: 60_000 });
    client = new OpenAI({ baseURL: server.url, apiKey: "sk-anything", maxRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it("answers the printed walkthrough: miss, hit, paraphrase, stats and metrics", async () => {
    const ask = (content: string) =>
      client.chat.completions
        .create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] })
        .withResponse();
    expect((await ask("How do I reset my password?")).response.headers.get("x-recall-cache")).toBe("MISS");
    await new Promise((r) => setTimeout(r, 50));
    expect((await ask("How do I reset my password?")).response.headers.get("x-recall-cache")).toBe("HIT");
    expect((await ask("How can I reset my password?")).response.headers.get("x-recall-cache")).toBe(
      "SEMANTIC",
    );
    expect(server.mock?.count("chat")).toBe(1);

    const stats = (await (await fetch(`${server.origin}/recall/stats`)).json()) as {
      total: { hits: number; semanticHits: number };
    };
    expect(stats.total).toMatchObject({ hits: 1, semanticHits: 1 });
    const metrics = await (await fetch(`${server.origin}/metrics`)).text();
    expect(metrics).toContain('recall_semantic_hits_total{namespace="default"} 1');
  });
});
