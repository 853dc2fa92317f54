export type { Embedder } from "@recall/core";
export type { Backend } from "./backend.js";
export type { LocalEmbedder, LocalEmbedderOptions } from "./local-embedder.js";
export { createLocalEmbedder } from "./local-embedder.js";
export type { BuildModelOptions, BuiltModel } from "./model-build/build-model.js";
export { ensureModel, LOCAL_MODEL_NAME } from "./model-build/build-model.js";
export { defaultModelDir } from "./model-build/model-dir.js";
