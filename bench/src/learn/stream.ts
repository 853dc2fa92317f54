/**
 * The question stream of the learning-curve run: groups of wordings that mean the same, asked in a
 * seeded random order spread over the stream, with realistic repeats.
 *
 * Groups:
 * - the QQP dev pairs (`../shared/data/qqp-dev.jsonl`) labelled paraphrase, joined into connected
 *   components (about 1,050 groups of 2, a few of 3 to 5);
 * - the GPTCache mock pairs (`gptcache-mock-pairs.json`), each a group of 2;
 * - the demo's intents (`examples/demo/src/workload.ts`), each a group of its question and
 *   paraphrases;
 * - near-miss negatives, each a group of its own: every QQP sentence in no paraphrase pair (both
 *   sides of the pairs labelled different), and the demo's near misses (already intents of their
 *   own: "disable" beside "enable", order 2087 beside 1042, ...). An answer served to one of them
 *   from another group is a wrong answer.
 * Texts that are the same question once normalized (whitespace, and case) are one wording of one
 * group, so an exact hit is never counted wrong.
 *
 * The data is read where the other benches read it (`loadSentences`, `../shared/data` next to the
 * repository), never copied.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeText } from "@recall/core/adapter";
import { intents } from "../../../examples/demo/src/workload.js";
import { loadSentences } from "../real-vectors.js";
import { seededRandom } from "./random.js";

export type Source = "qqp" | "gptcache" | "demo";

export interface Group {
  /** 1-based; the upstream's answer names it. */
  id: number;
  source: Source;
  wordings: string[];
}

/**
 * `first`: its group was never asked before. `repeat-meaning`: its group was, but not this wording
 * (what semantic matching is for). `exact-repeat`: this wording was asked before.
 */
export type AskKind = "first" | "repeat-meaning" | "exact-repeat";

export interface Ask {
  index: number;
  question: string;
  group: number;
  kind: AskKind;
}

export interface Stream {
  seed: number;
  groups: Group[];
  asks: Ask[];
  /** The group of a question (any wording of it, normalized or not). */
  groupOf(question: string): number | undefined;
}

export interface StreamOptions {
  /** Repository root (`../shared/data` is read next to it). */
  root: string;
  seed?: number;
  /** Share of the groups asked (sampled by seed). Default 1. */
  fraction?: number;
  /** Chance that an asked wording is asked again later. Default 0.3. */
  repeatProbability?: number;
}

export const STREAM_SEED = 15;

/** The key under which two texts are the same question: normalized as the cache does, case folded. */
export const sameQuestionKey = (text: string) => normalizeText(text).toLocaleLowerCase("en-US");

/** Builds the stream, or undefined when `../shared/data` is missing. */
export function buildStream(options: StreamOptions): Stream | undefined {
  const sentences = loadSentences(options.root);
  if (!sentences) return undefined;
  const seed = options.seed ?? STREAM_SEED;
  const random = seededRandom(seed);

  // Every text (data first, then the demo's), joined by paraphrase pairs and by sameness.
  const texts = [...sentences.texts];
  const pairs: Array<[number, number]> = [...sentences.paraphrases];
  const demoStart = texts.length;
  for (const intent of intents) {
    const first = texts.length;
    for (const wording of [intent.question, ...intent.paraphrases]) {
      if (texts.length > first) pairs.push([first, texts.length]);
      texts.push(wording);
    }
  }
  const parent = texts.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const union = (a: number, b: number) => {
    const [x, y] = [find(a), find(b)];
    if (x !== y) parent[Math.max(x, y)] = Math.min(x, y);
  };
  for (const [a, b] of pairs) union(a, b);
  const firstOfKey = new Map<string, number>();
  texts.forEach((text, i) => {
    const key = sameQuestionKey(text);
    const seen = firstOfKey.get(key);
    if (seen === undefined) firstOfKey.set(key, i);
    else union(seen, i);
  });

  const mock = mockTexts(options.root);
  const byRoot = new Map<number, { wordings: Map<string, string>; source: Source }>();
  texts.forEach((text, i) => {
    const root = find(i);
    let group = byRoot.get(root);
    if (!group) {
      group = { wordings: new Map(), source: "qqp" };
      byRoot.set(root, group);
    }
    if (i >= demoStart) group.source = "demo";
    else if (group.source === "qqp" && mock.has(text)) group.source = "gptcache";
    // One wording per normalized text (the first spelling met).
    const key = normalizeText(text);
    if (!group.wordings.has(key)) group.wordings.set(key, text.trim());
  });
  const fraction = options.fraction ?? 1;
  const groups: Group[] = [];
  for (const g of byRoot.values()) {
    // Drawn for every group, so a smaller fraction keeps a subset of the same order.
    if (random() >= fraction) continue;
    groups.push({ id: groups.length + 1, source: g.source, wordings: [...g.wordings.values()] });
  }

  const groupByKey = new Map<string, number>();
  for (const g of groups) for (const w of g.wordings) groupByKey.set(sameQuestionKey(w), g.id);

  // Each wording at a uniform instant of the stream; a repeat at a uniform instant after it.
  const repeat = options.repeatProbability ?? 0.3;
  const timed: Array<{ at: number; question: string; group: number }> = [];
  for (const g of groups) {
    for (const question of g.wordings) {
      const at = random();
      timed.push({ at, question, group: g.id });
      if (random() < repeat) timed.push({ at: at + (1 - at) * random(), question, group: g.id });
    }
  }
  timed.sort((a, b) => a.at - b.at);
  const askedWordings = new Set<string>();
  const askedGroups = new Set<number>();
  const asks = timed.map(({ question, group }, index): Ask => {
    const wording = normalizeText(question);
    const kind: AskKind = askedWordings.has(wording)
      ? "exact-repeat"
      : askedGroups.has(group)
        ? "repeat-meaning"
        : "first";
    askedWordings.add(wording);
    askedGroups.add(group);
    return { index, question, group, kind };
  });
  return { seed, groups, asks, groupOf: (q) => groupByKey.get(sameQuestionKey(q)) };
}

/** The GPTCache mock texts, only to tag their groups' source. */
function mockTexts(root: string): Set<string> {
  try {
    const raw = readFileSync(join(root, "../shared/data/gptcache-mock-pairs.json"), "utf8");
    const pairs = JSON.parse(raw) as Array<{ origin: string; similar: string }>;
    return new Set(pairs.flatMap((p) => [p.origin.trim(), p.similar.trim()]));
  } catch {
    return new Set();
  }
}

/** What the stream holds, for the progress lines. */
export function describeStream(stream: Stream): string {
  const sizes = new Map<number, number>();
  const sources = new Map<Source, number>();
  for (const g of stream.groups) {
    sizes.set(g.wordings.length, (sizes.get(g.wordings.length) ?? 0) + 1);
    if (g.wordings.length > 1) sources.set(g.source, (sources.get(g.source) ?? 0) + 1);
  }
  const kinds = { first: 0, "repeat-meaning": 0, "exact-repeat": 0 };
  for (const a of stream.asks) kinds[a.kind]++;
  const bySize = [...sizes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([size, n]) => `${n} of ${size}`)
    .join(", ");
  const bySource = [...sources.entries()].map(([s, n]) => `${n} ${s}`).join(", ");
  return (
    `${stream.asks.length} questions (seed ${stream.seed}): ${kinds.first} first of their group, ` +
    `${kinds["repeat-meaning"]} another wording of a group asked before, ${kinds["exact-repeat"]} exact repeats; ` +
    `${stream.groups.length} groups (${bySize}; paraphrase groups: ${bySource})`
  );
}
