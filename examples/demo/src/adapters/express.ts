import { AsyncLocalStorage } from "node:async_hooks";
import type { AddressInfo } from "node:net";
import { openAIProxy } from "@recall/express";
import express, { type Response } from "express";
import OpenAI from "openai";
import { type AdapterFactory, type Answer, SYSTEM_PROMPT } from "./types.js";

const STATUS: Record<string, Answer["status"]> = {
  HIT: "hit",
  SEMANTIC: "semantic-hit",
  MISS: "miss",
  BYPASS: "bypass",
};

/**
 * Recall's caching OpenAI-compatible proxy on an Express app (127.0.0.1, a free port, under /v1),
 * asked through the official `openai` client; the cache status comes back in response headers.
 */
export const expressAdapter: AdapterFactory = async (cache, upstream) => {
  // The proxy's headers say HIT for coalesced requests too, and name neither the matched question
  // (the demo needs it to judge semantic hits of a real provider) nor what let a semantic hit
  // through. The demo adds them from the cache's events, which fire inside the request they concern.
  const current = new AsyncLocalStorage<Response>();
  const tag = (name: string, value: string) => {
    const res = current.getStore();
    if (res && !res.headersSent) res.setHeader(name, value);
  };
  const unsubscribe = [
    cache.on("coalesced", () => tag("x-demo-coalesced", "1")),
    cache.on("semantic-hit", (e) => {
      tag("x-demo-matched-question", encodeURIComponent(e.matchedQuestion));
      tag("x-demo-decided-by", e.decidedBy);
    }),
  ];

  const app = express();
  app.use((_req, res, next) => current.run(res, next));
  app.use("/v1", openAIProxy({ cache, upstream: upstream.baseURL, apiKey: upstream.apiKey }));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const s = app.listen(0, "127.0.0.1", (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  // The proxy holds the upstream key; the client's key only has to be present.
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: "demo-client" });
  return {
    name: `express (openAIProxy on 127.0.0.1:${port}, openai client)`,
    async ask(question) {
      const { data, response } = await client.chat.completions
        .create({
          model: upstream.model,
          temperature: 0,
          messages: [
            { role: "system", content: SYSTEM_PROMPT },
            { role: "user", content: question },
          ],
        })
        .withResponse();
      const header = response.headers.get("x-recall-cache") ?? "";
      let status = STATUS[header];
      if (!status) throw new Error(`unexpected X-Recall-Cache header: "${header}"`);
      if (status === "hit" && response.headers.get("x-demo-coalesced")) status = "coalesced";
      const similarity = response.headers.get("x-recall-similarity");
      const matched = response.headers.get("x-demo-matched-question");
      const decidedBy = response.headers.get("x-demo-decided-by");
      return {
        text: data.choices[0]?.message.content ?? "",
        status,
        similarity: similarity ? Number(similarity) : undefined,
        matchedQuestion: matched ? decodeURIComponent(matched) : undefined,
        decidedBy: decidedBy ? (decidedBy as Answer["decidedBy"]) : undefined,
        inputTokens: data.usage?.prompt_tokens,
        outputTokens: data.usage?.completion_tokens,
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const off of unsubscribe) off();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
