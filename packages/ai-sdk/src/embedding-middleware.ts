import type {
  EmbeddingModelV4,
  EmbeddingModelV4CallOptions,
  EmbeddingModelV4Middleware,
  EmbeddingModelV4Result,
  SharedV4ProviderMetadata,
} from "@ai-sdk/provider";
import type { CacheOutcome, CallOptions, LookupMiss, RecallCache, SavedSummary, Savings } from "@recall/core";
import { assertOption, parseCallOptions, passThrough } from "@recall/core/adapter";
import { toEmbeddingRequest } from "./embedding-request.js";

export interface RecallEmbeddingMiddlewareOptions {
  /** The cache to answer from (`createCache(...)` from `@recall/core`). */
  cache: RecallCache;
  /** Defaults for every call through this middleware (e.g. `{ namespace: "app" }`); `providerOptions.recall` overrides them. */
  callOptions?: CallOptions;
}

/**
 * What `providerMetadata.recall` holds on every `embed`/`embedMany` result (each `doEmbed` call, as
 * the AI SDK merges them when it splits a large `embedMany`). Counts are per value of the call.
 */
export interface RecallEmbeddingMetadata {
  [member: string]: string | number | boolean | string[] | SavedSummary | undefined;
  /** `hit` (every vector from the cache), `miss` (none), `partial`, or `bypass` (`noCache`/`forceRefresh`, a cache fault). */
  status: "hit" | "miss" | "partial" | "bypass";
  /** True when no value went upstream. */
  cached: boolean;
  /** Values of the call. */
  values: number;
  /** Values answered from stored entries. */
  hits: number;
  /** Values answered by an identical call in flight (this process or, with a lock, the fleet). */
  coalesced: number;
  /** Values embedded upstream by this call. */
  misses: number;
  /** Values the upstream call carried (duplicates are sent once). */
  sent: number;
  /** New entries stored. */
  stored: number;
  namespace?: string;
  /** The entry key of each value, in order (for `cache.delete(key)`; empty when not keyed). */
  keys: string[];
  /** Tokens and USD the cached values did not spend (when their entries recorded usage). */
  saved?: SavedSummary;
  /** Bypasses the cache chose: why (e.g. `cache lookup failed`). */
  reason?: string;
}

/** What an embedding entry holds: the vector. */
export interface EmbeddingBody {
  embedding: number[];
}

type Vector = number[];

/**
 * Values being embedded upstream by a call through any embedding middleware on one cache, by key.
 * A call waits here for values another call already leads, instead of in core's coalescer: a
 * call never waits while it leads anything, so two batches that overlap in different orders can
 * never wait on each other.
 */
const inflightByCache = new WeakMap<RecallCache, Map<string, Promise<Vector | undefined>>>();

/**
 * Recall as an AI SDK embedding-model middleware: every value of an `embed`/`embedMany` call is its
 * own exact entry (kind `embedding`: the model, the value, `dimensions` and provider options). All
 * values are looked up together; when some miss, one upstream call embeds only those (in order),
 * the vectors are merged back in the call's order and each new one is stored. Identical values in
 * flight are embedded once. Any cache fault is an `error` event and the call goes upstream whole.
 *
 * @example
 * import { openai } from "@ai-sdk/openai";
 * import { recallEmbeddingMiddleware } from "@recall/ai-sdk";
 * import { createCache } from "@recall/core";
 * import { embedMany, wrapEmbeddingModel } from "ai";
 *
 * const cache = createCache();
 * const model = wrapEmbeddingModel({
 *   model: openai.embedding("text-embedding-3-small"),
 *   middleware: recallEmbeddingMiddleware({ cache }),
 * });
 * const { embeddings, providerMetadata } = await embedMany({ model, values: ["a", "b"] });
 * providerMetadata?.recall; // { status: "miss", values: 2, hits: 0, misses: 2, sent: 2, stored: 2, … }
 */
