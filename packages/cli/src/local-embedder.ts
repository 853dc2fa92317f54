import { type Embedder, errorCodes, RecallError } from "@recall/core";
import { isMissingModule } from "@recall/core/adapter";

/** What `recall calibrate` uses of `@recall/transformers`. */
export interface TransformersModule {
  createLocalEmbedder(options: { onProgress?: (message: string) => void }): Embedder;
}

const PACKAGE = "@recall/transformers";

/**
 * The local all-MiniLM-L6-v2 from `@recall/transformers`, an optional peer dependency imported only
 * here, so installing `@recall/cli` pulls in no ONNX runtime and no model weights for users who
 * calibrate with their own embedder (`CliIO.embedder`). Rejects with `RECALL_MISSING_DEPENDENCY`,
 * saying what to install, when the package is missing.
 *
 * @example
 * const embedder = await loadLocalEmbedder((m) => console.error(`model: ${m}`));
 */
export async function loadLocalEmbedder(
  onProgress: (message: string) => void,
  importer: () => Promise<TransformersModule> = () => import("@recall/transformers"),
): Promise<Embedder> {
  let transformers: TransformersModule;
  try {
    transformers = await importer();
  } catch (cause) {
    if (!isMissingModule(cause, PACKAGE)) throw cause;
    throw new RecallError(
      errorCodes.MISSING_DEPENDENCY,
      `the local embedder needs ${PACKAGE}, an optional peer dependency of @recall/cli: npm install ${PACKAGE} @huggingface/transformers (or give runCalibrate your own embedder)`,
      { cause },
    );
  }
  return transformers.createLocalEmbedder({ onProgress });
}
