import type { DecidedBy, NamespaceStats } from "@recall/core";
import { describe, expect, it } from "vitest";
import type { Answer } from "./adapters/types.js";
import type { Result } from "./report.js";
import { paraphrasesByQuarter, type VerifiedInput, verifiedSection } from "./verified-report.js";
import type { WorkloadItem } from "./workload.js";

function result(kind: WorkloadItem["kind"], status: Answer["status"], decidedBy?: DecidedBy): Result {
  return {
    item: { intent: "reset-password", question: "How can I reset my password?", kind },
    answer: { text: "", status, decidedBy, inputTokens: 50, outputTokens: 100 },
    ms: 1,
    falseHit: false,
  };
}

const stats: VerifiedInput["stats"] = {
  semanticHitsBy: { threshold: 1, alias: 2, verifier: 3, learned: 0 },
  verify: {
    calls: 4,
    same: 3,
    different: 1,
    unsure: 0,
    failed: 0,
    ms: 2000,
    cost: { inputTokens: 2400, outputTokens: 80, usd: 0.000272 },
  },
  promotions: 3,
} satisfies Pick<NamespaceStats, "semanticHitsBy" | "verify" | "promotions">;

const input: VerifiedInput = {
  mode: "sync",
  judgeModel: "gpt-4.1-nano",
  simulated: true,
  model: "gpt-4.1",
  threshold: 0.97,
  band: 0.8,
  bound: 0.02,
  maxWordings: 4,
  stats,
};

// Nine questions (quarters of 2, 2, 2 and 3), whose paraphrases hit more often later on.
const results: Result[] = [
  result("first", "miss"),
  result("paraphrase", "miss"),
  result("paraphrase", "semantic-hit", "threshold"),
  result("paraphrase", "miss"),
  result("paraphrase", "semantic-hit", "verifier"),
  result("paraphrase", "semantic-hit", "verifier"),
  result("repeat", "semantic-hit", "alias"),
  result("paraphrase", "semantic-hit", "verifier"),
  result("repeat", "semantic-hit", "alias"),
];

describe("the report's section on verified matching", () => {
  const section = verifiedSection(results, input);
  const row = (label: string) => section.split("\n").find((l) => l.startsWith(`| ${label}`)) ?? "";

  it("counts semantic hits by what let them through", () => {
    expect(section).toContain("Verified matching: sync, candidates at cosine [0.80, 0.97)");
    expect(row("threshold")).toMatch(/\|\s+1 \|\s+1 \|/);
    expect(row("verifier")).toMatch(/\|\s+3 \|\s+3 \|/);
    expect(row("alias")).toMatch(/\|\s+2 \|\s+0 \|/);
    expect(row("learned")).toMatch(/\|\s+0 \|\s+0 \|/);
  });

  it("puts the judge's calls and cost beside what the hits saved", () => {
    expect(row("judge calls (gpt-4.1-nano): 3 same, 1 different, 0 unsure")).toMatch(
      /\|\s+4 \|\s+2,400 \|\s+80 \| \$0\.0003 \|/,
    );
    // Three verifier hits of 50 + 100 tokens at gpt-4.1's $2 / $8 per million.
    expect(row("saved by hits decided on the request")).toMatch(/\|\s+3 \|\s+150 \|\s+300 \| \$0\.0027 \|/);
    expect(row("saved by alias hits")).toMatch(/\|\s+2 \|/);
    expect(section).toContain("The judge took 500 ms a call on average");
    expect(section).toContain("3 wording(s) became aliases");
    expect(section).toContain("False hits among semantic hits: 0 of 6.");
  });

  it("says plainly that the judge is simulated, and why the mode", () => {
    expect(section).toContain("This judge is simulated");
    expect(section).toContain("Why sync");
    expect(verifiedSection(results, { ...input, simulated: false })).not.toContain("simulated");
    expect(verifiedSection(results, { ...input, mode: "off" })).toContain("Verified matching: off.");
  });

  it("shows the hit rate of paraphrases by quarter and by half of the run", () => {
    const quarters = paraphrasesByQuarter(results);
    const line = (q: string) => quarters.split("\n").find((l) => l.startsWith(`| ${q}`)) ?? "";
    expect(line("1st")).toMatch(/\|\s+1-2 \|\s+1 \|\s+0 \|\s+0\.0% \|/);
    expect(line("2nd")).toMatch(/\|\s+3-4 \|\s+2 \|\s+1 \|\s+50\.0% \|\s+1 \|\s+0 \|/);
    expect(line("3rd")).toMatch(/\|\s+5-6 \|\s+2 \|\s+2 \|\s+100\.0% \|\s+0 \|\s+2 \|/);
    expect(line("4th")).toMatch(/\|\s+7-9 \|\s+1 \|\s+1 \|\s+100\.0% \|/);
    expect(quarters).toContain(
      "First half of the run: 1 of 3 from cache (33.3%); second half: 3 of 3 from cache (100.0%).",
    );
    expect(section).toContain(quarters);
  });
});
