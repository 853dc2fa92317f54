import { type CacheResponse, createCache, type RecallCache } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { storeSuite } from "@recall/test-suite";
import { afterAll, describe, expect, it } from "vitest";
import {
  answer,
  deleteKeys,
  REDIS_URL,
  rawClient,
  request,
  sleep,
  uniquePrefix,
  until,
} from "../test/helpers.js";
import { openClient } from "./client.js";
import { type RedisRecall, redisRecall } from "./recall.js";
import { createRedisStore } from "./store.js";

const prefix = uniquePrefix();
const opened: RedisRecall[] = [];
const caches: RecallCache[] = [];
afterAll(async () => {
  for (const c of caches) await c.close();
  for (const r of opened) await r.close();
  await deleteKeys(`${prefix}*`);
});

/** One app instance: its own connections, sharing Redis keys and channel with the others. */
function instance(options: { semantic?: boolean; lockTtlMs?: number; waitTimeoutMs?: number } = {}) {
  const redis = redisRecall({
    url: REDIS_URL,
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
    ...(options.lockTtlMs ? { lockTtlMs: options.lockTtlMs } : {}),
    ...(options.waitTimeoutMs ? { waitTimeoutMs: options.waitTimeoutMs } : {}),
    ...(options.semantic === false ? {} : { semantic: { embedder, threshold: 0.95 } }),
  });
  caches.push(cache);
  return { cache, redis };
}

storeSuite("redis (createRedisStore)", () => {
  const client = openClient(REDIS_URL, () => {});
  return createRedisStore({ client, namespace: `${prefix}:suite` });
});

