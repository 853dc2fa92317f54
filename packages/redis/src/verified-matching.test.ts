import {
  type BusMessage,
  type CacheOutcome,
  createCache,
  type RecallCache,
  type VerifyOptions,
} from "@recall/core";
import { type CacheEntry, sha256 } from "@recall/core/adapter";
import { CLOSE, IN_BAND, judge, NEAR, ORIGINAL, paraphraseEmbedder, VARIANTS } from "@recall/core/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { answer, deleteKeys, REDIS_URL, request, uniquePrefix, until } from "../test/helpers.js";
import { createRedisBus, type RedisBus } from "./bus.js";
import { type RedisRecall, redisRecall } from "./recall.js";

/** Core's `MIN_OBSERVATIONS` (verify/evidence.ts): evidence an entry needs before it is exploited. */
const MIN_OBSERVATIONS = 6;
const ANSWER = "Open Settings, then Reset password.";

/** The hash a question is known by in alias ids and refusals (core's `questionHash`). */
const questionHash = (question: string) => sha256(question).slice(0, 24);

/**
 * Issue 15 on Redis: what verified matching learns about an entry (aliases, refusals, evidence, a
 * raised threshold) is stored with the entry in Redis, reaches the other instances' in-process
 * indexes through the Redis bus, and is read back by an instance started later.
 */
