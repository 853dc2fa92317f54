/**
 * The real local embedder (all-MiniLM-L6-v2 from @recall/transformers), with every question of the
 * stream embedded once up front (and kept under .bench/ by `embedAll`, so a second run does not
 * embed again): the six configurations then look up the same vectors, and a lookup costs no model
 * time. A text not embedded up front is embedded on the spot.
 */
import type { Embedder } from "@recall/core";
import { normalizeText } from "@recall/core/adapter";
import { createLocalEmbedder } from "@recall/transformers";
import { embedAll } from "../real-vectors.js";

export interface StreamEmbedder {
  embedder: Embedder;
  dispose(): Promise<void>;
}

export async function streamEmbedder(
  root: string,
  questions: string[],
  progress: (message: string) => void,
): Promise<StreamEmbedder> {
  const local = createLocalEmbedder({ onProgress: (m) => progress(`model: ${m}`) });
  await local.load();
  // The cache embeds the question as it normalizes it.
  const texts = [...new Set(questions.map((q) => normalizeText(q)))];
  const vectors = await embedAll(root, local, texts, progress);
  const known = new Map(texts.map((t, i) => [t, vectors[i]!]));
  const embedder: Embedder = {
    id: local.id,
    dimensions: local.dimensions,
    local: true,
    ...(local.unrepresented ? { unrepresented: (batch: string[]) => local.unrepresented!(batch) } : {}),
    embed: async (batch, options) => {
      const missing = batch.filter((t) => !known.has(t));
      if (missing.length > 0) {
        const fresh = await local.embed(missing, options);
        missing.forEach((t, i) => {
          known.set(t, fresh[i]!);
        });
      }
      return batch.map((t) => known.get(t)!);
    },
  };
  return { embedder, dispose: () => local.dispose() };
}
