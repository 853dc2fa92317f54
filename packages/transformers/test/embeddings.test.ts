import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { embedderSuite } from "@recall/test-suite";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLocalEmbedder, type LocalEmbedder } from "../src/index.js";
import { cosine, loadTfjsReference, maxAbsDiff } from "./tfjs-reference.js";

const sentences = [
  "How do I reset my password?",
  "How can I change my password?",
  "What is the capital of France?",
  "Explain the difference between TCP and UDP in two sentences.",
  "Café crème, s'il vous plaît — and a croissant!",
  "a",
];

// No test here may reach the network: every fetch fails and is counted.
const fetchSpy = vi.fn(async (input: unknown) => {
  throw new Error(`network disabled in this test (fetch ${String(input)})`);
});

let modelDir: string;
const progress: string[] = [];
let hf: LocalEmbedder;
let xenova: LocalEmbedder;

beforeAll(async () => {
  vi.stubGlobal("fetch", fetchSpy);
  modelDir = await mkdtemp(join(tmpdir(), "recall-transformers-"));
  // A fresh build (empty cache dir), then a load by each library. On this thread (threads: 0), where
  // the stubbed fetch and the libraries' settings can be seen; worker-pool.test.ts checks that worker
  // threads give the same vectors.
  const onProgress = (m: string) => progress.push(m);
  hf = createLocalEmbedder({ backend: "huggingface", modelDir, onProgress, threads: 0 });
  xenova = createLocalEmbedder({ backend: "xenova", modelDir, onProgress, threads: 0 });
  await Promise.all([hf.load(), xenova.load()]);
}, 90_000);

afterAll(async () => {
  await Promise.all([hf?.dispose(), xenova?.dispose()]);
  vi.unstubAllGlobals();
  if (modelDir) await rm(modelDir, { recursive: true, force: true });
});

// The embedder conformance suite, on the model loaded above by each library. Emoji are [UNK] to
// all-MiniLM-L6-v2, and it reads 256 tokens at most.
for (const [library, loaded] of [
  ["huggingface", () => hf],
  ["xenova", () => xenova],
] as const) {
  embedderSuite(`createLocalEmbedder (${library})`, loaded, {
    unreadableTexts: ["🦜🦜🦜", "word ".repeat(600)],
  });
}

describe("fresh build and load with the network disabled", () => {
  it("built the model once, with progress, and never fetched", () => {
    expect(progress.filter((m) => m.startsWith("building"))).toHaveLength(1);
    expect(progress.some((m) => m.includes("writing onnx/model.onnx"))).toBe(true);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("left both libraries with remote models off and the cache dir as local model path", async () => {
    for (const name of ["@huggingface/transformers", "@xenova/transformers"]) {
      const { env } = await import(name);
      expect(env.allowRemoteModels).toBe(false);
      expect(env.localModelPath).toBe(modelDir);
    }
  });

  it("describes itself to core", () => {
    for (const e of [hf, xenova]) {
      expect(e.id).toBe("transformers:Xenova/all-MiniLM-L6-v2@tfjs-u8:mean:norm");
      expect(e.dimensions).toBe(384);
    }
  });
});

describe("the ONNX graph", () => {
  it("reproduces the TF.js model (cosine > 0.99999 per sentence, both libraries)", async () => {
    const reference = await loadTfjsReference();
    const { AutoTokenizer } = await import("@xenova/transformers");
    const tokenizer = await AutoTokenizer.from_pretrained("Xenova/all-MiniLM-L6-v2");
    const [fromHf, fromXenova] = await Promise.all([hf.embed(sentences), xenova.embed(sentences)]);
    for (const [i, text] of sentences.entries()) {
      const ids = Array.from(tokenizer(text).input_ids.data as BigInt64Array, Number);
      const expected = await reference(ids);
      expect(cosine(fromHf[i]!, expected), text).toBeGreaterThan(0.99999);
      expect(cosine(fromXenova[i]!, expected), text).toBeGreaterThan(0.99999);
    }
    expect(fetchSpy).not.toHaveBeenCalled();
  }, 60_000);

  it("gives the same vectors in both libraries (so they share an id)", async () => {
    const [a, b] = await Promise.all([hf.embed(sentences), xenova.embed(sentences)]);
    for (const [i, text] of sentences.entries()) expect(maxAbsDiff(a[i]!, b[i]!), text).toBeLessThan(1e-4);
  });

  it("places a paraphrase far closer than an unrelated question", async () => {
    const [reset, change, capital] = await hf.embed(sentences.slice(0, 3));
    const paraphrase = cosine(reset!, change!);
    const unrelated = cosine(reset!, capital!);
    expect(paraphrase).toBeGreaterThan(0.75);
    expect(unrelated).toBeLessThan(0.3);
    expect(paraphrase - unrelated).toBeGreaterThan(0.5);
  });
});

describe("embed", () => {
  it("returns L2-normalized Float32Arrays in input order, the same whatever the batching", async () => {
    const small = createLocalEmbedder({ backend: "huggingface", modelDir, batchSize: 2, threads: 0 });
    try {
      const batched = await small.embed(sentences);
      const alone = await Promise.all(sentences.map(async (s) => (await hf.embed([s]))[0]!));
      expect(batched).toHaveLength(sentences.length);
      for (const [i, v] of batched.entries()) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v).toHaveLength(384);
        expect(Math.hypot(...v)).toBeCloseTo(1, 5);
        expect(maxAbsDiff(v, alone[i]!), sentences[i]).toBeLessThan(1e-4);
      }
    } finally {
      await small.dispose();
    }
  });

  it("handles an empty list and an aborted signal", async () => {
    await expect(hf.embed([])).resolves.toEqual([]);
    const controller = new AbortController();
    controller.abort(new Error("caller gave up"));
    await expect(hf.embed(["hello"], { signal: controller.signal })).rejects.toThrow("caller gave up");
  });
});
