import { createCache, createMemoryStore, type Embedder } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { vectorIndexSuite } from "@recall/test-suite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPgliteServer } from "../test/pglite-server.js";
import { createPgVectorIndex, type PgVectorIndex } from "./pgvector-index.js";

let server: Awaited<ReturnType<typeof startPgliteServer>>;
let pool: pg.Pool;
let tables = 0;
const freshTable = () => `recall_test_${Date.now().toString(36)}_${tables++}`;

beforeAll(async () => {
  server = await startPgliteServer();
  pool = new pg.Pool({ connectionString: server.connectionString, max: 5 });
  pool.on("error", () => {});
}, 60_000);

afterAll(async () => {
  await pool.end();
  await server.close();
});

// The vector index conformance suite. HNSW inserts are slow in PGlite (WebAssembly), hence the smaller sizes.
vectorIndexSuite(
  "pgvector",
  async () =>
    createPgVectorIndex({ pool, table: freshTable(), timeoutMs: 30_000, hnsw: { efConstruction: 32 } }),
  { hugePartitionSize: 400, numRuns: 15 },
);

describe("createPgVectorIndex", () => {
  const indexes: PgVectorIndex[] = [];
  afterAll(async () => {
    for (const index of indexes) await index.close();
  });
  const open = (options: Partial<Parameters<typeof createPgVectorIndex>[0]> = {}) => {
    const index = createPgVectorIndex({ pool, table: freshTable(), ...options });
    indexes.push(index);
    return index;
  };

  it("creates its table, HNSW index and filter indexes on first use", async () => {
    const index = open({ dimensions: 8 });
    expect(await index.size()).toBe(0);
    expect(
      await index.search({ partition: "p", vector: new Float32Array(8).fill(0.5), k: 3, minScore: 0 }),
    ).toEqual([]);
    const before = await pool.query("SELECT to_regclass($1) AS t", [index.table]);
    expect(before.rows[0].t).toBeNull();
    await index.add([{ id: "a", namespace: "n", partition: "p", vector: new Float32Array(8).fill(0.5) }]);
    const created = await pool.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE tablename = $1",
      [index.table],
    );
    const defs = created.rows.map((r) => r.indexdef).join("\n");
    expect(defs).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
    expect(defs).toMatch(/\(partition\)/);
    expect(defs).toMatch(/\(namespace\)/);
    const column = await pool.query(
      "SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding'",
      [index.table],
    );
    expect(column.rows[0].t).toBe("vector(8)");
  });

  it("searches a large partition through the HNSW index", async () => {
    const index = open({ dimensions: 4 });
    const items = Array.from({ length: 600 }, (_, i) => ({
      id: `i${i}`,
      namespace: "n",
      partition: "big",
      vector: Float32Array.from([Math.cos(i), Math.sin(i), (i % 7) / 7, 1]),
    }));
    await index.add(items);
    await pool.query(`ANALYZE ${index.table}`);
    // At 600 rows a scan plus sort costs less; at production sizes the planner picks HNSW on its own.
    // Hiding the alternatives shows the search has the shape HNSW can serve (cosine operator, ORDER BY, LIMIT).
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`DROP INDEX ${index.table}_partition`);
      await client.query("SET LOCAL enable_seqscan = off");
      const plan = await client.query(
        `EXPLAIN SELECT id FROM ${index.table} WHERE partition = 'big' ORDER BY embedding <=> '[1,0,0,1]' LIMIT 4`,
      );
      expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/Index Scan using \S+_hnsw/);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
    const found = await index.search({
      partition: "big",
      vector: Float32Array.from([1, 0, 0, 1]),
      k: 4,
      minScore: -1,
    });
    expect(found).toHaveLength(4);
    expect(found[0]!.id).toBe("i0");
  });

  it("refuses vectors of another length with a clear error, and a table of other dimensions", async () => {
    const index = open({ dimensions: 4 });
    await expect(
      index.add([{ id: "x", namespace: "n", partition: "p", vector: new Float32Array(5) }]),
    ).rejects.toThrow(/5-dimension vector/);
    const other = createPgVectorIndex({ pool, table: index.table, dimensions: 6 });
    await expect(other.size()).rejects.toThrow(/4-dimension vectors, not 6/);
  });

  it("is one index for every instance: a paraphrase stored by one cache hits in another, no bus needed", async () => {
    const table = freshTable();
    const embedder: Embedder = fakeEmbedder({ synonyms: [["Where is my order?", "Where's my package?"]] });
    // One store for both (as Redis would be); the shared index is what is tested.
    const store = createMemoryStore();
    const a = createCache({
      store,
      semantic: { embedder, index: createPgVectorIndex({ pool, table }), threshold: 0.95 },
    });
    const b = createCache({
      store,
      semantic: { embedder, index: createPgVectorIndex({ pool, table }), threshold: 0.95 },
    });
    const ask = (q: string) => ({
      model: { provider: "openai", id: "gpt-4.1" },
      messages: [{ role: "user" as const, content: q }],
    });
    const reply = (text: string) => ({
      body: { text },
      text,
      finishReason: "stop" as const,
      usage: { inputTokens: 5, outputTokens: 5 },
    });
    await a.run(ask("Where is my order?"), async () => reply("On its way."));
    const hit = await b.run(ask("Where's my package?"), async () => reply("upstream"));
    expect(hit.status).toBe("semantic-hit");
    expect(hit.response.text).toBe("On its way.");
    await a.close();
    await b.close();
  });

  it("rejects bad options with coded errors", () => {
    const bad = (options: Parameters<typeof createPgVectorIndex>[0]) => () => createPgVectorIndex(options);
    expect(bad({})).toThrow(expect.objectContaining({ code: "RECALL_INVALID_OPTION" }));
    expect(bad({ pool, table: "Robert'); DROP TABLE x;--" })).toThrow(/table must be/);
    expect(bad({ pool, dimensions: 0 })).toThrow(/dimensions/);
    expect(bad({ pool, timeoutMs: -5 })).toThrow(/timeoutMs/);
  });
});

