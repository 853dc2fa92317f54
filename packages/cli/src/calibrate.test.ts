import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_GUARD_RULES } from "@recall/core/guard";
import { fakeEmbedder } from "@recall/core/testing";
import { describe, expect, it } from "vitest";
import { parseGuardRules, parseThresholds } from "./calibrate.js";
import { main } from "./main.js";

const dir = mkdtempSync(join(tmpdir(), "recall-cli-"));
const file = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
};
const line = (a: string, b: string, label: number) => JSON.stringify({ a, b, label });

const pairsFile = file("pairs.jsonl", [
  line("How do I reset my password?", "How can I change my password?", 1),
  line("Refund order 123", "Refund order 456", 0),
  "",
  line("What is the capital of France?", "Tell me a joke about cats", 0),
  line("How do I bake bread?", "Bread baking tips for beginners", 1),
]);
const synonyms = [
  ["How do I reset my password?", "How can I change my password?"],
  ["Refund order 123", "Refund order 456"],
];

async function run(argv: string[], embedder = fakeEmbedder({ synonyms })) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    embedder: async () => embedder,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("recall calibrate", () => {
  it("prints a table per threshold, with and without the guard, and the definitions", async () => {
    const { code, stdout, stderr } = await run([
      "calibrate",
      "--pairs",
      pairsFile,
      "--thresholds",
      "0.5,0.9",
      "--threshold",
      "0.9",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("4 pairs (2 labelled the same, 2 different), embedder fake-64");
    expect(stdout).toMatch(
      /threshold\s+precision\s+strict\s+recall\s+false-hit rate\s+hits\s+\|\s+precision \(no guard\)/,
    );
    // At 0.9: the guard refuses "order 456" for "order 123"; without it that is a false hit.
    expect(stdout).toMatch(
      /\n\s*0\.90\s+1\.000\s+1\.000\s+0\.500\s+0\.000\s+1\s+\|\s+0\.500\s+0\.500\s+0\.500\s+0\.250\s+2\n/,
    );
    expect(stdout).toContain(
      "At threshold 0.90 (guard on): precision 1.000 (strict 1.000), recall 0.500, false-hit rate 0.000 (1 hits in 4 lookups: 1 correct, 0 false, 0 unlabelled)",
    );
    expect(stdout).toContain("Guard refusals at 0.90: numbers 1 wrong / 0 right / 0 unlabelled.");
    expect(stdout).toContain("false-hit rate  false hits / lookups");
    expect(stderr).toMatch(/embedding texts: 8\/8/);
    expect(stderr).toMatch(/looking up paraphrases: 4\/4/);
  });

  it("prints the same as JSON with --json", async () => {
    const { code, stdout } = await run([
      "calibrate",
      "--pairs",
      pairsFile,
      "--json",
      "--thresholds",
      "0.5:0.9:0.2",
      "--threshold",
      "0.9",
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.default).toMatchObject({
      threshold: 0.9,
      precision: 1,
      strictPrecision: 1,
      recall: 0.5,
      falseHitRate: 0,
      hits: 1,
      unlabelledHits: 0,
    });
    expect(report.default.noGuard).toMatchObject({ precision: 0.5, falseHitRate: 0.25 });
    expect(report.rows.map((r: { threshold: number }) => r.threshold)).toEqual([0.5, 0.7, 0.9]);
    expect(report.rows[2]).toMatchObject({ threshold: 0.9, precision: 1, noGuard: { precision: 0.5 } });
    expect(report).toMatchObject({ pairs: 4, positives: 2, negatives: 2, guard: true, embedder: "fake-64" });
    expect(report.definitions.falseHitRate).toMatch(/false hits \/ lookups/);
    expect(report.suggested).toMatchObject({ threshold: expect.any(Number) });
  });

  it("prints average precision and recall at precision 0.90 with bootstrap intervals, reproducibly", async () => {
    const args = ["calibrate", "--pairs", pairsFile, "--thresholds", "0.9", "--threshold", "0.9"];
    const { stdout } = await run([...args, "--bootstrap", "200", "--seed", "7"]);
    expect(stdout).toMatch(/over the whole ranking\s+value\s+2\.5%\s+97\.5%\s+\|\s+value \(no guard\)/);
    // One of the two pairs labelled 1 is found, at precision 1: AP 0.5, recall at precision 0.90 0.5.
    expect(stdout).toMatch(/\naverage precision\s+0\.500\s+\d\.\d{3}\s+\d\.\d{3}\s+\|\s+0\.500/);
    expect(stdout).toMatch(/\nrecall at precision 0\.90\s+0\.500\s/);
    expect(stdout).toMatch(/\nprecision at 0\.90\s+1\.000\s+1\.000\s+1\.000\s+\|\s+0\.500\s/);
    expect(stdout).toContain("Intervals: 95%, from 200 bootstrap resamples of the pairs (seed 7).");
    expect(stdout).toMatch(/average precision\s+area under the precision-recall curve/);
    expect((await run([...args, "--bootstrap", "200", "--seed", "7"])).stdout).toBe(stdout);

    const json = (seed: string) => run([...args, "--json", "--seed", seed]).then((r) => JSON.parse(r.stdout));
    const report = await json("7");
    expect(report.ranking).toMatchObject({ precisionFloor: 0.9, threshold: 0.9, resamples: 1000, seed: 7 });
    expect(report.ranking.averagePrecision).toMatchObject({ value: 0.5 });
    expect(report.ranking.precision).toEqual({ value: 1, low: 1, high: 1 });
    expect(report.ranking.noGuard.precision.value).toBe(0.5);
    expect(report.definitions.averagePrecision).toMatch(/area under the precision-recall curve/);
    expect((await json("7")).ranking).toEqual(report.ranking);
    const noGuard = JSON.parse((await run([...args, "--json", "--no-guard-only"])).stdout);
    expect(noGuard.ranking.noGuard).toBeUndefined();
    expect(noGuard.ranking.precision.value).toBe(0.5);
  });

  it("reports the guard-less figures only with --no-guard-only", async () => {
    const { stdout } = await run([
      "calibrate",
      "--pairs",
      pairsFile,
      "--json",
      "--no-guard-only",
      "--thresholds",
      "0.9",
      "--threshold",
      "0.9",
    ]);
    const report = JSON.parse(stdout);
    expect(report.guard).toBe(false);
    expect(report.default).toMatchObject({ threshold: 0.9, precision: 0.5, falseHitRate: 0.25 });
    expect(report.rows[0].noGuard).toBeUndefined();
    expect(report.refusals).toBeUndefined();
    const text = await run([
      "calibrate",
      "--pairs",
      pairsFile,
      "--no-guard-only",
      "--thresholds",
      "0.9",
      "--threshold",
      "0.9",
    ]);
    expect(text.stdout).not.toContain("precision (no guard)");
    expect(text.stdout).toContain("At threshold 0.90 (no guard): precision 0.500");
  });

  it("measures the guard rules named with --guard-rules", async () => {
    const args = ["calibrate", "--pairs", pairsFile, "--json", "--thresholds", "0.9", "--threshold", "0.9"];
    // Without the numbers rule, "order 456" is a false hit for "order 123".
    const negationOnly = JSON.parse((await run([...args, "--guard-rules", "negation"])).stdout);
    expect(negationOnly.guardRules).toEqual(["negation"]);
    expect(negationOnly.default).toMatchObject({ precision: 0.5, falseHitRate: 0.25 });
    expect(negationOnly.refusals).toEqual({});
    const withOptIn = JSON.parse((await run([...args, "--guard-rules", "default,possessor"])).stdout);
    expect(withOptIn.guardRules).toEqual([...DEFAULT_GUARD_RULES, "possessor"]);
    expect(withOptIn.default).toMatchObject({ precision: 1, falseHitRate: 0 });
    const text = await run(["calibrate", "--pairs", pairsFile, "--guard-rules", "numbers,roles"]);
    expect(text.stdout).toContain("Guard rules: numbers, roles.");
    const byDefault = JSON.parse((await run(args)).stdout);
    expect(byDefault.guardRules).toEqual([...DEFAULT_GUARD_RULES]);
  });

  it("uses the first N pairs with --limit, and null for a precision without hits", async () => {
    const { stdout } = await run([
      "calibrate",
      "--pairs",
      pairsFile,
      "--json",
      "--limit",
      "1",
      "--thresholds",
      "0.5,0.999,1",
    ]);
    const report = JSON.parse(stdout);
    expect(report.pairs).toBe(1);
    const byThreshold = (t: number) => report.rows.find((r: { threshold: number }) => r.threshold === t);
    // Synonyms of the fake embedder are above 0.999, never exactly 1 (one vector for different words is refused).
    expect(byThreshold(0.999)).toMatchObject({ hits: 1, precision: 1 });
    expect(byThreshold(1)).toMatchObject({ hits: 0, precision: null });
    const none = await run(
      ["calibrate", "--pairs", pairsFile, "--json", "--limit", "2", "--thresholds", "1"],
      fakeEmbedder(),
    );
    expect(JSON.parse(none.stdout).rows[0]).toMatchObject({ hits: 0, precision: null });
  });

  it.each([
    [["calibrate"], /--pairs FILE.jsonl is required/],
    [["calibrate", "--pairs", join(dir, "missing.jsonl")], /no such file: .*missing\.jsonl/],
    [
      ["calibrate", "--pairs", file("bad-json.jsonl", [line("a", "b", 1), "{nope"])],
      /bad-json\.jsonl:2: not valid JSON/,
    ],
    [
      ["calibrate", "--pairs", file("no-b.jsonl", [JSON.stringify({ a: "x", label: 1 })])],
      /no-b\.jsonl:1: "b" must be a non-empty string, got nothing/,
    ],
    [
      ["calibrate", "--pairs", file("label.jsonl", [line("a", "b", 1), line("a", "b", 2)])],
      /label\.jsonl:2: "label" must be 0 or 1, got 2/,
    ],
    [["calibrate", "--pairs", file("array.jsonl", ["[1, 2]"])], /array\.jsonl:1: expected an object/],
    [["calibrate", "--pairs", file("empty.jsonl", [""])], /holds no pairs/],
    [
      ["calibrate", "--pairs", pairsFile, "--thresholds", "0.9:0.8:0.01"],
      /--thresholds needs 0 < FROM <= TO <= 1/,
    ],
    [["calibrate", "--pairs", pairsFile, "--thresholds", "0.5,abc"], /--thresholds needs similarities/],
    [["calibrate", "--pairs", pairsFile, "--limit", "0"], /--limit needs a positive integer/],
    [
      ["calibrate", "--pairs", pairsFile, "--bootstrap", "0"],
      /--bootstrap needs a positive integer, got "0"/,
    ],
    [["calibrate", "--pairs", pairsFile, "--bootstrap", "1.5"], /--bootstrap needs a positive integer/],
    [["calibrate", "--pairs", pairsFile, "--bootstrap", "many"], /--bootstrap needs a positive integer/],
    [["calibrate", "--pairs", pairsFile, "--seed=-1"], /--seed needs an integer from 0 to 4294967295/],
    [["calibrate", "--pairs", pairsFile, "--seed", "4294967296"], /--seed needs an integer from 0/],
    [["calibrate", "--pairs", pairsFile, "--seed"], /--seed needs a value/],
    [["calibrate", "--pairs", pairsFile, "--verbose"], /unknown option "--verbose"/],
    [["calibrate", "--pairs"], /--pairs needs a value \(see recall calibrate --help\)/],
    [["calibrate", "--pairs", pairsFile, "--limit"], /--limit needs a value/],
    [["calibrate", "--pairs", pairsFile, "--json=yes"], /option '--json' does not take an argument/],
    [["calibrate", "--pairs", pairsFile, "extra"], /unexpected argument "extra"/],
    [["--verbose"], /unknown option "--verbose" \(see recall --help\)/],
    [
      ["calibrate", "--pairs", pairsFile, "--guard-rules", "negation,nope"],
      /--guard-rules needs rule names from: default, negation, .*possessor.*; got "negation,nope"/,
    ],
    [["calibrat"], /unknown command "calibrat"/],
  ])("exits with 2 and a clear message for bad input: %j", async (argv, message) => {
    const { code, stderr, stdout } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(stdout).not.toContain("precision");
  });

  it("exits with 1 when the embedder fails", async () => {
    const broken = {
      id: "broken",
      dimensions: 4,
      embed: async () => Promise.reject(new Error("model crashed")),
    };
    const { code, stderr } = await run(["calibrate", "--pairs", pairsFile], broken as never);
    expect(code).toBe(1);
    expect(stderr).toMatch(/model crashed/);
  });

  it("prints help", async () => {
    expect((await run(["calibrate", "--help"])).stdout).toMatch(
      /Usage: recall calibrate --pairs FILE\.jsonl/,
    );
    expect((await run(["--help"])).code).toBe(0);
    expect((await run([])).code).toBe(2);
  });
});

describe("parseThresholds", () => {
  it("reads ranges and lists", () => {
    expect(parseThresholds("0.80:0.84:0.01")).toEqual([0.8, 0.81, 0.82, 0.83, 0.84]);
    expect(parseThresholds("0.85, 0.9,0.95")).toEqual([0.85, 0.9, 0.95]);
  });
});

describe("parseGuardRules", () => {
  it("expands default and keeps each rule once, in order", () => {
    expect(parseGuardRules("numbers, negation")).toEqual(["numbers", "negation"]);
    expect(parseGuardRules("default,questionWords,numbers")).toEqual([
      ...DEFAULT_GUARD_RULES,
      "questionWords",
    ]);
  });
});

describe("the recall bin", () => {
  it("runs as a process: bad input exits with 2 before any model loads", () => {
    const cli = join(dirname(fileURLToPath(import.meta.url)), "bin.ts");
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", cli, "calibrate", "--pairs", join(dir, "missing.jsonl")],
      {
        encoding: "utf8",
        cwd: dirname(cli),
      },
    );
    expect(result.stderr).toContain("recall: no such file:");
    expect(result.status).toBe(2);
  });
});
