import { describe, expect, it } from "vitest";
import { intentOfQuestion } from "./intents.js";
import { buildWorkload, intents, nearMisses } from "./workload.js";

describe("the demo workload", () => {
  const workload = buildWorkload();

  it("asks a few hundred questions of every kind, the same way every run", () => {
    expect(workload).toHaveLength(400);
    const kinds = new Set(workload.map((w) => w.kind));
    expect([...kinds].sort()).toEqual(["first", "near-miss", "paraphrase", "repeat"]);
    expect(buildWorkload()).toEqual(workload);
    expect(buildWorkload({ seed: 8 })).not.toEqual(workload);
  });

  it("labels kinds from what was asked before", () => {
    const seenQuestions = new Set<string>();
    const seenIntents = new Set<string>();
    for (const item of workload) {
      if (item.kind === "repeat") expect(seenQuestions.has(item.question)).toBe(true);
      if (item.kind === "paraphrase") {
        expect(seenQuestions.has(item.question)).toBe(false);
        expect(seenIntents.has(item.intent)).toBe(true);
      }
      if (item.kind === "first" || item.kind === "near-miss")
        expect(seenIntents.has(item.intent)).toBe(false);
      seenQuestions.add(item.question);
      seenIntents.add(item.intent);
    }
  });

  it("maps every question to exactly one intent, and near misses to two different ones", () => {
    const all = intents.flatMap((i) => [i.question, ...i.paraphrases]);
    expect(new Set(all).size).toBe(all.length);
    for (const q of all) expect(intentOfQuestion(q)).toBeDefined();
    const ids = new Set(intents.map((i) => i.id));
    for (const [a, b] of nearMisses) {
      expect(ids.has(a) && ids.has(b)).toBe(true);
      expect(a).not.toBe(b);
    }
  });
});
