import type Keyv from "keyv";
import type { BreakerOptions } from "../breaker.js";
import type { CacheBus } from "../bus.js";
import { assertOption } from "../errors.js";
import type { DistributedLock } from "../lock.js";
import type { ModelPrice } from "../pricing.js";
import { DEFAULT_THRESHOLD, type SemanticOptions } from "../semantic.js";
import type { UserValidator } from "../validate.js";
import { validateVerifyOptions } from "../verify/options.js";
import type { Clock } from "./clock.js";
import { assertVariants } from "./variants.js";

export interface CacheOptions {
  /** Any Keyv instance (`@keyv/redis`, …). Default: in-memory, LRU-bounded to `maxEntries`. */
  store?: Keyv;
  /** Bound of the default in-memory store. Default 10,000 entries. */
  maxEntries?: number;
  /** Default namespace (tenant, app, environment). Default `default`. */
  namespace?: string;
  /** Prefix of every key Recall writes. Default `recall`. */
  keyPrefix?: string;
  /** Time to live of an entry in ms. Default one day; `0` keeps entries until evicted. */
  ttl?: number;
  /** `fixed`: an entry expires `ttl` after it was stored. `sliding`: each hit renews it. Default `fixed`. */
  ttlMode?: "fixed" | "sliding";
  /** Bound on each store operation; past it the operation counts as a miss. Default 50 ms. */
  storeTimeoutMs?: number;
  /**
   * After `failures` failed or late operations in a row of the store (or of the lock), skip it for
   * `cooldownMs`: store reads miss and writes are dropped, calls go on without the lock, with no
   * wait. Then one operation probes it. Default `{ failures: 5, cooldownMs: 1000 }`; `false` always
   * tries them.
   */
  breaker?: BreakerOptions | false;
  /** Fold letter case in message text before keying. Default false. */
  caseInsensitive?: boolean;
  /** Match paraphrases by meaning. Off unless given. */
  semantic?: SemanticOptions;
  /** Your own checks before storing, after the built-in rules: functions or Standard Schemas. */
  validate?: UserValidator | UserValidator[];
  /** Extra or overriding model prices (USD per million tokens). */
  pricing?: Record<string, ModelPrice>;
  /** A lock shared by many processes (`@recall/redis`), so they call upstream once per request. */
  lock?: DistributedLock;
  /** How long a lock is held at most if its holder dies. Default 30 s. */
  lockTtlMs?: number;
  /** How long a concurrent identical request waits for another's answer before calling itself. Default 60 s. */
  waitTimeoutMs?: number;
  /** A channel to other instances (`@recall/redis`) that keeps their in-process indexes in step. */
  bus?: CacheBus;
  /**
   * OpenTelemetry (spans and metrics through `@opentelemetry/api`, no-ops without an SDK):
   * `questions: true` puts the question's text on lookup spans. Default: never.
   */
  telemetry?: { questions?: boolean };
  /** Where the time is read (entry ages, TTLs, breaker cooldowns). Default: the system clock. */
  clock?: Clock;
  /**
   * Stale-while-revalidate window in ms (exact entries): for this long after an entry's TTL, a
   * lookup is answered at once with the stale entry (status `stale`) while one background refresh
   * (one for the whole fleet, under the same lock a miss takes) replaces it. Default 0 (off).
   * See docs/freshness.md.
   */
  staleWhileRevalidate?: number;
  /**
   * Grace in ms (exact entries): for this long after an entry's TTL, when the upstream call fails
   * (throws; for the proxy a 5xx, a 429 or an unreachable upstream), the stale entry is served
   * instead of the error (status `stale`, `staleReason`). Default 0 (off): right for answers that
   * do not age (FAQ answers), wrong for anything time-sensitive.
   */
  grace?: number;
  /** Entries to read as misses (and replace) when the model behind an id changed. See `Invalidate`. */
  invalidate?: Invalidate;
  /**
   * Answer variants for sampled calls: an entry holds up to this many answers (1 to 32). The first
   * `variants` calls of a key go upstream, one after another, and each validated answer is kept;
   * after that a hit serves one of them at random. Applies to sampled calls: chats whose
   * `temperature` is unset or above 0 (a call's own `variants` applies whatever its temperature).
   * Default 1: one answer per key, a deterministic cache. See docs/freshness.md.
   */
  variants?: number;
  /**
   * Where the draws of a hit's variant come from (uniform in [0, 1)). Default `Math.random`; a
   * seeded one (`mulberry32` from `@recall/core/testing`) for reproducible runs.
   */
  random?: () => number;
}

/**
 * Entries read as misses, so the next call replaces them: made before `before`, or made by a model
 * version other than the current one. The version is the answer's own model id
 * (`CacheResponse.modelId`, e.g. `gpt-4o-2024-11-20`), compared per requested model id.
 */