export function recallEmbeddingMiddleware(
  options: RecallEmbeddingMiddlewareOptions,
): EmbeddingModelV4Middleware {
  validate(options);
  const { cache } = options;
  let inflight = inflightByCache.get(cache);
  if (!inflight) {
    inflight = new Map();
    inflightByCache.set(cache, inflight);
  }
  const running = inflight;

  return {
    specificationVersion: "v4",

    async wrapEmbed({ doEmbed, params, model }): Promise<EmbeddingModelV4Result> {
      const { call } = parseCallOptions(params.providerOptions?.recall, {
        where: "providerOptions.recall",
        defaults: options.callOptions,
      });
      let plan: Plan;
      try {
        plan = await lookUp(cache, running, model, params, call);
      } catch (error) {
        cache.reportError("embedding lookup failed; the call goes on uncached", error, {
          namespace: call.namespace ?? cache.namespace,
        });
        return bypassed(await doEmbed(), params.values.length, "cache lookup failed");
      }
      return answer(plan, {
        cache,
        doEmbed,
        params,
        model,
        waitMs: call.waitTimeoutMs ?? cache.waitTimeoutMs,
      });
    },
  };
}

/** One distinct value of a call and where its vector comes from. */
interface Slot {
  value: string;
  key: string;
  /** Set once known: from a hit, a call in flight, or upstream. */
  vector?: Vector;
  source?: "hit" | "coalesced" | "miss";
  /** This call leads the value: the ticket to commit (or fail) once upstream answered. */
  ticket?: LookupMiss<EmbeddingBody>;
  /** Another call leads the value: its vector, or `undefined` if it failed. */
  waitFor?: Promise<Vector | undefined>;
  /** Settles this call's own entry in the in-flight map. */
  settle?: (vector: Vector | undefined) => void;
  saved?: Savings;
}

interface Plan {
  slots: Slot[];
  /** The slot of each value of the call, in order. */
  order: Slot[];
  namespace: string;
}

/** Keys every distinct value, claims the ones no call leads, and looks those up together. */
async function lookUp(
  cache: RecallCache,
  running: Map<string, Promise<Vector | undefined>>,
  model: EmbeddingModelV4,
  params: EmbeddingModelV4CallOptions,
  call: CallOptions,
): Promise<Plan> {
  const byValue = new Map<string, Slot>();
  const requests = new Map<Slot, ReturnType<typeof toEmbeddingRequest>>();
  for (const value of params.values) {
    if (byValue.has(value)) continue;
    const request = toEmbeddingRequest(model, params, value);
    const slot: Slot = { value, key: cache.keyOf(request, call) ?? "" };
    byValue.set(value, slot);
    requests.set(slot, request);
  }
  const slots = [...byValue.values()];
  // Claimed synchronously, so no other call can claim the same key between our checks.
  const fresh = call.noCache || call.forceRefresh;
  for (const slot of slots) {
    if (!slot.key || fresh) continue;
    const leader = running.get(slot.key);
    if (leader) {
      slot.waitFor = leader;
      continue;
    }
    let settle!: (vector: Vector | undefined) => void;
    const promise = new Promise<Vector | undefined>((resolve) => {
      settle = resolve;
    });
    running.set(slot.key, promise);
    slot.settle = (vector) => {
      if (running.get(slot.key) === promise) running.delete(slot.key);
      settle(vector);
    };
  }
  const lookups = slots.filter((s) => !s.waitFor);
  await Promise.all(
    lookups.map(async (slot) => {
      const found = await cache.lookup<EmbeddingBody>(requests.get(slot)!, call);
      const vector = found.hit ? vectorOf(found.outcome.response.body) : undefined;
      if (found.hit && vector) {
        slot.vector = vector;
        slot.source = found.outcome.status === "coalesced" ? "coalesced" : "hit";
        slot.saved = found.outcome.saved;
        slot.settle?.(vector);
        return;
      }
      slot.ticket = found.hit ? notOurs(found.outcome) : found;
    }),
  );
  return {
    slots,
    order: params.values.map((v) => byValue.get(v)!),
    namespace: call.namespace ?? cache.namespace,
  };
}

interface AnswerContext {
  cache: RecallCache;
  doEmbed: () => PromiseLike<EmbeddingModelV4Result>;
  params: EmbeddingModelV4CallOptions;
  model: EmbeddingModelV4;
  waitMs: number;
}

