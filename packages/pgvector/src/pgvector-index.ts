import {
  errorCodes,
  RecallError,
  type VectorIndex,
  type VectorItem,
  type VectorMatch,
  type VectorSearch,
} from "@recall/core";
import pg from "pg";

export interface PgVectorIndexOptions {
  /** A `pg` Pool you own (you end it). Give this or `connectionString`. */
  pool?: pg.Pool;
  /** `postgres://user:pass@host:port/db`: the index opens (and on `close`, ends) its own pool. */
  connectionString?: string;
  /** Table of the vectors, optionally schema-qualified (`app.recall_vectors`). Default `recall_vectors`. */
  table?: string;
  /**
   * Length of the vectors (your embedder's `dimensions`). When omitted, the table is created with
   * the length of the first vector added (or taken from the table if it exists).
   */
  dimensions?: number;
  /** Bound on each query and on getting a connection; past it the operation fails (a semantic miss). Default 1000 ms. */
  timeoutMs?: number;
  /** HNSW build parameters. Defaults: m 16, efConstruction 64 (pgvector's). */
  hnsw?: { m?: number; efConstruction?: number };
  /** Candidates HNSW examines per search (`hnsw.ef_search`). Default 100. */
  efSearch?: number;
  /** Connections of the pool the index opens. Default 10. */
  maxConnections?: number;
}

export interface PgVectorIndex extends VectorIndex {
  /** The index is shared by every instance: adds, removes and purges need no bus. */
  readonly shared: true;
  /** The table, once created or found (undefined before first use). */
  readonly table: string;
  /** Ends the pool if the index opened it. */
  close(): Promise<void>;
}

/** Rows per INSERT: keeps each statement well under protocol and memory limits. */
const BATCH = 200;

/**
 * A vector index shared by every instance, on Postgres with pgvector: one row per entry (and per
 * alias of one, `<key>#<question hash>`) with its namespace and partition as filtered columns, an
 * HNSW index on cosine distance, searched with iterative scans so a small partition is found even
 * beside a huge one. The schema is created on first use.
 *
 * @example
 * const index = createPgVectorIndex({ connectionString: process.env.DATABASE_URL, dimensions: 384 });
 * const cache = createCache({ store, bus, semantic: { embedder: createLocalEmbedder(), index } });
 */
