/**
 * Vector search: p50 latency and recall@1 (against exact float32 brute force) of the default
 * index at 1k / 10k / 100k vectors, exact vs HNSW side by side (to place `AutoIndex`'s
 * threshold), and the naive approach of a simple Redis-backed semantic cache: fetch every stored
 * vector from Redis on each lookup and compare in JS.
 *
 *   pnpm --filter @recall/core exec tsx bench/vector-index.ts [--quick]
 *
 * Vectors: `opts.vectors` (real sentence embeddings, given by the caller) when present, the last
 * ones held out as queries and the rest topped up with noisy variants of them (cosine ~0.7–0.9
 * to their source) when fewer than needed; otherwise clustered synthetic 384-dimension unit
 * vectors shaped like sentence embeddings (see `clusteredVectors`), queried half with
 * paraphrases of stored vectors (would-be hits) and half with new vectors (would-be misses).
 */
import { createClient } from "@keyv/redis";
import { AutoIndex } from "../src/index/auto-index.js";
import { FlatIndex } from "../src/index/flat-index.js";
import { HnswIndex, type HnswIndexOptions } from "../src/index/hnsw-index.js";
import { clusteredVectors } from "../src/testing/clustered-vectors.js";
import type { VectorIndex } from "../src/vector-index.js";
import { benchArgs, QUICK } from "./args.js";
import { type BenchOptions, type Figure, percentile, round } from "./figures.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const PARTITION = "bench";

export interface VectorBenchOptions extends BenchOptions {
  /** Real embeddings (unit vectors of one size). The last ones are held out as queries. */
  vectors?: Float32Array[];
}

interface Dataset {
  stored: Float32Array[];
  queries: Float32Array[];
  source: string;
}

/** What one index measured on one data size. */
interface Measured {
  p50: number;
  p99: number;
  recall: number;
}

