import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createCluster } from "@keyv/redis";
import { createCache, type NamespaceStats, type RecallError, type StatsSnapshot } from "@recall/core";
import { afterAll, describe, expect, it } from "vitest";
import { clusterNodes, clusterSkipReason } from "../test/cluster.js";
import { answer, deleteKeys, REDIS_URL, rawClient, sleep, uniquePrefix, until } from "../test/helpers.js";
import { failFastClusterOptions } from "./client.js";
import { drive, fixtureCache } from "./fleet-stats.fixture.js";
import { type FleetStats, fleetStats } from "./fleet-stats.js";
import { redisRecall } from "./recall.js";

const here = dirname(fileURLToPath(import.meta.url));
const clusterSkip = await clusterSkipReason();
const prefixes: string[] = [];
const open: FleetStats[] = [];

function prefix(): string {
  const p = uniquePrefix();
  prefixes.push(p);
  return p;
}

function track(fleet: FleetStats): FleetStats {
  open.push(fleet);
  return fleet;
}

afterAll(async () => {
  for (const f of open) await f.close();
  for (const p of prefixes) await deleteKeys(`{${p}:fleet}*`);
});

/** Numbers to 10 significant digits: sums of dollars added in another order differ in the last bits. */
function rounded<T>(value: T): T {
  if (typeof value === "number") return Number(value.toPrecision(10)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value));
    for (const [k, v] of Object.entries(value)) out[k] = rounded(v);
    return out as T;
  }
  return value;
}

/** The counts of a snapshot, without the derived hit rate. */
function counts(s: NamespaceStats): Record<string, unknown> {
  const { hitRate: _, ...rest } = structuredClone(s);
  return rounded(rest);
}

function add(into: Record<string, unknown>, more: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(more)) {
    if (typeof v === "number") into[k] = ((into[k] as number | undefined) ?? 0) + v;
    else if (v && typeof v === "object")
      into[k] = add((into[k] as Record<string, unknown>) ?? {}, v as Record<string, unknown>);
  }
  return into;
}

const request = (q: string) => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user" as const, content: q }],
});

