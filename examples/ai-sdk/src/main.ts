/**
 * Recall as an AI SDK middleware, end to end and offline:
 *   pnpm --filter @recall/example-ai-sdk start
 *
 * It starts a local OpenAI-compatible server (with realistic latency), points the real
 * `@ai-sdk/openai` provider at it, wraps the model with `recallMiddleware`, and shows a miss, an
 * exact hit, a paraphrase answered by meaning, a question that must not hit, a streamed answer
 * replayed, per-call control, and a multi-step tool loop replayed — with what each saved.
 */
import { parseArgs } from "node:util";
import { createOpenAI } from "@ai-sdk/openai";
import { aiSdkEmbedder, type RecallMetadata, recallMiddleware } from "@recall/ai-sdk";
import { createCache, type Embedder } from "@recall/core";
import { startMockOpenAI } from "@recall/mock-openai";
import { createLocalEmbedder } from "@recall/transformers";
import { generateText, stepCountIs, streamText, tool, wrapLanguageModel } from "ai";
import { z } from "zod";

const USAGE = `Usage: pnpm --filter @recall/example-ai-sdk start [-- --provider-embeddings] [--budget-ms N]
  --provider-embeddings   embed with the provider's embedding model (aiSdkEmbedder) instead of
                          the local all-MiniLM-L6-v2
  --budget-ms N           how long a lookup waits for its question's vector (semantic.budgetMs;
                          default 50 ms locally, 2 s for a provider's model)`;

