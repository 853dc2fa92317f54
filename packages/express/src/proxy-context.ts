import type { RecallCache } from "@recall/core";
import type { RequestCacheOptions } from "./call-options.js";
import type { UpstreamConfig } from "./upstream.js";

/** What the proxy's route handlers share. */
export interface ProxyContext {
  cache: RecallCache;
  upstream: UpstreamConfig;
  provider: string;
  streamUsage: boolean;
  requestOptions: RequestCacheOptions;
}
