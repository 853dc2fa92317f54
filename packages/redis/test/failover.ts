/**
 * A primary of a Redis Cluster killed under steady traffic, shared by the failover test and the
 * `cluster` bench suite: how many calls failed (goal 0: each returns the upstream's or the cached
 * answer), and, once the cluster and the clients have settled on the new primary, how many upstream
 * calls a burst of identical cold requests over two instances makes (goal 1).
 */
import { type CacheRequest, type CacheResponse, createCache, type RecallCache } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { type RedisRecall, redisRecall } from "../src/index.js";
import { clusterCommand, clusterNodes, clusterRoles, killNode, untilClusterOk } from "./cluster.js";

export interface FailoverOptions {
  /** First port of a cluster of its own (the primary killed is one of its nodes). */
  base: number;
  /** Calls of the steady traffic. Default 200. */
  calls?: number;
  /** Identical cold requests in the burst after the failover. Default 50. */
  burst?: number;
  progress?: (message: string) => void;
}

export interface FailoverResult {
  /** Port of the primary killed. */
  killedPort: number;
  calls: number;
  /** Calls that rejected or answered something else than the upstream's answer to their question. */
  failedCalls: number;
  /** Of the steady calls, how many were answered from the cache. */
  hits: number;
  /** From the kill until every live node saw a replica take over and said cluster_state:ok. */
  failoverMs: number;
  /** From cluster_state:ok until both instances read and wrote every probe key again. */
  recoveredMs: number;
  /** Upstream calls of the burst of identical cold requests after the failover (goal 1). */
  burstUpstreamCalls: number;
  burst: number;
  /** Error events the caches reported (misses that were not failures of the call). */
  cacheErrors: number;
  /** Whether, after the failover, a paraphrase stored by each instance was matched by the other (the bus). */
  busAfterFailover: boolean;
  /** `caught-up` events: an instance whose bus listened on the killed primary re-read the entries. */
  caughtUp: number;
}

/** Asked after the failover, one wording per instance: each must match the other's through the bus. */
const PARAPHRASES = [
  ["How do I rotate my API key?", "How can I rotate my API key?"],
  ["Where do I download my invoices?", "Where can I download my invoices?"],
];

