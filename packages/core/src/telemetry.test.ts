import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCache } from "./cache.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";
import { CLOSE, IN_BAND, judge, ORIGINAL, paraphraseEmbedder } from "./testing/paraphrases.js";

/** The OpenTelemetry SDK an app would install, with in-memory exporters. */
const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
  );
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
});
afterAll(() => {
  trace.disable();
  metrics.disable();
  context.disable();
});
beforeEach(() => spans.reset());

const ask = (q: string): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user", content: q }],
});
const reply = (text: string): CacheResponse => ({
  body: text,
  text,
  finishReason: "stop",
  usage: { inputTokens: 10, outputTokens: 20 },
});

function cacheWith(extra: Record<string, unknown> = {}) {
  return createCache({
    semantic: {
      embedder: paraphraseEmbedder(),
      budgetMs: 60_000,
      guard: false,
      verify: { verifier: judge("same").verifier, mode: "sync" },
    },
    ...extra,
  });
}

const named = (name: string) => spans.getFinishedSpans().filter((s) => s.name === name);
const only = (name: string): ReadableSpan => {
  const found = named(name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("OpenTelemetry spans", () => {
  it("a miss: lookup (with embed and search inside), the upstream call, the store", async () => {
    const cache = cacheWith();
    await cache.run(ask(ORIGINAL), async () => reply("answer"), { namespace: "tenant-a" });
    const lookup = only("recall.lookup");
    expect(lookup.attributes).toMatchObject({
      "recall.status": "miss",
      "recall.namespace": "tenant-a",
      "recall.model": "openai:gpt-4.1",
    });
    expect(lookup.attributes["recall.question"]).toBeUndefined();
    const embeds = named("recall.embed");
    const lookupEmbed = embeds.find((s) => s.attributes["recall.during"] === "lookup")!;
    expect(parentOf(lookupEmbed)).toBe(lookup.spanContext().spanId);
    expect(lookupEmbed.attributes["recall.outcome"]).toBe("vector");
    expect(parentOf(only("recall.search"))).toBe(lookup.spanContext().spanId);
    expect(only("recall.search").attributes["recall.outcome"]).toBe("none");
    expect(only("recall.upstream").attributes["recall.namespace"]).toBe("tenant-a");
    expect(only("recall.store").attributes).toMatchObject({
      "recall.stored": true,
      "recall.namespace": "tenant-a",
    });
  });

  it("an exact hit: one lookup span, nothing else", async () => {
    const cache = cacheWith();
    await cache.run(ask(ORIGINAL), async () => reply("answer"));
    spans.reset();
    await cache.run(ask(ORIGINAL), async () => reply("unused"));
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(["recall.lookup"]);
    expect(only("recall.lookup").attributes["recall.status"]).toBe("hit");
  });

  it("semantic hits: similarity and what decided, and the verifier's span inside the lookup", async () => {
    const cache = cacheWith();
    await cache.run(ask(ORIGINAL), async () => reply("answer"));
    spans.reset();
    await cache.run(ask(CLOSE), async () => reply("unused"));
    const byThreshold = only("recall.lookup");
    expect(byThreshold.attributes).toMatchObject({
      "recall.status": "semantic-hit",
      "recall.decided_by": "threshold",
    });
    expect(byThreshold.attributes["recall.similarity"]).toBeCloseTo(0.99, 2);
    expect(only("recall.search").attributes["recall.outcome"]).toBe("match");
    spans.reset();
    await cache.run(ask(IN_BAND), async () => reply("unused"));
    const byVerifier = only("recall.lookup");
    expect(byVerifier.attributes).toMatchObject({
      "recall.status": "semantic-hit",
      "recall.decided_by": "verifier",
    });
    const verify = only("recall.verify");
    expect(parentOf(verify)).toBe(byVerifier.spanContext().spanId);
    expect(verify.attributes).toMatchObject({
      "recall.verify.mode": "sync",
      "recall.verify.decision": "same",
    });
  });

  it("puts the question's text on spans only when asked to", async () => {
    const cache = cacheWith({ telemetry: { questions: true } });
    await cache.run(ask(ORIGINAL), async () => reply("answer"));
    expect(only("recall.lookup").attributes["recall.question"]).toBe(ORIGINAL);
  });
});

describe("OpenTelemetry metrics", () => {
  it("counts lookups by status, savings and verifier calls per namespace", async () => {
    const cache = cacheWith();
    await cache.run(ask(ORIGINAL), async () => reply("answer"), { namespace: "m" });
    await cache.run(ask(ORIGINAL), async () => reply("unused"), { namespace: "m" });
    await cache.run(ask(IN_BAND), async () => reply("unused"), { namespace: "m" });
    await reader.forceFlush();
    const points = new Map<string, number>();
    for (const resource of metricExporter.getMetrics())
      for (const scope of resource.scopeMetrics)
        for (const metric of scope.metrics)
          for (const point of metric.dataPoints) {
            if (point.attributes["recall.namespace"] !== "m") continue;
            const label = [
              metric.descriptor.name,
              point.attributes["recall.status"] ?? point.attributes["recall.verify.decision"],
            ]
              .filter(Boolean)
              .join(":");
            points.set(label, point.value as number);
          }
    expect(points.get("recall.lookups:miss")).toBe(1);
    expect(points.get("recall.lookups:hit")).toBe(1);
    expect(points.get("recall.lookups:semantic-hit")).toBe(1);
    expect(points.get("recall.saved.tokens")).toBe(60);
    expect(points.get("recall.verify.calls:same")).toBe(1);
    expect(points.get("recall.stores")).toBe(1);
  });
});
