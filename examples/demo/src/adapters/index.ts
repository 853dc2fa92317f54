import { aiSdkAdapter } from "./ai-sdk.js";
import { coreAdapter } from "./core.js";
import { expressAdapter } from "./express.js";
import { langchainAdapter } from "./langchain.js";
import type { AdapterFactory } from "./types.js";

/** The ways the demo can reach Recall: the engine itself, or one of the adapters. */
export const adapters: Record<string, AdapterFactory> = {
  core: coreAdapter,
  "ai-sdk": aiSdkAdapter,
  langchain: langchainAdapter,
  express: expressAdapter,
};