describe("fleetStats", () => {
  it("after a flush, counts the same as the cache's own stats, per namespace, with latencies and models", async () => {
    const cache = fixtureCache();
    const fleet = track(fleetStats(cache, { redis: REDIS_URL, prefix: prefix() }));
    await drive(cache, "one");
    await fleet.flush();
    const local = cache.stats.snapshot();
    const shared = await fleet.snapshot();
    expect(local.total.hits).toBeGreaterThan(0);
    expect(local.total.coalesced).toBe(2);
    expect(local.total.rejects).toBe(3);
    expect(local.total.bypasses).toBe(3);
    expect(rounded(shared.total)).toEqual(rounded(local.total));
    expect(Object.keys(shared.namespaces).sort()).toEqual(Object.keys(local.namespaces).sort());
    for (const ns of Object.keys(local.namespaces)) {
      expect(rounded(shared.namespaces[ns])).toEqual(rounded(local.namespaces[ns]));
    }
    expect(Object.getPrototypeOf(shared.namespaces)).toBe(null);

    // Per model: the models' counts add up to their namespace's.
    const models = shared.models.map((m) => `${m.namespace}/${m.model}`);
    expect(models).toEqual([
      "default/openai:gpt-4.1",
      "default/openai:gpt-4.1-mini",
      "sales/openai:gpt-4.1",
      "sales/openai:gpt-4.1-mini",
      "support/openai:gpt-4.1",
      "support/openai:gpt-4.1-mini",
    ]);
    const sales = shared.models.filter((m) => m.namespace === "sales");
    expect(sales.reduce((n, m) => n + m.stats.hits, 0)).toBe(local.namespaces.sales!.hits);

    // Every hit and every miss answered (stored or rejected) is timed.
    expect(shared.latency.hits.count).toBe(local.total.hits + local.total.coalesced);
    expect(shared.latency.byKind.coalesced.count).toBe(2);
    expect(shared.latency.misses.count).toBe(local.total.stores + local.total.rejects - local.total.bypasses);
    expect(shared.latency.misses.p50).toBeGreaterThan(0);
    expect(shared.latency.byKind.coalesced.p50).toBeGreaterThan(shared.latency.byKind.exact.p50);
    expect(shared.latency.hits.p95).toBeGreaterThanOrEqual(shared.latency.hits.p50);

    // A second flush adds only what came after the first.
    await cache.run(request("one question 1"), async () => answer("x"), { namespace: "sales" });
    await fleet.flush();
    await fleet.flush();
    expect(rounded((await fleet.snapshot()).total)).toEqual(rounded(cache.stats.snapshot().total));
    await cache.close();
  });

  it("counts every event kind as core's stats do", async () => {
    const cache = createCache();
    const fleet = track(fleetStats(cache, { redis: REDIS_URL, prefix: prefix() }));
    // The engine's own emitter (private to core): every kind of event, as the engine would send it.
    const emit = (name: string, event: object) =>
      (cache as unknown as { events: { emit(n: string, e: object): void } }).events.emit(name, event);
    const saved = (k: number) => ({ inputTokens: 10 * k, outputTokens: 3 * k, usd: 0.00013 * k });
    for (let i = 0; i < 24; i++) {
      const base = {
        namespace: i % 3 === 0 ? "a" : "b|c%d", // separators in names are escaped
        key: `k${i}`,
        model: i % 2 === 0 ? "openai:gpt-4.1" : "anthropic:claude",
        startedAt: performance.now() - i,
      };
      const decision = (["same", "different", "unsure"] as const)[i % 3];
      emit("hit", { ...base, saved: saved(i), ageMs: 5, ms: 0.05 + i / 100 });
      emit("semantic-hit", {
        ...base,
        saved: saved(1),
        ageMs: 1,
        ms: 3,
        similarity: 0.98,
        question: "q",
        matchedQuestion: "m",
        decidedBy: (["threshold", "alias", "verifier", "learned"] as const)[i % 4],
        id: `id${i}`,
      });
      emit("stale", {
        ...base,
        saved: saved(2),
        ageMs: 9,
        ms: 1,
        cause: i % 2 ? "grace" : "revalidate",
        staleReason: "ttl",
      });
      emit("refresh", { ...base, result: (["stored", "rejected", "failed", "skipped"] as const)[i % 4] });
      emit("coalesced", { ...base, saved: saved(1), ms: 40 });
      emit("miss", base);
      emit(i % 5 ? "store" : "reject", { ...base, reason: "refused" });
      emit("bypass", { ...base, reason: "noCache" });
      emit("semantic-reject", { ...base, similarity: 0.97, candidate: "c", reason: "numbers differ" });
      emit("semantic-skip", { ...base, reason: "unknown tokens" });
      emit("semantic-shed", { ...base, during: "lookup", cause: "budget", reason: "slow" });
      emit("verify", {
        ...base,
        candidateKey: "c",
        similarity: 0.9,
        mode: "sync",
        decision,
        ...(i % 7 === 0 ? { failed: "timeout" } : {}),
        ms: 120.5,
        cost: saved(0.1),
      });
      emit("promote", { ...base, entryKey: "e", alias: "a", similarity: 0.9 });
      emit("feedback", {
        namespace: base.namespace,
        key: base.key,
        kind: "semantic",
        wrong: i % 2 === 0,
        action: "x",
      });
      emit("shadow", {
        ...base,
        similarity: 0.9,
        candidate: "c",
        wouldHit: i % 2 === 0,
        decision,
        answersAgree: i % 3 === 0,
        saved: saved(3),
      });
      emit("error", { error: new Error("x"), ...(i % 2 ? { namespace: base.namespace } : {}) });
    }
    await fleet.flush();
    const local = cache.stats.snapshot();
    const shared = await fleet.snapshot();
    expect(rounded(shared.total)).toEqual(rounded(local.total));
    expect(Object.keys(shared.namespaces).sort()).toEqual(Object.keys(local.namespaces).sort());
    for (const ns of Object.keys(local.namespaces)) {
      expect(rounded(shared.namespaces[ns])).toEqual(rounded(local.namespaces[ns]));
    }
    expect(shared.latency.byKind.exact.count).toBe(24);
    expect(shared.latency.byKind.semantic.p50).toBeCloseTo(3, 0);
    expect(shared.latency.byKind.coalesced.p95).toBeGreaterThan(40 * 0.9);
    expect(shared.latency.byKind.coalesced.p95).toBeLessThan(40 * 1.1);
    expect(shared.latency.misses.count).toBe(24);
    expect(
      shared.models.find((m) => m.namespace === "b|c%d" && m.model === "anthropic:claude")?.stats.hits,
    ).toBe(8);
    await cache.close();
  });

  it("sends many series in several scripts, each counted", async () => {
    const cache = createCache();
    const fleet = track(fleetStats(cache, { redis: REDIS_URL, prefix: prefix() }));
    const emit = (name: string, event: object) =>
      (cache as unknown as { events: { emit(n: string, e: object): void } }).events.emit(name, event);
    // 1,200 namespace × model pairs in one minute: three scripts of at most 500.
    for (let i = 0; i < 1_200; i++) {
      emit("hit", {
        namespace: `t${i % 400}`,
        key: "k",
        model: `m${i % 3}`,
        saved: { inputTokens: 1, outputTokens: 1, usd: 0 },
        ageMs: 0,
        ms: 1,
      });
    }
    await fleet.flush();
    const shared = await fleet.snapshot();
    expect(shared.total.hits).toBe(1_200);
    expect(shared.models).toHaveLength(1_200);
    expect(Object.keys(shared.namespaces)).toHaveLength(400);
    await cache.close();
  });

  it("sums two processes on one Redis", async () => {
    const p = prefix();
    const child = promisify(execFile)(
      process.execPath,
      ["--import", "tsx", join(here, "fleet-stats.fixture.ts"), p, "child"],
      { cwd: join(here, ".."), env: { ...process.env, REDIS_URL } },
    );
    const cache = fixtureCache();
    const fleet = track(fleetStats(cache, { redis: REDIS_URL, prefix: p }));
    await drive(cache, "parent");
    await fleet.flush();
    const { stdout } = await child;
    const fromChild = JSON.parse(stdout) as { stats: StatsSnapshot; errors: string[] };
    expect(fromChild.errors).toEqual([]);
    const mine = cache.stats.snapshot();
    const shared = await fleet.snapshot();
    const expected = add(counts(mine.total), counts(fromChild.stats.total));
    expect(counts(shared.total)).toEqual(rounded(expected));
    expect(shared.total.hits).toBe(mine.total.hits + fromChild.stats.total.hits);
    for (const ns of ["sales", "support", "default"]) {
      expect(counts(shared.namespaces[ns]!)).toEqual(
        rounded(add(counts(mine.namespaces[ns]!), counts(fromChild.stats.namespaces[ns]!))),
      );
    }
    const served = shared.total.hits + shared.total.coalesced;
    expect(shared.total.hitRate).toBeCloseTo(served / (served + shared.total.misses), 10);
    await cache.close();
  }, 60_000);

  it("rolls ended hours into hour keys and reads them (injected clock, real bucket sizes)", async () => {
    const p = prefix();
    const hour = 3_600_000;
    let now = Math.floor(Date.now() / hour) * hour + 10 * 60_000; // 10 minutes into an hour
    const cache = createCache();
    const fleet = track(fleetStats(cache, { redis: REDIS_URL, prefix: p, now: () => now }));
    const raw = await rawClient();
    try {
      for (let i = 0; i < 5; i++) await cache.run(request(`q${i % 2}`), async () => answer("a"));
      await fleet.flush();
      const h0 = Math.floor(now / hour);
      const m0 = Math.floor(now / 60_000);
      expect(await raw.hGet(`{${p}:fleet}:m:${m0}`, "default|openai:gpt-4.1|hits")).toBe("3");
      expect(await raw.exists(`{${p}:fleet}:h:${h0}`)).toBe(0);
      // The minute key lives for its minute plus 3 hours.
      const ttl = await raw.pTTL(`{${p}:fleet}:m:${m0}`);
      expect(ttl).toBeGreaterThan(3 * hour);
      expect(ttl).toBeLessThanOrEqual(3 * hour + 60_000);

      now += hour; // the next hour: the first one ended, and is rolled up on this flush
      await cache.run(request("q0"), async () => answer("a"));
      await fleet.flush();
      const hourKey = `{${p}:fleet}:h:${h0}`;
      expect(await raw.hGet(hourKey, "~rolled")).toBe("1");
      expect(await raw.hGet(hourKey, "default|openai:gpt-4.1|hits")).toBe("3");
      expect(await raw.hGet(hourKey, "default|openai:gpt-4.1|misses")).toBe("2");
      const hourTtl = await raw.pTTL(hourKey);
      expect(hourTtl).toBeGreaterThan(7 * 24 * hour - hour);
      expect(hourTtl).toBeLessThanOrEqual(7 * 24 * hour);
      // An hour without counts keeps only its mark, for as long as its minute keys would live.
      const idle = `{${p}:fleet}:h:${h0 - 1}`;
      expect(await raw.hGetAll(idle)).toEqual({ "~rolled": "1" });
      expect(await raw.pTTL(idle)).toBeLessThanOrEqual(3 * hour);

      // A late flush for the rolled hour lands in its hour key too.
      const late = createCache();
      const lateFleet = track(fleetStats(late, { redis: REDIS_URL, prefix: p, now: () => now - hour }));
      await late.run(request("late"), async () => answer("a"));
      await lateFleet.flush();
      expect(await raw.hGet(hourKey, "default|openai:gpt-4.1|misses")).toBe("3");

      // Whole hours come from the hour key, the rest from minute keys: the sum is everything.
      const all = await fleet.snapshot();
      expect(all.total.hits).toBe(4);
      expect(all.total.misses).toBe(3);
      expect((await fleet.snapshot({ from: h0 * hour, to: (h0 + 1) * hour })).total.misses).toBe(3);
      expect((await fleet.snapshot({ from: (h0 + 1) * hour })).total.misses).toBe(0);

      const perHour = await fleet.series({ from: h0 * hour, step: "hour" });
      expect(perHour.map((pt) => pt.window.total.hits)).toEqual([3, 1]);
      expect(perHour.map((pt) => pt.snapshot.total.hits)).toEqual([3, 4]);
      expect(perHour[1]!.rates.exact).toBe(1);
      const perMinute = await fleet.series({ from: now - 5 * 60_000 });
      expect(perMinute).toHaveLength(6);
      expect(perMinute.at(-1)!.window.total.hits).toBe(1);
      expect(perMinute.at(-1)!.stepMs).toBe(60_000);
      await late.close();
    } finally {
      raw.destroy();
      await cache.close();
    }
  });

  it("expires minute keys, then hour keys, after their retention (small buckets, real time)", async () => {
    const p = prefix();
    const tag = `{${p}:fleet}`;
    // Minutes of 100 ms, hours of 500 ms; minute keys kept 1 s, hour keys 2 s.
    const bucketMs = { minute: 100, hour: 500 };
    const retention = { minutes: 1_000, hours: 2_000 };
    const cache = createCache();
    const errors: RecallError[] = [];
    const fleet = track(
      fleetStats(cache, {
        redis: REDIS_URL,
        prefix: p,
        bucketMs,
        retention,
        flushMs: 50,
        onError: (e) => errors.push(e),
      }),
    );
    const raw = await rawClient();
    const keys = async () => {
      const found: string[] = [];
      for await (const batch of raw.scanIterator({ MATCH: `${tag}:[mh]:*`, COUNT: 1000 }))
        found.push(...batch);
      return found;
    };
    try {
      const started = Date.now();
      let most = 0;
      let i = 0;
      while (Date.now() - started < 2_000) {
        await cache.run(request(`q${i++ % 5}`), async () => answer("a"));
        await sleep(10);
        if (i % 20 === 0) most = Math.max(most, (await keys()).length);
      }
      await fleet.flush();
      // Bound: minute keys within 1 s (+ the current), hour keys within 2 s (+ the current).
      expect(most).toBeLessThanOrEqual(1_000 / 100 + 2 + 2_000 / 500 + 2);
      const local = cache.stats.snapshot().total;
      // Everything still within the hours' retention is there, from hour keys and minute keys.
      const firstHour = Math.floor((Date.now() - 2_000) / 500) + 1;
      const recent = await fleet.snapshot({ from: firstHour * 500 });
      expect(recent.total.hits + recent.total.misses).toBeGreaterThan(0);
      expect(recent.total.hits + recent.total.misses).toBeLessThanOrEqual(local.hits + local.misses);
      // Hours that ended were rolled up; once their minute keys expire, the hour key still answers.
      const ended = Math.floor(Date.now() / 500) - 1;
      await fleet.flush();
      expect(await raw.hGet(`${tag}:h:${ended}`, "~rolled")).toBe("1");
      const hits = Number((await raw.hGet(`${tag}:h:${ended}`, "default|openai:gpt-4.1|hits")) ?? 0);
      expect(hits).toBeGreaterThan(0);
      await sleep(1_200);
      expect(await raw.exists(`${tag}:m:${ended * 5}`)).toBe(0);
      const fromHour = await fleet.snapshot({ from: ended * 500, to: ended * 500 + 500 });
      expect(fromHour.total.hits).toBe(hits);
      // Once no instance runs (an idle one still marks each ended hour rolled up, in an empty hour
      // key), every bucket is gone after the hours' retention.
      await fleet.close();
      expect(await until(async () => (await keys()).length === 0, 4_000, 100)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      raw.destroy();
      await cache.close();
    }
  }, 20_000);

  it("with Redis down, calls are unaffected, the failure is reported, and reads reject", async () => {
    const cache = createCache();
    const errors: RecallError[] = [];
    const fleet = track(
      fleetStats(cache, {
        redis: "redis://127.0.0.1:1",
        prefix: prefix(),
        flushMs: 20,
        onError: (e) => errors.push(e),
      }),
    );
    for (let i = 0; i < 20; i++) {
      const out = await cache.run(request(`down ${i % 4}`), async () => answer("a"));
      expect(out.response.text).toBe("a");
    }
    expect(cache.stats.snapshot().total.hits).toBe(16);
    expect(await until(() => errors.length > 0, 2_000)).toBe(true);
    expect(errors[0]!.code).toBe("RECALL_STORE_ERROR");
    expect(errors[0]!.message).toMatch(/^\[recall\] fleet stats/);
    await expect(fleet.snapshot()).rejects.toMatchObject({ code: "RECALL_STORE_ERROR" });
    await fleet.close();
    await cache.close();
  });

  it("keeps counts of a failed flush for the next one, and counts a flush that failed but ran once", async () => {
    const p = prefix();
    const real = await rawClient();
    let mode: "ok" | "fail" | "run-then-fail" = "fail";
    // A client whose commands fail, or run and then fail (a timeout after the script ran).
    const flaky = Object.create(real, {
      sendCommand: {
        value: async (args: string[]) => {
          if (mode === "fail") throw new Error("connection lost");
          const reply = await real.sendCommand(args);
          if (mode === "run-then-fail") throw new Error("took too long");
          return reply;
        },
      },
    });
    const cache = createCache();
    const errors: RecallError[] = [];
    const fleet = track(
      fleetStats(cache, { redis: flaky, prefix: p, flushMs: 60_000, onError: (e) => errors.push(e) }),
    );
    try {
      for (let i = 0; i < 6; i++) await cache.run(request(`flaky ${i % 2}`), async () => answer("a"));
      await fleet.flush();
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(/flush failed; counts kept/);
      mode = "run-then-fail";
      for (let i = 0; i < 2; i++) await cache.run(request(`flaky ${i}`), async () => answer("a"));
      await fleet.flush();
      expect(errors).toHaveLength(2);
      mode = "ok";
      await fleet.flush(); // both batches again: each counted once
      const snap = await fleet.snapshot();
      expect(rounded(snap.total)).toEqual(rounded(cache.stats.snapshot().total));
      expect(snap.total.hits).toBe(6);
      expect(errors).toHaveLength(2);
    } finally {
      await fleet.close();
      real.destroy();
      await cache.close();
    }
  });

  it("runs a flush asked for during another after it, with the counts made meanwhile", async () => {
    const cache = createCache();
    const fleet = track(fleetStats(cache, { redis: REDIS_URL, prefix: prefix() }));
    await cache.run(request("during 1"), async () => answer("a"));
    const first = fleet.flush();
    await cache.run(request("during 1"), async () => answer("a"));
    await Promise.all([first, fleet.flush()]);
    expect((await fleet.snapshot()).total).toMatchObject({ misses: 1, hits: 1 });
    await cache.close();
  });

  it("shares redisRecall()'s connection, and leaves it open on close", async () => {
    const p = prefix();
    const redis = redisRecall({ url: REDIS_URL, storeNamespace: `${p}:entries` });
    const cache = createCache({ ...redis });
    const fleet = fleetStats(cache, { redis, prefix: p });
    await cache.run(request("shared 1"), async () => answer("a"));
    await cache.run(request("shared 1"), async () => answer("a"));
    await fleet.close();
    const total = (await fleet.snapshot()).total;
    expect([total.misses, total.hits]).toEqual([1, 1]);
    expect(redis.client.isOpen).toBe(true);
    await redis.store.clear();
    await cache.close();
    await redis.close();
  });

  it.skipIf(clusterSkip !== undefined)(
    "on a Redis Cluster: every key in one slot, flushes and roll-ups as on one node",
    async () => {
      const p = prefix();
      const hour = 3_600_000;
      let now = Math.floor(Date.now() / hour) * hour + 5 * 60_000;
      const cache = createCache();
      const errors: RecallError[] = [];
      const fleet = track(
        fleetStats(cache, {
          redis: { cluster: { rootNodes: clusterNodes() } },
          prefix: p,
          now: () => now,
          onError: (e) => errors.push(e),
        }),
      );
      const raw = createCluster(failFastClusterOptions(clusterNodes()));
      raw.on("error", () => {});
      await raw.connect();
      try {
        for (let i = 0; i < 6; i++) await cache.run(request(`cluster ${i % 3}`), async () => answer("a"));
        await fleet.flush();
        now += hour; // the hour ends: rolled up by a script over 61 keys, in one slot
        await cache.run(request("cluster 0"), async () => answer("a"));
        await fleet.flush();
        const hourKey = `{${p}:fleet}:h:${Math.floor((now - hour) / hour)}`;
        expect(await raw.hGet(hourKey, "~rolled")).toBe("1");
        expect(await raw.hGet(hourKey, "default|openai:gpt-4.1|hits")).toBe("3");
        expect(rounded((await fleet.snapshot()).total)).toEqual(rounded(cache.stats.snapshot().total));
        expect(errors).toEqual([]);
        const minuteKey = `{${p}:fleet}:m:${Math.floor((now - hour) / 60_000)}`;
        await raw.del([hourKey, minuteKey, `{${p}:fleet}:m:${Math.floor(now / 60_000)}`]);
      } finally {
        await fleet.close();
        raw.destroy();
        await cache.close();
      }
    },
  );

  it("refuses bad options at creation", () => {
    const cache = createCache();
    expect(() => fleetStats(cache, { redis: "nope" })).toThrow(/RECALL|redis:\/\//);
    expect(() => fleetStats(cache, { redis: REDIS_URL, flushMs: 0 })).toThrow(/flushMs/);
    expect(() => fleetStats(cache, { redis: REDIS_URL, retention: { minutes: 60_000 } })).toThrow(
      /at least two hours/,
    );
    expect(() => fleetStats(cache, { redis: REDIS_URL, prefix: "a{b}" })).toThrow(/braces/);
    expect(() => fleetStats({} as never, { redis: REDIS_URL })).toThrow(/cache/);
  });
});
