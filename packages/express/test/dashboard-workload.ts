import type { CacheRequest, CacheResponse, RecallCache } from "@recall/core";
import { CLOSE, ORIGINAL, paraphraseAt, paraphraseEmbedder, paraphrases } from "@recall/core/testing";

/** A question the dates rule of the guard refuses to pair with `ORIGINAL`, though at cosine 0.99. */
export const ON_TUESDAY = "How do I reset my password on Tuesday?";
paraphrases.set(ON_TUESDAY, paraphraseAt(0.99, 41));

export { CLOSE, ORIGINAL, paraphraseEmbedder };

export const request = (question: string): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user", content: question }],
});

export const reply = (text: string): CacheResponse => ({
  body: { text },
  text,
  finishReason: "stop",
  usage: { inputTokens: 100, outputTokens: 200 },
});

/** Asks `question` in `namespace`; the upstream answers "answer to <question>". Returns the status. */
export async function ask(
  cache: RecallCache,
  namespace: string,
  question: string,
  tags?: string[],
): Promise<string> {
  const outcome = await cache.run(request(question), async () => reply(`answer to ${question}`), {
    namespace,
    ...(tags ? { tags } : {}),
  });
  return outcome.status;
}

/**
 * A small workload in two namespaces, like the demo's: exact repeats, a paraphrase served by
 * meaning, and a near miss the guard refuses.
 * - support: 2 exact hits, 1 semantic hit (CLOSE → ORIGINAL), 2 misses (ORIGINAL, ON_TUESDAY), 1 guard refusal;
 * - billing: 3 exact hits, 0 semantic hits, 2 misses.
 */
export async function twoNamespaces(cache: RecallCache): Promise<void> {
  await ask(cache, "support", ORIGINAL, ["passwords"]);
  await ask(cache, "support", ORIGINAL);
  await ask(cache, "support", ORIGINAL);
  await ask(cache, "support", CLOSE);
  await ask(cache, "support", ON_TUESDAY);
  await ask(cache, "billing", "Where can I download my invoice?", ["invoices"]);
  await ask(cache, "billing", "Where can I download my invoice?");
  await ask(cache, "billing", "How do I cancel my plan?");
  await ask(cache, "billing", "How do I cancel my plan?");
  await ask(cache, "billing", "Where can I download my invoice?");
}
