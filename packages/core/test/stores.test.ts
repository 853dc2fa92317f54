import KeyvRedis from "@keyv/redis";
import Keyv from "keyv";
import { createMemoryStore } from "../src/memory-store.js";
import { cacheStoreSuite } from "../src/testing/cache-store-suite.js";

// The same suite on each Keyv store Recall supports out of the box.
cacheStoreSuite("Keyv in-memory (default LRU)", () => createMemoryStore());
cacheStoreSuite("Keyv in-memory (plain Map)", () => new Keyv());

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const run = Math.random().toString(36).slice(2, 8);
cacheStoreSuite("@keyv/redis", () => {
  const keyv = new Keyv({
    store: new KeyvRedis(REDIS_URL),
    namespace: `recall-test-core-${run}`,
    useKeyPrefix: true,
  });
  return keyv;
});
