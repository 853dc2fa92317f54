import type { AddressInfo } from "node:net";
import { openAIProxy } from "@recall/express";
import express from "express";
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
  const app = express();
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
      const status = STATUS[header];
      if (!status) throw new Error(`unexpected X-Recall-Cache header: "${header}"`);
      const similarity = response.headers.get("x-recall-similarity");
      return {
        text: data.choices[0]?.message.content ?? "",
        status,
        similarity: similarity ? Number(similarity) : undefined,
        inputTokens: data.usage?.prompt_tokens,
        outputTokens: data.usage?.completion_tokens,
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
