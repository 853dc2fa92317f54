import { type CallOptions, errorCodes, RecallCache, RecallError } from "@recall/core";
import type { HitUsage } from "./status.js";

/** Options shared by `RecallLangChainCache` and `withRecall`. */
export interface RecallLangChainOptions extends CallOptions {
  /** Usage metadata of a hit: the original call's tokens (default) or zero. See `HitUsage`. */
  hitUsage?: HitUsage;
  /**
   * Called when the adapter itself could not cache a call (e.g. parameters it cannot read). The
   * call goes on uncached. Default: one warning per distinct message on the console.
   */
  onError?: (error: RecallError) => void;
}

export function assertCache(cache: unknown): asserts cache is RecallCache {
  const ok =
    cache instanceof RecallCache ||
    (typeof cache === "object" &&
      cache !== null &&
      typeof (cache as RecallCache).lookup === "function" &&
      typeof (cache as RecallCache).run === "function");
  if (!ok)
    throw new RecallError(
      errorCodes.INVALID_OPTION,
      "cache must be a Recall cache: createCache(...) from @recall/core",
    );
}

export function assertOptions(options: RecallLangChainOptions): void {
  if (typeof options !== "object" || options === null)
    throw new RecallError(errorCodes.INVALID_OPTION, "options must be an object");
  if (options.hitUsage !== undefined && options.hitUsage !== "original" && options.hitUsage !== "zero") {
    throw new RecallError(
      errorCodes.INVALID_OPTION,
      `hitUsage must be "original" or "zero", got ${JSON.stringify(options.hitUsage)}`,
    );
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new RecallError(errorCodes.INVALID_OPTION, "onError must be a function");
  }
}

/** The usage metadata a hit reports: `original` unless the options say otherwise. */
export function hitUsageOf(options: RecallLangChainOptions): HitUsage {
  return options.hitUsage ?? "original";
}

/** The per-call options for the core: the adapter's defaults under the call's own. */
export function callOptionsOf(options: RecallLangChainOptions, perCall?: CallOptions): CallOptions {
  const { hitUsage: _h, onError: _e, ...defaults } = options;
  return perCall ? { ...defaults, ...perCall } : defaults;
}

const warned = new Set<string>();

export function reporter(options: RecallLangChainOptions): (message: string, cause?: unknown) => void {
  return (message, cause) => {
    const error = new RecallError(
      errorCodes.INVALID_REQUEST,
      `${message}${cause instanceof Error ? `: ${cause.message}` : ""}`,
      { cause },
    );
    if (options.onError) {
      try {
        options.onError(error);
      } catch {
        // A listener's bug must not fail an LLM call.
      }
    } else if (!warned.has(error.message)) {
      warned.add(error.message);
      console.warn(`${error.message} (the call went on uncached)`);
    }
  };
}
