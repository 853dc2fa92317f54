/**
 * One process of the stampede over processes (run by `stampede-processes.ts`, one process each):
 * one cache on the shared Redis, set up as in `generic-engines.ts` (bentocache, cacheable) or as in
 * `load-stampede-child.ts` without semantic matching (Recall: the Keyv Redis store and the Redis
 * lock), and on the parent's word a burst of identical cold get-or-set calls at a given instant,
 * whose upstream INCRs a Redis counter and takes 100 ms.
 *
 * Messages from the parent: `burst` (fire at `at`, epoch ms), `stop` (close everything, exit). To
 * the parent: `ready`, `burst-done`, `stopped`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import KeyvRedis from "@keyv/redis";
import { type CacheResponse, createCache } from "@recall/core";
import { createRedisLock } from "@recall/redis";
import { Cacheable } from "cacheable";
import Keyv from "keyv";
import { createClient } from "redis";
import { request, response } from "../../../packages/core/bench/exact-workload.js";
import { linkToParent, untilInstant } from "../child-link.js";
import { bentoRedis, keyOf } from "./generic-engines.js";

export type StampedePeer = "bentocache" | "cacheable" | "recall";

export interface PeerChildConfig {
  peer: StampedePeer;
  index: number;
  redisUrl: string;
  /** Every key the process writes starts with it. */
  prefix: string;
}

export type ToPeerChild =
  | { type: "burst"; id: number; at: number; entry: number; counter: string; requests: number }
  | { type: "stop" };

export type FromPeerChild =
  | { type: "ready" }
  | { type: "burst-done"; id: number; upstreamCalls: number; lateMs: number }
  | { type: "stopped" };

type Upstream = () => Promise<CacheResponse>;

interface Engine {
  getOrSet(entry: number, upstream: Upstream): Promise<unknown>;
  close(): Promise<void>;
}

function engine({ peer, redisUrl, prefix }: PeerChildConfig): Engine {
  if (peer === "bentocache") {
    const bento = bentoRedis(`${prefix}-bento`);
    return {
      getOrSet: (i, upstream) => bento.getOrSet({ key: keyOf(i), factory: upstream }),
      close: () => bento.disconnectAll(),
    };
  }
  if (peer === "cacheable") {
    // Its README's layered setup: the in-memory primary, @keyv/redis as the secondary.
    const cacheable = new Cacheable({ secondary: new KeyvRedis(redisUrl), namespace: `${prefix}-cacheable` });
    return {
      getOrSet: (i, upstream) => cacheable.getOrSet(keyOf(i), upstream),
      close: () => cacheable.disconnect(),
    };
  }
  const store = new Keyv({ store: new KeyvRedis(redisUrl), namespace: `${prefix}-recall` });
  const lock = createRedisLock({ url: redisUrl, keyPrefix: `${prefix}-lock:` });
  const cache = createCache({ store, lock });
  return {
    getOrSet: (i, upstream) => cache.run(request(i), upstream),
    async close() {
      await cache.close();
      await lock.close();
      await store.disconnect();
    },
  };
}

const config = JSON.parse(process.argv[2]!) as PeerChildConfig;
// Never outlive the parent.
const send = linkToParent<FromPeerChild>();

const counter = createClient({ url: config.redisUrl });
await counter.connect();
const cache = engine(config);
// Connections open before the first burst: one get-or-set of an entry of this process's own.
await cache.getOrSet(5_000_000 + config.index, async () => response);

const burst = async ({ id, at, entry, counter: key, requests }: Extract<ToPeerChild, { type: "burst" }>) => {
  let upstreamCalls = 0;
  const upstream: Upstream = async () => {
    upstreamCalls++;
    await counter.incr(key);
    await sleep(100);
    return response;
  };
  const lateMs = await untilInstant(at);
  await Promise.all(Array.from({ length: requests }, () => cache.getOrSet(entry, upstream)));
  await send({ type: "burst-done", id, upstreamCalls, lateMs });
};

process.on("message", async (message: ToPeerChild) => {
  if (message.type === "burst") void burst(message);
  else if (message.type === "stop") {
    await cache.close();
    await counter.quit();
    await send({ type: "stopped" });
    process.exit(0);
  }
});

await send({ type: "ready" });