describe("createPgVectorIndex when Postgres goes away", () => {
  it("fails fast while stopped (a semantic miss for the cache), and works again once back", async () => {
    const own = await startPgliteServer();
    const embedder = fakeEmbedder({ synonyms: [["How do I cancel?", "How can I cancel my plan?"]] });
    const index = createPgVectorIndex({ connectionString: own.connectionString, timeoutMs: 500 });
    const errors: string[] = [];
    const cache = createCache({ semantic: { embedder, index, threshold: 0.95 } });
    cache.on("error", (e) => errors.push(e.error.code));
    const ask = (q: string) => ({
      model: { provider: "openai", id: "gpt-4.1" },
      messages: [{ role: "user" as const, content: q }],
    });
    const reply = (text: string) => ({
      body: { text },
      text,
      finishReason: "stop" as const,
      usage: { inputTokens: 5, outputTokens: 5 },
    });

    await cache.run(ask("How do I cancel?"), async () => reply("Settings → Plan."));
    expect(
      (await cache.run(ask("How can I cancel my plan?"), async () => reply("x"), { noStore: true })).status,
    ).toBe("semantic-hit");

    await own.stop();
    const started = Date.now();
    const during = await cache.run(ask("How can I cancel my plan?"), async () => reply("from upstream"), {
      noStore: true,
    });
    expect(during.status).toBe("miss");
    expect(during.response.text).toBe("from upstream");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(errors).toContain("RECALL_SEMANTIC_ERROR");
    // Exact repeats still hit: the entries are in the store, not in Postgres.
    expect((await cache.run(ask("How do I cancel?"), async () => reply("x"))).status).toBe("hit");

    await own.start();
    let back = false;
    for (let i = 0; i < 50 && !back; i++) {
      const o = await cache.run(ask("How can I cancel my plan?"), async () => reply("x"), { noStore: true });
      back = o.status === "semantic-hit";
      if (!back) await new Promise((r) => setTimeout(r, 100));
    }
    expect(back).toBe(true);
    await cache.close();
    await index.close();
    await own.close();
  });
});
