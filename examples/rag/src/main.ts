import { cachedEmbedder, createCache } from "@recall/core";
import { startMockOpenAI } from "@recall/mock-openai";
import { createLocalEmbedder } from "@recall/transformers";
import { type Answer, createAnswerer } from "./answer";
import { documents } from "./documents";
import { Retriever } from "./retriever";

const QUESTIONS = [
  "How do I reset my password?",
  "How much does the Pro plan cost?",
  "How do I export a note to PDF?",
  "Can I use Inkwell offline?",
];
const PARAPHRASE = "How can I reset my password?";

const upstream = await startMockOpenAI({ latencyMs: 400 });
const embedder = createLocalEmbedder();
console.log("Loading the local embedding model...");
await embedder.load();

// Each question is embedded once: the retriever and the cache share the vectors.
const sharedEmbedder = cachedEmbedder(embedder);
const retriever = new Retriever(sharedEmbedder);
await retriever.upsert(documents);
console.log(
  `Indexed ${documents.length} help-center articles; upstream: ${upstream.url} (400 ms per answer)\n`,
);

const cache = createCache({ semantic: { embedder: sharedEmbedder } });
const ask = createAnswerer({ cache, retriever, upstreamUrl: upstream.url });

async function phase(title: string, questions: string[]): Promise<void> {
  const before = upstream.count("chat");
  const answers: Answer[] = [];
  for (const q of questions) answers.push(await ask(q));
  console.log(`${title} (upstream calls: ${upstream.count("chat") - before})`);
  console.table(
    answers.map((a) => ({
      question: a.question,
      status: a.status,
      sources: a.sources.map((s) => `${s.id}@v${s.version}`).join(", "),
      "retrieval ms": Math.round(a.retrievalMs),
      "generation ms": Math.round(a.generationMs),
      "cost $": a.costUsd.toFixed(6),
      "saved $": a.savedUsd.toFixed(6),
    })),
  );
}

await phase("1. Cold cache", QUESTIONS);
await phase("2. Same questions, and a paraphrase", [...QUESTIONS, PARAPHRASE]);

const old = retriever.get("account-password")!;
await retriever.upsert([
  {
    ...old,
    version: old.version + 1,
    text: old.text.replace("works for 30 minutes", "works for 60 minutes and can be used once"),
  },
]);
console.log(`Edited "${old.title}" (account-password v${old.version} -> v${old.version + 1})\n`);

await phase("3. After the edit: only the answer that used account-password misses", QUESTIONS);
await phase("4. The paraphrase now matches the new answer (account-password@v2)", [PARAPHRASE]);

const first = await ask(QUESTIONS[0]!);
console.log(
  `A full answer (${first.status}):\n  ${first.text}\n  sources: ${first.sources.map((s) => s.title).join("; ")}`,
);

const stats = cache.stats.snapshot();
console.log("\nCache stats:", JSON.stringify(stats.namespaces, null, 0));
await embedder.dispose();
await upstream.close();
