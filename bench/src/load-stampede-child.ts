/**
 * One app instance of the stampede benchmark (run by `load-stampede.ts`, one process each): a cache
 * on the shared Redis store with the Redis lock and bus, semantic matching with the local embedder,
 * default timeouts. It keeps a background load of new questions going, and on the parent's word
 * fires a burst of identical cold requests at a given instant, counting its upstream calls.
 *
 * Messages from the parent: `load` (start the background load), `burst` (fire at `at`, epoch ms),
 * `stop` (end the load, close everything, exit). To the parent: `ready`, `burst-done`, `stopped`.
 */
import { createCache } from "@recall/core";
import { redisRecall } from "@recall/redis";
import { createLocalEmbedder } from "@recall/transformers";
import { linkToParent, untilInstant } from "./child-link.js";
import { ask, PHRASINGS, questionText } from "./load-questions.js";
import { fakeUpstream } from "./load-upstream.js";

export interface ChildConfig {
  index: number;
  redisUrl: string;
  prefix: string;
  /** Callers of the background load. */
  clients: number;
}

export type ToChild =
  | { type: "load" }
  | { type: "burst"; id: number; at: number; question: string; requests: number }
  | { type: "stop" };

export type FromChild =
  | { type: "ready"; loadMs: number }
  | {
      type: "burst-done";
      id: number;
      upstreamCalls: number;
      statuses: Record<string, number>;
      lateMs: number;
      /** The cache's errors by code while the burst ran (background load included). */
      errors: Record<string, number>;
    }
  | {
      type: "stopped";
      requests: number;
      upstreamCalls: number;
      errors: Record<string, number>;
      shed: number;
    };

const config = JSON.parse(process.argv[2]!) as ChildConfig;
// Never outlive the parent.
const send = linkToParent<FromChild>();

const started = performance.now();
const redis = redisRecall({
  url: config.redisUrl,
  storeNamespace: `${config.prefix}-entries`,
  lockKeyPrefix: `${config.prefix}-lock:`,
  channel: `${config.prefix}-bus`,
});
const embedder = createLocalEmbedder();
const cache = createCache({
  store: redis.store,
  lock: redis.lock,
  bus: redis.bus,
  keyPrefix: config.prefix,
  semantic: { embedder },
});
const errors: Record<string, number> = {};
let shed = 0;
cache.on("error", ({ error }) => {
  errors[error.code] = (errors[error.code] ?? 0) + 1;
});
cache.on("semantic-shed", () => shed++);
await embedder.load();
await cache.ready();
await embedder.embed(["warm up the model"]);

const background = fakeUpstream();
let requests = 0;
let stopping = false;
const loops: Array<Promise<void>> = [];
const loadLoop = async (client: number) => {
  // Intents of their own per process and caller: every question is new to the whole fleet.
  for (let n = 0; !stopping; n++) {
    const text = questionText(10_000_000 * (config.index + 1) + 100_000 * client + n, n % PHRASINGS);
    await cache.run(ask(text), () => background.call(text));
    requests++;
  }
};

const burst = async ({ id, at, question, requests: count }: Extract<ToChild, { type: "burst" }>) => {
  const lateMs = await untilInstant(at);
  const before = { ...errors };
  const upstream = fakeUpstream({ minMs: 200, maxMs: 200 });
  const outcomes = await Promise.all(
    Array.from({ length: count }, () => cache.run(ask(question), () => upstream.call(question))),
  );
  const statuses: Record<string, number> = {};
  for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
  const during: Record<string, number> = {};
  for (const [code, n] of Object.entries(errors))
    if (n > (before[code] ?? 0)) during[code] = n - (before[code] ?? 0);
  await send({ type: "burst-done", id, upstreamCalls: upstream.calls, statuses, lateMs, errors: during });
};

process.on("message", async (message: ToChild) => {
  if (message.type === "load") {
    for (let c = 0; c < config.clients; c++) loops.push(loadLoop(c));
  } else if (message.type === "burst") {
    void burst(message);
  } else if (message.type === "stop") {
    stopping = true;
    await Promise.all(loops);
    await send({ type: "stopped", requests, upstreamCalls: background.calls, errors, shed });
    await cache.close();
    await embedder.dispose();
    await redis.close();
    process.exit(0);
  }
});

await send({ type: "ready", loadMs: performance.now() - started });
