import { type CacheRequest, createCache } from "@recall/core";
import express from "express";
import fc from "fast-check";
import { Counter, Registry } from "prom-client";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { metricsHandler, prometheusText, registerRecallMetrics, statsHandler } from "./metrics.js";

const ask: CacheRequest = {
  model: { provider: "openai", id: "gpt-4o-mini" },
  messages: [{ role: "user", content: "Count me" }],
};
const answer = async () => ({ body: "ok", text: "ok", finishReason: "stop" as const });

/** Namespaces that collide with `Object.prototype`'s members, and others. */
const namespace = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "default",
  ),
  fc.string({ maxLength: 12 }),
);
/** Each namespace with how many hits it gets after its one miss. */
const traffic = fc.uniqueArray(fc.tuple(namespace, fc.integer({ min: 0, max: 3 })), {
  minLength: 1,
  maxLength: 6,
  selector: ([ns]) => ns,
});

const label = (ns: string) => ns.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

async function cacheWith(load: Array<[string, number]>) {
  const cache = createCache();
  for (const [ns, hits] of load) {
    for (let i = 0; i <= hits; i++) await cache.run(ask, answer, { namespace: ns });
  }
  return cache;
}

describe("metrics and stats list every namespace, whatever its name", () => {
  it("Prometheus text: one series per namespace with its counts", async () => {
    await fc.assert(
      fc.asyncProperty(traffic, async (load) => {
        const cache = await cacheWith(load);
        const text = await prometheusText(cache);
        const series = text.split("\n").filter((l) => l.startsWith("recall_misses_total{"));
        expect(series).toHaveLength(load.length);
        for (const [ns, hits] of load) {
          expect(text).toContain(`recall_hits_total{namespace="${label(ns)}"} ${hits}\n`);
          expect(text).toContain(`recall_misses_total{namespace="${label(ns)}"} 1\n`);
          expect(text).toContain(`recall_stores_total{namespace="${label(ns)}"} 1\n`);
        }
        await cache.close();
      }),
      { numRuns: 100 },
    );
  });

  it("stats JSON (snapshot and over HTTP): every namespace as an own member with its counts", async () => {
    await fc.assert(
      fc.asyncProperty(traffic, async (load) => {
        const cache = await cacheWith(load);
        const snapshot = cache.stats.snapshot();
        const app = express().get("/stats", statsHandler(cache)).get("/metrics", metricsHandler(cache));
        const r = await request(app).get("/stats");
        for (const namespaces of [
          snapshot.namespaces,
          JSON.parse(JSON.stringify(snapshot)).namespaces,
          r.body.namespaces,
        ]) {
          expect(Object.keys(namespaces).sort()).toEqual(load.map(([ns]) => ns).sort());
          for (const [ns, hits] of load) {
            expect(Object.hasOwn(namespaces, ns)).toBe(true);
            expect(namespaces[ns]).toMatchObject({ hits, misses: 1, stores: 1 });
          }
        }
        const total = load.reduce((n, [, hits]) => n + hits, 0);
        expect(r.body.total).toMatchObject({ hits: total, misses: load.length });
        expect((await request(app).get("/metrics")).text).toBe(await prometheusText(cache));
        await cache.close();
      }),
      { numRuns: 50 },
    );
  });

  it("an absent namespace reads as undefined, not as an Object.prototype member", async () => {
    const cache = await cacheWith([["default", 0]]);
    const { namespaces } = cache.stats.snapshot();
    expect(namespaces.toString).toBeUndefined();
    expect(namespaces.constructor).toBeUndefined();
    await cache.close();
  });
});

describe("registerRecallMetrics", () => {
  it("adds Recall's metrics to the user's registry, beside the user's own, read at each scrape", async () => {
    const cache = await cacheWith([["support", 1]]);
    const registry = new Registry();
    const mine = new Counter({ name: "app_requests_total", help: "Requests.", registers: [registry] });
    mine.inc(3);
    expect(registerRecallMetrics(cache, registry)).toBe(registry);
    let text = await registry.metrics();
    expect(text).toContain("app_requests_total 3\n");
    expect(text).toContain('recall_hits_total{namespace="support"} 1\n');
    expect(text).toContain(
      "# HELP recall_hit_ratio Answers served without an upstream call, over lookups.\n",
    );
    expect(text).toContain("# TYPE recall_hit_ratio gauge\n");
    await cache.run(ask, answer, { namespace: "support" });
    text = await registry.metrics();
    expect(text).toContain('recall_hits_total{namespace="support"} 2\n');
    expect(text).toContain('recall_hit_ratio{namespace="support"} 0.6666666666666666\n');
    await cache.close();
  });

  it("refuses a registry that already has one of its metrics, and registers nothing then", async () => {
    const cache = createCache();
    const registry = new Registry();
    new Counter({ name: "recall_stores_total", help: "Someone else's.", registers: [registry] });
    expect(() => registerRecallMetrics(cache, registry)).toThrow(
      expect.objectContaining({
        code: "RECALL_INVALID_OPTION",
        message: expect.stringContaining("recall_stores_total"),
      }),
    );
    expect(registry.getMetricsAsArray()).toHaveLength(1);
    await cache.close();
  });

  it("exposes verification, promotions and feedback", async () => {
    const cache = createCache({
      semantic: {
        embedder: {
          id: "two-words",
          dimensions: 2,
          // "Count me" and "Count me please" sit at cosine 0.9: in the verifier's band.
          embed: async (texts) =>
            texts.map((t) =>
              t === "Count me" ? Float32Array.of(1, 0) : Float32Array.of(0.9, Math.sqrt(1 - 0.81)),
            ),
        },
        budgetMs: 60_000,
        guard: false,
        verify: { verifier: async () => "same" as const, mode: "sync" },
      },
    });
    await cache.run(ask, answer);
    const paraphrase = { ...ask, messages: [{ role: "user" as const, content: "Count me please" }] };
    const hit = await cache.run(paraphrase, answer);
    expect(hit.decidedBy).toBe("verifier");
    await cache.drain();
    await cache.feedback(hit.id!, { wrong: true });
    const text = await prometheusText(cache);
    expect(text).toContain('recall_verify_calls_total{namespace="default"} 1\n');
    expect(text).toContain('recall_verify_same_total{namespace="default"} 1\n');
    expect(text).toContain('recall_promotions_total{namespace="default"} 1\n');
    expect(text).toContain('recall_feedback_wrong_total{namespace="default"} 1\n');
  });
});
