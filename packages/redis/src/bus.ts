import { randomUUID } from "node:crypto";
import type { BusMessage, CacheBus } from "@recall/core";
import { decodeVector, encodeVector } from "@recall/core/adapter";
import {
  checkTimeout,
  closeClient,
  DEFAULT_COMMAND_TIMEOUT_MS,
  firstConnection,
  isCluster,
  openSubscriber,
  type RedisConnection,
  resolveClient,
  type Subscriber,
  sendBounded,
  withTimeout,
} from "./client.js";

export interface RedisBusOptions extends RedisConnection {
  /** The pub/sub channel every instance of one cache shares. Default `recall:bus`. */
  channel?: string;
  /** How long `subscribe` waits for the subscription to be active before going on. Default 1000 ms. */
  subscribeTimeoutMs?: number;
  /** Told about background failures (subscriber connection, undecodable messages). Default: ignored. */
  onError?: (error: Error) => void;
}

export interface RedisBus extends CacheBus {
  /** This instance's id; its own messages are not delivered back to it. */
  readonly instanceId: string;
  /** Unsubscribes every listener and closes connections Recall opened. */
  close(): Promise<void>;
}

/** On the wire: who sent it, and the message with its vector as base64 float32 (a quarter of JSON's size). */
interface Envelope {
  v: 1;
  from: string;
  message: BusMessage | WireVectorAdded;
}

type WireVectorAdded = {
  type: "vector-added";
  item: { id: string; namespace: string; partition: string; vector: string };
};

/**
 * A bus between cache instances over Redis pub/sub: each stored semantic entry, delete and purge
 * reaches the other instances' in-process indexes. Publishing uses the shared client; listening
 * uses a duplicate connection (a subscribed connection can do nothing else). node-redis
 * re-subscribes on its own after a reconnect, and the cache is told of the gap to catch up.
 *
 * @example
 * const bus = createRedisBus({ url: "redis://127.0.0.1:6379" });
 * const cache = createCache({ store, bus, semantic: { embedder } }); // paraphrases stored elsewhere match here
 */
export function createRedisBus(options: RedisBusOptions): RedisBus {
  const what = "createRedisBus";
  const commandTimeoutMs =
    checkTimeout(options.commandTimeoutMs, "commandTimeoutMs", what) ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const subscribeTimeoutMs = checkTimeout(options.subscribeTimeoutMs, "subscribeTimeoutMs", what) ?? 1_000;
  const channel = options.channel ?? "recall:bus";
  const onError = options.onError ?? (() => {});
  const { client, owned } = resolveClient(options, what, onError);
  const instanceId = randomUUID();
  const subscribers = new Set<Subscriber>();

  return {
    instanceId,

    /** Sends without making the caller wait (a slow Redis must not slow a call); failures go to `onError`. */
    async publish(message: BusMessage): Promise<void> {
      const envelope: Envelope = { v: 1, from: instanceId, message: toWire(message) };
      const args = ["PUBLISH", channel, JSON.stringify(envelope)];
      // On a cluster, through the node of the channel's slot: from two nodes, two messages could
      // arrive in the other order (a delete before the add it undoes). While that node is down, through
      // any other rather than not at all.
      sendBounded(client, args, commandTimeoutMs, channel)
        .catch((error: unknown) => {
          if (!isCluster(client)) throw error;
          return sendBounded(client, args, commandTimeoutMs);
        })
        .catch((error: unknown) => onError(error as Error));
    },

    async subscribe(
      listener: (message: BusMessage) => void,
      onGap?: () => void,
    ): Promise<() => Promise<void>> {
      // Every connection after the one subscribe() waits for follows a time of not listening
      // (a reconnect, or a Redis that was away at start): messages may have been missed.
      let waiting = true;
      const onReady = () => {
        if (!waiting) onGap?.();
      };
      const onMessage = (raw: string) => {
        const message = fromWire(raw, instanceId);
        if (message === undefined) return onError(new Error(`undecodable message on ${channel}`));
        if (message === null) return;
        try {
          listener(message);
        } catch (error) {
          onError(error as Error);
        }
      };
      const subscriber = openSubscriber(client, channel, onMessage, onError, commandTimeoutMs, onReady);
      subscribers.add(subscriber);
      // Go on after the bound even if Redis is away: the subscription completes when it comes back.
      // Waiting for the shared client too means a cache's ready() finds Redis connected.
      await withTimeout(
        Promise.all([subscriber.active, firstConnection(client)]),
        subscribeTimeoutMs,
        "SUBSCRIBE",
      ).catch(() => {});
      waiting = false;
      return async () => {
        subscribers.delete(subscriber);
        await subscriber.close();
      };
    },

    async close() {
      for (const subscriber of subscribers) await subscriber.close();
      subscribers.clear();
      if (owned) await closeClient(client, undefined, commandTimeoutMs);
    },
  };
}

function toWire(message: BusMessage): Envelope["message"] {
  if (message.type !== "vector-added") return message;
  return {
    type: "vector-added",
    item: { ...message.item, vector: encodeVector(Float32Array.from(message.item.vector)) },
  };
}

/** The message, `null` for our own, `undefined` for anything we cannot read. */
function fromWire(raw: string, self: string): BusMessage | null | undefined {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(raw) as Envelope;
  } catch {
    return undefined;
  }
  if (envelope?.v !== 1 || typeof envelope.from !== "string" || typeof envelope.message !== "object")
    return undefined;
  if (envelope.from === self) return null;
  const m = envelope.message as Record<string, any>;
  switch (m?.type) {
    case "vector-added": {
      const item = m.item;
      const ok =
        item &&
        typeof item.id === "string" &&
        typeof item.namespace === "string" &&
        typeof item.partition === "string";
      if (!ok || typeof item.vector !== "string") return undefined;
      return { type: "vector-added", item: { ...item, vector: Array.from(decodeVector(item.vector)) } };
    }
    case "deleted":
      return Array.isArray(m.ids)
        ? { type: "deleted", ids: m.ids.filter((id: unknown) => typeof id === "string") }
        : undefined;
    case "namespace-purged":
      return typeof m.namespace === "string"
        ? { type: "namespace-purged", namespace: m.namespace }
        : undefined;
    case "tag-purged":
      return typeof m.tag === "string" && Array.isArray(m.ids)
        ? { type: "tag-purged", tag: m.tag, ids: m.ids.filter((id: unknown) => typeof id === "string") }
        : undefined;
    default:
      return undefined;
  }
}
