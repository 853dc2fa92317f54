import type { BusMessage } from "@recall/core";
import { busSuite } from "@recall/test-suite";
import { afterAll, describe, expect, it } from "vitest";
import { REDIS_URL, rawClient, uniquePrefix, until } from "../test/helpers.js";
import { createRedisBus, type RedisBus } from "./bus.js";

// The bus conformance suite: each test's buses share a channel of their own.
busSuite("createRedisBus", () => {
  const channel = `${uniquePrefix()}:bus-suite`;
  return { connect: () => createRedisBus({ url: REDIS_URL, channel }) };
});

describe("createRedisBus", () => {
  const channel = `${uniquePrefix()}:bus`;
  const buses: RedisBus[] = [];
  const bus = (onError?: (e: Error) => void) => {
    const b = createRedisBus({ url: REDIS_URL, channel, ...(onError ? { onError } : {}) });
    buses.push(b);
    return b;
  };
  afterAll(async () => {
    for (const b of buses) await b.close();
  });

  it("delivers every message kind to the other instances, not back to the sender", async () => {
    const [a, b] = [bus(), bus()];
    const toA: BusMessage[] = [];
    const toB: BusMessage[] = [];
    await a.subscribe((m) => toA.push(m));
    await b.subscribe((m) => toB.push(m));
    const vector = Array.from(Float32Array.from([0.1, -0.25, 0.3333, 1e-7]));
    const sent: BusMessage[] = [
      { type: "vector-added", item: { id: "k1", namespace: "ns", partition: "p", vector } },
      { type: "deleted", ids: ["k1", "k2"] },
      { type: "namespace-purged", namespace: "ns" },
      { type: "tag-purged", tag: "kb-v2", ids: ["k3"] },
    ];
    for (const m of sent) await a.publish(m);
    expect(await until(() => toB.length === sent.length, 2_000)).toBe(true);
    expect(toB).toEqual(sent);
    expect(toA).toEqual([]);
  });

  it("reports messages it cannot read and keeps listening", async () => {
    const errors: Error[] = [];
    const listener = bus((e) => errors.push(e));
    const got: BusMessage[] = [];
    await listener.subscribe((m) => got.push(m));
    const raw = await rawClient();
    await raw.publish(channel, "not json");
    await raw.publish(
      channel,
      JSON.stringify({ v: 1, from: "x", message: { type: "vector-added", item: { id: 1 } } }),
    );
    await raw.publish(
      channel,
      JSON.stringify({ v: 1, from: "x", message: { type: "deleted", ids: ["ok"] } }),
    );
    expect(await until(() => got.length === 1, 2_000)).toBe(true);
    expect(got[0]).toEqual({ type: "deleted", ids: ["ok"] });
    expect(errors.filter((e) => /undecodable/.test(e.message))).toHaveLength(2);
    raw.destroy();
  });

  it("stops delivering after unsubscribe", async () => {
    const [a, b] = [bus(), bus()];
    const got: BusMessage[] = [];
    const unsubscribe = await b.subscribe((m) => got.push(m));
    await a.publish({ type: "deleted", ids: ["one"] });
    expect(await until(() => got.length === 1, 2_000)).toBe(true);
    await unsubscribe();
    await a.publish({ type: "deleted", ids: ["two"] });
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toHaveLength(1);
  });

  it("neither throws nor waits when Redis is unreachable", async () => {
    const errors: Error[] = [];
    const dead = createRedisBus({
      url: "redis://127.0.0.1:1",
      subscribeTimeoutMs: 200,
      onError: (e) => errors.push(e),
    });
    const started = Date.now();
    const unsubscribe = await dead.subscribe(() => {});
    await dead.publish({ type: "deleted", ids: ["x"] });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await until(() => errors.length > 0, 1_000)).toBe(true);
    await unsubscribe();
    await dead.close();
  });
});
