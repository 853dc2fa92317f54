import { type Counter, metrics } from "@opentelemetry/api";
import type { CacheEvents, Emitter } from "./events.js";

/**
 * The counters of `stats.ts` as OpenTelemetry metrics (meter `@recall/core`), each with a
 * `recall.namespace` attribute: a listener on the engine's events, like the stats collector.
 * Through `@opentelemetry/api` only: with no SDK registered when the cache is created, the meter is
 * a no-op. Register your MeterProvider before creating caches.
 */
export class TelemetryMetrics {
  private readonly off: Array<() => void> = [];

  constructor(events: Emitter) {
    const meter = metrics.getMeter("@recall/core");
    const counter = (name: string, description: string, unit = "{call}"): Counter =>
      meter.createCounter(name, { description, unit });
    const lookups = counter("recall.lookups", "Lookups by how they ended (recall.status).");
    const saved = counter(
      "recall.saved.tokens",
      "Tokens not sent or generated upstream thanks to hits.",
      "{token}",
    );
    const savedUsd = counter("recall.saved.usd", "Money saved by hits, at list prices.", "USD");
    const stores = counter("recall.stores", "Answers stored.");
    const rejects = counter("recall.rejects", "Answers not stored: validation refused them.");
    const semantic = counter(
      "recall.semantic.skipped",
      "Semantic steps not taken (recall.reason: guard, unreadable, shed).",
    );
    const verify = counter("recall.verify.calls", "Verifier calls (recall.verify.decision).");
    const verifyUsd = counter("recall.verify.usd", "What the verifier cost, at list prices.", "USD");
    const promotions = counter("recall.promotions", "Wordings promoted to aliases after a same verdict.");
    const feedback = counter("recall.feedback", "Hits reported wrong (recall.wrong=true) or right.");
    const errors = counter(
      "recall.errors",
      "Storage, embedding, lock or verifier faults, each served as a miss.",
    );

    const on = <E extends keyof CacheEvents>(name: E, listener: (e: CacheEvents[E]) => void) =>
      this.off.push(events.on(name, listener));
    const ns = (e: { namespace?: string }) => ({ "recall.namespace": e.namespace ?? "(none)" });
    const hit = (status: string) => (e: CacheEvents["hit"] | CacheEvents["coalesced"]) => {
      lookups.add(1, { ...ns(e), "recall.status": status });
      saved.add(e.saved.inputTokens + e.saved.outputTokens, ns(e));
      savedUsd.add(e.saved.usd, ns(e));
    };
    on("hit", hit("hit"));
    on("semantic-hit", hit("semantic-hit"));
    on("coalesced", hit("coalesced"));
    on("stale", hit("stale"));
    on("miss", (e) => lookups.add(1, { ...ns(e), "recall.status": "miss" }));
    on("bypass", (e) => lookups.add(1, { ...ns(e), "recall.status": "bypass" }));
    on("store", (e) => stores.add(1, ns(e)));
    on("reject", (e) => rejects.add(1, ns(e)));
    on("semantic-reject", (e) => semantic.add(1, { ...ns(e), "recall.reason": "guard" }));
    on("semantic-skip", (e) => semantic.add(1, { ...ns(e), "recall.reason": "unreadable" }));
    on("semantic-shed", (e) => semantic.add(1, { ...ns(e), "recall.reason": "shed" }));
    on("verify", (e) => {
      verify.add(1, { ...ns(e), "recall.verify.decision": e.decision });
      verifyUsd.add(e.cost.usd, ns(e));
    });
    on("promote", (e) => promotions.add(1, ns(e)));
    on("feedback", (e) => feedback.add(1, { ...ns(e), "recall.wrong": e.wrong }));
    on("error", (e) => errors.add(1, ns(e)));
  }

  close(): void {
    for (const off of this.off) off();
  }
}