const ask = (question: string): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1-mini" },
  messages: [{ role: "user", content: question }],
});
const reply = (text: string): CacheResponse => ({
  body: { text },
  text,
  finishReason: "stop",
  usage: { inputTokens: 10, outputTokens: 5 },
});
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runFailover(options: FailoverOptions): Promise<FailoverResult> {
  const { base } = options;
  const total = options.calls ?? 200;
  const burst = options.burst ?? 50;
  const progress = options.progress ?? (() => {});
  const prefix = `recall-failover:${Math.random().toString(36).slice(2, 8)}`;
  const opened: RedisRecall[] = [];
  const caches: RecallCache[] = [];
  let cacheErrors = 0;
  let caughtUp = 0;
  const embedder = fakeEmbedder({ synonyms: PARAPHRASES });
  const instance = () => {
    const redis = redisRecall({
      cluster: { rootNodes: clusterNodes(base) },
      storeNamespace: `${prefix}:entries`,
      lockKeyPrefix: `${prefix}:lock:`,
      channel: `${prefix}:bus`,
    });
    opened.push(redis);
    const cache = createCache({
      store: redis.store,
      lock: redis.lock,
      bus: redis.bus,
      waitTimeoutMs: 2_000,
      semantic: { embedder, threshold: 0.95 },
    });
    cache.on("error", () => cacheErrors++);
    cache.on("caught-up", () => caughtUp++);
    caches.push(cache);
    return cache;
  };
  try {
    const [a, b] = [instance(), instance()];
    await Promise.all([a.ready(), b.ready()]);
    const upstream = (question: string) => async () => {
      await sleep(5);
      return reply(`answer to ${question}`);
    };

    // Steady traffic: 4 workers, 40 questions (over every primary's slots), a call every ~20 ms each.
    let failedCalls = 0;
    let hits = 0;
    let done = 0;
    const worker = async (w: number) => {
      for (let i = w; i < total; i += 4) {
        const question = `steady question ${i % 40}`;
        const cache = i % 2 === 0 ? a : b;
        try {
          const outcome = await cache.run(ask(question), upstream(question));
          if (outcome.response.text !== `answer to ${question}`) failedCalls++;
          if (outcome.status === "hit" || outcome.status === "coalesced") hits++;
        } catch {
          failedCalls++;
        }
        done++;
        await sleep(20);
      }
    };
    const ports = clusterNodes(base).map((url) => Number(url.split(":").pop()));
    // The primary killed is one an instance's bus listens on (`PUBSUB NUMSUB` counts a node's own
    // subscribers): the bus must move its subscription, not only the commands.
    const primaries = (await clusterRoles(base)).filter((r) => r.primary && r.slots && !r.failed);
    const listeners = await Promise.all(
      primaries.map(async (p) => {
        const reply = await clusterCommand(p.port, ["PUBSUB", "NUMSUB", `${prefix}:bus`], true);
        return Number((reply as unknown[] | undefined)?.[1] ?? 0);
      }),
    );
    const victim = primaries[listeners.findIndex((n) => n > 0)] ?? primaries[0];
    if (!victim) throw new Error(`no live primary in the cluster on ${base}`);
    const traffic = Promise.all([0, 1, 2, 3].map(worker));
    while (done < total / 4) await sleep(5);
    progress(`${done} calls done: killing primary 127.0.0.1:${victim.port}`);
    killNode(victim.port, base);
    const killedAt = Date.now();
    const live = ports.filter((p) => p !== victim.port);
    const ok = untilClusterOk(live, 30_000, victim.port).then((settled) => ({ settled, at: Date.now() }));
    await traffic;
    const { settled, at } = await ok;
    if (!settled) throw new Error("the cluster did not fail over within 30 s");
    const failoverMs = at - killedAt;
    progress(`${total} calls, ${failedCalls} failed; a replica took over ${failoverMs} ms after the kill`);

    // Settled: both instances write and read back keys on every primary (the clients found the new one).
    let round = 0;
    const works = async (cache: RecallCache) => {
      round++;
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, async (_, k) => {
          const question = `probe ${round} ${k}`;
          await cache.run(ask(question), upstream(question));
          return (await cache.run(ask(question), upstream(question))).status === "hit";
        }),
      );
      return outcomes.every(Boolean);
    };
    const end = Date.now() + 15_000;
    while (!((await works(a)) && (await works(b)))) {
      if (Date.now() > end) throw new Error("the clients did not recover within 15 s of cluster_state:ok");
      await sleep(100);
    }
    const recoveredMs = Date.now() - at;
    // The store's breaker may still be cooling down from the failover's errors: let it close.
    await sleep(1_100);

    // The bus still carries new entries both ways (each instance stores one wording, the other
    // matches the paraphrase).
    const [[aAsks, bMatches], [bAsks, aMatches]] = PARAPHRASES as [[string, string], [string, string]];
    await a.run(ask(aAsks), upstream(aAsks));
    await b.run(ask(bAsks), upstream(bAsks));
    const matched = (cache: RecallCache, question: string, original: string) => async () => {
      const outcome = await cache.run(ask(question), upstream(question));
      if (outcome.status === "semantic-hit") return outcome.response.text === `answer to ${original}`;
      // A miss stored this wording as its own entry: delete it so that the next try asks again.
      await cache.delete(outcome.key);
      return false;
    };
    let busAfterFailover = false;
    const busEnd = Date.now() + 5_000;
    while (!busAfterFailover && Date.now() < busEnd) {
      busAfterFailover = (await matched(b, bMatches, aAsks)()) && (await matched(a, aMatches, bAsks)());
      if (!busAfterFailover) await sleep(100);
    }
    progress(
      `bus after the failover: ${busAfterFailover ? "delivers" : "silent"}; caught-up events: ${caughtUp}`,
    );

    // A burst of identical cold requests over both instances: one upstream call.
    let burstUpstreamCalls = 0;
    const question = `burst after failover ${Math.random()}`;
    const slow = async () => {
      burstUpstreamCalls++;
      await sleep(50);
      return reply(`answer to ${question}`);
    };
    const outcomes = await Promise.all(
      Array.from({ length: burst }, (_, i) => (i % 2 === 0 ? a : b).run(ask(question), slow)),
    );
    failedCalls += outcomes.filter((o) => o.response.text !== `answer to ${question}`).length;
    progress(`burst of ${burst}: ${burstUpstreamCalls} upstream call(s)`);
    return {
      killedPort: victim.port,
      calls: total,
      failedCalls,
      hits,
      failoverMs,
      recoveredMs,
      burstUpstreamCalls,
      burst,
      cacheErrors,
      busAfterFailover,
      caughtUp,
    };
  } finally {
    for (const c of caches) await c.close();
    for (const r of opened) await r.close();
  }
}
