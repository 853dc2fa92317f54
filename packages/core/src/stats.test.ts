import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Emitter } from "./events.js";
import { StatsCollector } from "./stats.js";

/** Namespaces that collide with `Object.prototype`'s members, and others. */
const namespace = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "(none)"),
  fc.string({ maxLength: 10 }),
);
const saved = { inputTokens: 10, outputTokens: 5, usd: 0.5 };
const base = { key: "k", model: "openai:gpt-4.1" };

describe("StatsCollector", () => {
  it("lists every namespace, whatever its name, as an own member with its counts", () => {
    const traffic = fc.array(
      fc.tuple(
        namespace,
        fc.constantFrom("hit", "miss", "store", "error") as fc.Arbitrary<"hit" | "miss" | "store" | "error">,
      ),
      {
        maxLength: 30,
      },
    );
    fc.assert(
      fc.property(traffic, (events) => {
        const emitter = new Emitter();
        const stats = new StatsCollector(emitter);
        const expected = new Map<string, { hits: number; misses: number; stores: number; errors: number }>();
        for (const [ns, kind] of events) {
          if (kind === "hit") emitter.emit("hit", { ...base, namespace: ns, saved, ageMs: 1, ms: 1 });
          else if (kind === "miss") emitter.emit("miss", { ...base, namespace: ns });
          else if (kind === "store") emitter.emit("store", { ...base, namespace: ns });
          else emitter.emit("error", { error: new Error("x") as never, namespace: ns });
          const counts = expected.get(ns) ?? { hits: 0, misses: 0, stores: 0, errors: 0 };
          counts[
            kind === "hit" ? "hits" : kind === "miss" ? "misses" : kind === "store" ? "stores" : "errors"
          ]++;
          expected.set(ns, counts);
        }
        const snapshot = stats.snapshot();
        for (const namespaces of [snapshot.namespaces, JSON.parse(JSON.stringify(snapshot)).namespaces]) {
          expect(Object.keys(namespaces).sort()).toEqual([...expected.keys()].sort());
          for (const [ns, counts] of expected) {
            expect(Object.hasOwn(namespaces, ns)).toBe(true);
            expect(namespaces[ns]).toMatchObject(counts);
            expect(namespaces[ns].saved.inputTokens).toBe(counts.hits * 10);
          }
        }
        const hits = events.filter(([, k]) => k === "hit").length;
        expect(snapshot.total).toMatchObject({ hits, misses: events.filter(([, k]) => k === "miss").length });
        stats.close();
      }),
      { numRuns: 200 },
    );
  });

  it("reads an absent namespace as undefined, never as an Object.prototype member", () => {
    const stats = new StatsCollector(new Emitter());
    const { namespaces } = stats.snapshot();
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(namespaces[name]).toBeUndefined();
    }
  });
});
