import KeyvRedis from "@keyv/redis";
import { storeSuite } from "@recall/test-suite";
import Keyv from "keyv";
import { createMemoryStore } from "../src/memory-store.js";

// The same suite on each Keyv store Recall supports out of the box.
storeSuite("Keyv in-memory (default LRU)", () => createMemoryStore());
storeSuite("Keyv in-memory (plain Map)", () => new Keyv());

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const run = Math.random().toString(36).slice(2, 8);
storeSuite("@keyv/redis", () => {
  const keyv = new Keyv({
    store: new KeyvRedis(REDIS_URL),
    namespace: `recall-test-core-${run}`,
    useKeyPrefix: true,
  });
  return keyv;
});
