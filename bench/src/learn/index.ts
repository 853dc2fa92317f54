/**
 * The learning-curve run (issue 15): how many paraphrases each configuration answers from cache, how
 * many wrong answers it serves, and how many judge calls each hit costs, over a stream of questions
 * from groups of paraphrases and near-miss negatives (`stream.ts`), with a simulated judge of stated
 * accuracy (`judge.ts`) and the real local embedder.
 *
 *   pnpm bench --only=learn [--quick] [--judge-accuracy=0.95] [--chart]
 *   pnpm --filter @recall/bench exec tsx src/learn/index.ts [--quick] [--judge-accuracy=0.95] [--chart]
 *
 * Figures (`<figure>_<config>`, and `<figure>_<config>_last_quarter` for the last quarter):
 * - `learn_hit_rate`: of the questions whose group was asked before but whose wording was not,
 *   the share answered from cache;
 * - `learn_exact_repeat_hit_rate`: the same for exact repeats of a wording (any cache answers them);
 * - `learn_false_hit_rate`: answers of another group served, over all lookups;
 * - `learn_judge_calls_per_hit`: judge calls over hits of any kind.
 * The per-quarter series go to `.bench/learning-curve.json` (and with `--chart`, to the chart in
 * docs/learning-curve.svg; see `chart.ts`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { benchArgs, QUICK } from "../../../packages/core/bench/args.js";
import {
  type BenchOptions,
  comparedFigure,
  type Figure,
  printFigures,
  round,
} from "../../../packages/core/bench/figures.js";
import { CHART_FILE, CURVE_FILE, type LearningCurve, type QuarterPoint, writeChart } from "./chart.js";
import { learnConfigs } from "./configs.js";
import { streamEmbedder } from "./embedder.js";
import { DEFAULT_JUDGE_ACCURACY, JUDGE_MODEL_ID, JUDGE_USAGE } from "./judge.js";
import { type ConfigResult, hitKinds, runConfig, type Tally } from "./run-config.js";
import { buildStream, describeStream } from "./stream.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface LearnOptions extends BenchOptions {
  /** Share of verdicts the simulated judge gets right. Default 0.95. */
  judgeAccuracy?: number;
  /** Also draw docs/learning-curve.svg. */
  chart?: boolean;
}

/** Share of the groups asked in `--quick` runs. */
const QUICK_FRACTION = 0.25;