describe("verified matching on Redis: many instances, one memory", () => {
  let prefix = "";
  let opened: Array<RedisRecall | RedisBus> = [];
  let caches: RecallCache[] = [];

  afterEach(async () => {
    for (const cache of caches) await cache.close();
    for (const connection of opened) await connection.close();
    await deleteKeys(`${prefix}*`);
    caches = [];
    opened = [];
  });

  /** A fresh key prefix and channel, so tests never see each other's entries or messages. */
  function world() {
    prefix = uniquePrefix();
  }

  /** One app instance: its own connections and in-process index, sharing Redis with the others. */
  function instance(verify?: VerifyOptions) {
    const redis = redisRecall({
      url: REDIS_URL,
      storeNamespace: `${prefix}:entries`,
      lockKeyPrefix: `${prefix}:lock:`,
      channel: `${prefix}:bus`,
    });
    opened.push(redis);
    const cache = createCache({
      store: redis.store,
      lock: redis.lock,
      bus: redis.bus,
      storeTimeoutMs: 1_000,
      semantic: {
        embedder: paraphraseEmbedder(),
        guard: false,
        budgetMs: 60_000,
        ...(verify ? { verify } : {}),
      },
    });
    caches.push(cache);
    return Object.assign(cache, { store: redis.store });
  }

  /** Everything published on the bus, as another instance would hear it. */
  async function listen(): Promise<BusMessage[]> {
    const bus = createRedisBus({ url: REDIS_URL, channel: `${prefix}:bus` });
    opened.push(bus);
    const heard: BusMessage[] = [];
    await bus.subscribe((message) => heard.push(message));
    return heard;
  }

  const stored = async (cache: ReturnType<typeof instance>, key: string) =>
    (await cache.store.get(key)) as CacheEntry;

  const seed = (cache: RecallCache) => cache.run(request(ORIGINAL), async () => answer(ANSWER));

  /** Asks `question` on `cache` until it is answered as `decidedBy` (the bus takes a moment). */
  async function untilServed(cache: RecallCache, question: string, decidedBy: string) {
    let outcome: CacheOutcome | undefined;
    const served = await until(async () => {
      outcome = await cache.run(request(question), async () => answer("upstream"), {
        noStore: true,
        verify: false,
      });
      return outcome.decidedBy === decidedBy;
    }, 2_000);
    expect(served, `${question} served as ${decidedBy}`).toBe(true);
    return outcome!;
  }

  /** A promotes `IN_BAND` (async verification, the verifier says same); the entry's key. */
  async function promoteOn(a: RecallCache, calls: unknown[]): Promise<string> {
    const seeded = await seed(a);
    expect(seeded.stored).toBe(true);
    const first = await a.run(request(IN_BAND), async () => answer("Settings > Reset password."), {
      noStore: true,
    });
    expect(first.status).toBe("miss");
    await a.drain();
    expect(calls).toHaveLength(1);
    return seeded.key;
  }

  it("an alias promoted on A is served by B through the bus, and by C started later from the store", async () => {
    world();
    const { verifier, calls } = judge("same");
    const a = instance({ verifier });
    const b = instance({ verifier });
    await Promise.all([a.ready(), b.ready()]);
    const key = await promoteOn(a, calls);

    const entry = await stored(a, key);
    expect(entry.aliases).toEqual([
      expect.objectContaining({ id: `${key}#${questionHash(IN_BAND)}`, question: IN_BAND }),
    ]);

    const onB = await untilServed(b, IN_BAND, "alias");
    expect(onB).toMatchObject({ status: "semantic-hit", key, matchedQuestion: IN_BAND });
    expect(onB.response.text).toBe(ANSWER);

    // A restart: an empty in-process index, rebuilt from the entries (and their aliases) in Redis.
    const c = instance({ verifier });
    await c.ready();
    const upstream = vi.fn(async () => answer("upstream"));
    const onC = await c.run(request(IN_BAND), upstream, { verify: false });
    expect(onC).toMatchObject({ status: "semantic-hit", decidedBy: "alias", key });
    expect(onC.response.text).toBe(ANSWER);
    expect(upstream).not.toHaveBeenCalled();
    expect(calls).toHaveLength(1);
  });

  it("wrong feedback on B's alias hit refuses the wording on A and C too, and C reads the tightened entry", async () => {
    world();
    const { verifier, calls } = judge("same");
    const a = instance({ verifier });
    const b = instance({ verifier });
    await Promise.all([a.ready(), b.ready()]);
    const key = await promoteOn(a, calls);
    const aliasId = `${key}#${questionHash(IN_BAND)}`;
    const viaAlias = await untilServed(b, IN_BAND, "alias");
    const c = instance({ verifier });
    await c.ready();
    expect((await c.run(request(IN_BAND), async () => answer("upstream"), { verify: false })).decidedBy).toBe(
      "alias",
    );
    const heard = await listen();

    expect((await b.feedback(viaAlias.id!, { wrong: true })).action).toBe("unpaired");

    // The alias's removal is published for the other instances' indexes.
    expect(await until(() => heard.some((m) => m.type === "deleted" && m.ids.includes(aliasId)), 1_000)).toBe(
      true,
    );
    // The refusal is stored with the entry: A misses although its own memory of the verdict says
    // same, and asks no verifier; C, which had the alias in its index, misses too.
    const upstream = vi.fn(async () => answer("the right answer"));
    for (const cache of [a, c]) {
      const out = await cache.run(request(IN_BAND), upstream, { noStore: true });
      expect(out.status).toBe("miss");
      expect(out.response.text).toBe("the right answer");
    }
    await a.drain();
    await c.drain();
    expect(calls).toHaveLength(1);

    const entry = await stored(c, key);
    expect(entry.aliases ?? []).toEqual([]);
    expect(entry.refused).toEqual([questionHash(IN_BAND)]);
    // A wrong alias is undone by its removal and the refusal: the entry's threshold stays.
    expect(entry.threshold).toBeUndefined();
    expect(entry.evidence).toContainEqual([0.9, 1]); // A's verdict
    expect(entry.evidence?.at(-1)).toEqual([0.9, 0]); // B's feedback, at the alias's similarity to the entry

    // A new instance, after all of it, misses the refused wording as well.
    const d = instance({ verifier });
    await d.ready();
    expect((await d.run(request(IN_BAND), upstream, { noStore: true })).status).toBe("miss");
    await d.drain();
    expect(calls).toHaveLength(1);
  });

  it("a threshold raised by wrong feedback on B holds on A and on an instance started after", async () => {
    world();
    const a = instance();
    const b = instance();
    await Promise.all([a.ready(), b.ready()]);
    const { key } = await seed(a);
    // Before: both paraphrases are above the global threshold.
    const onB = await untilServed(b, CLOSE, "threshold");
    expect((await untilServed(a, NEAR, "threshold")).similarity).toBeCloseTo(0.98, 3);

    expect((await b.feedback(onB.id!, { wrong: true })).action).toBe("unpaired");

    const entry = await stored(a, key);
    expect(entry.threshold).toBeCloseTo(0.991, 3); // just above the 0.99 the wrong answer was served at
    const c = instance();
    await c.ready();
    for (const cache of [a, c]) {
      const out = await cache.run(request(NEAR), async () => answer("fresh"), { noStore: true });
      expect(out.status).toBe("miss");
    }
    // Exact repeats of the entry's own question still hit.
    expect((await c.run(request(ORIGINAL), async () => answer("fresh"))).status).toBe("hit");
  });

  it("evidence gathered on A lets C, started later, serve a new in-band wording unverified (learned)", async () => {
    world();
    const onA = judge("same");
    const learn: VerifyOptions = { verifier: onA.verifier, mode: "sync", bound: 0.02, random: () => 0 };
    const a = instance(learn);
    await a.ready();
    const { key } = await seed(a);
    for (const variant of VARIANTS.slice(0, MIN_OBSERVATIONS)) {
      const out = await a.run(request(variant), async () => answer("fresh"));
      expect(out.decidedBy).toBe("verifier");
    }
    // In sync mode the verdicts are written after the answer is served.
    expect(
      await until(async () => ((await stored(a, key)).evidence?.length ?? 0) >= MIN_OBSERVATIONS, 2_000),
    ).toBe(true);
    expect((await stored(a, key)).evidence).toEqual(Array(MIN_OBSERVATIONS).fill([0.85, 1]));

    const onC = judge("same");
    const c = instance({ ...learn, verifier: onC.verifier });
    await c.ready();
    const upstream = vi.fn(async () => answer("fresh"));
    const out = await c.run(request(IN_BAND), upstream);
    expect(out).toMatchObject({ status: "semantic-hit", decidedBy: "learned", key });
    expect(out.response.text).toBe(ANSWER);
    expect(onC.calls).toHaveLength(0);
    expect(upstream).not.toHaveBeenCalled();
  });

  // Updates of one entry (feedback, a promotion, a verdict's evidence) are read-modify-write; two
  // instances at once would each write over the other's change and lose a refusal. Core runs them
  // under the shared lock (pipeline/entry-update.ts), so both refusals stay.
  it("wrong feedback given at once on two instances keeps both refusals", async () => {
    world();
    const a = instance();
    const b = instance();
    await Promise.all([a.ready(), b.ready()]);
    const { key } = await seed(a);
    const onA = await untilServed(a, CLOSE, "threshold");
    const onB = await untilServed(b, NEAR, "threshold");
    await Promise.all([a.feedback(onA.id!, { wrong: true }), b.feedback(onB.id!, { wrong: true })]);
    const entry = await stored(a, key);
    expect(entry.refused?.sort()).toEqual([questionHash(CLOSE), questionHash(NEAR)].sort());
    for (const question of [CLOSE, NEAR]) {
      const out = await a.run(request(question), async () => answer("fresh"), { noStore: true });
      expect(out.status, question).toBe("miss");
    }
  });
});
