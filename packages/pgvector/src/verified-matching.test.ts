import {
  type CacheOutcome,
  type CacheRequest,
  type CacheResponse,
  createCache,
  createMemoryStore,
  type RecallCache,
  type VerifyOptions,
} from "@recall/core";
import { type CacheEntry, sha256 } from "@recall/core/adapter";
import { CLOSE, IN_BAND, judge, ORIGINAL, paraphraseEmbedder } from "@recall/core/testing";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startPgliteServer } from "../test/pglite-server.js";
import { createPgVectorIndex } from "./pgvector-index.js";

let server: Awaited<ReturnType<typeof startPgliteServer>>;
let pool: pg.Pool;
let tables = 0;
const freshTable = () => `recall_alias_${Date.now().toString(36)}_${tables++}`;

beforeAll(async () => {
  server = await startPgliteServer();
  pool = new pg.Pool({ connectionString: server.connectionString, max: 5 });
  pool.on("error", () => {});
}, 60_000);

afterAll(async () => {
  await pool.end();
  await server.close();
});

/** The ids in `table`, sorted. */
async function rows(table: string): Promise<string[]> {
  const result = await pool.query<{ id: string }>(`SELECT id FROM ${table}`);
  return result.rows.map((r) => r.id).sort();
}

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe("alias ids in the pgvector index", () => {
  it("stores and searches ids with a '#', removes an alias by its id, and an entry's key removes its aliases", async () => {
    const index = createPgVectorIndex({ pool, table: freshTable(), dimensions: 4 });
    const v = (...xs: number[]) => Float32Array.from(xs);
    const item = (id: string, vector: Float32Array) => ({ id, namespace: "n", partition: "p", vector });
    await index.add([
      item("recall:k_1", v(1, 0, 0, 0)),
      item("recall:k_1#aaa", v(0.9, 0.1, 0, 0)),
      item("recall:k_1#bbb", v(0.8, 0.2, 0, 0)),
      // Would match a pattern made of the key: `k_1` as LIKE matches `kX1`, and `k_1%` matches `k_10`.
      item("recall:kX1#ccc", v(0, 1, 0, 0)),
      item("recall:k_10#ddd", v(0, 0, 1, 0)),
      item("recall:k_10", v(0, 0, 0, 1)),
    ]);
    const found = await index.search({ partition: "p", vector: v(0.9, 0.1, 0, 0), k: 3, minScore: 0.5 });
    expect(found.map((m) => m.id)).toEqual(["recall:k_1#aaa", "recall:k_1", "recall:k_1#bbb"]);
    expect(found[0]!.score).toBeCloseTo(1, 5);

    await index.remove(["recall:k_1#aaa"]);
    expect(await rows(index.table)).toEqual([
      "recall:kX1#ccc",
      "recall:k_1",
      "recall:k_1#bbb",
      "recall:k_10",
      "recall:k_10#ddd",
    ]);
    await index.remove(["recall:k_1"]);
    expect(await rows(index.table)).toEqual(["recall:kX1#ccc", "recall:k_10", "recall:k_10#ddd"]);
    expect(await index.size()).toBe(3);
  });

  it("finds an entry's alias rows through an index, not by scanning the table", async () => {
    const index = createPgVectorIndex({ pool, table: freshTable(), dimensions: 4 });
    await index.add([
      { id: "recall:k", namespace: "n", partition: "p", vector: new Float32Array(4).fill(1) },
    ]);
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL enable_seqscan = off");
      const plan = await client.query(
        `EXPLAIN DELETE FROM ${index.table} WHERE id = ANY($1::text[]) OR split_part(id, '#', 1) = ANY($1::text[])`,
        [["recall:k"]],
      );
      const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
      expect(text).toMatch(/Index Scan on \S+_entry/);
      expect(text).toMatch(/Index Scan on \S+_pkey/);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});

/**
 * Issue 15 on pgvector: an alias is one more row in the shared index, so every instance matches it
 * with no bus; the entry it points to (with its list of aliases) is in the shared store.
 */
describe("verified matching on a shared pgvector index", () => {
  const ANSWER = "Open Settings, then Reset password.";
  const questionHash = (question: string) => sha256(question).slice(0, 24);
  const ask = (q: string): CacheRequest => ({
    model: { provider: "openai", id: "gpt-4.1" },
    messages: [{ role: "user", content: q }],
  });
  const reply = (text: string): CacheResponse => ({
    body: { text },
    text,
    finishReason: "stop",
    usage: { inputTokens: 5, outputTokens: 5 },
  });
  let caches: RecallCache[] = [];
  afterEach(async () => {
    for (const cache of caches) await cache.close();
    caches = [];
  });

  /** Instances sharing one store (as Redis would be) and one pgvector table, and no bus. */
  function world() {
    const table = freshTable();
    const store = createMemoryStore();
    const instance = (verify?: VerifyOptions) => {
      const cache = createCache({
        store,
        semantic: {
          embedder: paraphraseEmbedder(),
          index: createPgVectorIndex({ pool, table, timeoutMs: 10_000 }),
          guard: false,
          budgetMs: 60_000,
          ...(verify ? { verify } : {}),
        },
      });
      caches.push(cache);
      return cache;
    };
    return { table, store, instance };
  }

  /** A promotes `IN_BAND` (async verification, the verifier says same); the entry's key and the alias id. */
  async function promote(a: RecallCache, calls: unknown[]) {
    const { key } = await a.run(ask(ORIGINAL), async () => reply(ANSWER));
    const first = await a.run(ask(IN_BAND), async () => reply("Settings > Reset password."), {
      noStore: true,
    });
    expect(first.status).toBe("miss");
    await a.drain();
    expect(calls).toHaveLength(1);
    return { key, aliasId: `${key}#${questionHash(IN_BAND)}` };
  }

  const askIn = (cache: RecallCache, question = IN_BAND): Promise<CacheOutcome> =>
    cache.run(ask(question), async () => reply("upstream"), { noStore: true, verify: false });

  it("an alias promoted on A is a row every instance matches: B now, and C started later", async () => {
    const { table, instance } = world();
    const { verifier, calls } = judge("same");
    const a = instance({ verifier });
    const b = instance();
    const { key, aliasId } = await promote(a, calls);
    expect(await rows(table)).toEqual([key, aliasId]);

    const onB = await askIn(b);
    expect(onB).toMatchObject({ status: "semantic-hit", decidedBy: "alias", key, matchedQuestion: IN_BAND });
    expect(onB.response.text).toBe(ANSWER);
    const c = instance();
    await c.ready();
    expect(await askIn(c)).toMatchObject({ status: "semantic-hit", decidedBy: "alias", key });
  });

  it("wrong feedback on B's alias hit removes the alias row, and A refuses the wording", async () => {
    const { table, store, instance } = world();
    const { verifier, calls } = judge("same");
    const a = instance({ verifier });
    const b = instance();
    const { key, aliasId } = await promote(a, calls);
    const viaAlias = await askIn(b);
    expect(viaAlias.decidedBy).toBe("alias");

    expect((await b.feedback(viaAlias.id!, { wrong: true })).action).toBe("unpaired");
    expect(await until(async () => !(await rows(table)).includes(aliasId))).toBe(true);
    const upstream = vi.fn(async () => reply("the right answer"));
    const onA = await a.run(ask(IN_BAND), upstream, { noStore: true });
    expect(onA.status).toBe("miss");
    await a.drain();
    expect(calls).toHaveLength(1);
    const entry = (await store.get(key)) as CacheEntry;
    expect(entry.refused).toEqual([questionHash(IN_BAND)]);
    expect(entry.aliases ?? []).toEqual([]);
  });

  it("an alias row whose entry is gone is not served, and the search that meets it removes it", async () => {
    const { table, store, instance } = world();
    const { verifier, calls } = judge("same");
    const a = instance({ verifier });
    const b = instance();
    const { key, aliasId } = await promote(a, calls);
    // Gone from the store the way an expired entry goes: the index is not told.
    await store.delete(key);
    expect(await rows(table)).toEqual([key, aliasId]);

    const out = await askIn(b);
    expect(out.status).toBe("miss");
    expect(out.response.text).toBe("upstream");
    expect(await until(async () => !(await rows(table)).includes(aliasId))).toBe(true);
  });

  it("an alias row its entry no longer lists is not served, and the search that meets it removes it", async () => {
    const { table, store, instance } = world();
    const { verifier, calls } = judge("same");
    const a = instance({ verifier });
    const b = instance();
    const { key } = await promote(a, calls);
    // The entry dropped the alias (trimmed past MAX_ALIASES, or rewritten by another instance).
    const { aliases: _aliases, ...entry } = (await store.get(key)) as CacheEntry;
    await store.set(key, entry);

    const out = await askIn(b);
    expect(out.status).toBe("miss");
    expect(await until(async () => (await rows(table)).join() === key)).toBe(true);
    // The entry's own row still answers.
    expect(await askIn(b, CLOSE)).toMatchObject({ status: "semantic-hit", decidedBy: "threshold", key });
  });

  it("deleting an entry on an instance that never saw its aliases removes their rows too", async () => {
    const { table, instance } = world();
    const { verifier, calls } = judge("same");
    const a = instance({ verifier });
    const b = instance();
    const { key } = await promote(a, calls);
    await b.delete(key);
    // The index's remove runs in the background of the delete.
    expect(await until(async () => (await rows(table)).length === 0)).toBe(true);
    expect((await askIn(a)).status).toBe("miss");
  });
});
