/**
 * What Recall saves for a workload, from its repeat rate and a model's price: money per million
 * requests and the mean latency a caller sees. The hit latency is measured here (exact hit on the
 * in-memory store); the miss latency and tokens per request are stated assumptions, shown in the
 * output. Prints a table and writes bench-cost-model.svg at the root.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCache, PriceTable } from "@recall/core";
import type { BenchOptions, Figure } from "../../packages/core/bench/figures.js";
import { percentile, round, timeEach } from "../../packages/core/bench/figures.js";

const root = join(import.meta.dirname, "../..");
const MISS_MS = 1_200; // a typical hosted chat completion of ~300 output tokens
const TOKENS = { input: 500, output: 300 };
const MODELS = ["gpt-4.1", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2"];
const RATES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export async function run({ progress }: BenchOptions): Promise<Figure[]> {
  progress("measuring an exact hit on the in-memory store");
  const cache = createCache();
  const req = {
    model: { provider: "openai", id: "gpt-4.1" },
    messages: [{ role: "user" as const, content: "q" }],
  };
  await cache.run(req, async () => ({ body: 1, text: "a", finishReason: "stop" }));
  const hitMs =
    percentile(await timeEach(5_000, () => cache.run(req, async () => ({ body: 1, text: "a" }))), 50) / 1000;

  const prices = new PriceTable();
  const perRequest = (m: string) =>
    prices.savings(m, { inputTokens: TOKENS.input, outputTokens: TOKENS.output }).usd;
  const rows = RATES.map((r) => ({
    rate: r,
    saved: MODELS.map((m) => r * 1e6 * perRequest(m)),
    meanMs: r * hitMs + (1 - r) * MISS_MS,
  }));
  console.log(
    `\nCost and latency model: ${TOKENS.input} input + ${TOKENS.output} output tokens a request, a miss ${MISS_MS} ms (assumed), a hit ${hitMs.toFixed(3)} ms (measured)\n`,
  );
  console.log(
    `| repeat rate | ${MODELS.map((m) => `saved per 1M req, ${m}`).join(" | ")} | mean latency | speed-up |`,
  );
  console.log(`|---:|${MODELS.map(() => "---:").join("|")}|---:|---:|`);
  for (const row of rows) {
    const speedup = MISS_MS / row.meanMs;
    console.log(
      `| ${(row.rate * 100).toFixed(0)}% | ${row.saved.map((s) => `$${Math.round(s).toLocaleString("en-US")}`).join(" | ")} | ${Math.round(row.meanMs)} ms | ${speedup.toFixed(2)}x |`,
    );
  }
  writeFileSync(join(root, "bench-cost-model.svg"), svg(rows));
  progress("wrote bench-cost-model.svg");
  const at = (r: number) => rows.find((x) => x.rate === r)!;
  return [
    { name: "cost_model_hit_ms", value: round(hitMs, 4), unit: "ms" },
    { name: "cost_model_saved_per_1m_gpt41_at_50pct_usd", value: Math.round(at(0.5).saved[0]!), unit: "USD" },
    {
      name: "cost_model_mean_latency_at_50pct_ms",
      value: Math.round(at(0.5).meanMs),
      unit: "ms",
      comparedWith: "miss (assumed 1200 ms)",
      ratio: round(at(0.5).meanMs / MISS_MS, 3),
    },
  ];
}

function svg(rows: Array<{ rate: number; saved: number[]; meanMs: number }>): string {
  const W = 720;
  const H = 400;
  const pad = { l: 70, r: 160, t: 30, b: 50 };
  const maxSaved = Math.max(...rows.flatMap((r) => r.saved));
  const x = (rate: number) => pad.l + (rate / 0.9) * (W - pad.l - pad.r);
  const y = (v: number) => H - pad.b - (v / maxSaved) * (H - pad.t - pad.b);
  const colors = ["#2563eb", "#dc2626", "#16a34a", "#9333ea"];
  const lines = MODELS.map((m, i) => {
    const d = rows
      .map((r, j) => `${j === 0 ? "M" : "L"}${x(r.rate).toFixed(1)},${y(r.saved[i]!).toFixed(1)}`)
      .join(" ");
    const last = rows[rows.length - 1]!;
    return `<path d="${d}" fill="none" stroke="${colors[i]}" stroke-width="2"/><text x="${x(last.rate) + 8}" y="${y(last.saved[i]!) + 4}" font-size="12" fill="${colors[i]}">${m}</text>`;
  }).join("\n");
  const ticks = rows
    .map(
      (r) =>
        `<text x="${x(r.rate)}" y="${H - pad.b + 18}" font-size="11" text-anchor="middle">${Math.round(r.rate * 100)}%</text>`,
    )
    .join("");
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${pad.l - 8}" y="${y(f * maxSaved) + 4}" font-size="11" text-anchor="end">$${Math.round(f * maxSaved).toLocaleString("en-US")}</text><line x1="${pad.l}" x2="${W - pad.r}" y1="${y(f * maxSaved)}" y2="${y(f * maxSaved)}" stroke="#e5e7eb"/>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad.l}" y="18" font-size="14">Money saved per million requests (${TOKENS.input} in + ${TOKENS.output} out tokens each)</text>
${yTicks}${ticks}
<text x="${(W - pad.r + pad.l) / 2}" y="${H - 12}" font-size="12" text-anchor="middle">share of requests answered from cache</text>
${lines}
</svg>
`;
}
