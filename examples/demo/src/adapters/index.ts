import { coreAdapter } from "./core.js";
import type { AdapterFactory } from "./types.js";

/** The ways the demo can reach Recall: the engine itself, or one of the adapters. */
export const adapters: Record<string, AdapterFactory> = {
  core: coreAdapter,
};