/** Embeds what missed in one upstream call, waits for values others lead, merges, stores. */
async function answer(plan: Plan, ctx: AnswerContext): Promise<EmbeddingModelV4Result> {
  const { params } = ctx;
  const led = plan.slots.filter((s) => s.ticket);
  const waiting = plan.slots.filter((s) => s.waitFor);
  const [upstream] = await Promise.all([
    led.length > 0 ? embedLed(led, ctx) : undefined,
    Promise.all(
      waiting.map(async (slot) => {
        const vector = await within(slot.waitFor!, ctx.waitMs, params.abortSignal);
        if (vector) {
          slot.vector = vector;
          slot.source = "coalesced";
        }
      }),
    ).catch(() => {}),
  ]);
  if (upstream && "fallback" in upstream) return upstream.fallback;

  // Values whose leader failed or took too long: embedded here, not stored (the leader's
  // ticket decides what is stored for them).
  const orphans = waiting.filter((s) => !s.vector);
  let extra: EmbeddingModelV4Result | undefined;
  if (orphans.length > 0) {
    extra = await ctx.model.doEmbed({ ...params, values: orphans.map((s) => s.value) });
    if (extra.embeddings.length !== orphans.length) {
      return bypassed(await ctx.doEmbed(), params.values.length, "the model returned too few vectors");
    }
    orphans.forEach((slot, i) => {
      slot.vector = extra!.embeddings[i];
      slot.source = "miss";
    });
  }

  const result = upstream?.result;
  const tokens = (result?.usage?.tokens ?? 0) + (extra?.usage?.tokens ?? 0);
  const recall = summary(plan, (upstream?.sent ?? 0) + orphans.length, upstream?.stored ?? 0);
  return {
    embeddings: plan.order.map((slot) => slot.vector!),
    usage: { tokens },
    warnings: [...(result?.warnings ?? []), ...(extra?.warnings ?? [])],
    providerMetadata: withRecall(result?.providerMetadata ?? extra?.providerMetadata, recall),
    ...(result?.response
      ? { response: result.response }
      : extra?.response
        ? { response: extra.response }
        : {}),
  };
}

type LedOutcome =
  | { result: EmbeddingModelV4Result; sent: number; stored: number }
  | { fallback: EmbeddingModelV4Result };

/**
 * The one upstream call for the values this call leads: the model's own `doEmbed` when they are
 * the call's values as given, else the model with only them. A failure fails the tickets (waiters
 * call themselves) and propagates unchanged.
 */
async function embedLed(led: Slot[], ctx: AnswerContext): Promise<LedOutcome> {
  const { params } = ctx;
  const values = led.map((s) => s.value);
  const whole = values.length === params.values.length && values.every((v, i) => v === params.values[i]);
  const release = () => {
    for (const slot of led) {
      slot.ticket!.fail();
      slot.settle?.(undefined);
    }
  };
  let result: EmbeddingModelV4Result;
  try {
    result = whole ? await ctx.doEmbed() : await ctx.model.doEmbed({ ...params, values });
  } catch (error) {
    release();
    throw error;
  }
  const vectors = result.embeddings;
  if (vectors.length !== values.length || !vectors.every(isVector)) {
    release();
    if (whole) return { fallback: result }; // the AI SDK reports the short answer itself
    ctx.cache.reportError(
      `the embedding model returned ${vectors.length} vectors for ${values.length} values; the call goes on uncached`,
    );
    return {
      fallback: bypassed(await ctx.doEmbed(), params.values.length, "the model returned too few vectors"),
    };
  }
  const shares = tokenShares(values, result.usage?.tokens);
  led.forEach((slot, i) => {
    slot.vector = vectors[i];
    slot.source = "miss";
    slot.settle?.(vectors[i]);
  });
  const outcomes = await Promise.all(
    led.map((slot, i) =>
      slot.ticket!.commit({
        body: { embedding: vectors[i]! },
        finishReason: "stop",
        modelId: ctx.model.modelId,
        ...(shares ? { usage: { inputTokens: shares[i], outputTokens: 0 } } : {}),
      }),
    ),
  );
  return { result, sent: values.length, stored: outcomes.filter((o) => o.stored).length };
}

/**
 * The upstream call's tokens split over its values by length (largest remainders, so they add up):
 * what each entry records, and what a later hit on it counts as saved. `undefined` without usage.
 */
