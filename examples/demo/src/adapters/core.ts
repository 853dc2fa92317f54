import type { CacheResponse } from "@recall/core";
import { type AdapterFactory, SYSTEM_PROMPT } from "./types.js";

interface ChatCompletion {
  choices: Array<{ message: { content: string | null }; finish_reason: string }>;
  usage?: { prompt_tokens: number; completion_tokens: number };
  model: string;
}

/** Recall's engine called directly around a plain fetch to the chat completions endpoint. */
export const coreAdapter: AdapterFactory = async (cache, upstream) => ({
  name: "core (cache.run around fetch)",
  async ask(question) {
    const request = {
      model: { provider: "openai", id: upstream.model },
      messages: [
        { role: "system" as const, content: SYSTEM_PROMPT },
        { role: "user" as const, content: question },
      ],
      params: { temperature: 0 },
    };
    const outcome = await cache.run(request, async (): Promise<CacheResponse<ChatCompletion>> => {
      const res = await fetch(`${upstream.baseURL}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${upstream.apiKey}` },
        body: JSON.stringify({ model: upstream.model, temperature: 0, messages: request.messages }),
      });
      if (!res.ok) throw new Error(`upstream answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as ChatCompletion;
      const choice = body.choices[0]!;
      return {
        body,
        text: choice.message.content ?? "",
        finishReason:
          choice.finish_reason === "stop" ? "stop" : choice.finish_reason === "length" ? "length" : "other",
        usage: { inputTokens: body.usage?.prompt_tokens, outputTokens: body.usage?.completion_tokens },
        modelId: body.model,
      };
    });
    const usage = outcome.response.usage;
    return {
      text: outcome.response.text ?? "",
      status: outcome.status,
      similarity: outcome.similarity,
      matchedQuestion: outcome.matchedQuestion,
      decidedBy: outcome.decidedBy,
      inputTokens: usage?.inputTokens,
      outputTokens: usage?.outputTokens,
    };
  },
  close: async () => {},
});