export async function run({ quick, progress, judgeAccuracy, chart }: LearnOptions): Promise<Figure[]> {
  const accuracy = judgeAccuracy ?? DEFAULT_JUDGE_ACCURACY;
  if (!(accuracy >= 0 && accuracy <= 1))
    throw new Error(`--judge-accuracy must be in [0, 1], got ${accuracy}`);
  const stream = buildStream({ root, ...(quick ? { fraction: QUICK_FRACTION } : {}) });
  if (!stream) {
    progress("skipped: ../shared/data/qqp-dev.jsonl not found (read next to the repository)");
    return [];
  }
  progress(describeStream(stream) + (quick ? ` (quick: ${QUICK_FRACTION * 100}% of the groups)` : ""));
  progress(
    `judge: SIMULATED (it knows the groups), accuracy ${accuracy}: ${round((1 - accuracy) * 100, 1)}% of verdicts flipped at random (per pair, seeded); priced as ${JUDGE_MODEL_ID}, ${JUDGE_USAGE.inputTokens} in / ${JUDGE_USAGE.outputTokens} out tokens a call`,
  );

  const { embedder, dispose } = await streamEmbedder(
    root,
    stream.asks.map((a) => a.question),
    progress,
  );
  const results: ConfigResult[] = [];
  try {
    for (const config of learnConfigs) {
      progress(`-- ${config.label}`);
      results.push(await runConfig({ stream, config, embedder, judgeAccuracy: accuracy, progress }));
    }
  } finally {
    await dispose();
  }

  const curve: LearningCurve = {
    date: new Date().toISOString(),
    quick,
    seed: stream.seed,
    questions: stream.asks.length,
    judge: { simulated: true, accuracy, modelId: JUDGE_MODEL_ID, usage: { ...JUDGE_USAGE } },
    configs: results.map((r) => ({
      name: r.config.name,
      label: r.config.label,
      quarters: r.quarters.map(point),
    })),
  };
  mkdirSync(join(root, ".bench"), { recursive: true });
  writeFileSync(join(root, CURVE_FILE), `${JSON.stringify(curve, null, 2)}\n`);
  progress(`wrote the per-quarter series to ${CURVE_FILE}`);
  if (chart) progress(`wrote ${writeChart(root, curve)}`);

  const figures = learnFigures(results, stream.asks.length, accuracy);
  printTables(results, accuracy, stream.asks.length);
  return figures;
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
const hitRate = (t: Tally) => ratio(t.hitsOn["repeat-meaning"], t.asked["repeat-meaning"]);
const exactRepeatHitRate = (t: Tally) => ratio(t.hitsOn["exact-repeat"], t.asked["exact-repeat"]);
const falseHitRate = (t: Tally) => ratio(t.wrong, t.lookups);
/** Judge calls per hit; with no hit, the calls themselves (each call bought nothing). */
const judgeCallsPerHit = (t: Tally) => (t.hits > 0 ? t.judgeCalls / t.hits : t.judgeCalls);

function point(t: Tally): QuarterPoint {
  return {
    hitRate: round(hitRate(t), 4),
    judgeCallsPerHit: round(judgeCallsPerHit(t), 4),
    falseHitRate: round(falseHitRate(t), 4),
    exactRepeatHitRate: round(exactRepeatHitRate(t), 4),
    lookups: t.lookups,
    repeatMeaning: t.asked["repeat-meaning"],
    hits: t.hits,
    wrong: t.wrong,
    judgeCalls: t.judgeCalls,
  };
}

function learnFigures(results: ConfigResult[], questions: number, accuracy: number): Figure[] {
  const base = results.find((r) => r.config.name === "static_097");
  const figures: Figure[] = [
    { name: "learn_questions", value: questions, unit: "questions" },
    { name: "learn_judge_accuracy", value: accuracy, unit: "fraction (simulated judge)" },
  ];
  for (const part of ["", "_last_quarter"] as const) {
    const tallyOf = (r: ConfigResult) => (part ? r.quarters[3]! : r.total);
    const baseFigure = base && {
      name: `learn_hit_rate_static_097${part}`,
      value: round(hitRate(tallyOf(base)), 4),
      unit: "fraction",
    };
    for (const r of results) {
      const t = tallyOf(r);
      const name = (figure: string) => `${figure}_${r.config.name}${part}`;
      const rate = round(hitRate(t), 4);
      figures.push(
        r === base || !baseFigure
          ? { name: name("learn_hit_rate"), value: rate, unit: "fraction" }
          : comparedFigure(name("learn_hit_rate"), rate, "fraction", baseFigure),
        {
          name: name("learn_exact_repeat_hit_rate"),
          value: round(exactRepeatHitRate(t), 4),
          unit: "fraction",
        },
        { name: name("learn_false_hit_rate"), value: round(falseHitRate(t), 4), unit: "fraction" },
        { name: name("learn_judge_calls_per_hit"), value: round(judgeCallsPerHit(t), 3), unit: "calls" },
      );
    }
  }
  return figures;
}

interface Goal {
  goal: string;
  config: string;
  measured: string;
  target: string;
  pass: boolean;
}

function goals(results: ConfigResult[]): Goal[] {
  const base = results.find((r) => r.config.name === "static_097");
  const out: Goal[] = [];
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  for (const r of results.filter((x) => x.config.verify?.bound === 0.02)) {
    if (base) {
      const b = hitRate(base.total);
      const v = hitRate(r.total);
      out.push({
        goal: "hit rate >= 3x static 0.97's",
        config: r.config.name,
        measured: `${pct(v)} = ${b > 0 ? (v / b).toFixed(2) : "inf"}x ${pct(b)}`,
        target: `>= ${pct(3 * b)}`,
        pass: v >= 3 * b,
      });
    }
    const f = falseHitRate(r.total);
    out.push({
      goal: "served false-hit rate <= 2%",
      config: r.config.name,
      measured: pct(f),
      target: "<= 2.00%",
      pass: f <= 0.02,
    });
    const first = judgeCallsPerHit(r.quarters[0]!);
    const lastQ = judgeCallsPerHit(r.quarters[3]!);
    out.push({
      goal: "judge calls per hit: last quarter < first",
      config: r.config.name,
      measured: `${lastQ.toFixed(3)} vs ${first.toFixed(3)}`,
      target: `< ${first.toFixed(3)}`,
      pass: lastQ < first,
    });
  }
  return out;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function printTables(results: ConfigResult[], accuracy: number, questions: number): void {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const usd = (v: number) => `$${v.toFixed(4)}`;
  console.log(
    `\nlearn: ${questions} questions; the judge is SIMULATED (it knows the groups) with accuracy ${accuracy} (${round((1 - accuracy) * 100, 1)}% of verdicts flipped), priced as ${JUDGE_MODEL_ID}\n`,
  );
  console.log(
    table(
      [
        "config",
        "hit rate",
        "last quarter",
        "false-hit rate",
        "last quarter",
        "judge calls/hit",
        "last quarter",
        "exact-repeat hit rate",
      ],
      results.map((r) => [
        r.config.name,
        pct(hitRate(r.total)),
        pct(hitRate(r.quarters[3]!)),
        `${(falseHitRate(r.total) * 100).toFixed(2)}%`,
        `${(falseHitRate(r.quarters[3]!) * 100).toFixed(2)}%`,
        judgeCallsPerHit(r.total).toFixed(3),
        judgeCallsPerHit(r.quarters[3]!).toFixed(3),
        pct(exactRepeatHitRate(r.total)),
      ]),
    ),
  );
  console.log("\nlearn: counts (hits by what let them through; wrong = another group's answer served)\n");
  console.log(
    table(
      [
        "config",
        "lookups",
        ...hitKinds.map((k) => `hits ${k}`),
        "wrong (by kind)",
        "judge calls (core)",
        "judge wrong",
        "judge USD",
        "upstream calls",
        "upstream USD",
        "saved USD",
        "promotions",
      ],
      results.map((r) => {
        const t = r.total;
        const wrongBy = hitKinds
          .filter((k) => t.wrongBy[k] > 0)
          .map((k) => `${k} ${t.wrongBy[k]}`)
          .join(", ");
        return [
          r.config.name,
          String(t.lookups),
          ...hitKinds.map((k) => String(t.hitsBy[k])),
          `${t.wrong}${wrongBy ? ` (${wrongBy})` : ""}`,
          `${t.judgeCalls} (${r.core.verifyCalls}${r.core.verifyFailed ? `, ${r.core.verifyFailed} failed` : ""})`,
          String(t.judgeWrong),
          usd(r.core.verifyUsd),
          String(t.upstreamCalls),
          usd(r.upstreamUsd),
          usd(r.savedUsd),
          String(r.core.promotions),
        ];
      }),
    ),
  );
  console.log(
    "\nlearn: learning curve by quarter of the stream: hit rate on other wordings / judge calls per hit / judge calls per lookup / false-hit rate\n",
  );
  console.log(
    table(
      ["config", "quarter 1", "quarter 2", "quarter 3", "quarter 4"],
      results.map((r) => [
        r.config.name,
        ...r.quarters.map(
          (q) =>
            `${pct(hitRate(q))} / ${judgeCallsPerHit(q).toFixed(2)} / ${ratio(q.judgeCalls, q.lookups).toFixed(2)} / ${(falseHitRate(q) * 100).toFixed(2)}%`,
        ),
      ]),
    ),
  );
  const g = goals(results);
  if (g.length) {
    console.log("\nlearn: goals (issue 15)\n");
    console.log(
      table(
        ["goal", "config", "measured", "target", "result"],
        g.map((x) => [x.goal, x.config, x.measured, x.target, x.pass ? "PASS" : "FAIL"]),
      ),
    );
  }
  console.log(
    `\nlearn: series per quarter in ${CURVE_FILE}; chart: pnpm bench --only=learn --chart (${CHART_FILE})`,
  );
}

// Run directly: pnpm --filter @recall/bench exec tsx src/learn/index.ts [--quick] [--judge-accuracy=0.95] [--chart]
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = benchArgs(
    "Usage: pnpm --filter @recall/bench exec tsx src/learn/index.ts [--quick] [--judge-accuracy=0.95] [--chart]",
    { ...QUICK, "judge-accuracy": { type: "string" }, chart: { type: "boolean", default: false } },
  );
  const figures = await run({
    quick: args.quick,
    chart: args.chart,
    ...(args["judge-accuracy"] === undefined ? {} : { judgeAccuracy: Number(args["judge-accuracy"]) }),
    progress: (m) => process.stderr.write(`  [learn] ${m}\n`),
  });
  printFigures("learn", figures);
}
