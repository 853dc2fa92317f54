/**
 * `recall calibrate`: reads labelled pairs, runs core's `calibrate` (the real lookup path: one fresh
 * cache, the guard, the threshold) and prints precision, recall and false-hit rate per threshold,
 * then average precision and recall at precision 0.90 over the whole ranking, with bootstrap intervals.
 */
import { readFile } from "node:fs/promises";
import { DEFAULT_THRESHOLD, type Embedder } from "@recall/core";
import {
  type CalibrationMetrics,
  type CalibrationPair,
  type CalibrationReport,
  calibrate,
  type Estimate,
  type RankingEstimates,
  suggestThreshold,
  thresholdRange,
} from "@recall/core/calibrate";
import { createGuard, DEFAULT_GUARD_RULES, type GuardRuleName, guardRules } from "@recall/core/guard";
import { parseOptions } from "./args.js";
import { loadLocalEmbedder } from "./local-embedder.js";
import { UsageError } from "./usage-error.js";

export interface CalibrateArgs {
  pairs: string;
  json: boolean;
  thresholds: number[];
  /** Report the guard-less figures only (for caches created with `guard: false`). */
  noGuardOnly: boolean;
  /** The threshold reported as "default" (yours). */
  threshold: number;
  targetPrecision: number;
  candidates: number;
  /** Use only the first N pairs. */
  limit?: number;
  /** The guard rules to measure, by name. Default: core's `DEFAULT_GUARD_RULES`. */
  guardRules?: GuardRuleName[];
  /** Bootstrap resamples behind each interval. */
  bootstrap: number;
  /** Seed of the bootstrap resampling. */
  seed: number;
}

/** Resamples and seed of the bootstrap intervals by default (core's defaults). */
const DEFAULT_BOOTSTRAP = 1000;
const DEFAULT_SEED = 1;

export const DEFINITIONS = {
  precision:
    "correct hits / hits the labels judge (correct: the pair's own question of a pair labelled 1, or one the labels make the same; false: a question labelled different)",
  strictPrecision:
    "correct hits / all hits: hits on another pair's question that no label ties to this one counted as false",
  recall: "pairs labelled 1 that got a correct hit / pairs labelled 1",
  falseHitRate: "false hits / lookups",
  averagePrecision:
    "area under the precision-recall curve, step-wise: the precision at the similarity where each pair labelled 1 gets its correct hit, summed, / pairs labelled 1 (a pair never found adds 0)",
  recallAtPrecision: "the highest recall at any similarity threshold whose precision is at or above 0.90",
  interval:
    "2.5th and 97.5th percentiles of the figure over bootstrap resamples of the pairs (drawn with replacement, seeded)",
};

export const CALIBRATE_HELP = `Usage: recall calibrate --pairs FILE.jsonl [options]

Stores every "a" in one fresh cache, looks up every "b" the way a real lookup does
(partition, threshold, guard), and prints precision, recall and false-hit rate per threshold,
with and without the guard, then average precision and recall at precision 0.90 over the
whole ranking with bootstrap intervals (to compare matchers without picking a threshold). FILE holds one {"a": "...", "b": "...", "label": 0|1} per line
(label 1: the same question; 0: a different one). The labels judge each hit; a hit on
another pair's question that no label ties to this one is "unlabelled": precision leaves it
out, strict precision counts it as false.

Options:
  --pairs FILE          the labelled pairs (required)
  --json                print the results as JSON
  --thresholds A:B:S    thresholds from A to B by S (default 0.70:0.99:0.01), or a list: 0.85,0.9,0.95
  --threshold T         your threshold, reported as "default" (default ${DEFAULT_THRESHOLD})
  --target P            precision the suggested threshold must keep (default 0.95)
  --no-guard-only       report the figures without the guard only (caches with guard: false)
  --guard-rules LIST    the guard rules to run, by name, "default" for the default ones:
                        default,possessor adds an opt-in rule (default: default)
  --candidates K        neighbours examined per lookup, as semantic.candidates (default 4)
  --limit N             use the first N pairs only
  --bootstrap N         resamples behind the 95% intervals of the ranking figures (default ${DEFAULT_BOOTSTRAP})
  --seed N              seed of the resampling, an integer from 0 to 4294967295 (default ${DEFAULT_SEED});
                        the same pairs and seed print the same intervals
  -h, --help            this help

The embedder is the local all-MiniLM-L6-v2 of @recall/transformers (no network), an optional
peer dependency: npm install @recall/transformers @huggingface/transformers`;

