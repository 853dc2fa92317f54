import type { CacheRequest } from "../src/request.js";
import type { CacheResponse } from "../src/response.js";

/**
 * The exact-hit workload shared by Recall's exact-hit bench and the peers bench: a support
 * question per project number, and one short answer.
 */
export const request = (i: number): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [
    {
      role: "system",
      content: "You are the support assistant of Acme Cloud. Answer briefly and cite the docs.",
    },
    { role: "user", content: `How do I rotate the API key of project number ${i}?` },
  ],
  params: { temperature: 0, maxOutputTokens: 400 },
});

export const response: CacheResponse = {
  body: {
    text: "Open Settings → API keys, click Rotate, and update your deployments with the new key. The old key keeps working for 24 hours.",
  },
  text: "Open Settings → API keys, click Rotate, and update your deployments with the new key. The old key keeps working for 24 hours.",
  finishReason: "stop",
  usage: { inputTokens: 42, outputTokens: 31 },
};