describe("redisRecall: many instances, one cache", () => {
  it("calls upstream once for concurrent identical requests over instances, the others coalesce", async () => {
    const instances = [
      instance({ semantic: false }),
      instance({ semantic: false }),
      instance({ semantic: false }),
    ];
    await Promise.all(instances.map((i) => i.cache.ready()));
    let calls = 0;
    const call = async () => {
      calls++;
      await sleep(30); // slow only so the fifteen calls overlap
      return answer("Paris");
    };
    const q = request(`Capital of France? ${Math.random()}`);
    const outcomes = await Promise.all(
      instances.flatMap((i) => Array.from({ length: 5 }, () => i.cache.run(q, call))),
    );
    expect(calls).toBe(1);
    expect(outcomes.every((o) => o.response.text === "Paris")).toBe(true);
    expect(outcomes.filter((o) => o.status === "miss")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "coalesced")).toHaveLength(14);
    const coalesced = instances.reduce((n, i) => n + i.cache.stats.snapshot().total.coalesced, 0);
    expect(coalesced).toBe(14);
  });

  it("calls upstream itself once it has waited past its bound on a holder that never answers", async () => {
    const holder = instance({ semantic: false });
    // The bound ends on the Redis lock's own wait timer, not on the cache's clock: a real wait,
    // so a short one.
    const waiter = instance({ semantic: false, waitTimeoutMs: 100 });
    await Promise.all([holder.cache.ready(), waiter.cache.ready()]);
    const q = request(`Stuck holder ${Math.random()}`);
    // The holder takes the lock and stays alive (extending it), but its model never answers.
    let unblock!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const stuck = holder.cache.run(q, () => {
      holding(); // called upstream: it holds the lock
      return new Promise<CacheResponse>((resolve) => (unblock = () => resolve(answer("late"))));
    });
    await held;
    const started = Date.now();
    let calls = 0;
    const outcome = await waiter.cache.run(q, async () => {
      calls++;
      return answer("answered anyway");
    });
    const waited = Date.now() - started;
    expect(outcome.response.text).toBe("answered anyway");
    expect(calls).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(3_000);
    unblock();
    await stuck;
  });

  it("teaches a stored paraphrase to the other instances within a second", async () => {
    const a = instance();
    const b = instance();
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    await a.cache.run(request("How do I reset my password?"), async () => answer("Use the reset link."));
    let outcome: Awaited<ReturnType<RecallCache["run"]>> | undefined;
    const learned = await until(async () => {
      outcome = await b.cache.run(request("How can I change my password?"), async () => answer("upstream"), {
        noStore: true,
      });
      return outcome.status === "semantic-hit";
    }, 1_000);
    expect(learned).toBe(true);
    expect(outcome!.response.text).toBe("Use the reset link.");

    // A new instance rebuilds its index from the store at start.
    const c = instance();
    await c.cache.ready();
    const late = await c.cache.run(request("How can I change my password?"), async () => answer("upstream"));
    expect(late.status).toBe("semantic-hit");
  });

  it("propagates deletes, namespace purges and tag purges to the other instances' indexes", async () => {
    const a = instance();
    const b = instance();
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    const paraphrase = request("How can I change my password?");
    const seed = async (namespace: string, tags?: string[]) => {
      const stored = await a.cache.run(
        request("How do I reset my password?"),
        async () => answer(`for ${namespace}`),
        {
          namespace,
          ...(tags ? { tags } : {}),
        },
      );
      expect(stored.stored).toBe(true);
      const hit = await until(
        async () =>
          (await b.cache.run(paraphrase, async () => answer("x"), { namespace, noStore: true })).status ===
          "semantic-hit",
        1_000,
      );
      expect(hit).toBe(true);
      return stored.key;
    };
    const missesOnB = (namespace: string) =>
      until(async () => {
        const o = await b.cache.lookup(paraphrase, { namespace });
        if (!o.hit) o.fail();
        return !o.hit;
      }, 1_000);

    const key = await seed("ns-delete");
    await a.cache.delete(key);
    expect(await missesOnB("ns-delete")).toBe(true);

    await seed("ns-purge");
    expect(await a.cache.purgeNamespace("ns-purge")).toBe(1);
    expect(await missesOnB("ns-purge")).toBe(true);

    await seed("ns-tag", ["kb-v1"]);
    expect(await a.cache.purgeTag("kb-v1")).toBe(1);
    expect(await missesOnB("ns-tag")).toBe(true);
  });

  it("reads corrupted and foreign values under its keys as misses, removes them, never serves them", async () => {
    const { cache } = instance({ semantic: false });
    await cache.ready();
    const raw = await rawClient();
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    const cases: Array<[string, (key: string) => Promise<unknown>]> = [
      ["not JSON", (key) => raw.set(key, "\u0000garbage{")],
      ["JSON without Keyv's wrapper", (key) => raw.set(key, JSON.stringify({ answer: "forged" }))],
      [
        "a Keyv value that is not an entry",
        (key) => raw.set(key, JSON.stringify({ value: { text: "forged" } })),
      ],
      [
        "an entry of another format version",
        (key) => raw.set(key, JSON.stringify({ value: { v: 9, response: { body: "forged" } } })),
      ],
    ];
    for (const [name, tamper] of cases) {
      const q = request(`Tampered: ${name} ${Math.random()}`);
      const first = await cache.run(q, async () => answer("real"));
      const redisKey = `${prefix}:entries::${first.key}`;
      expect(await raw.exists(redisKey), name).toBe(1);
      await tamper(redisKey);
      const errorsBefore = errors.length;
      const second = await cache.run(q, async () => answer("fresh"), { noStore: true });
      expect(second.status, name).toBe("miss");
      expect(second.response.text, name).toBe("fresh");
      expect(errors.slice(errorsBefore), name).toContain("RECALL_DECODE_ERROR");
      expect(await until(async () => (await raw.exists(redisKey)) === 0, 1_000), name).toBe(true);
    }

    // A value of another Redis type: a miss and an error, and the fresh answer replaces it.
    const q = request(`Tampered: a hash ${Math.random()}`);
    const first = await cache.run(q, async () => answer("real"));
    const redisKey = `${prefix}:entries::${first.key}`;
    await raw.del(redisKey);
    await raw.hSet(redisKey, { text: "forged" });
    const second = await cache.run(q, async () => answer("fresh"));
    expect(second.status).toBe("miss");
    expect(second.response.text).toBe("fresh");
    expect((await cache.run(q, async () => answer("again"))).response.text).toBe("fresh");
    raw.destroy();
  });

  it("rejects a missing connection with a coded error", () => {
    expect(() => redisRecall({})).toThrow(expect.objectContaining({ code: "RECALL_INVALID_OPTION" }));
    expect(() => redisRecall({ url: "http://nope" })).toThrow(/redis:\/\//);
  });
});