export async function run(opts: VectorBenchOptions): Promise<Figure[]> {
  const { quick, progress } = opts;
  const figures: Figure[] = [];
  const add = (name: string, value: number, unit: string, against?: string) => {
    const base = against ? figures.find((f) => f.name === against) : undefined;
    figures.push({
      name,
      value: round(value, unit === "ms" ? 3 : 4),
      unit,
      ...(base ? { comparedWith: base.name, ratio: round(value / base.value, 1) } : {}),
    });
  };
  const queryCount = quick ? 200 : 500;
  const data = dataset(opts.vectors, 100_000, queryCount);
  progress(`${data.stored.length} stored vectors (${data.source}), ${data.queries.length} queries`);

  // The default index (AutoIndex) at three sizes; --quick leaves out 100k (its graph takes ~1 min to build).
  const sizes = [
    [1_000, "1k"],
    [10_000, "10k"],
    [100_000, "100k"],
  ] as const;
  for (const [size, label] of quick ? sizes.slice(0, 2) : sizes) {
    const stored = data.stored.slice(0, size);
    progress(`${label}: exact top-1 of ${data.queries.length} queries by brute force`);
    const truth = bruteForce(stored, data.queries);
    const started = performance.now();
    const index = new AutoIndex();
    await fill(index, stored);
    await index.ready();
    const buildS = (performance.now() - started) / 1000;
    progress(
      `${label}: default index ready in ${buildS.toFixed(1)} s (${JSON.stringify(index.partitionKinds())})`,
    );
    const m = await measure(index, data.queries, truth, stored);
    add(`search_${label}_p50_ms`, m.p50, "ms");
    add(`search_${label}_p99_ms`, m.p99, "ms");
    add(`search_${label}_recall_at_1`, m.recall, "ratio");
    if (size === 100_000) add("index_build_100k_s", buildS, "s");
    await index.close();
    if (size >= 10_000) {
      progress(`${label}: exact scan (FlatIndex) for comparison`);
      const flat = new FlatIndex();
      await fill(flat, stored);
      const f = await measure(flat, data.queries.slice(0, quick ? 50 : 200), truth, stored);
      add(`flat_search_${label}_p50_ms`, f.p50, "ms", `search_${label}_p50_ms`);
      await flat.close();
    }
  }

  // Exact vs HNSW at small sizes: where HNSW starts to pay (AutoIndex's threshold).
  let faster = Number.NaN;
  let twiceAsFast = Number.NaN;
  for (const size of quick ? [100, 250, 500, 1_000] : [100, 250, 500, 1_000, 2_000, 4_000]) {
    const stored = data.stored.slice(0, size);
    const truth = bruteForce(stored, data.queries);
    const flat = new FlatIndex();
    await fill(flat, stored);
    const f = await measure(flat, data.queries, truth, stored);
    const h = await measureHnsw(stored, data.queries, truth, {});
    progress(
      `${size}: exact p50 ${f.p50.toFixed(3)} ms, HNSW p50 ${h.p50.toFixed(3)} ms (recall@1 ${h.recall.toFixed(3)})`,
    );
    add(`flat_search_${size}_p50_ms`, f.p50, "ms");
    add(`hnsw_search_${size}_p50_ms`, h.p50, "ms", `flat_search_${size}_p50_ms`);
    if (Number.isNaN(faster) && h.p50 < f.p50 && h.recall >= 0.99) faster = size;
    if (Number.isNaN(twiceAsFast) && 2 * h.p50 < f.p50 && h.recall >= 0.99) twiceAsFast = size;
  }
  add("hnsw_faster_than_flat_from_vectors", faster, "vectors");
  add("hnsw_2x_faster_than_flat_from_vectors", twiceAsFast, "vectors");

  // HNSW graph quantization at 100k (the stored float32 copies re-score candidates either way).
  // Two more 100k graph builds (~2 min): only with RECALL_BENCH_QUANTIZATION=1, so pnpm bench stays under 10 min.
  if (!quick && process.env.RECALL_BENCH_QUANTIZATION === "1") {
    const stored = data.stored;
    const truth = bruteForce(stored, data.queries);
    for (const quantization of ["f32", "i8"] as const) {
      progress(`100k: HNSW with ${quantization} graph`);
      const h = await measureHnsw(stored, data.queries, truth, { quantization });
      add(`hnsw_${quantization}_100k_p50_ms`, h.p50, "ms", "search_100k_p50_ms");
      add(`hnsw_${quantization}_100k_recall_at_1`, h.recall, "ratio");
    }
  }

  // The naive approach: vectors in Redis, every lookup fetches them all and compares in JS.
  for (const [size, label] of [
    [1_000, "1k"],
    [10_000, "10k"],
  ] as const) {
    try {
      progress(`${label}: naive Redis scan`);
      const p50 = await naiveRedisScan(data.stored.slice(0, size), data.queries.slice(0, quick ? 30 : 100));
      add(`naive_scan_${label}_p50_ms`, p50, "ms", `search_${label}_p50_ms`);
    } catch (error) {
      progress(`naive Redis scan skipped: ${error instanceof Error ? error.message : String(error)}`);
      break;
    }
  }
  return figures;
}

/** Stored vectors and held-out queries: real ones if given, synthetic otherwise (or to top up). */
function dataset(real: Float32Array[] | undefined, size: number, queryCount: number): Dataset {
  const dimensions = real?.[0]?.length ?? 384;
  const gen = clusteredVectors({ dimensions, seed: 42 });
  const held = real && real.length > 2 * queryCount ? real.slice(-queryCount) : undefined;
  const stored = (held ? real!.slice(0, -queryCount) : []).slice(0, size);
  const realCount = stored.length;
  // Top up with variants of the real vectors (so the extra ones share their distribution),
  // or with synthetic ones when there are none.
  while (stored.length < size) {
    stored.push(
      realCount > 0
        ? gen.paraphrase(stored[Math.floor(gen.random() * realCount)]!, 0.5 + 0.5 * gen.random())
        : gen.sample(),
    );
  }
  const queries =
    held ??
    Array.from({ length: queryCount }, (_, i) =>
      i % 2 === 0 ? gen.paraphrase(stored[Math.floor(gen.random() * 1_000)]!) : gen.sample(),
    );
  const source =
    realCount === 0
      ? "synthetic clustered"
      : `${realCount} real + ${size - realCount} noisy variants of them`;
  return { stored, queries, source };
}

