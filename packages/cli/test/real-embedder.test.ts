import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/main.js";

// End to end with the real local model (all-MiniLM-L6-v2 from @recall/transformers, no network).
describe("recall calibrate with the local embedder", () => {
  it("finds a paraphrase, and the guard refuses the swapped migration the model calls near-identical", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "recall-cli-real-")), "pairs.jsonl");
    const pairs = [
      { a: "How do I reset my password?", b: "How can I reset my password?", label: 1 },
      {
        a: "How do I migrate from MySQL to PostgreSQL?",
        b: "How do I migrate from PostgreSQL to MySQL?",
        label: 0,
      },
      { a: "What is the boiling point of water?", b: "Recommend a good science fiction novel", label: 0 },
    ];
    writeFileSync(file, pairs.map((p) => JSON.stringify(p)).join("\n"));
    const out: string[] = [];
    const code = await main(
      ["calibrate", "--pairs", file, "--json", "--thresholds", "0.8", "--threshold", "0.8"],
      {
        stdout: (t) => out.push(t),
        stderr: () => {},
      },
    );
    expect(code).toBe(0);
    const report = JSON.parse(out.join("\n"));
    expect(report.embedder).toMatch(/all-MiniLM-L6-v2/);
    // Guard on: only the real paraphrase hits.
    expect(report.default).toMatchObject({ hits: 1, correctHits: 1, precision: 1, recall: 1, falseHits: 0 });
    // Guard off: the swapped direction is a false hit.
    expect(report.default.noGuard).toMatchObject({ hits: 2, falseHits: 1, precision: 0.5 });
    expect(report.refusals).toEqual({ order: { wrong: 1, right: 0, unlabelled: 0 } });
  }, 120_000);
});
