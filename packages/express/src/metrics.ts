import type { NamespaceStats, RecallCache } from "@recall/core";
import { assertOption } from "@recall/core/adapter";
import type { RequestHandler } from "express";
import { Counter, Gauge, Registry } from "prom-client";

interface Metric {
  name: string;
  help: string;
  type: "counter" | "gauge";
  value: (s: NamespaceStats) => number;
}

const METRICS: Metric[] = [
  { name: "recall_hits_total", help: "Exact cache hits.", type: "counter", value: (s) => s.hits },
  {
    name: "recall_semantic_hits_total",
    help: "Hits on a paraphrase (semantic matching).",
    type: "counter",
    value: (s) => s.semanticHits,
  },
  {
    name: "recall_coalesced_total",
    help: "Requests that shared an identical request's upstream call.",
    type: "counter",
    value: (s) => s.coalesced,
  },
  {
    name: "recall_misses_total",
    help: "Lookups that went upstream.",
    type: "counter",
    value: (s) => s.misses,
  },
  {
    name: "recall_bypasses_total",
    help: "Requests that skipped reading the cache (Cache-Control: no-cache).",
    type: "counter",
    value: (s) => s.bypasses,
  },
  { name: "recall_stores_total", help: "Answers stored.", type: "counter", value: (s) => s.stores },
  {
    name: "recall_rejects_total",
    help: "Answers not stored because validation refused them.",
    type: "counter",
    value: (s) => s.rejects,
  },
  {
    name: "recall_semantic_rejects_total",
    help: "Semantic candidates the guard refused.",
    type: "counter",
    value: (s) => s.semanticRejects,
  },
  {
    name: "recall_semantic_skips_total",
    help: "Questions matched exactly only: the embedder or the guard cannot read them.",
    type: "counter",
    value: (s) => s.semanticSkips,
  },
  {
    name: "recall_semantic_shed_total",
    help: "Semantic steps skipped for load: the embedder was too busy for the budget (exact lookup still ran).",
    type: "counter",
    value: (s) => s.semanticShed,
  },
  {
    name: "recall_errors_total",
    help: "Storage, embedding or lock faults (each served as a miss).",
    type: "counter",
    value: (s) => s.errors,
  },
  {
    name: "recall_saved_input_tokens_total",
    help: "Prompt tokens not sent upstream thanks to hits.",
    type: "counter",
    value: (s) => s.saved.inputTokens,
  },
  {
    name: "recall_saved_output_tokens_total",
    help: "Completion tokens not generated upstream thanks to hits.",
    type: "counter",
    value: (s) => s.saved.outputTokens,
  },
  {
    name: "recall_saved_usd_total",
    help: "Money saved by hits, in US dollars at list prices.",
    type: "counter",
    value: (s) => s.saved.usd,
  },
  {
    name: "recall_verify_calls_total",
    help: "Verifier calls on semantic candidates just below the threshold.",
    type: "counter",
    value: (s) => s.verify.calls,
  },
  {
    name: "recall_verify_same_total",
    help: "Verifier calls that said the candidate asks the same (served or promoted).",
    type: "counter",
    value: (s) => s.verify.same,
  },
  {
    name: "recall_verify_failed_total",
    help: "Verifier calls that threw or ran out of budget (the candidate was not served).",
    type: "counter",
    value: (s) => s.verify.failed,
  },
  {
    name: "recall_verify_usd_total",
    help: "What the verifier's calls cost, in US dollars at list prices.",
    type: "counter",
    value: (s) => s.verify.cost.usd,
  },
  {
    name: "recall_promotions_total",
    help: "Wordings the verifier found the same, promoted to aliases of an entry.",
    type: "counter",
    value: (s) => s.promotions,
  },
  {
    name: "recall_feedback_wrong_total",
    help: "Hits reported wrong (cache.feedback): exact entries deleted, semantic pairings refused.",
    type: "counter",
    value: (s) => s.feedback.wrong,
  },
  {
    name: "recall_shadow_would_hit_total",
    help: "Shadow mode: misses semantic mode would have answered from cache.",
    type: "counter",
    value: (s) => s.shadow.wouldHit,
  },
  {
    name: "recall_hit_ratio",
    help: "Answers served without an upstream call, over lookups.",
    type: "gauge",
    value: (s) => s.hitRate,
  },
];

/** The stats of every namespace, in a stable order, read once per collector at scrape time. */
function byNamespace(cache: RecallCache): Array<[string, NamespaceStats]> {
  const { namespaces } = cache.stats.snapshot();
  return Object.entries(namespaces).sort(([a], [b]) => a.localeCompare(b));
}

/**
 * Registers Recall's metrics in a prom-client `Registry`, one series per namespace: collectors that
 * read `cache.stats` at each scrape, so nothing is counted twice. Pass your own registry (the
 * default `register`, or one you serve already) to expose Recall's metrics beside yours; without
 * one, a new private registry is made. Returns the registry. Throws `RECALL_INVALID_OPTION` if it
 * already holds a metric of the same name (one cache per registry), and then registers nothing.
 *
 * @example
 * import { register } from "prom-client";
 *
 * registerRecallMetrics(cache, register);
 * app.get("/metrics", async (_req, res) => {
 *   res.set("Content-Type", register.contentType).send(await register.metrics());
 * });
 */
export function registerRecallMetrics(cache: RecallCache, registry: Registry = new Registry()): Registry {
  for (const metric of METRICS) {
    assertOption(
      registry.getSingleMetric(metric.name) === undefined,
      `registerRecallMetrics: the registry already has a metric named ${metric.name}`,
    );
  }
  for (const metric of METRICS) {
    const config = { name: metric.name, help: metric.help, labelNames: ["namespace"], registers: [registry] };
    if (metric.type === "counter") {
      new Counter({
        ...config,
        collect() {
          this.reset();
          for (const [namespace, stats] of byNamespace(cache)) this.inc({ namespace }, metric.value(stats));
        },
      });
    } else {
      new Gauge({
        ...config,
        collect() {
          this.reset();
          for (const [namespace, stats] of byNamespace(cache)) this.set({ namespace }, metric.value(stats));
        },
      });
    }
  }
  return registry;
}

/**
 * The cache's counters in the Prometheus text exposition format (0.0.4), one series per namespace,
 * from a private registry.
 */
export function prometheusText(cache: RecallCache): Promise<string> {
  return registerRecallMetrics(cache).metrics();
}

/**
 * `GET /metrics` for Prometheus (or any scraper of its text format), from a private registry. To
 * serve Recall's metrics with your own, use `registerRecallMetrics(cache, yourRegistry)` instead.
 *
 * @example
 * app.get("/metrics", metricsHandler(cache));
 */
export function metricsHandler(cache: RecallCache): RequestHandler {
  const registry = registerRecallMetrics(cache);
  return (_req, res, next) => {
    registry.metrics().then((text) => {
      res.setHeader("Content-Type", registry.contentType);
      res.setHeader("Cache-Control", "no-store");
      res.end(text);
    }, next);
  };
}

/**
 * `GET` the cache's statistics as JSON: totals and per namespace (hits, misses, savings, …).
 *
 * @example
 * app.get("/stats", statsHandler(cache));
 */
export function statsHandler(cache: RecallCache): RequestHandler {
  return (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(cache.stats.snapshot());
  };
}
