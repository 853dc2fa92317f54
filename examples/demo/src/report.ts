import { defaultPricing, PriceTable } from "@recall/core";
import type { Answer } from "./adapters/types.js";
import { median, pct, quantile, table } from "./format.js";
import { type VerifiedInput, verifiedSection } from "./verified-report.js";
import type { WorkloadItem } from "./workload.js";

export interface Result {
  item: WorkloadItem;
  answer?: Answer;
  error?: string;
  ms: number;
  /** The intent the served answer was written for, when known. */
  servedIntent?: string;
  falseHit: boolean;
}

export interface ReportInput {
  title: string;
  results: Result[];
  upstreamCalls: number | undefined;
  wallSeconds: number;
  verified: VerifiedInput;
}

export interface Summary {
  requests: number;
  exactHits: number;
  semanticHits: number;
  coalesced: number;
  misses: number;
  errors: number;
  falseHits: number;
  upstreamCalls: number;
}

export function summarize(results: Result[], upstreamCalls: number | undefined): Summary {
  const count = (s: Answer["status"]) => results.filter((r) => r.answer?.status === s).length;
  const misses = count("miss") + count("bypass");
  return {
    requests: results.length,
    exactHits: count("hit"),
    semanticHits: count("semantic-hit"),
    coalesced: count("coalesced"),
    misses,
    errors: results.filter((r) => r.error).length,
    falseHits: results.filter((r) => r.falseHit).length,
    upstreamCalls: upstreamCalls ?? misses,
  };
}

export function printReport({ title, results, upstreamCalls, wallSeconds, verified }: ReportInput): Summary {
  const s = summarize(results, upstreamCalls);
  const fromCache = s.exactHits + s.semanticHits + s.coalesced;
  console.log(`\n${title}\n`);
  console.log(
    table(
      ["outcome", "requests", "share"],
      [
        ["exact hits", String(s.exactHits), pct(s.exactHits, s.requests)],
        ["semantic hits", String(s.semanticHits), pct(s.semanticHits, s.requests)],
        ["coalesced (waited for a concurrent call)", String(s.coalesced), pct(s.coalesced, s.requests)],
        ["misses (answered upstream)", String(s.misses), pct(s.misses, s.requests)],
        ["answered from cache", String(fromCache), pct(fromCache, s.requests)],
        ["errors", String(s.errors), pct(s.errors, s.requests)],
        ["false hits (wrong cached answer)", String(s.falseHits), pct(s.falseHits, s.requests)],
        ["upstream calls", String(s.upstreamCalls), pct(s.upstreamCalls, s.requests)],
        [
          "upstream calls avoided",
          String(s.requests - s.upstreamCalls),
          pct(s.requests - s.upstreamCalls, s.requests),
        ],
      ],
    ),
  );

  const kinds: Array<[WorkloadItem["kind"], string]> = [
    ["first", "must miss"],
    ["repeat", "should hit (exact or alias)"],
    ["paraphrase", "may hit (by meaning)"],
    ["near-miss", "must miss"],
  ];
  console.log("\nBy kind of question (the workload knows which answer is right):\n");
  console.log(
    table(
      ["kind", "asked", "from cache", "false hits", "expected"],
      kinds.map(([kind, expected]) => {
        const of = results.filter((r) => r.item.kind === kind);
        const cached = of.filter(
          (r) => r.answer && r.answer.status !== "miss" && r.answer.status !== "bypass",
        ).length;
        return [
          kind,
          String(of.length),
          String(cached),
          String(of.filter((r) => r.falseHit).length),
          expected,
        ];
      }),
    ),
  );

  const ms = (pred: (r: Result) => boolean) => results.filter(pred).map((r) => r.ms);
  const semantic = (r: Result) => r.answer?.status === "semantic-hit";
  const judged = (r: Result) => r.answer?.decidedBy === "verifier";
  const exact = ms((r) => r.answer?.status === "hit");
  const misses = ms((r) => r.answer?.status === "miss");
  const waitedForJudge = ms((r) => semantic(r) && judged(r));
  const groups: Array<[string, number[]]> = [
    ["exact hits", exact],
    ["semantic hits, no judge on the request", ms((r) => semantic(r) && !judged(r))],
    // Only sync verification makes a request wait for the judge.
    ...(waitedForJudge.length > 0
      ? [["semantic hits, judged on the request", waitedForJudge] as [string, number[]]]
      : []),
    ["misses", misses],
  ];
  console.log("\nLatency seen by the caller:\n");
  console.log(
    table(
      ["", "p50", "p95", "n"],
      groups.map(([name, v]) => [name, quantile(v, 0.5), quantile(v, 0.95), String(v.length)]),
    ),
  );
  const missP50 = median(misses);
  const hitP50 = median(exact);
  if (missP50 && hitP50)
    console.log(
      `\nAn exact hit answered ${Math.round(missP50 / hitP50).toLocaleString("en-US")}x faster than a miss (p50).`,
    );

  const saved = results.filter((r) => r.answer && r.answer.status !== "miss" && r.answer.status !== "bypass");
  const inTok = saved.reduce((a, r) => a + (r.answer!.inputTokens ?? 0), 0);
  const outTok = saved.reduce((a, r) => a + (r.answer!.outputTokens ?? 0), 0);
  const spentIn = results
    .filter((r) => r.answer?.status === "miss")
    .reduce((a, r) => a + (r.answer!.inputTokens ?? 0), 0);
  const spentOut = results
    .filter((r) => r.answer?.status === "miss")
    .reduce((a, r) => a + (r.answer!.outputTokens ?? 0), 0);
  console.log(
    `\nTokens saved: ${inTok.toLocaleString("en-US")} input + ${outTok.toLocaleString("en-US")} output (spent upstream: ${spentIn.toLocaleString("en-US")} + ${spentOut.toLocaleString("en-US")}).`,
  );
  console.log("Money saved by model price (this run, and per million requests like it):\n");
  const models = ["gpt-4.1", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2"];
  const prices = new PriceTable();
  console.log(
    table(
      ["model", "$/M in", "$/M out", "saved this run", "spent this run", "saved per 1M requests"],
      models.map((m) => {
        const p = defaultPricing[m]!;
        const usd = prices.savings(m, { inputTokens: inTok, outputTokens: outTok }).usd;
        const spent = prices.savings(m, { inputTokens: spentIn, outputTokens: spentOut }).usd;
        return [
          m,
          `$${p.input ?? 0}`,
          `$${p.output}`,
          `$${usd.toFixed(4)}`,
          `$${spent.toFixed(4)}`,
          `$${Math.round((usd / results.length) * 1e6).toLocaleString("en-US")}`,
        ];
      }),
    ),
  );
  console.log(`\n${verifiedSection(results, verified)}`);
  console.log(`\n${s.requests} requests in ${wallSeconds.toFixed(1)} s.`);
  return s;
}
