import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Middleware,
  LanguageModelV4StreamResult,
} from "@ai-sdk/provider";
import {
  type CallOptions,
  errorCodes,
  type Lookup,
  type LookupMiss,
  type RecallCache,
  RecallError,
} from "@recall/core";
import { isPace, type ReplayPace, readRecallOptions } from "./call-options.js";
import { commitFresh } from "./commit.js";
import { type GenerateBody, isGenerateBody, replayGenerate, toGenerateResponse } from "./generate.js";
import { recallMetadata, withRecall } from "./provider-metadata.js";
import { isStreamBody, replayStream } from "./replay.js";
import { recordStream, type StreamBody, type StreamTicket } from "./stream.js";
import { type CallKind, toCacheRequest } from "./to-request.js";

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
 * coalesced into one model call.
 *
 * @example
 * const model = wrapLanguageModel({ model: openai("gpt-4.1"), middleware: recallMiddleware({ cache }) });
 */
export function recallMiddleware(options: RecallMiddlewareOptions): LanguageModelV4Middleware {
  validate(options);
  const { cache } = options;
  const defaultPace = options.pace ?? "instant";

  async function lookup<T>(model: LanguageModelV4, params: LanguageModelV4CallOptions, kind: CallKind) {
    const read = readRecallOptions(params, options.callOptions);
    const request = toCacheRequest(model, params, kind, read.context);
    let found: Lookup<T> | undefined;
    try {
      found = await cache.lookup<T>(request, read.call);
    } catch {
      // The engine reports its own faults; should one escape, the call goes on uncached.
      found = undefined;
    }
    return { found, pace: read.pace ?? defaultPace };
  }

  return {
    specificationVersion: "v4",

    async wrapGenerate({ doGenerate, params, model }): Promise<LanguageModelV4GenerateResult> {
      const { found } = await lookup<GenerateBody>(model, params, "generate");
      if (found?.hit && isGenerateBody(found.outcome.response.body)) {
        return replayGenerate(found.outcome.response.body, recallMetadata(found.outcome));
      }
      const ticket = found && !found.hit ? found : uncached<GenerateBody>();
      let result: LanguageModelV4GenerateResult;
      try {
        result = await doGenerate();
      } catch (error) {
        ticket.fail();
        throw error;
      }
      const meta = await commitFresh(ticket, () => toGenerateResponse(result, model.modelId));
      return { ...result, providerMetadata: withRecall(result.providerMetadata, meta) };
    },

    async wrapStream({ doStream, params, model }): Promise<LanguageModelV4StreamResult> {
      const { found, pace } = await lookup<StreamBody>(model, params, "stream");
      if (found?.hit && isStreamBody(found.outcome.response.body)) {
        return {
          stream: replayStream(
            found.outcome.response.body,
            recallMetadata(found.outcome),
            pace,
            params.abortSignal,
          ),
        };
      }
      const ticket: StreamTicket = found && !found.hit ? found : uncached<StreamBody>();
      const start = performance.now();
      let result: LanguageModelV4StreamResult;
      try {
        result = await doStream();
      } catch (error) {
        ticket.fail();
        throw error;
      }
      return {
        ...result,
        stream: recordStream(result.stream, {
          ticket,
          start,
          signal: params.abortSignal,
          modelId: model.modelId,
        }),
      };
    },
  };
}

/**
 * The ticket of a call the cache could not serve (the engine failed unexpectedly, or an entry was
 * unreadable): the model answers, nothing is stored, the status says bypass.
 */
function uncached<T>(): LookupMiss<T> {
  return {
    hit: false,
    status: "bypass",
    key: "",
    namespace: "",
    commit: async (response) => ({ status: "bypass", response, key: "", namespace: "", stored: false }),
    fail: () => {},
  };
}

function validate(options: RecallMiddlewareOptions): void {
  const invalid = (message: string) => new RecallError(errorCodes.INVALID_OPTION, message);
  if (typeof options !== "object" || options === null)
    throw invalid("recallMiddleware needs options: { cache }");
  const cache = options.cache as Partial<RecallCache> | undefined;
  if (typeof cache?.lookup !== "function") {
    throw invalid("recallMiddleware: `cache` must be a Recall cache (createCache(...) from @recall/core)");
  }
  if (options.pace !== undefined && !isPace(options.pace)) {
    throw invalid(
      `recallMiddleware: pace must be "instant", "original" or a positive speed factor, got ${JSON.stringify(options.pace)}`,
    );
  }
}