export interface Invalidate {
  /** Entries created before this time (a `Date` or ms since the epoch) are misses. */
  before?: Date | number;
  /**
   * By requested model id (`gpt-4o`, or `provider:id` to name one provider's), the current version:
   * the answer's model id that entries must carry (a string), or a test of it. Entries of models
   * not listed are left alone. An entry whose answer names no model id fails a string.
   *
   * @example
   * invalidate: { models: { "gpt-4o": "gpt-4o-2024-11-20", "claude-sonnet-4": (id) => id?.endsWith("-20250514") ?? false } }
   */
  models?: Record<string, string | ((responseModelId: string | undefined) => boolean)>;
}

/** Per-call controls. */
export interface CallOptions {
  /** Do not read the cache (the fresh answer is still stored unless `noStore`). */
  noCache?: boolean;
  /** Do not store the answer. */
  noStore?: boolean;
  /** Drop the cached answer, call upstream, store the new one. */
  forceRefresh?: boolean;
  /** Time to live for this entry, in ms. */
  ttl?: number;
  /** Namespace of this call (e.g. a tenant or user id). */
  namespace?: string;
  /** Similarity threshold for this call. */
  threshold?: number;
  /** `false` keeps this call to exact matching. */
  semantic?: boolean;
  /**
   * How candidates just below the threshold are verified for this call (`semantic.verify` must be
   * set): `sync`, `async`, or `false` not at all. Default: `semantic.verify.mode`.
   */
  verify?: "sync" | "async" | false;
  /** Tags for this entry, so a whole tag can be purged at once. */
  tags?: string[];
  /**
   * How long this call waits for an identical call's answer (in this process or, with a lock, in
   * another) before it calls upstream itself. Default: the cache's `waitTimeoutMs`.
   */
  waitTimeoutMs?: number;
  /** The stale-while-revalidate window for this call, in ms (see `CacheOptions.staleWhileRevalidate`). */
  staleWhileRevalidate?: number;
  /** The grace on upstream failure for this call, in ms (see `CacheOptions.grace`). */
  grace?: number;
  /**
   * How many answers this call wants its entry to hold (1 to 32; see `CacheOptions.variants`),
   * whatever its temperature. `1` serves the entry's first answer.
   */
  variants?: number;
}

export const DAY = 86_400_000;

