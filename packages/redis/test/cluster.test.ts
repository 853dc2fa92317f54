/**
 * Store, lock and bus on a real Redis Cluster (3 primaries, 3 replicas on 7100-7105, started by
 * test/cluster.sh; `.ci/run` does it in CI). Skipped with a message when no cluster runs here, except
 * in CI. The failover test is in cluster-failover.test.ts, on a cluster of its own.
 */
import { createCluster } from "@keyv/redis";
import { type BusMessage, createCache, errorCodes, type RecallCache, RecallError } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { busSuite, lockSuite, storeSuite } from "@recall/test-suite";
import { afterAll, describe, expect, it } from "vitest";
import {
  createRedisBus,
  createRedisLock,
  createRedisStore,
  failFastClusterOptions,
  type RedisRecall,
  redisRecall,
} from "../src/index.js";
import { clusterIsUp, clusterNodes, clusterRoles, clusterSkipReason } from "./cluster.js";
import { answer, request, sleep, uniquePrefix, until } from "./helpers.js";

const skip = await clusterSkipReason();
if (skip) console.warn(skip);
const nodes = clusterNodes();
const prefix = uniquePrefix();

/** A plain cluster client, to look at what the cache wrote. */
async function rawCluster() {
  const cluster = createCluster(failFastClusterOptions(nodes));
  cluster.on("error", () => {});
  await cluster.connect();
  return cluster;
}

/** How many keys matching `pattern` each primary holds, by port. */
async function keysPerPrimary(pattern: string): Promise<Map<number, number>> {
  const cluster = await rawCluster();
  const counts = new Map<number, number>();
  try {
    for (const master of cluster.masters) {
      const client = await cluster.nodeClient(master);
      let n = 0;
      for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 500 })) n += keys.length;
      counts.set(master.port, n);
    }
  } finally {
    cluster.destroy();
  }
  return counts;
}

it.runIf(process.env.CI === "true")(
  "has a Redis Cluster to test against in CI (.ci/run starts it)",
  async () => {
    expect(await clusterIsUp(), `no Redis Cluster answers cluster_state:ok at ${nodes[0]}`).toBe(true);
  },
);

describe("Redis Cluster options", () => {
  const bad: Array<[string, Record<string, unknown>]> = [
    ["no root node", { cluster: { rootNodes: [] } }],
    ["a root node that is not a url", { cluster: { rootNodes: ["127.0.0.1:7100"] } }],
    ["rootNodes missing", { cluster: {} }],
    ["url and cluster both", { url: "redis://127.0.0.1:6379", cluster: { rootNodes: nodes } }],
  ];
  for (const [what, options] of bad) {
    it(`refuses ${what} with INVALID_OPTION`, () => {
      for (const factory of [redisRecall, createRedisLock, createRedisBus] as Array<(o: never) => unknown>) {
        let error: unknown;
        try {
          factory(options as never);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RecallError);
        expect((error as RecallError).code).toBe(errorCodes.INVALID_OPTION);
        expect((error as RecallError).message).toMatch(/cluster|one of client, url/);
      }
    });
  }
});

describe("createRedisBus on a cluster client, its channel's node down", () => {
  it("publishes through another node rather than not at all", async () => {
    const sent: Array<string | undefined> = [];
    // A cluster client whose node for the channel's slot is down: keyed commands fail at once.
    const client = {
      isOpen: true,
      masters: [{ address: "127.0.0.1:1" }],
      slots: [],
      connect: async () => {},
      sendCommand: async (key: string | undefined) => {
        sent.push(key);
        if (key !== undefined) throw new Error("The client is closed");
        return 1;
      },
      duplicate: () => client,
      subscribe: async () => {},
      unsubscribe: async () => {},
      nodeClient: async () => undefined,
      on: () => client,
      destroy: () => {},
    };
    const errors: Error[] = [];
    const bus = createRedisBus({ client, channel: "ch", onError: (e) => errors.push(e) });
    await bus.publish({ type: "deleted", ids: ["k"] });
    expect(await until(() => sent.length === 2, 1_000)).toBe(true);
    expect(sent).toEqual(["ch", undefined]);
    expect(errors).toEqual([]);
  });
});