export function createPgVectorIndex(options: PgVectorIndexOptions): PgVectorIndex {
  const what = "createPgVectorIndex";
  const invalid = (message: string) => new RecallError(errorCodes.INVALID_OPTION, `${what}: ${message}`);
  const positiveInt = (value: unknown, name: string) => {
    if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) {
      throw invalid(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
    }
  };
  positiveInt(options.dimensions, "dimensions");
  positiveInt(options.efSearch, "efSearch");
  positiveInt(options.maxConnections, "maxConnections");
  positiveInt(options.hnsw?.m, "hnsw.m");
  positiveInt(options.hnsw?.efConstruction, "hnsw.efConstruction");
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    throw invalid(
      `timeoutMs must be a positive number of milliseconds, got ${JSON.stringify(options.timeoutMs)}`,
    );
  }
  const tableName = options.table ?? "recall_vectors";
  if (!/^([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$/.test(tableName)) {
    throw invalid(
      `table must be a lower-case SQL identifier, optionally schema-qualified, got ${JSON.stringify(tableName)}`,
    );
  }
  if (!options.pool && typeof options.connectionString !== "string")
    throw invalid("give a pool or a connectionString");

  const timeoutMs = options.timeoutMs ?? 1_000;
  // Creating the extension, table and indexes happens once, on the first add.
  const setupTimeoutMs = Math.max(timeoutMs, 10_000);
  const efSearch = options.efSearch ?? 100;
  const m = options.hnsw?.m ?? 16;
  const efConstruction = options.hnsw?.efConstruction ?? 64;
  const owned = !options.pool;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      idleTimeoutMillis: 10_000,
    });
  // An idle connection that breaks (Postgres stopped) emits 'error' on the pool: without a listener, a crash.
  hear(pool);
  const table = tableName.split(".").map(quoteIdent).join(".");
  const indexName = (suffix: string) => quoteIdent(`${tableName.replace(".", "_")}_${suffix}`);
  let dimensions = options.dimensions;

  const settings = `SET hnsw.ef_search = ${efSearch}; SET hnsw.iterative_scan = strict_order`;
  const configured = new WeakSet<pg.PoolClient>();

  /**
   * Runs `work` on a pooled connection (given the search settings once: iterative scans keep
   * filtered HNSW searches complete), bounded by `timeoutMs` including the wait for a connection.
   * A connection whose work timed out is dropped, not reused.
   */
  const withClient = <T>(work: (client: pg.PoolClient) => Promise<T>, ms = timeoutMs): Promise<T> => {
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const run = (async () => {
      const client = await pool.connect();
      if (timedOut) {
        client.release();
        throw new Error("postgres timed out");
      }
      let failure: Error | undefined;
      try {
        if (!configured.has(client)) {
          // A connection that breaks while checked out emits 'error' on itself: without a listener, a crash.
          hear(client);
          // Older pgvector lacks iterative scans: searches still work, a huge neighbour partition may hide results.
          await client.query(settings).catch(() => {});
          configured.add(client);
        }
        return await work(client);
      } catch (error) {
        if (timedOut) failure = error as Error;
        throw error;
      } finally {
        client.release(timedOut ? (failure ?? true) : undefined);
      }
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`postgres took longer than ${ms} ms`));
      }, ms);
    });
    run.catch(() => {});
    return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
  };

  const query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
    withClient((client) => client.query<R>(text, values)).catch((error: unknown) => {
      // The table is gone (dropped, or a fresh database): check again, and let the next add create it.
      if ((error as { code?: string }).code === "42P01") exists = false;
      throw error;
    });

  /**
   * Whether the table exists; `add` creates it (it knows the dimensions). Until it exists (another
   * instance may create it), each call checks again; after a failure too.
   */
  let exists = false;
  let pending: Promise<boolean> | undefined;
  const ensureTable = async (createWith?: number): Promise<boolean> => {
    if (exists) return true;
    pending ??= setUp(createWith).finally(() => {
      pending = undefined;
    });
    exists = await pending;
    // A concurrent check that may not create found nothing: this caller can.
    if (!exists && createWith !== undefined) return ensureTable(createWith);
    return exists;
  };

  const setUp = async (createWith?: number): Promise<boolean> => {
    const found = await query<{ dims: number | null }>(
      `SELECT a.atttypmod AS dims FROM pg_attribute a
       WHERE a.attrelid = to_regclass($1) AND a.attname = 'embedding' AND NOT a.attisdropped`,
      [tableName],
    );
    if (found.rows.length > 0) {
      const tableDims = found.rows[0]!.dims;
      if (dimensions !== undefined && tableDims !== null && tableDims > 0 && tableDims !== dimensions) {
        throw new Error(
          `table ${tableName} holds ${tableDims}-dimension vectors, not ${dimensions}: use another table`,
        );
      }
      if (tableDims && tableDims > 0) dimensions = tableDims;
      return true;
    }
    if (createWith === undefined) return false;
    const dims = dimensions ?? createWith;
    dimensions = dims;
    await withClient(async (client) => {
      try {
        await client.query("BEGIN");
        // Instances starting together must not race on CREATE ... IF NOT EXISTS.
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`recall-pgvector:${tableName}`]);
        const extension = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
        if (extension.rowCount === 0) await client.query("CREATE EXTENSION IF NOT EXISTS vector");
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
          id text PRIMARY KEY,
          namespace text NOT NULL,
          partition text NOT NULL,
          embedding vector(${dims}) NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
        await client.query(`CREATE INDEX IF NOT EXISTS ${indexName("partition")} ON ${table} (partition)`);
        await client.query(`CREATE INDEX IF NOT EXISTS ${indexName("namespace")} ON ${table} (namespace)`);
        // The entry an alias row belongs to (`<key>#<question hash>` → `<key>`), for `remove`.
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${indexName("entry")} ON ${table} (split_part(id, '#', 1))`,
        );
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${indexName("hnsw")} ON ${table}
           USING hnsw (embedding vector_cosine_ops) WITH (m = ${m}, ef_construction = ${efConstruction})`,
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    }, setupTimeoutMs);
    return true;
  };

  const checkLength = (vector: Float32Array) => {
    if (dimensions !== undefined && vector.length !== dimensions) {
      throw new RecallError(
        errorCodes.SEMANTIC_ERROR,
        `a ${vector.length}-dimension vector does not fit ${tableName} (${dimensions} dimensions)`,
      );
    }
  };

  return {
    shared: true,
    get table() {
      return tableName;
    },

    async add(items: VectorItem[]): Promise<void> {
      if (items.length === 0) return;
      await ensureTable(dimensions ?? items[0]!.vector.length);
      for (const item of items) checkLength(item.vector);
      // Last one wins when an id repeats within one call (ON CONFLICT cannot touch a row twice).
      const unique = [...new Map(items.map((item) => [item.id, item])).values()];
      for (let start = 0; start < unique.length; start += BATCH) {
        const batch = unique.slice(start, start + BATCH);
        const values: unknown[] = [];
        const rows = batch.map((item, i) => {
          values.push(item.id, item.namespace, item.partition, toLiteral(item.vector));
          const p = i * 4;
          return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::vector)`;
        });
        await query(
          `INSERT INTO ${table} (id, namespace, partition, embedding) VALUES ${rows.join(", ")}
           ON CONFLICT (id) DO UPDATE SET namespace = EXCLUDED.namespace, partition = EXCLUDED.partition,
             embedding = EXCLUDED.embedding, created_at = now()`,
          values,
        );
      }
    },

    /**
     * Removes rows by id; an entry's key removes the rows of its aliases too (`<key>#<question
     * hash>`, promoted by verified matching). The instance deleting an entry may never have seen the
     * aliases other instances promoted, and a row left behind would only be dropped once a search
     * met it. Cheap: both conditions are served by indexes (the primary key, and one on the part of
     * the id before `#`; a table created before that index scans instead until it is added), and
     * exact: the key is compared whole, never as a pattern.
     */
    async remove(ids: string[]): Promise<void> {
      if (ids.length === 0 || !(await ensureTable())) return;
      await query(
        `DELETE FROM ${table} WHERE id = ANY($1::text[]) OR split_part(id, '#', 1) = ANY($1::text[])`,
        [ids],
      );
    },

    async removeNamespace(namespace: string): Promise<void> {
      if (!(await ensureTable())) return;
      await query(`DELETE FROM ${table} WHERE namespace = $1`, [namespace]);
    },

    async search(q: VectorSearch): Promise<VectorMatch[]> {
      if (q.k <= 0 || !(await ensureTable())) return [];
      checkLength(q.vector);
      // Ordered by distance so the HNSW index serves it; the partition filter rides on iterative scans.
      const result = await query<{ id: string; distance: number }>(
        `SELECT id, embedding <=> $1::vector AS distance FROM ${table}
         WHERE partition = $2 ORDER BY embedding <=> $1::vector LIMIT $3`,
        [toLiteral(q.vector), q.partition, q.k],
      );
      const matches: VectorMatch[] = [];
      for (const row of result.rows) {
        const score = 1 - Number(row.distance);
        if (score >= q.minScore) matches.push({ id: row.id, score });
      }
      return matches.sort((a, b) => b.score - a.score);
    },

    async size(): Promise<number> {
      if (!(await ensureTable())) return 0;
      const result = await query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      return Number(result.rows[0]!.n);
    },

    async close(): Promise<void> {
      if (owned) await pool.end().catch(() => {});
    },
  };
}

/** Pools and connections given an 'error' listener: one each, however many indexes share a pool. */
const heard = new WeakSet<object>();

function hear(emitter: { on(event: "error", listener: () => void): unknown }): void {
  if (heard.has(emitter)) return;
  heard.add(emitter);
  emitter.on("error", () => {});
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** pgvector's text form: `[0.1,0.2,…]`. Non-finite numbers cannot be stored. */
function toLiteral(vector: Float32Array): string {
  let out = "[";
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i]!;
    if (!Number.isFinite(x))
      throw new RecallError(errorCodes.SEMANTIC_ERROR, "a vector holds a non-finite number");
    out += i === 0 ? `${x}` : `,${x}`;
  }
  return `${out}]`;
}
