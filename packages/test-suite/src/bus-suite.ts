import type { BusMessage, CacheBus } from "@recall/core";
import { unit } from "@recall/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "./wait.js";

/** Where the suite gets its buses: each `connect()` is one more instance on the same channel. */
export interface BusNetwork {
  connect(): CacheBus | Promise<CacheBus>;
  /** Called after each test, once its buses are closed. */
  close?(): void | Promise<void>;
}

export interface BusSuiteOptions {
  /** How long a message may take to reach the other instances. Default 2 000 ms. */
  deliveryTimeoutMs?: number;
}

/**
 * The behaviour every `CacheBus` must give Recall, as vitest tests: a message reaches every other
 * instance and never its publisher; every message type arrives intact, in the order sent; an
 * unsubscribed listener hears nothing more while the others do; a listener that throws stops
 * nothing; listeners get a copy taken at publish. `makeNetwork` is called once per test and must
 * give buses that share a channel no other test uses; a `close()` they have is called after it.
 * The suite waits for messages that must arrive, never for ones that must not: it checks their
 * absence against a later message on the same path.
 *
 * @example
 * busSuite("memory bus", () => createMemoryBus());
 * busSuite("redis bus", () => {
 *   const channel = `test:${Math.random()}`;
 *   return { connect: () => createRedisBus({ url, channel }) };
 * });
 */
export function busSuite(
  name: string,
  makeNetwork: () => BusNetwork | Promise<BusNetwork>,
  options: BusSuiteOptions = {},
): void {
  const timeout = options.deliveryTimeoutMs ?? 2_000;

  describe(`bus suite: ${name}`, () => {
    let cleanup: Array<() => unknown> = [];
    afterEach(async () => {
      for (const step of cleanup.reverse()) await step();
      cleanup = [];
    });

    /** `count` buses of one fresh network, each with one subscribed listener recording what it hears. */
    const instances = async (count: number) => {
      const network = await makeNetwork();
      cleanup.push(() => network.close?.());
      const made: Array<{ bus: CacheBus; heard: BusMessage[] }> = [];
      for (let i = 0; i < count; i++) {
        const bus = await network.connect();
        cleanup.push(() => (bus as { close?: () => Promise<void> }).close?.());
        const heard: BusMessage[] = [];
        cleanup.push(await bus.subscribe((message) => heard.push(message)));
        made.push({ bus, heard });
      }
      return made;
    };
    const arrived = (check: () => boolean) => until(check, timeout);

    it("delivers a message to every other instance, never back to its publisher", async () => {
      const [a, b, c] = await instances(3);
      const m1: BusMessage = { type: "deleted", ids: ["from-a"] };
      const m2: BusMessage = { type: "deleted", ids: ["from-b"] };
      const m3: BusMessage = { type: "deleted", ids: ["from-c"] };
      await a!.bus.publish(m1);
      expect(await arrived(() => b!.heard.length === 1 && c!.heard.length === 1)).toBe(true);
      // Had a or b heard its own message, it would have come before the next one from another.
      await b!.bus.publish(m2);
      expect(await arrived(() => a!.heard.length === 1 && c!.heard.length === 2)).toBe(true);
      await c!.bus.publish(m3);
      expect(await arrived(() => a!.heard.length === 2 && b!.heard.length === 2)).toBe(true);
      expect(a!.heard).toEqual([m2, m3]);
      expect(b!.heard).toEqual([m1, m3]);
      expect(c!.heard).toEqual([m1, m2]);
    });

    it("delivers every message type intact, in the order sent", async () => {
      const [a, b] = await instances(2);
      // Float32 values: a bus may carry vectors as float32, as the index holds them.
      const vector = Array.from(unit(384, 7));
      const sent: BusMessage[] = [
        { type: "vector-added", item: { id: "k1", namespace: "ns", partition: "p", vector } },
        { type: "vector-added", item: { id: "k2", namespace: "", partition: "p2", vector: [0.5, -0.25] } },
        { type: "deleted", ids: ["k1", "clé-ü-🔑", 'a:b\n"c"'] },
        { type: "deleted", ids: [] },
        { type: "namespace-purged", namespace: "tenant 42" },
        { type: "tag-purged", tag: "kb-v2", ids: ["k3", "k4"] },
        { type: "tag-purged", tag: "none", ids: [] },
      ];
      for (const message of sent) await a!.bus.publish(message);
      expect(await arrived(() => b!.heard.length === sent.length)).toBe(true);
      expect(b!.heard).toEqual(sent);
    });

    it("stops delivering to a listener that unsubscribed, and only to it", async () => {
      const [a, b] = await instances(2);
      const gone: BusMessage[] = [];
      const unsubscribe = await b!.bus.subscribe((message) => gone.push(message));
      await a!.bus.publish({ type: "deleted", ids: ["one"] });
      expect(await arrived(() => gone.length === 1 && b!.heard.length === 1)).toBe(true);
      await unsubscribe();
      await a!.bus.publish({ type: "deleted", ids: ["two"] });
      expect(await arrived(() => b!.heard.length === 2)).toBe(true);
      expect(gone).toEqual([{ type: "deleted", ids: ["one"] }]);
      await unsubscribe();
    });

    it("keeps delivering when a listener throws", async () => {
      const [a, b, c] = await instances(3);
      let thrown = 0;
      cleanup.push(
        await b!.bus.subscribe(() => {
          thrown++;
          throw new Error("a listener that fails");
        }),
      );
      await a!.bus.publish({ type: "namespace-purged", namespace: "x" });
      await a!.bus.publish({ type: "namespace-purged", namespace: "y" });
      expect(await arrived(() => thrown === 2 && b!.heard.length === 2 && c!.heard.length === 2)).toBe(true);
    });

    it("gives listeners a copy of the message as it was when published", async () => {
      const [a, b, c] = await instances(3);
      cleanup.push(
        await b!.bus.subscribe((message) => {
          if (message.type === "deleted") message.ids.push("changed by a listener");
        }),
      );
      const message = { type: "deleted" as const, ids: ["original"] };
      await a!.bus.publish(message);
      message.ids.push("changed by the publisher");
      expect(await arrived(() => b!.heard.length === 1 && c!.heard.length === 1)).toBe(true);
      expect(b!.heard).toEqual([{ type: "deleted", ids: ["original"] }]);
      expect(c!.heard).toEqual([{ type: "deleted", ids: ["original"] }]);
      expect(message.ids).toEqual(["original", "changed by the publisher"]);
    });

    it("publishes without error when nobody listens", async () => {
      const network = await makeNetwork();
      cleanup.push(() => network.close?.());
      const bus = await network.connect();
      cleanup.push(() => (bus as { close?: () => Promise<void> }).close?.());
      await expect(bus.publish({ type: "deleted", ids: ["x"] })).resolves.toBeUndefined();
      const unsubscribe = await bus.subscribe(() => {});
      await unsubscribe();
      await expect(bus.publish({ type: "deleted", ids: ["y"] })).resolves.toBeUndefined();
    });
  });
}
