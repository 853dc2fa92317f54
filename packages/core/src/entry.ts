import type { CacheResponse } from "./response.js";
import type { Observation } from "./verify/evidence.js";

/** What one cache entry holds in the store. Never the request's credentials or headers. */
export interface CacheEntry {
  /** Entry format version. */
  v: 1;
  response: CacheResponse;
  namespace: string;
  /** `provider:id` of the requested model. */
  model: string;
  createdAt: number;
  /** Time to live in ms that the entry was written with (for sliding renewal). */
  ttl?: number;
  expiresAt?: number;
  /**
   * Until when the store keeps the entry past `expiresAt`, to be served stale (stale-while-revalidate,
   * grace). Absent: until `expiresAt`.
   */
  keepUntil?: number;
  tags?: string[];
  /**
   * Answer variants (`variants` option): the answers after the first (`response`), in the order
   * they were stored. Absent on an entry holding one answer.
   */
  variants?: CacheResponse[];
  /** Semantic entries: the question, its partition, and its vector (base64 float32) for index rebuilds. */
  question?: string;
  partition?: string;
  vector?: string;
  /** Id of the embedder that made `vector`. */
  embedder?: string;
  /**
   * Other wordings verified to ask the same (promoted): each one more vector that answers with this
   * entry, under the id `<key>#<question hash>`. They go when the entry goes.
   */
  aliases?: Alias[];
  /** Hashes of questions reported wrong for this entry (`cache.feedback`): never paired with it again. */
  refused?: string[];
  /** What matching learned about this entry: `[similarity, same]` observations (`verify/evidence.ts`). */
  evidence?: Observation[];
  /** This entry's own threshold, raised above the global one when one of its hits was reported wrong. */
  threshold?: number;
}

export interface Alias {
  id: string;
  question: string;
  /**
   * Not in entries written now: alias vectors are stored beside the entry (`pipeline/alias-vectors.ts`),
   * so exact hits do not read them. Read when present (entries written before).
   */
  vector?: string;
}

/** The entry key an index item answers with: its own id, or the key before `#` of an alias id. */
export function entryKeyOf(vectorId: string): string {
  const hash = vectorId.indexOf("#");
  return hash === -1 ? vectorId : vectorId.slice(0, hash);
}

/** Checks that a stored value is one of our entries; anything else is a decode failure. */
export function isCacheEntry(value: unknown): value is CacheEntry {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Partial<CacheEntry>;
  return (
    e.v === 1 &&
    typeof e.namespace === "string" &&
    typeof e.model === "string" &&
    typeof e.createdAt === "number" &&
    typeof e.response === "object" &&
    e.response !== null &&
    "body" in e.response
  );
}

export function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64");
}

export function decodeVector(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, "base64");
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
