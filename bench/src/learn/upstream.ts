/**
 * The model behind the cache in the learning-curve run: it answers each question with its group's
 * answer, so a served answer is wrong exactly when it names another group than the question's.
 */
import type { CacheResponse } from "@recall/core";

/** The model the stream's questions are asked of (priced from core's table). */
export const ANSWER_MODEL = { provider: "openai", id: "gpt-4.1" } as const;
/** Tokens of one answer: a short support question, a few paragraphs back. */
export const ANSWER_USAGE = { inputTokens: 60, outputTokens: 250 } as const;

const pattern = /^answer of group (\d+)\b/;

export function answerText(group: number): string {
  return `answer of group ${group}`;
}

/** The group an answer's text names (undefined for text this upstream did not write). */
export function groupOfAnswer(text: string | undefined): number | undefined {
  const m = text === undefined ? null : pattern.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The request for one question of the stream. */
export function requestFor(question: string) {
  return { model: ANSWER_MODEL, messages: [{ role: "user" as const, content: question }] };
}

/** The upstream for one question; `calls` counts what reached it. */
export function groupUpstream() {
  const upstream = {
    calls: 0,
    answer(group: number): () => Promise<CacheResponse<string>> {
      return async () => {
        upstream.calls++;
        const text = answerText(group);
        return { body: text, text, finishReason: "stop", usage: { ...ANSWER_USAGE } };
      };
    },
  };
  return upstream;
}
