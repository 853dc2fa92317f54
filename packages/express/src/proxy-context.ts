import type { KeyObject } from "node:crypto";
import type { RecallCache } from "@recall/core";
import type { RequestCacheOptions } from "./call-options.js";
import type { UpstreamConfig } from "./upstream.js";

/** What the proxy's route handlers share. */
export interface ProxyContext {
  cache: RecallCache;
  upstream: UpstreamConfig;
  provider: string;
  streamUsage: boolean;
  /**
   * Set when client keys are forwarded (no `apiKey`): the HMAC key that scopes each entry to the
   * caller's credential (`requestScope`).
   */
  credentialKey?: KeyObject;
  requestOptions: RequestCacheOptions;
}