function tokenShares(values: string[], tokens: number | undefined): number[] | undefined {
  if (tokens === undefined || !Number.isFinite(tokens) || tokens < 0) return undefined;
  const lengths = values.map((v) => Math.max(1, v.length));
  const total = lengths.reduce((a, b) => a + b, 0);
  const exact = lengths.map((l) => (tokens * l) / total);
  const shares = exact.map(Math.floor);
  let left = Math.round(tokens) - shares.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) {
    if (left <= 0) break;
    shares[i]!++;
    left--;
  }
  return shares;
}

function summary(plan: Plan, sent: number, stored: number): RecallEmbeddingMetadata {
  let hits = 0;
  let coalesced = 0;
  let misses = 0;
  for (const slot of plan.order) {
    if (slot.source === "hit") hits++;
    else if (slot.source === "coalesced") coalesced++;
    else misses++;
  }
  const bypass = plan.slots.some((s) => s.ticket?.status === "bypass") && hits + coalesced === 0;
  const status = bypass ? "bypass" : misses === 0 ? "hit" : hits + coalesced === 0 ? "miss" : "partial";
  const recall: RecallEmbeddingMetadata = {
    status,
    cached: misses === 0,
    values: plan.order.length,
    hits,
    coalesced,
    misses,
    sent,
    stored,
    keys: plan.order.map((s) => s.key),
  };
  if (plan.namespace) recall.namespace = plan.namespace;
  const saved = savedOf(plan.slots);
  if (saved) recall.saved = saved;
  return recall;
}

function savedOf(slots: Slot[]): SavedSummary | undefined {
  const all = slots.flatMap((s) => (s.saved ? [s.saved] : []));
  if (all.length === 0) return undefined;
  return {
    inputTokens: all.reduce((n, s) => n + s.inputTokens, 0),
    outputTokens: all.reduce((n, s) => n + s.outputTokens, 0),
    usd: all.reduce((n, s) => n + s.usd, 0),
  };
}

/** The model's answer as it is, marked as not served by the cache. */
function bypassed(result: EmbeddingModelV4Result, values: number, reason: string): EmbeddingModelV4Result {
  const recall: RecallEmbeddingMetadata = {
    status: "bypass",
    cached: false,
    values,
    hits: 0,
    coalesced: 0,
    misses: values,
    sent: values,
    stored: 0,
    keys: [],
    reason,
  };
  return { ...result, providerMetadata: withRecall(result.providerMetadata, recall) };
}

function withRecall(
  metadata: SharedV4ProviderMetadata | undefined,
  recall: RecallEmbeddingMetadata,
): SharedV4ProviderMetadata {
  const { recall: _ours, ...rest } = metadata ?? {};
  return { ...rest, recall: recall as SharedV4ProviderMetadata[string] };
}

/** A hit on an entry that holds no vector (another writer's): embedded fresh, not stored. */
function notOurs(outcome: CacheOutcome): LookupMiss<EmbeddingBody> {
  return passThrough<EmbeddingBody>(outcome.namespace, "the cached entry is not an embedding vector");
}

function vectorOf(body: unknown): Vector | undefined {
  const embedding = (body as Partial<EmbeddingBody> | null)?.embedding;
  return isVector(embedding) ? embedding : undefined;
}

function isVector(value: unknown): value is Vector {
  return Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === "number");
}

/** `promise`'s value, or `undefined` once `ms` passed or `signal` aborted. */
function within<T>(
  promise: Promise<T | undefined>,
  ms: number,
  signal?: AbortSignal,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const done = (value: T | undefined) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(value);
    };
    const onAbort = () => done(undefined);
    const timer = setTimeout(onAbort, ms);
    timer.unref?.();
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then(done, onAbort);
  });
}

function validate(options: RecallEmbeddingMiddlewareOptions): void {
  assertOption(
    typeof options === "object" && options !== null,
    "recallEmbeddingMiddleware needs options: { cache }",
  );
  assertOption(
    typeof (options.cache as Partial<RecallCache> | undefined)?.lookup === "function",
    "recallEmbeddingMiddleware: `cache` must be a Recall cache (createCache(...) from @recall/core)",
  );
}
