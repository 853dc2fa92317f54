/**
 * Redis for the load benchmark: every run works under a prefix of its own, and deletes every key
 * under it at the end.
 */
import { createClient } from "@keyv/redis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * A prefix no other run uses, `recall-bench-load-<random>`: the cache's `keyPrefix` and the start
 * of every Redis key and channel of the run (so letters, digits and '-' only, as `keyPrefix` asks).
 */
export function runPrefix(): string {
  return `recall-bench-load-${Math.random().toString(36).slice(2, 10)}`;
}

/** Deletes every key that starts with `prefix`. */
export async function deleteKeys(prefix: string): Promise<number> {
  const client = createClient({ url: REDIS_URL });
  client.on("error", () => {});
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) {
      if (keys.length > 0) deleted += await client.del(keys);
    }
  } finally {
    client.destroy();
  }
  return deleted;
}
