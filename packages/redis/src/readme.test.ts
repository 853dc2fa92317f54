import KeyvRedis from "@keyv/redis";
import { createCache } from "@recall/core";
import { expect, it } from "vitest";
import {
  createRedisBus,
  createRedisLock,
  createRedisStore,
  failFastClientOptions,
  redisRecall,
} from "./index.js";

it("README examples compile and run", async () => {
  const client = new KeyvRedis(failFastClientOptions("redis://127.0.0.1:6379")).client;
  const lock = createRedisLock({ client });
  const bus = createRedisBus({ client });
  const cache = createCache({ store: createRedisStore({ client }), lock, bus });
  await cache.ready();
  const redis = redisRecall({ url: "redis://127.0.0.1:6379" });
  const c2 = createCache({ ...redis });
  await c2.ready();
  expect((client as { isReady?: boolean }).isReady).toBe(true);
  await c2.close();
  await redis.close();
  await cache.close();
  await lock.close();
  await bus.close();
  client.destroy();
});