/** Throws `RECALL_INVALID_OPTION` at once, naming the option, on a bad configuration. */
export function validateOptions(o: CacheOptions): void {
  assertOption(typeof o === "object" && o !== null, "options must be an object");
  const positive = (name: keyof CacheOptions, allowZero = false) => {
    const v = o[name];
    if (v === undefined) return;
    assertOption(
      typeof v === "number" && Number.isFinite(v) && (allowZero ? v >= 0 : v > 0),
      `${name} must be a ${allowZero ? "non-negative" : "positive"} number of ${name === "maxEntries" ? "entries" : "milliseconds"}, got ${JSON.stringify(v)}`,
    );
  };
  positive("ttl", true);
  positive("storeTimeoutMs");
  positive("maxEntries");
  positive("lockTtlMs");
  positive("waitTimeoutMs", true);
  positive("staleWhileRevalidate", true);
  positive("grace", true);
  if (o.invalidate !== undefined) validateInvalidate(o.invalidate);
  if (o.variants !== undefined) assertVariants(o.variants, "variants");
  assertOption(
    o.random === undefined || typeof o.random === "function",
    "random must be a function returning a number in [0, 1)",
  );
  if (o.breaker !== undefined && o.breaker !== false) {
    assertOption(
      typeof o.breaker === "object" && o.breaker !== null,
      `breaker must be { failures, cooldownMs } or false, got ${JSON.stringify(o.breaker)}`,
    );
    const { failures, cooldownMs } = o.breaker;
    assertOption(
      failures === undefined || (Number.isInteger(failures) && failures > 0),
      `breaker.failures must be a positive integer, got ${JSON.stringify(failures)}`,
    );
    assertOption(
      cooldownMs === undefined ||
        (typeof cooldownMs === "number" && Number.isFinite(cooldownMs) && cooldownMs > 0),
      `breaker.cooldownMs must be a positive number of milliseconds, got ${JSON.stringify(cooldownMs)}`,
    );
  }
  assertOption(
    o.ttlMode === undefined || o.ttlMode === "fixed" || o.ttlMode === "sliding",
    `ttlMode must be "fixed" or "sliding", got ${JSON.stringify(o.ttlMode)}`,
  );
  assertOption(
    o.namespace === undefined || (typeof o.namespace === "string" && o.namespace.length > 0),
    "namespace must be a non-empty string",
  );
  assertOption(
    o.keyPrefix === undefined || (typeof o.keyPrefix === "string" && /^[\w.-]+$/.test(o.keyPrefix)),
    "keyPrefix must be letters, digits, '_', '.' or '-'",
  );
  assertOption(
    o.store === undefined ||
      (typeof o.store === "object" &&
        o.store !== null &&
        typeof (o.store as Keyv).get === "function" &&
        typeof (o.store as Keyv).set === "function"),
    "store must be a Keyv instance (new Keyv(...)); wrap a raw adapter with new Keyv({ store })",
  );
  if (o.semantic) {
    const s = o.semantic;
    assertOption(
      typeof s.embedder?.embed === "function" &&
        typeof s.embedder.id === "string" &&
        s.embedder.id.length > 0,
      "semantic.embedder must implement Embedder (id, dimensions, embed(texts))",
    );
    assertOption(
      s.threshold === undefined || (typeof s.threshold === "number" && s.threshold > 0 && s.threshold <= 1),
      `semantic.threshold must be a cosine similarity in (0, 1], got ${JSON.stringify(s.threshold)}`,
    );
    assertOption(
      s.candidates === undefined || (Number.isInteger(s.candidates) && s.candidates > 0),
      "semantic.candidates must be a positive integer",
    );
    assertOption(
      s.budgetMs === undefined || (typeof s.budgetMs === "number" && s.budgetMs > 0),
      `semantic.budgetMs must be a positive number of milliseconds (Infinity waits for the embedder), got ${JSON.stringify(s.budgetMs)}`,
    );
    assertOption(
      s.embedTimeoutMs === undefined ||
        (typeof s.embedTimeoutMs === "number" && Number.isFinite(s.embedTimeoutMs) && s.embedTimeoutMs > 0),
      `semantic.embedTimeoutMs must be a positive number of milliseconds, got ${JSON.stringify(s.embedTimeoutMs)}`,
    );
    assertOption(
      s.batchWindowMs === undefined ||
        (typeof s.batchWindowMs === "number" && Number.isFinite(s.batchWindowMs) && s.batchWindowMs >= 0),
      `semantic.batchWindowMs must be a non-negative number of milliseconds, got ${JSON.stringify(s.batchWindowMs)}`,
    );
    assertOption(
      s.mode === undefined || s.mode === "serve" || s.mode === "shadow",
      `semantic.mode must be "serve" or "shadow", got ${JSON.stringify(s.mode)}`,
    );
    if (s.verify !== undefined) validateVerifyOptions(s.verify, s.threshold ?? DEFAULT_THRESHOLD);
    for (const name of ["maxQueue", "batchSize"] as const)
      assertOption(
        s[name] === undefined || (Number.isInteger(s[name]) && s[name] > 0),
        `semantic.${name} must be a positive integer, got ${JSON.stringify(s[name])}`,
      );
  }
  for (const v of o.validate === undefined ? [] : [o.validate].flat()) {
    assertOption(
      typeof v === "function" || (typeof v === "object" && v !== null && "~standard" in v),
      "validate must be a function or a Standard Schema (zod, valibot, …)",
    );
  }
  if (o.lock)
    assertOption(
      typeof o.lock.acquire === "function" && typeof o.lock.waitForRelease === "function",
      "lock must implement DistributedLock",
    );
  if (o.clock !== undefined)
    assertOption(
      typeof o.clock === "object" && o.clock !== null && typeof o.clock.now === "function",
      "clock must be an object with now(): number",
    );
  if (o.bus)
    assertOption(
      typeof o.bus.publish === "function" && typeof o.bus.subscribe === "function",
      "bus must implement CacheBus",
    );
}

function validateInvalidate(i: Invalidate): void {
  assertOption(
    typeof i === "object" && i !== null,
    "invalidate must be { before?: Date | number, models?: { [modelId]: version | (id) => boolean } }",
  );
  const before = i.before instanceof Date ? i.before.getTime() : i.before;
  assertOption(
    before === undefined || (typeof before === "number" && Number.isFinite(before)),
    `invalidate.before must be a Date or ms since the epoch, got ${JSON.stringify(i.before)}`,
  );
  if (i.models === undefined) return;
  assertOption(
    typeof i.models === "object" && i.models !== null && !Array.isArray(i.models),
    "invalidate.models must be an object: requested model id → current version (string) or a test",
  );
  for (const [model, version] of Object.entries(i.models))
    assertOption(
      (typeof version === "string" && version.length > 0) || typeof version === "function",
      `invalidate.models[${JSON.stringify(model)}] must be a model id or a function, got ${JSON.stringify(version)}`,
    );
}
