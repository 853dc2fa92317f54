import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Middleware,
  LanguageModelV4StreamResult,
} from "@ai-sdk/provider";
import type { CacheOutcome, CallOptions, RecallCache } from "@recall/core";
import { assertOption, parseCallOptions, passThrough, summarize } from "@recall/core/adapter";
import { checkPace, type ReplayPace } from "./call-options.js";
import { asGenerateBody, asStreamBody } from "./cross-replay.js";
import { type GenerateBody, replayGenerate, toGenerateResponse } from "./generate.js";
import { withRecall } from "./provider-metadata.js";
import { replayStream } from "./replay.js";
import { recordStream, type StreamBody } from "./stream.js";
import { toCacheRequest } from "./to-request.js";

export interface RecallMiddlewareOptions {
  /** The cache to answer from (`createCache(...)` from `@recall/core`). */
  cache: RecallCache;
  /** How cached streams are replayed: `instant` (default), `original` pace, or `n` times faster than the original. */
  pace?: ReplayPace;
  /** Defaults for every call through this middleware (e.g. `{ namespace: "app", ttl: 3_600_000 }`); `providerOptions.recall` overrides them. */
  callOptions?: CallOptions;
}

/**
 * Recall as an AI SDK language-model middleware: `generateText`/`generateObject` and
 * `streamText`/`streamObject` answered from the cache on exact (and, when the cache has an
 * embedder, semantic) repeats; fresh answers stored once validated; identical calls in flight
 * coalesced into one model call. A streamed and a plain call of the same prompt share one entry:
 * a stream is replayed from a stored generate result, and a generate result assembled from a
 * recorded stream.
 *
 * @example
 * import { openai } from "@ai-sdk/openai";
 * import { recallMiddleware } from "@recall/ai-sdk";
 * import { createCache } from "@recall/core";
 * import { generateText, wrapLanguageModel } from "ai";
 *
 * const cache = createCache();
 * const model = wrapLanguageModel({ model: openai("gpt-4.1"), middleware: recallMiddleware({ cache }) });
 * const { text, providerMetadata } = await generateText({ model, prompt: "Capital of France?" });
 * providerMetadata?.recall; // { status: "miss", cached: false, key: "…", stored: true }
 */
export function recallMiddleware(options: RecallMiddlewareOptions): LanguageModelV4Middleware {
  validate(options);
  const { cache } = options;
  const defaultPace = options.pace ?? "instant";

  async function lookup<T>(model: LanguageModelV4, params: LanguageModelV4CallOptions) {
    const where = "providerOptions.recall";
    const { call, extra } = parseCallOptions(params.providerOptions?.recall, {
      where,
      defaults: options.callOptions,
      extra: ["context", "pace"],
    });
    const pace = checkPace(extra.pace, `${where}.pace`) ?? defaultPace;
    const found = await cache.lookup<T>(toCacheRequest(model, params, extra.context), call);
    return { found, pace };
  }

  return {
    specificationVersion: "v4",

    async wrapGenerate({ doGenerate, params, model }): Promise<LanguageModelV4GenerateResult> {
      const { found } = await lookup<GenerateBody | StreamBody>(model, params);
      const cached = found.hit ? asGenerateBody(found.outcome.response.body) : undefined;
      if (found.hit && cached) {
        refreshStale(found.outcome, doGenerate, model.modelId);
        return replayGenerate(cached, summarize(found.outcome));
      }
      const ticket = found.hit ? notOurs(found.outcome) : found;
      const start = performance.now();
      let result: LanguageModelV4GenerateResult;
      try {
        result = await doGenerate();
      } catch (error) {
        // Within grace, the stale entry answers instead of the error.
        const stale = ticket.rescue(error);
        const body = stale && asGenerateBody(stale.response.body);
        if (stale && body) return replayGenerate(body, summarize(stale));
        throw error;
      }
      const ms = Math.round(performance.now() - start);
      const outcome = await ticket.commit(() => toGenerateResponse(result, model.modelId, ms));
      return { ...result, providerMetadata: withRecall(result.providerMetadata, summarize(outcome)) };
    },

    async wrapStream({ doStream, doGenerate, params, model }): Promise<LanguageModelV4StreamResult> {
      const { found, pace } = await lookup<GenerateBody | StreamBody>(model, params);
      const cached = found.hit ? asStreamBody(found.outcome.response.body) : undefined;
      if (found.hit && cached) {
        refreshStale(found.outcome, doGenerate, model.modelId);
        return { stream: replayStream(cached, summarize(found.outcome), pace, params.abortSignal) };
      }
      const ticket = found.hit ? notOurs(found.outcome) : found;
      const start = performance.now();
      let result: LanguageModelV4StreamResult;
      try {
        result = await doStream();
      } catch (error) {
        // Within grace, the stale entry is replayed instead of the error (a stream that fails once
        // started is the caller's to handle: its first parts are already out).
        const stale = ticket.rescue(error);
        const body = stale && asStreamBody(stale.response.body);
        if (stale && body) return { stream: replayStream(body, summarize(stale), pace, params.abortSignal) };
        throw error;
      }
      const stream = recordStream(result.stream, {
        ticket,
        start,
        signal: params.abortSignal,
        modelId: model.modelId,
      });
      return { ...result, stream };
    },
  };
}

/**
 * A stale hit (stale-while-revalidate): the engine's one background refresh, answered by a plain
 * `doGenerate` (a stream and a generate call share the entry), validated and stored by the engine.
 */
function refreshStale(
  outcome: CacheOutcome<GenerateBody | StreamBody>,
  doGenerate: () => PromiseLike<LanguageModelV4GenerateResult>,
  modelId: string,
): void {
  void outcome.refresh?.(async () => {
    const start = performance.now();
    const result = await doGenerate();
    return toGenerateResponse(result, modelId, Math.round(performance.now() - start));
  });
}

/** A hit on an entry this middleware cannot replay (another writer's, an older format): answered fresh, not stored. */
function notOurs(outcome: CacheOutcome) {
  return passThrough<GenerateBody | StreamBody>(
    outcome.namespace,
    "the cached entry is not a recorded AI SDK generate result or stream",
  );
}

function validate(options: RecallMiddlewareOptions): void {
  assertOption(typeof options === "object" && options !== null, "recallMiddleware needs options: { cache }");
  assertOption(
    typeof (options.cache as Partial<RecallCache> | undefined)?.lookup === "function",
    "recallMiddleware: `cache` must be a Recall cache (createCache(...) from @recall/core)",
  );
  checkPace(options.pace, "recallMiddleware: pace");
}
