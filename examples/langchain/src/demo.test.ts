import { createLocalEmbedder } from "@recall/transformers";
import { expect, it } from "vitest";
import { runDemo } from "./demo.js";

it("runs the walkthrough offline: three upstream requests for seven questions, no API key stored", async () => {
  const embedder = createLocalEmbedder();
  const lines: string[] = [];
  try {
    // This test checks matching, not load: on a busy machine no lookup may be shed for time (budgetMs).
    const summary = await runDemo({
      embedder,
      budgetMs: 60_000,
      log: (l) => lines.push(l),
      write: () => {},
      latencyMs: 50,
    });
    expect(summary.rows.map((r) => r.status.split(" ")[0])).toEqual([
      "miss",
      "hit",
      "semantic-hit",
      "miss",
      "miss",
      "semantic-hit",
    ]);
    expect(summary.upstreamRequests).toBe(3);
    expect(summary.savedTokens).toBeGreaterThan(0);
    expect(summary.apiKeyStored).toBe(false);
    expect(lines.join("\n")).toContain("no upstream request");
  } finally {
    await embedder.dispose();
  }
}, 300_000);