function number(
  flag: string,
  value: string | undefined,
  check: (n: number) => boolean,
  what: string,
): number {
  const n = Number(value);
  if (value === undefined || value === "" || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(
      `${flag} needs ${what}, got ${value === undefined ? "nothing" : JSON.stringify(value)}`,
    );
  }
  return n;
}

/** "default,possessor" → the default rules and `possessor`, each once, in that order. */
export function parseGuardRules(spec: string): GuardRuleName[] {
  const names = spec
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean)
    .flatMap((n) => (n === "default" ? [...DEFAULT_GUARD_RULES] : [n]));
  const unknown = names.filter((n) => !(n in guardRules));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--guard-rules needs rule names from: default, ${Object.keys(guardRules).join(", ")}; got ${JSON.stringify(spec)}`,
    );
  }
  return [...new Set(names)] as GuardRuleName[];
}

/** "0.80:0.99:0.01" or "0.85,0.9,0.95". */
export function parseThresholds(spec: string): number[] {
  const inRange = (n: number) => n > 0 && n <= 1;
  if (spec.includes(":")) {
    const parts = spec.split(":");
    if (parts.length !== 3)
      throw new UsageError(`--thresholds needs FROM:TO:STEP, got ${JSON.stringify(spec)}`);
    const [from, to, step] = parts.map((p) => number("--thresholds", p, (n) => n >= 0, "numbers"));
    if (!inRange(from!) || !inRange(to!) || from! > to! || !(step! > 0)) {
      throw new UsageError(
        `--thresholds needs 0 < FROM <= TO <= 1 and STEP > 0, got ${JSON.stringify(spec)}`,
      );
    }
    return thresholdRange(from, to, step);
  }
  return spec.split(",").map((p) => number("--thresholds", p.trim(), inRange, "similarities in (0, 1]"));
}

const CALIBRATE_OPTIONS = {
  pairs: { type: "string" },
  json: { type: "boolean" },
  thresholds: { type: "string" },
  threshold: { type: "string" },
  target: { type: "string" },
  "no-guard-only": { type: "boolean" },
  "guard-rules": { type: "string" },
  candidates: { type: "string" },
  limit: { type: "string" },
  bootstrap: { type: "string" },
  seed: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export function parseCalibrateArgs(argv: string[]): CalibrateArgs | "help" {
  const values = parseOptions(argv, CALIBRATE_OPTIONS, "recall calibrate --help");
  if (values.help) return "help";
  const similarity = (n: number) => n > 0 && n <= 1;
  const positiveInteger = (n: number) => Number.isInteger(n) && n > 0;
  const optional = <T>(value: string | undefined, read: (v: string) => T) =>
    value === undefined ? undefined : read(value);
  const limit = optional(values.limit, (v) => number("--limit", v, positiveInteger, "a positive integer"));
  const bootstrap =
    optional(values.bootstrap, (v) => number("--bootstrap", v, positiveInteger, "a positive integer")) ??
    DEFAULT_BOOTSTRAP;
  const seed =
    optional(values.seed, (v) =>
      number(
        "--seed",
        v,
        (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32,
        "an integer from 0 to 4294967295",
      ),
    ) ?? DEFAULT_SEED;
  const guardRules = optional(values["guard-rules"], parseGuardRules);
  const thresholds = optional(values.thresholds, parseThresholds) ?? thresholdRange();
  const threshold =
    optional(values.threshold, (v) => number("--threshold", v, similarity, "a similarity in (0, 1]")) ??
    DEFAULT_THRESHOLD;
  const targetPrecision =
    optional(values.target, (v) => number("--target", v, similarity, "a precision in (0, 1]")) ?? 0.95;
  const candidates =
    optional(values.candidates, (v) => number("--candidates", v, positiveInteger, "a positive integer")) ?? 4;
  if (!values.pairs) throw new UsageError("--pairs FILE.jsonl is required (see recall calibrate --help)");
  return {
    pairs: values.pairs,
    json: values.json ?? false,
    thresholds,
    noGuardOnly: values["no-guard-only"] ?? false,
    threshold,
    targetPrecision,
    candidates,
    bootstrap,
    seed,
    ...(limit ? { limit } : {}),
    ...(guardRules ? { guardRules } : {}),
  };
}

/** Parses a JSONL file of `{ a, b, label }`; errors name the line. */
export async function readPairs(file: string): Promise<CalibrationPair[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT" ? `no such file: ${file}` : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  const pairs: CalibrationPair[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UsageError(`${where}: expected an object {"a": "...", "b": "...", "label": 0|1}`);
    }
    const { a, b, label } = value as Record<string, unknown>;
    for (const [name, field] of [
      ["a", a],
      ["b", b],
    ] as const) {
      if (typeof field !== "string" || field.trim() === "") {
        throw new UsageError(
          `${where}: "${name}" must be a non-empty string, got ${JSON.stringify(field) ?? "nothing"}`,
        );
      }
    }
    if (label !== 0 && label !== 1) {
      throw new UsageError(`${where}: "label" must be 0 or 1, got ${JSON.stringify(label) ?? "nothing"}`);
    }
    pairs.push({ a: a as string, b: b as string, label });
  });
  if (pairs.length === 0) throw new UsageError(`${file} holds no pairs`);
  return pairs;
}

const fixed = (n: number, digits = 3) => (Number.isNaN(n) ? "-" : n.toFixed(digits));

function metricCells(m: CalibrationMetrics): string[] {
  return [
    fixed(m.precision),
    fixed(m.strictPrecision),
    fixed(m.recall),
    fixed(m.falseHitRate),
    String(m.hits),
  ];
}

/** A text table, right-aligned columns. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padStart(widths[c]!)).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The human-readable report. */
export function formatReport(
  report: CalibrationReport,
  args: Pick<CalibrateArgs, "noGuardOnly" | "guardRules">,
  embedderId: string,
): string {
  const out: string[] = [];
  out.push(
    `${report.pairs} pairs (${report.positives} labelled the same, ${report.negatives} different), embedder ${embedderId}`,
    "",
  );
  const metrics = ["precision", "strict", "recall", "false-hit rate", "hits"];
  if (args.noGuardOnly) {
    out.push(
      table(
        ["threshold", ...metrics],
        report.rows.map((r) => [fixed(r.threshold, 2), ...metricCells(r.noGuard)]),
      ),
    );
  } else {
    out.push(
      table(
        ["threshold", ...metrics, "|", ...metrics.map((m) => `${m} (no guard)`)],
        report.rows.map((r) => [fixed(r.threshold, 2), ...metricCells(r), "|", ...metricCells(r.noGuard)]),
      ),
    );
  }
  out.push("");
  const d = args.noGuardOnly ? report.default.noGuard : report.default;
  out.push(
    `At threshold ${fixed(d.threshold, 2)} (${args.noGuardOnly ? "no guard" : "guard on"}): precision ${fixed(d.precision)} (strict ${fixed(d.strictPrecision)}), recall ${fixed(d.recall)}, false-hit rate ${fixed(d.falseHitRate)} (${d.hits} hits in ${report.pairs} lookups: ${d.correctHits} correct, ${d.falseHits} false, ${d.unlabelledHits} unlabelled).`,
  );
  const suggested = args.noGuardOnly ? suggestNoGuard(report) : report.suggested;
  out.push(
    suggested
      ? `Suggested threshold: ${fixed(suggested.threshold, 2)}, the lowest from which precision stays at or above ${report.targetPrecision} (recall there ${fixed(suggested.recall)}).`
      : `No threshold in the range keeps precision at or above ${report.targetPrecision}.`,
  );
  if (!args.noGuardOnly) {
    const refusals = Object.entries(report.refusals)
      .sort(([, x], [, y]) => total(y) - total(x))
      .map(([rule, n]) => `${rule} ${n.wrong} wrong / ${n.right} right / ${n.unlabelled} unlabelled`);
    out.push(`Guard rules: ${(args.guardRules ?? DEFAULT_GUARD_RULES).join(", ")}.`);
    if (refusals.length > 0) out.push(`Guard refusals at ${fixed(d.threshold, 2)}: ${refusals.join(", ")}.`);
  }
  out.push("", rankingTable(report, args));
  out.push(
    "",
    "Definitions:",
    `  precision       ${DEFINITIONS.precision}`,
    `  strict          ${DEFINITIONS.strictPrecision}`,
    `  recall          ${DEFINITIONS.recall}`,
    `  false-hit rate  ${DEFINITIONS.falseHitRate}`,
    `  average precision         ${DEFINITIONS.averagePrecision}`,
    `  recall at precision 0.90  ${DEFINITIONS.recallAtPrecision}`,
    `  2.5%, 97.5%               ${DEFINITIONS.interval}`,
  );
  return out.join("\n");
}

/** Average precision, recall at the precision floor and the default threshold's figures, with intervals. */
function rankingTable(report: CalibrationReport, args: Pick<CalibrateArgs, "noGuardOnly">): string {
  const { ranking } = report;
  const names: Array<[keyof RankingEstimates, string]> = [
    ["averagePrecision", "average precision"],
    ["recallAtPrecision", `recall at precision ${fixed(ranking.precisionFloor, 2)}`],
    ["precision", `precision at ${fixed(ranking.threshold, 2)}`],
    ["recall", `recall at ${fixed(ranking.threshold, 2)}`],
  ];
  const cells = (e: Estimate) => [fixed(e.value), fixed(e.low), fixed(e.high)];
  const columns = ["value", "2.5%", "97.5%"];
  const header = args.noGuardOnly
    ? ["over the whole ranking (no guard)", ...columns]
    : ["over the whole ranking", ...columns, "|", "value (no guard)", "2.5%", "97.5%"];
  const rows = names.map(([key, name]) =>
    args.noGuardOnly
      ? [name, ...cells(ranking.noGuard[key])]
      : [name, ...cells(ranking[key]), "|", ...cells(ranking.noGuard[key])],
  );
  // Names read left-aligned: pad them to one width before the table right-aligns the columns.
  const width = Math.max(header[0]!.length, ...rows.map((r) => r[0]!.length));
  for (const row of [header, ...rows]) row[0] = row[0]!.padEnd(width);
  return [
    table(header, rows),
    `Intervals: 95%, from ${ranking.resamples} bootstrap resamples of the pairs (seed ${ranking.seed}).`,
  ].join("\n");
}

const total = (n: Record<string, number>) => Object.values(n).reduce((x, y) => x + y, 0);

/** The JSON report: `{ default, rows, ... }` (no per-pair details). NaN (no hits) becomes null. */
export function jsonReport(
  report: CalibrationReport,
  args: Pick<CalibrateArgs, "noGuardOnly" | "guardRules">,
  embedderId: string,
) {
  const pick = (m: CalibrationMetrics) => ({
    threshold: m.threshold,
    precision: nullable(m.precision),
    strictPrecision: nullable(m.strictPrecision),
    recall: nullable(m.recall),
    falseHitRate: nullable(m.falseHitRate),
    hits: m.hits,
    correctHits: m.correctHits,
    falseHits: m.falseHits,
    unlabelledHits: m.unlabelledHits,
  });
  const suggested = args.noGuardOnly ? suggestNoGuard(report) : report.suggested;
  return {
    embedder: embedderId,
    guard: !args.noGuardOnly,
    ...(args.noGuardOnly ? {} : { guardRules: args.guardRules ?? [...DEFAULT_GUARD_RULES] }),
    pairs: report.pairs,
    positives: report.positives,
    negatives: report.negatives,
    targetPrecision: report.targetPrecision,
    default: args.noGuardOnly
      ? pick(report.default.noGuard)
      : { ...pick(report.default), noGuard: pick(report.default.noGuard) },
    suggested: suggested ? pick(suggested) : null,
    rows: report.rows.map((r) =>
      args.noGuardOnly ? pick(r.noGuard) : { ...pick(r), noGuard: pick(r.noGuard) },
    ),
    ...(args.noGuardOnly ? {} : { refusals: report.refusals }),
    ranking: {
      precisionFloor: report.ranking.precisionFloor,
      threshold: report.ranking.threshold,
      resamples: report.ranking.resamples,
      seed: report.ranking.seed,
      ...(args.noGuardOnly
        ? estimates(report.ranking.noGuard)
        : { ...estimates(report.ranking), noGuard: estimates(report.ranking.noGuard) }),
    },
    definitions: DEFINITIONS,
  };
}

/** Core's suggestion rule over the guard-less figures. */
function suggestNoGuard(report: CalibrationReport): CalibrationMetrics | undefined {
  return suggestThreshold(
    report.rows.map((r) => r.noGuard),
    report.targetPrecision,
  );
}

/** `{ value, low, high }` per ranking figure, NaN as null. */
function estimates(e: RankingEstimates) {
  const one = ({ value, low, high }: Estimate) => ({
    value: nullable(value),
    low: nullable(low),
    high: nullable(high),
  });
  return {
    averagePrecision: one(e.averagePrecision),
    recallAtPrecision: one(e.recallAtPrecision),
    precision: one(e.precision),
    recall: one(e.recall),
  };
}

function nullable(n: number): number | null {
  return Number.isNaN(n) ? null : n;
}

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * The embedder to calibrate with. Default: the local all-MiniLM-L6-v2 of `@recall/transformers`
   * (an optional peer dependency, loaded only then).
   */
  embedder?: () => Promise<Embedder>;
}

/** Runs `recall calibrate` with its arguments; returns the exit code. */
export async function runCalibrate(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCalibrateArgs(argv);
  if (parsed === "help") {
    io.stdout(CALIBRATE_HELP);
    return 0;
  }
  let pairs = await readPairs(parsed.pairs);
  if (parsed.limit) pairs = pairs.slice(0, parsed.limit);
  const embedder = await (io.embedder ?? (() => loadLocalEmbedder((m) => io.stderr(`model: ${m}`))))();
  const started = Date.now();
  let lastPhase = "";
  let lastShown = 0;
  const report = await calibrate(pairs, {
    embedder,
    thresholds: parsed.thresholds,
    defaultThreshold: parsed.threshold,
    targetPrecision: parsed.targetPrecision,
    candidates: parsed.candidates,
    bootstrap: parsed.bootstrap,
    seed: parsed.seed,
    ...(parsed.guardRules ? { guard: createGuard({ rules: parsed.guardRules }) } : {}),
    onProgress: ({ phase, done, total }) => {
      const now = Date.now();
      if (phase === lastPhase && done < total && now - lastShown < 2_000) return;
      lastPhase = phase;
      lastShown = now;
      const verb = { embed: "embedding texts", store: "storing questions", lookup: "looking up paraphrases" }[
        phase
      ];
      io.stderr(`${verb}: ${done}/${total} (${((now - started) / 1000).toFixed(1)} s)`);
    },
  });
  io.stdout(
    parsed.json
      ? JSON.stringify(jsonReport(report, parsed, embedder.id), null, 2)
      : formatReport(report, parsed, embedder.id),
  );
  return 0;
}