describe.skipIf(skip)("on a Redis Cluster", () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  const caches: RecallCache[] = [];
  afterAll(async () => {
    for (const c of caches) await c.close();
    for (const r of opened) await r.close();
    const cluster = await rawCluster().catch(() => undefined);
    if (!cluster) return;
    for (const master of cluster.masters) {
      const client = await cluster.nodeClient(master);
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 }))
        for (const key of keys) await client.del(key);
    }
    cluster.destroy();
  });

  // The conformance suites every store, lock and bus passes, here through a cluster client.
  storeSuite("createRedisStore on a cluster", () => {
    const client = createCluster(failFastClusterOptions(nodes));
    client.on("error", () => {});
    return createRedisStore({ client, namespace: `${prefix}:suite` });
  });
  const raw = skip ? undefined : rawCluster();
  afterAll(async () => (await raw)?.destroy());
  lockSuite(
    "createRedisLock on a cluster",
    () => createRedisLock({ cluster: { rootNodes: nodes }, keyPrefix: `${prefix}:lock-suite:` }),
    { expire: async (key) => void (await (await raw)!.del(`${prefix}:lock-suite:${key}`)) },
  );
  busSuite("createRedisBus on a cluster", () => {
    const channel = `${prefix}:bus-suite:${Math.random()}`;
    return { connect: () => createRedisBus({ cluster: { rootNodes: nodes }, channel }) };
  });

  /** One app instance on the cluster, reaching it through `rootNodes` (all six by default). */
  function instance(rootNodes = nodes, options: { semantic?: boolean } = {}) {
    const redis = redisRecall({
      cluster: { rootNodes },
      storeNamespace: `${prefix}:entries`,
      lockKeyPrefix: `${prefix}:lock:`,
      channel: `${prefix}:bus`,
    });
    opened.push(redis);
    const embedder = fakeEmbedder({
      synonyms: [["How do I reset my password?", "How can I change my password?"]],
    });
    const cache = createCache({
      store: redis.store,
      lock: redis.lock,
      bus: redis.bus,
      storeTimeoutMs: 1_000,
      ...(options.semantic ? { semantic: { embedder, threshold: 0.95 } } : {}),
    });
    caches.push(cache);
    return { cache, redis };
  }

  it("caches exact repeats, with entries spread over every primary", async () => {
    const { cache } = instance();
    await cache.ready();
    const questions = Array.from({ length: 30 }, (_, i) => `exact question ${i} ${Math.random()}`);
    for (const q of questions) {
      expect((await cache.run(request(q), async () => answer(`answer ${q}`))).status).toBe("miss");
    }
    for (const q of questions) {
      const outcome = await cache.run(request(q), async () => answer("not this"));
      expect(outcome.status).toBe("hit");
      expect(outcome.response.text).toBe(`answer ${q}`);
    }
    const perPrimary = await keysPerPrimary(`${prefix}:entries::*`);
    expect(perPrimary.size).toBe(3);
    for (const n of perPrimary.values()) expect(n).toBeGreaterThan(0);
  });

  it("serves a paraphrase stored by another instance (store and bus through the cluster)", async () => {
    const a = instance(nodes, { semantic: true });
    const b = instance(nodes, { semantic: true });
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    const stored = await a.cache.run(request("How do I reset my password?"), async () =>
      answer("Settings, then Security."),
    );
    expect(stored.status).toBe("miss");
    await a.cache.drain();
    let status = "";
    expect(
      await until(async () => {
        // noStore: a try that comes before the bus does must not store "upstream" under this
        // wording, or every later try is an exact hit of it.
        const outcome = await b.cache.run(
          request("How can I change my password?"),
          async () => answer("upstream"),
          { noStore: true },
        );
        status = outcome.status;
        return outcome.status === "semantic-hit" && outcome.response.text === "Settings, then Security.";
      }, 3_000),
    ).toBe(true);
    expect(status).toBe("semantic-hit");
  });

  it("calls upstream once for 50 identical concurrent cold requests over 2 instances", async () => {
    const a = instance([nodes[0]!]);
    const b = instance([nodes[1]!]);
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    let calls = 0;
    const q = request(`stampede ${Math.random()}`);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? a : b).cache.run(q, async () => {
          calls++;
          await sleep(50);
          return answer("once");
        }),
      ),
    );
    expect(calls).toBe(1);
    expect(outcomes.every((o) => o.response.text === "once")).toBe(true);
    expect(outcomes.filter((o) => o.status === "miss")).toHaveLength(1);
  });

  it("wakes a waiter on another node at release (the script's PUBLISH crosses the cluster)", async () => {
    const lockA = createRedisLock({ cluster: { rootNodes: [nodes[0]!] }, keyPrefix: `${prefix}:wake:` });
    const lockB = createRedisLock({
      cluster: { rootNodes: [nodes[2]!] },
      keyPrefix: `${prefix}:wake:`,
      maxPollIntervalMs: 10_000, // a waiter that only polled would wait far past the release
    });
    opened.push(lockA, lockB);
    // Both subscribed: a first wait on a free key returns once B's subscription is up.
    await lockB.waitForRelease("warm-up", 1_000);
    await sleep(300);
    const held = await lockA.acquire("wake", 10_000);
    expect(held).toBeDefined();
    const waited = Date.now();
    const wait = lockB.waitForRelease("wake", 8_000);
    // Polls at 10, 30, 70, …, 1270 ms, then 2550 ms: a release at 1350 ms is heard only by message.
    await sleep(1_350);
    await held!.release();
    const released = Date.now();
    await wait;
    expect(Date.now() - released).toBeLessThan(500);
    expect(Date.now() - waited).toBeGreaterThanOrEqual(1_350);
  });

  it("delivers vector-added and deleted between instances on different nodes, from whichever node publishes", async () => {
    const channel = `${prefix}:bus-nodes`;
    const a = createRedisBus({ cluster: { rootNodes: [nodes[0]!] }, channel });
    const b = createRedisBus({ cluster: { rootNodes: [nodes[1]!] }, channel });
    opened.push(a, b);
    const toB: BusMessage[] = [];
    await a.subscribe(() => {});
    await b.subscribe((m) => toB.push(m));
    const vector = Array.from(Float32Array.from([0.5, -0.25, 0.125]));
    const added: BusMessage = {
      type: "vector-added",
      item: { id: "k1", namespace: "ns", partition: "p", vector },
    };
    const deleted: BusMessage = { type: "deleted", ids: ["k1"] };
    await a.publish(added);
    await a.publish(deleted);
    expect(await until(() => toB.length === 2, 3_000)).toBe(true);
    expect(toB).toEqual([added, deleted]);

    // The same envelope published on each primary in turn reaches B, whichever node B listens on.
    const raw = await rawCluster();
    try {
      for (const [i, master] of raw.masters.entries()) {
        const client = await raw.nodeClient(master);
        const message: BusMessage = { type: "deleted", ids: [`from-${master.port}`] };
        await client.publish(channel, JSON.stringify({ v: 1, from: "elsewhere", message }));
        expect(await until(() => toB.length === 3 + i, 3_000)).toBe(true);
        expect(toB.at(-1)).toEqual(message);
      }
    } finally {
      raw.destroy();
    }
  });

  it("purges a namespace across every primary, and the other instance's index forgets it", async () => {
    const a = instance(nodes, { semantic: true });
    const b = instance(nodes, { semantic: true });
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    const namespace = `tenant-${Math.random().toString(36).slice(2, 8)}`;
    const questions = Array.from({ length: 24 }, (_, i) => `purge question ${i}`);
    for (const q of questions) {
      await a.cache.run(request(q), async () => answer(q), { namespace });
    }
    await a.cache.run(request("kept elsewhere"), async () => answer("kept"), {
      namespace: `${namespace}-other`,
    });
    await a.cache.drain();
    const before = await keysPerPrimary(`${prefix}:entries::*`);
    expect([...before.values()].every((n) => n > 0)).toBe(true);

    expect(await b.cache.purgeNamespace(namespace)).toBe(questions.length);
    for (const q of questions) {
      const outcome = await a.cache.run(request(q), async () => answer("fresh"), { namespace });
      expect(outcome.status).toBe("miss");
    }
    const kept = await a.cache.run(request("kept elsewhere"), async () => answer("no"), {
      namespace: `${namespace}-other`,
    });
    expect(kept.status).toBe("hit");
  });

  it("rebuilds a new instance's index from every primary", async () => {
    const a = instance(nodes, { semantic: true });
    await a.cache.ready();
    await a.cache.run(request("How do I reset my password?"), async () => answer("Settings."), {
      namespace: "rebuild",
    });
    await a.cache.drain();
    const late = instance(nodes, { semantic: true });
    await late.cache.ready();
    const outcome = await late.cache.run(request("How can I change my password?"), async () => answer("no"), {
      namespace: "rebuild",
    });
    expect(outcome.status).toBe("semantic-hit");
  });

  it("uses a cluster client of one's own (createCluster + failFastClusterOptions)", async () => {
    const client = createCluster(failFastClusterOptions(nodes));
    const redis: RedisRecall = redisRecall({ client, storeNamespace: `${prefix}:own` });
    opened.push(redis, { close: async () => client.destroy() });
    const cache = createCache({ ...redis });
    caches.push(cache);
    await cache.ready();
    const q = request(`own client ${Math.random()}`);
    expect((await cache.run(q, async () => answer("a"))).status).toBe("miss");
    expect((await cache.run(q, async () => answer("b"))).status).toBe("hit");
    expect((await clusterRoles(7100)).filter((r) => r.primary && r.slots)).toHaveLength(3);
  });
});
