import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoJudge } from "./judge.js";
import { readJudgePrompt, simulatedVerdict } from "./judge-upstream.js";
import { startLocalUpstream, type Upstream } from "./upstream.js";

const answer = (text: string) => ({ body: { text }, text, finishReason: "stop" as const });

describe("the judge the local upstream simulates", () => {
  it("reads the two questions of a judge prompt, and nothing from another request", () => {
    const user =
      "<new_question>\nHow can I turn off two-factor authentication?\n</new_question>\n\n" +
      "<cached_question>\nHow do I enable two-factor authentication?\n</cached_question>\n\n" +
      "<cached_answer>\nOpen Settings.\n</cached_answer>";
    expect(readJudgePrompt([{ role: "user", content: user }])).toEqual({
      newQuestion: "How can I turn off two-factor authentication?",
      cachedQuestion: "How do I enable two-factor authentication?",
    });
    expect(readJudgePrompt([{ role: "user", content: "How do I reset my password?" }])).toBeUndefined();
  });

  it("says same for one intent, different for two, unsure for a question the workload does not know", () => {
    const verdict = (newQuestion: string, cachedQuestion: string) =>
      simulatedVerdict({ newQuestion, cachedQuestion }).decision;
    expect(verdict("How can I reset my password?", "How do I reset my password?")).toBe("same");
    expect(
      verdict("How do I disable two-factor authentication?", "How do I enable two-factor authentication?"),
    ).toBe("different");
    expect(verdict("What is the meaning of life?", "How do I reset my password?")).toBe("unsure");
  });

  describe("through llmJudge, as the demo asks it", () => {
    let upstream: Upstream;
    beforeAll(async () => {
      upstream = await startLocalUpstream();
    });
    afterAll(() => upstream.close());

    const ask = (question: string, cachedQuestion: string) =>
      demoJudge(upstream).verify({
        question,
        candidate: { key: "k", question: cachedQuestion, answer: answer("[intent:x] An answer.") },
        similarity: 0.9,
        namespace: "default",
        model: "openai:gpt-4.1",
        signal: new AbortController().signal,
      });

    it("answers a same-intent pair same and a near miss different, with the tokens of the real prompt", async () => {
      const same = await ask("I forgot my password, how do I reset it?", "How do I reset my password?");
      expect(same.decision).toBe("same");
      expect(same.modelId).toBe("gpt-4.1-nano");
      // The judge's system prompt alone is a few hundred tokens: the cost reported is a real prompt's.
      expect(same.usage!.inputTokens).toBeGreaterThan(300);
      expect(same.usage!.outputTokens).toBeGreaterThan(0);

      const different = await ask("Can I get a refund for order 2087?", "Can I get a refund for order 1042?");
      expect(different.decision).toBe("different");
      expect(different.reason).toContain("refund-order-2087");

      // Judge calls are counted apart from the questions' upstream calls.
      expect(upstream.judgeCalls()).toBe(2);
      expect(upstream.calls()).toBe(0);
    });
  });
});
