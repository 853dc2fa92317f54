/**
 * Semantic matching quality at the default threshold, with the real local embedder
 * (all-MiniLM-L6-v2 from @recall/transformers):
 * - QQP dev pairs (`<repo>/../shared/data/qqp-dev.jsonl`): precision, recall and false-hit rate,
 *   with the guard and without it, through the same calibration the `recall calibrate` command runs
 *   (one shared cache, every `a` stored, every `b` looked up; the labels judge each hit, and
 *   `dev_strict_precision` also counts the hits they cannot judge as false).
 * - GPTCache mock pairs (`gptcache-mock-pairs.json`, paraphrases only): recall.
 * Quick mode uses the first 600 QQP pairs and 200 mock pairs.
 *   pnpm bench --only=quality [--quick]
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type CalibrationMetrics, type CalibrationPair, calibrate } from "../src/calibrate.js";
import type { Embedder } from "../src/embedder.js";
import { DEFAULT_THRESHOLD } from "../src/semantic.js";
import { benchArgs, QUICK } from "./args.js";
import { type BenchOptions, type Figure, round } from "./figures.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const data = join(repo, "../shared/data");
const QQP = join(data, "qqp-dev.jsonl");
const MOCK = join(data, "gptcache-mock-pairs.json");

/** The local embedder, from the built @recall/transformers (core cannot depend on it: it depends on core). */
async function localEmbedder(progress: (m: string) => void): Promise<Embedder | undefined> {
  const dist = join(repo, "packages/transformers/dist/index.js");
  if (!existsSync(dist)) {
    progress(`skipped: ${dist} is missing (build @recall/transformers first)`);
    return undefined;
  }
  const { createLocalEmbedder } = (await import(pathToFileURL(dist).href)) as {
    createLocalEmbedder: (o: { onProgress: (m: string) => void }) => Embedder;
  };
  return createLocalEmbedder({ onProgress: (m) => progress(`model: ${m}`) });
}

function readQqp(limit: number): CalibrationPair[] {
  return readFileSync(QQP, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(0, limit)
    .map((line) => JSON.parse(line) as CalibrationPair);
}

function readMock(limit: number): CalibrationPair[] {
  const raw = JSON.parse(readFileSync(MOCK, "utf8")) as Array<{ origin: string; similar: string }>;
  return raw.slice(0, limit).map((p) => ({ a: p.origin, b: p.similar, label: 1 as const }));
}

function reporter(progress: (m: string) => void, what: string) {
  let last = 0;
  return ({ phase, done, total }: { phase: string; done: number; total: number }) => {
    if (done < total && Date.now() - last < 5_000) return;
    last = Date.now();
    progress(`${what}: ${phase} ${done}/${total}`);
  };
}

const fraction = (name: string, value: number, comparedWith?: { name: string; value: number }): Figure => ({
  name,
  value: round(value, 4),
  unit: "fraction",
  ...(comparedWith && comparedWith.value > 0
    ? { comparedWith: comparedWith.name, ratio: round(value / comparedWith.value, 2) }
    : {}),
});

function qualityFigures(prefix: string, guard: CalibrationMetrics, noGuard: CalibrationMetrics): Figure[] {
  return [
    fraction(`${prefix}_precision`, guard.precision, {
      name: `${prefix}_precision_no_guard`,
      value: noGuard.precision,
    }),
    fraction(`${prefix}_strict_precision`, guard.strictPrecision, {
      name: `${prefix}_strict_precision_no_guard`,
      value: noGuard.strictPrecision,
    }),
    fraction(`${prefix}_recall`, guard.recall, { name: `${prefix}_recall_no_guard`, value: noGuard.recall }),
    fraction(`${prefix}_false_hit_rate`, guard.falseHitRate, {
      name: `${prefix}_false_hit_rate_no_guard`,
      value: noGuard.falseHitRate,
    }),
    fraction(`${prefix}_precision_no_guard`, noGuard.precision),
    fraction(`${prefix}_strict_precision_no_guard`, noGuard.strictPrecision),
    fraction(`${prefix}_recall_no_guard`, noGuard.recall),
    fraction(`${prefix}_false_hit_rate_no_guard`, noGuard.falseHitRate),
  ];
}

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  if (!existsSync(QQP)) {
    progress(
      `skipped: ${QQP} is missing (the QQP dev pairs are read from ../shared/data next to the repository)`,
    );
    return [];
  }
  const embedder = await localEmbedder(progress);
  if (!embedder) return [];
  const figures: Figure[] = [{ name: "default_threshold", value: DEFAULT_THRESHOLD, unit: "cosine" }];

  const qqp = readQqp(quick ? 600 : Number.POSITIVE_INFINITY);
  progress(
    `QQP dev: ${qqp.length} pairs at threshold ${DEFAULT_THRESHOLD}${quick ? " (quick: a subset)" : ""}`,
  );
  const dev = await calibrate(qqp, {
    embedder,
    thresholds: [DEFAULT_THRESHOLD],
    onProgress: reporter(progress, "QQP dev"),
  });
  figures.push(...qualityFigures("dev", dev.default, dev.default.noGuard));
  figures.push(
    { name: "dev_pairs", value: dev.pairs, unit: "pairs" },
    { name: "dev_hits", value: dev.default.hits, unit: "hits" },
    { name: "dev_unlabelled_hits", value: dev.default.unlabelledHits, unit: "hits" },
  );

  if (existsSync(MOCK)) {
    const mock = readMock(quick ? 200 : Number.POSITIVE_INFINITY);
    progress(`GPTCache mock pairs: ${mock.length} paraphrase pairs`);
    const report = await calibrate(mock, {
      embedder,
      thresholds: [DEFAULT_THRESHOLD],
      onProgress: reporter(progress, "mock pairs"),
    });
    figures.push(
      fraction("mock_recall", report.default.recall, {
        name: "mock_recall_no_guard",
        value: report.default.noGuard.recall,
      }),
      fraction("mock_recall_no_guard", report.default.noGuard.recall),
    );
  } else {
    progress(`mock pairs skipped: ${MOCK} is missing`);
  }
  return figures;
}

// Run directly: pnpm --filter @recall/core exec tsx bench/semantic-quality.ts [--quick]
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const figures = await run({
    ...benchArgs("Usage: pnpm --filter @recall/core exec tsx bench/semantic-quality.ts [--quick]", QUICK),
    progress: (m) => process.stderr.write(`${m}\n`),
  });
  console.table(figures);
}
