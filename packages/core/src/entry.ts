import type { CacheResponse } from "./response.js";

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
  tags?: string[];
  /** Semantic entries: the question, its partition, and its vector (base64 float32) for index rebuilds. */
  question?: string;
  partition?: string;
  vector?: string;
  /** Id of the embedder that made `vector`. */
  embedder?: string;
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
