import {
  type CacheRequest,
  type CacheResponse,
  type CacheStatus,
  PriceTable,
  type RecallCache,
} from "@recall/core";
import type { Doc } from "./documents";
import type { Retriever } from "./retriever";

export interface Answer {
  question: string;
  text: string;
  sources: Array<Pick<Doc, "id" | "version" | "title">>;
  status: CacheStatus;
  retrievalMs: number;
  generationMs: number;
  /** What this answer cost upstream: 0 when it came from cache. */
  costUsd: number;
  /** On hits: what the original call cost, not paid again. */
  savedUsd: number;
}

export interface AnswererOptions {
  cache: RecallCache;
  retriever: Retriever;
  /** Base URL of an OpenAI-compatible API, e.g. "http://127.0.0.1:4010/v1". */
  upstreamUrl: string;
  apiKey?: string;
  model?: string;
  k?: number;
}

const SYSTEM =
  "You answer questions about Inkwell from the help-center articles below. Cite the article titles.";

/** Retrieve, then generate through the cache. The retrieved documents' ids and versions are part of the key. */
export function createAnswerer({
  cache,
  retriever,
  upstreamUrl,
  apiKey = "sk-local",
  model = "gpt-4.1",
  k = 3,
}: AnswererOptions) {
  const prices = new PriceTable();

  return async function ask(question: string): Promise<Answer> {
    const t0 = performance.now();
    // Sorted by id, so the same set of documents always makes the same prompt and key.
    const docs = (await retriever.search(question, k)).sort((a, b) => a.id.localeCompare(b.id));
    const retrievalMs = performance.now() - t0;

    const articles = docs.map((d) => `## ${d.title}\n${d.text}`).join("\n\n");
    const request: CacheRequest = {
      model: { provider: "openai", id: model },
      messages: [
        { role: "system", content: `${SYSTEM}\n\n${articles}` },
        { role: "user", content: question },
      ],
      params: { temperature: 0 },
      context: { docs: docs.map((d) => ({ id: d.id, version: d.version })) },
    };

    const t1 = performance.now();
    const outcome = await cache.run(request, () => chat(upstreamUrl, apiKey, model, request));
    const generationMs = performance.now() - t1;

    const fresh = outcome.status === "miss" || outcome.status === "bypass";
    return {
      question,
      text: outcome.response.text ?? "",
      sources: docs.map(({ id, version, title }) => ({ id, version, title })),
      status: outcome.status,
      retrievalMs,
      generationMs,
      costUsd: fresh ? prices.savings(model, outcome.response.usage).usd : 0,
      savedUsd: outcome.saved?.usd ?? 0,
    };
  };
}

/** One Chat Completions call with fetch, turned into the cache's response shape. */
async function chat(
  baseUrl: string,
  apiKey: string,
  model: string,
  request: CacheRequest,
): Promise<CacheResponse> {
  const res = await fetch(`${baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ model, messages: request.messages, temperature: request.params?.temperature }),
  });
  if (!res.ok) throw new Error(`upstream answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as any;
  const choice = body.choices[0];
  return {
    body,
    text: choice.message.content ?? "",
    finishReason:
      choice.finish_reason === "stop" ? "stop" : choice.finish_reason === "length" ? "length" : "other",
    usage: { inputTokens: body.usage?.prompt_tokens, outputTokens: body.usage?.completion_tokens },
    modelId: body.model,
  };
}