/** The command line; an unknown flag exits 2 naming it. */
function commandLine() {
  const argv = process.argv.slice(2);
  try {
    return parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : argv,
      strict: true,
      options: {
        "provider-embeddings": { type: "boolean", default: false },
        "budget-ms": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    if (!String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS_")) throw error;
    console.error(`${(error as Error).message.split(/\.\s|\n/)[0]}\n${USAGE}`);
    process.exit(2);
  }
}

const args = commandLine();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const useProviderEmbeddings = args["provider-embeddings"];
const budgetMs = args["budget-ms"] === undefined ? undefined : Number(args["budget-ms"]);
if (budgetMs !== undefined && !(budgetMs > 0)) {
  console.error(`--budget-ms must be a positive number of milliseconds\n${USAGE}`);
  process.exit(2);
}
const say = (line = "") => process.stdout.write(`${line}\n`);
const ms = (t0: number) => `${Math.round(performance.now() - t0)} ms`;
const recall = (metadata: unknown) => (metadata as { recall?: RecallMetadata } | undefined)?.recall;
const clip = (text: string, n = 90) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

function describe(meta: RecallMetadata | undefined): string {
  if (!meta) return "no recall metadata";
  const parts: string[] = [meta.status];
  if (meta.similarity !== undefined)
    parts.push(`similarity ${meta.similarity.toFixed(3)} to "${meta.matchedQuestion}"`);
  if (meta.saved)
    parts.push(
      `saved ${meta.saved.inputTokens}+${meta.saved.outputTokens} tokens, $${meta.saved.usd.toFixed(6)}`,
    );
  if (meta.stored !== undefined)
    parts.push(
      meta.stored ? "stored" : `not stored${meta.rejectedBecause ? ` (${meta.rejectedBecause})` : ""}`,
    );
  return parts.join(", ");
}

// 1. A local OpenAI-compatible server: 300 ms to the first token, then 60 tokens/s.
const server = await startMockOpenAI({ latencyMs: 300, tokensPerSecond: 60 });
const openai = createOpenAI({ baseURL: server.url, apiKey: "sk-local-example" });
say(`Local OpenAI-compatible server at ${server.url} (300 ms to first token, 60 tokens/s)`);

// 2. The cache, matching paraphrases by meaning.
let embedder: Embedder;
if (useProviderEmbeddings) {
  // Any AI SDK embedding model works; the local server's embeddings share words, not meaning.
  embedder = aiSdkEmbedder(openai.embedding("text-embedding-3-small"));
  say("Embeddings: openai.embedding('text-embedding-3-small') through aiSdkEmbedder");
} else {
  const local = createLocalEmbedder();
  const t0 = performance.now();
  await local.load();
  embedder = local;
  say(`Embeddings: local all-MiniLM-L6-v2, offline (loaded in ${ms(t0)})`);
}
const cache = createCache({ semantic: { embedder, ...(budgetMs ? { budgetMs } : {}) } });
cache.on("error", (e) => process.stderr.write(`recall error: ${e.error.message}\n`));

// 3. The model, wrapped: this line is all an app changes.
const model = wrapLanguageModel({
  model: openai.chat("gpt-4.1-mini"),
  middleware: recallMiddleware({ cache }),
});
const system = "You are the support assistant of Acme Cloud. Answer briefly.";

async function ask(title: string, prompt: string, providerOptions?: Record<string, never>) {
  const t0 = performance.now();
  const result = await generateText({
    model,
    system,
    prompt,
    ...(providerOptions ? { providerOptions } : {}),
  });
  say(`  ${title.padEnd(14)} ${ms(t0).padStart(7)}  "${prompt}"`);
  say(`  ${"".padEnd(14)} ${"".padStart(7)}  -> ${describe(recall(result.providerMetadata))}`);
  say(`  ${"".padEnd(14)} ${"".padStart(7)}     ${clip(result.text)}`);
}

say("\ngenerateText");
await ask("first ask", "How do I reset my password?");
await ask("repeat", "How do I reset my password?");
await ask("paraphrase", "How can I reset my password?");
await ask("other question", "How do I delete my account?");
await ask("noCache", "How do I reset my password?", { recall: { noCache: true } } as never);

say("\nstreamText");
for (const [title, pace] of [
  ["first stream", undefined],
  ["replay", undefined],
  ["paced replay", "original"],
] as const) {
  const t0 = performance.now();
  let first = 0;
  const result = streamText({
    model,
    system,
    prompt: "Which regions does Acme Cloud run in?",
    ...(pace ? { providerOptions: { recall: { pace } } } : {}),
  });
  let text = "";
  for await (const chunk of result.textStream) {
    first ||= performance.now() - t0;
    text += chunk;
  }
  say(`  ${title.padEnd(14)} first text after ${Math.round(first)} ms, end after ${ms(t0)}`);
  say(`  ${"".padEnd(14)} -> ${describe(recall(await result.providerMetadata))}`);
  say(`  ${"".padEnd(14)}    ${clip(text)}`);
}

say("\nA multi-step tool loop on the Responses API: openai('gpt-4.1')");
const agent = wrapLanguageModel({ model: openai("gpt-4.1"), middleware: recallMiddleware({ cache }) });
const tools = {
  orderStatus: tool({
    description: "Looks up the status of an order by its id",
    inputSchema: z.object({ orderId: z.string() }),
    execute: async ({ orderId }) => ({ orderId, status: "shipped", eta: "tomorrow" }),
  }),
};
for (const title of ["first run", "second run"]) {
  const before = server.count("responses");
  const t0 = performance.now();
  const result = await generateText({
    model: agent,
    tools,
    stopWhen: stepCountIs(4),
    prompt: "Where is my order A-1042?",
  });
  const statuses = result.steps.map((s) => recall(s.providerMetadata)?.status).join(", ");
  say(
    `  ${title.padEnd(14)} ${ms(t0).padStart(7)}  ${result.steps.length} steps (${statuses}), ${server.count("responses") - before} upstream requests`,
  );
}

const stats = cache.stats.snapshot().total;
say("\nTotals");
say(
  `  upstream requests: ${server.count("chat") + server.count("responses")} (chat ${server.count("chat")}, responses ${server.count("responses")})`,
);
say(`  cache: ${stats.hits} hits, ${stats.semanticHits} semantic hits, ${stats.misses} misses`);
say(
  `  saved: ${stats.saved.inputTokens} input + ${stats.saved.outputTokens} output tokens, $${stats.saved.usd.toFixed(6)}`,
);

await server.close();
if (!useProviderEmbeddings) await (embedder as { dispose?: () => Promise<void> }).dispose?.();
