/**
 * `pnpm bench [--quick]`: runs every package's benchmark in one process, one after another (so they
 * do not compete for the 2 cores), prints one table and writes bench-results.json at the root.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createLocalEmbedder } from "@recall/transformers";
import { benchArgs, QUICK } from "../../packages/core/bench/args.js";
import type { BenchOptions, Figure } from "../../packages/core/bench/figures.js";
import { embedAll, loadSentences } from "./real-vectors.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

interface Suite {
  id: string;
  title: string;
  module: string;
}

/** In the order they run: cheap and independent first, then what needs the model or servers. */
const suites: Suite[] = [
  { id: "exact", title: "Exact hits (memory, Redis)", module: "packages/core/bench/exact-hit.ts" },
  { id: "swr", title: "Stale-while-revalidate", module: "packages/core/bench/swr.ts" },
  { id: "embed", title: "Local embeddings", module: "packages/transformers/bench/index.ts" },
  { id: "semantic", title: "Semantic hit end to end", module: "bench/src/semantic-hit.ts" },
  {
    id: "index",
    title: "Vector index search vs naive Redis scan",
    module: "packages/core/bench/vector-index.ts",
  },
  {
    id: "quality",
    title: "Semantic quality on the dev pairs",
    module: "packages/core/bench/semantic-quality.ts",
  },
  { id: "redis", title: "Many instances on Redis", module: "packages/redis/bench/index.ts" },
  { id: "cluster", title: "Redis Cluster: hits and a failover", module: "bench/src/cluster.ts" },
  { id: "fleet", title: "Fleet stats on an exact hit (Redis)", module: "bench/src/fleet-stats.ts" },
  { id: "load", title: "Semantic matching under load", module: "bench/src/load.ts" },
  { id: "aisdk", title: "AI SDK middleware", module: "packages/ai-sdk/bench/index.ts" },
  { id: "langchain", title: "LangChain adapter", module: "packages/langchain/bench/index.ts" },
  { id: "express", title: "Express proxy vs bare route", module: "packages/express/bench/index.ts" },
  { id: "cost", title: "Cost and latency model", module: "bench/src/cost-model.ts" },
  { id: "peers", title: "Peers side by side", module: "bench/src/peers/index.ts" },
  { id: "learn", title: "Learning curve of verified matching", module: "bench/src/learn/index.ts" },
];

const args = benchArgs(
  `Usage: pnpm bench [-- --quick] [--only=ID,...] [--judge-accuracy=0.95] [--chart]\n  IDs: ${suites.map((s) => s.id).join(", ")}\n  --judge-accuracy, --chart: the learn suite's simulated judge, and its chart (docs/learning-curve.svg)`,
  {
    ...QUICK,
    only: { type: "string" },
    "judge-accuracy": { type: "string" },
    chart: { type: "boolean", default: false },
  },
);
const quick = args.quick;
const only = args.only?.split(",");
const learnOptions = {
  chart: args.chart,
  ...(args["judge-accuracy"] === undefined ? {} : { judgeAccuracy: Number(args["judge-accuracy"]) }),
};

/** The index is searched over real MiniLM embeddings of the dev sentences (topped up by the suite). */
async function realVectors(log: (m: string) => void): Promise<Float32Array[] | undefined> {
  const sentences = loadSentences(root);
  if (!sentences) {
    log("../shared/data not found: searching synthetic clustered vectors instead");
    return undefined;
  }
  const embedder = createLocalEmbedder();
  const vectors = await embedAll(root, embedder, sentences.texts, log);
  await embedder.dispose();
  return vectors;
}

const progress = (suite: string) => (message: string) => process.stderr.write(`  [${suite}] ${message}\n`);

const figures: Array<Figure & { suite: string }> = [];
const failures: string[] = [];
const started = performance.now();
const selected = suites.filter((s) => !only || only.includes(s.id));
for (const [i, suite] of selected.entries()) {
  process.stderr.write(`\n(${i + 1}/${selected.length}) ${suite.title}\n`);
  const t0 = performance.now();
  try {
    const mod = (await import(pathToFileURL(join(root, suite.module)).href)) as {
      run: (o: BenchOptions) => Promise<Figure[]>;
    };
    const vectors = suite.id === "index" ? await realVectors(progress(suite.id)) : undefined;
    const out = await mod.run({
      quick,
      progress: progress(suite.id),
      ...(vectors ? { vectors } : {}),
      ...(suite.id === "learn" ? learnOptions : {}),
    } as BenchOptions);
    for (const f of out) figures.push({ ...f, suite: suite.title });
    process.stderr.write(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push(`${suite.title}: ${message}`);
    process.stderr.write(`  FAILED: ${message}\n`);
  }
}

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  quick,
  date: new Date().toISOString(),
  durationS: Math.round((performance.now() - started) / 1000),
};
writeFileSync(
  join(root, "bench-results.json"),
  `${JSON.stringify({ machine, figures: figures.map(({ suite, ...f }) => f) }, null, 2)}\n`,
);

// One table for everything, grouped by suite.
const rows = figures.map((f) => [
  f.suite,
  f.name,
  formatValue(f.value),
  f.unit,
  f.comparedWith ?? "",
  f.ratio === undefined ? "" : `${formatValue(f.ratio)}x`,
]);
const header = ["suite", "figure", "value", "unit", "compared with", "ratio"];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (cells: string[]) =>
  `| ${cells.map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(" | ")} |`;
console.log(
  `\nRecall benchmarks${quick ? " (quick)" : ""} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.durationS} s\n`,
);
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
console.log("\nwrote bench-results.json");
if (failures.length) {
  console.log(`\n${failures.length} suite(s) failed:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return String(Math.round(v * 1000) / 1000);
}
