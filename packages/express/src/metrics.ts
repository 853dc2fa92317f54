import type { NamespaceStats, RecallCache } from "@recall/core";
import type { RequestHandler } from "express";

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
    name: "recall_hit_ratio",
    help: "Answers served without an upstream call, over lookups.",
    type: "gauge",
    value: (s) => s.hitRate,
  },
];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}

/** The cache's counters in the Prometheus text exposition format (0.0.4), one series per namespace. */
export function prometheusText(cache: RecallCache): string {
  const { namespaces } = cache.stats.snapshot();
  const entries = Object.entries(namespaces).sort(([a], [b]) => a.localeCompare(b));
  let out = "";
  for (const metric of METRICS) {
    out += `# HELP ${metric.name} ${metric.help}\n# TYPE ${metric.name} ${metric.type}\n`;
    for (const [namespace, stats] of entries) {
      out += `${metric.name}{namespace="${escapeLabel(namespace)}"} ${formatNumber(metric.value(stats))}\n`;
    }
  }
  return out;
}

/** `GET /metrics` for Prometheus (or any scraper of its text format). */
export function metricsHandler(cache: RecallCache): RequestHandler {
  return (_req, res) => {
    res.setHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.end(prometheusText(cache));
  };
}

/** `GET` the cache's statistics as JSON: totals and per namespace (hits, misses, savings, …). */
export function statsHandler(cache: RecallCache): RequestHandler {
  return (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(cache.stats.snapshot());
  };
}
