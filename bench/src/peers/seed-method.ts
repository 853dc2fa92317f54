/**
 * The seed's semantic method beside Recall's: cosine >= 0.92 to the nearest stored question plus
 * word overlap (Jaccard of the lower-cased word sets) >= 0.3, with the same local embedder, on the
 * same QQP dev pairs as the semantic-quality suite and through the same calibration (so the
 * metrics are defined alike: precision as the labels judge the hits, recall over the pairs
 * labelled the same, false hits over all lookups). The seed looks at the nearest neighbour only
 * (`candidates: 1`); Recall runs at its defaults (threshold, guard, 4 candidates).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cachedEmbedder, DEFAULT_THRESHOLD, type SemanticGuard } from "@recall/core";
import { type CalibrationPair, calibrate } from "@recall/core/calibrate";
import { createLocalEmbedder } from "@recall/transformers";
import type { BenchOptions } from "../../../packages/core/bench/figures.js";
import { type Figure, round } from "../../../packages/core/bench/figures.js";
import { emptyReport, type PeerReport } from "./common.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const QQP = join(root, "../shared/data/qqp-dev.jsonl");

export const SEED_THRESHOLD = 0.92;
export const SEED_MIN_OVERLAP = 0.3;

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []);

/** Jaccard of the lower-cased word sets. */
export function wordOverlap(a: string, b: string): number {
  const x = words(a);
  const y = words(b);
  let both = 0;
  for (const w of x) if (y.has(w)) both++;
  const either = x.size + y.size - both;
  return either === 0 ? 1 : both / either;
}

/** The seed's word-overlap rule as a guard, so it runs through the same lookups. */
const seedGuard: SemanticGuard = (question, candidate) =>
  wordOverlap(question, candidate) >= SEED_MIN_OVERLAP
    ? { ok: true }
    : { ok: false, reason: `word overlap below ${SEED_MIN_OVERLAP}`, rule: "word-overlap" };

export async function run({ quick, progress }: BenchOptions): Promise<PeerReport> {
  const report = emptyReport();
  if (!existsSync(QQP)) {
    const note = `${QQP} is missing (the QQP dev pairs are read from ../shared/data next to the repository)`;
    progress(`seed method skipped: ${note}`);
    report.skipped.push(`seed semantic method: ${note}`);
    return report;
  }
  const pairs = readFileSync(QQP, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(0, quick ? 600 : Number.POSITIVE_INFINITY)
    .map((line) => JSON.parse(line) as CalibrationPair);
  const local = createLocalEmbedder();
  // One embedding per text for both runs.
  const embedder = cachedEmbedder(local, pairs.length * 2 + 16);
  try {
    let last = 0;
    const onProgress = (what: string) => (p: { phase: string; done: number; total: number }) => {
      if (p.done < p.total && Date.now() - last < 5_000) return;
      last = Date.now();
      progress(`${what}: ${p.phase} ${p.done}/${p.total}`);
    };
    progress(`QQP dev: ${pairs.length} pairs, Recall at ${DEFAULT_THRESHOLD} with its guard`);
    const recall = (
      await calibrate(pairs, { embedder, thresholds: [DEFAULT_THRESHOLD], onProgress: onProgress("Recall") })
    ).default;
    progress(
      `the same pairs, seed method: cosine >= ${SEED_THRESHOLD} and word overlap >= ${SEED_MIN_OVERLAP}`,
    );
    const seed = (
      await calibrate(pairs, {
        embedder,
        guard: seedGuard,
        candidates: 1,
        thresholds: [SEED_THRESHOLD],
        defaultThreshold: SEED_THRESHOLD,
        onProgress: onProgress("seed"),
      })
    ).default;
    const fraction = (name: string, value: number, recallName: string, recallValue: number): Figure[] => [
      { name: recallName, value: round(recallValue, 4), unit: "fraction" },
      {
        name,
        value: round(value, 4),
        unit: "fraction",
        ...(recallValue > 0 ? { comparedWith: recallName, ratio: round(value / recallValue) } : {}),
      },
    ];
    report.figures.push(
      ...fraction(
        "peer_seed_method_precision",
        seed.precision,
        "peer_recall_semantic_precision",
        recall.precision,
      ),
      ...fraction("peer_seed_method_recall", seed.recall, "peer_recall_semantic_recall", recall.recall),
      ...fraction(
        "peer_seed_method_false_hit_rate",
        seed.falseHitRate,
        "peer_recall_semantic_false_hit_rate",
        recall.falseHitRate,
      ),
    );
    progress(
      `seed: ${seed.hits} hits (${seed.correctHits} right, ${seed.falseHits} wrong); Recall: ${recall.hits} hits (${recall.correctHits} right, ${recall.falseHits} wrong)`,
    );
  } finally {
    await local.dispose();
  }
  return report;
}
