/**
 * A semantic hit end to end on a cache of 10,000 entries: embed the paraphrase, search the
 * partition, read the candidate, run the guard. The stored questions are real sentences (the dev
 * pairs and GPTCache's) plus support questions generated to reach the size; the queries are the
 * labelled paraphrases of stored questions, embedded for real on each lookup.
 */
import { join } from "node:path";
import { createCache, type Embedder } from "@recall/core";
import { createLocalEmbedder } from "@recall/transformers";
import type { BenchOptions, Figure } from "../../packages/core/bench/figures.js";
import { percentile, round } from "../../packages/core/bench/figures.js";
import { embedAll, loadSentences } from "./real-vectors.js";

const root = join(import.meta.dirname, "../..");
const subjects = [
  "invoice",
  "API key",
  "workspace",
  "webhook",
  "password",
  "subscription",
  "export",
  "backup",
  "team",
  "SSO",
];
const verbs = [
  "configure",
  "reset",
  "rename",
  "archive",
  "share",
  "audit",
  "rotate",
  "restore",
  "migrate",
  "monitor",
];
const places = [
  "on the dashboard",
  "from the CLI",
  "in the mobile app",
  "through the API",
  "for a sub-account",
];

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  const size = quick ? 2_000 : 10_000;
  const sentences = loadSentences(root);
  if (!sentences)
    throw new Error("../shared/data/qqp-dev.jsonl not found: the semantic benchmark needs the dev pairs");
  const local = createLocalEmbedder();
  await local.load();
  // All real sentences are embedded once (and cached under .bench/); generated ones fill up to size.
  const realVectors = await embedAll(root, local, sentences.texts, progress);
  // Queries: labelled paraphrases (b) of stored questions (a); the b's themselves are never stored.
  const queries = sentences.paraphrases.slice(0, quick ? 100 : 300);
  const held = new Set(queries.map(([, b]) => b));
  const stored = new Set(queries.map(([a]) => a));
  for (let i = 0; i < sentences.texts.length && stored.size < size; i++) {
    if (!held.has(i)) stored.add(i);
  }
  const storedIdx = [...stored];
  const texts = storedIdx.map((i) => sentences.texts[i]!);
  const known = new Map(storedIdx.map((i) => [sentences.texts[i]!, realVectors[i]!]));
  const generated: string[] = [];
  for (let i = 0; texts.length + generated.length < size; i++) {
    generated.push(
      `How do I ${verbs[i % 10]} the ${subjects[Math.floor(i / 10) % 10]} ${places[Math.floor(i / 100) % 5]} for project ${i}?`,
    );
  }
  if (generated.length) progress(`embedding ${generated.length} generated support questions`);
  for (let i = 0; i < generated.length; i += 64) {
    const batch = generated.slice(i, i + 64);
    (await local.embed(batch)).forEach((v, j) => {
      known.set(batch[j]!, v);
    });
  }
  texts.push(...generated);
  // Filling the cache reuses the vectors computed above; every query is embedded for real.
  const embedder: Embedder = {
    id: local.id,
    dimensions: local.dimensions,
    embed: async (batch) => Promise.all(batch.map(async (t) => known.get(t) ?? (await local.embed([t]))[0]!)),
  };
  const cache = createCache({ maxEntries: size * 2, semantic: { embedder } });
  const request = (q: string) => ({
    model: { provider: "openai", id: "gpt-4.1" },
    messages: [{ role: "user" as const, content: q }],
  });
  progress(`storing ${size} entries`);
  for (const t of texts) {
    await cache.run(request(t), async () => ({
      body: t,
      text: `answer to ${t}`,
      finishReason: "stop",
      usage: { inputTokens: 20, outputTokens: 60 },
    }));
  }
  const index = cache.semantic!.index as { ready?: () => Promise<void> };
  await index.ready?.();

  progress(`${queries.length} paraphrase lookups`);
  const hitMs: number[] = [];
  const allMs: number[] = [];
  let hits = 0;
  for (const [, b] of queries) {
    const t0 = performance.now();
    const out = await cache.run(
      request(sentences.texts[b]!),
      async () => ({ body: "", text: "fresh", finishReason: "stop" }),
      { noStore: true },
    );
    const ms = performance.now() - t0;
    allMs.push(ms);
    if (out.status === "semantic-hit") {
      hits++;
      hitMs.push(ms);
    }
  }
  await local.dispose();
  return [
    { name: "semantic_hit_p50_ms", value: round(percentile(hitMs, 50), 3), unit: "ms" },
    { name: "semantic_hit_p95_ms", value: round(percentile(hitMs, 95), 3), unit: "ms" },
    { name: "semantic_lookup_p50_ms", value: round(percentile(allMs, 50), 3), unit: "ms" },
    { name: "semantic_cache_entries", value: size, unit: "entries" },
    { name: "semantic_paraphrase_hit_rate", value: round(hits / queries.length, 3), unit: "ratio" },
  ];
}