async function fill(index: VectorIndex, stored: Float32Array[]): Promise<void> {
  const batch = 10_000;
  for (let from = 0; from < stored.length; from += batch) {
    await index.add(
      stored
        .slice(from, from + batch)
        .map((vector, i) => ({ id: `v${from + i}`, namespace: "bench", partition: PARTITION, vector })),
    );
  }
}

async function measureHnsw(
  stored: Float32Array[],
  queries: Float32Array[],
  truth: Truth[],
  options: HnswIndexOptions,
): Promise<Measured> {
  const index = new HnswIndex(options);
  await fill(index, stored);
  await index.ready();
  const measured = await measure(index, queries, truth, stored);
  await index.close();
  return measured;
}

/** Times each query (after a warm-up pass) and counts top-1 agreements with the exact answer. */
async function measure(
  index: VectorIndex,
  queries: Float32Array[],
  truth: Truth[],
  stored: Float32Array[],
): Promise<Measured> {
  for (const vector of queries.slice(0, 20))
    await index.search({ partition: PARTITION, vector, k: 1, minScore: -1 });
  const times: number[] = [];
  let agree = 0;
  for (const [i, vector] of queries.entries()) {
    const start = process.hrtime.bigint();
    const [top] = await index.search({ partition: PARTITION, vector, k: 1, minScore: -1 });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    // A different id with the very same exact score (a duplicate vector) is a correct answer too.
    const found = top ? cosine(vector, stored[Number(top.id.slice(1))]!) : Number.NEGATIVE_INFINITY;
    if (top?.id === `v${truth[i]!.row}` || found >= truth[i]!.score - 1e-6) agree++;
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), recall: agree / queries.length };
}

interface Truth {
  row: number;
  score: number;
}

/** Exact top-1 by brute force, written plainly and independently of the indexes under test. */
function bruteForce(stored: Float32Array[], queries: Float32Array[]): Truth[] {
  return queries.map((query) => {
    let best: Truth = { row: -1, score: Number.NEGATIVE_INFINITY };
    for (const [row, vector] of stored.entries()) {
      const score = cosine(query, vector);
      if (score > best.score) best = { row, score };
    }
    return best;
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/**
 * A simple Redis-backed semantic cache: vectors as float32 bytes in one hash; a lookup reads the
 * whole hash (HGETALL, one round trip) and scores every vector in JS. Returns the p50 in ms.
 */
async function naiveRedisScan(stored: Float32Array[], queries: Float32Array[]): Promise<number> {
  const key = `recall-bench:vector-index:${process.pid}-${Date.now().toString(36)}:vectors`;
  const client = createClient({
    url: REDIS_URL,
    socket: { connectTimeout: 2_000, reconnectStrategy: false },
  });
  client.on("error", () => {});
  await client.connect();
  try {
    for (let from = 0; from < stored.length; from += 1_000) {
      const fields: Record<string, Buffer> = {};
      stored.slice(from, from + 1_000).forEach((v, i) => {
        fields[`v${from + i}`] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      });
      await client.hSet(key, fields);
    }
    const binary = client.withTypeMapping({ 36: Buffer } as never) as unknown as {
      hGetAll(key: string): Promise<Record<string, Buffer>>;
    };
    const lookup = async (query: Float32Array) => {
      const all = await binary.hGetAll(key);
      let best = { id: "", score: Number.NEGATIVE_INFINITY };
      for (const [id, bytes] of Object.entries(all)) {
        const vector = new Float32Array(new Uint8Array(bytes).buffer);
        const score = cosine(query, vector);
        if (score > best.score) best = { id, score };
      }
      return best;
    };
    await lookup(queries[0]!);
    const times: number[] = [];
    for (const query of queries) {
      const start = process.hrtime.bigint();
      await lookup(query);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return percentile(times, 50);
  } finally {
    await client.del(key);
    await client.quit();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await run({
    ...benchArgs("Usage: pnpm --filter @recall/core exec tsx bench/vector-index.ts [--quick]", QUICK),
    progress: (m) => console.error(`… ${m}`),
  });
  console.table(figures);
}
