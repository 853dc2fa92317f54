/**
 * Traffic for the fleet stats tests, and a child process that drives it:
 *   tsx src/fleet-stats.fixture.ts <prefix> <label>
 * prints the child cache's own `stats.snapshot()` as JSON once its fleet stats are flushed and closed.
 */
import { type CacheRequest, createCache, type RecallCache } from "@recall/core";
import { answer, REDIS_URL } from "../test/helpers.js";
import { fleetStats } from "./fleet-stats.js";

export function fixtureCache(): RecallCache {
  // Answers containing "refuse" are not stored (a `reject` event).
  return createCache({ validate: (response) => (response.text?.includes("refuse") ? "refused" : true) });
}

const ask = (question: string, model: string): CacheRequest => ({
  model: { provider: "openai", id: model },
  messages: [{ role: "user", content: question }],
});

/**
 * Misses, exact hits, bypasses, rejected answers and coalesced calls over two namespaces and two
 * models; `label` keeps one process's questions apart from another's.
 */
export async function drive(cache: RecallCache, label: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const namespace = i % 3 === 0 ? "support" : "sales";
    const model = i % 2 === 0 ? "gpt-4.1-mini" : "gpt-4.1";
    const q = `${label} question ${i % 9}`;
    await cache.run(ask(q, model), async () => answer(`answer to ${q}`), { namespace });
  }
  for (let i = 0; i < 3; i++) {
    await cache.run(ask(`${label} fresh`, "gpt-4.1"), async () => answer("fresh"), { noCache: true });
    await cache.run(ask(`${label} refuse ${i}`, "gpt-4.1"), async () => answer("I refuse"));
  }
  // Three identical calls at once: one upstream call, two coalesced.
  const slow = async () => {
    await new Promise((r) => setTimeout(r, 30));
    return answer("slow");
  };
  await Promise.all([1, 2, 3].map(() => cache.run(ask(`${label} same`, "gpt-4.1-mini"), slow)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [prefix, label] = process.argv.slice(2);
  const cache = fixtureCache();
  const errors: string[] = [];
  const fleet = fleetStats(cache, {
    redis: REDIS_URL,
    prefix: prefix!,
    onError: (e) => errors.push(e.message),
  });
  await drive(cache, label!);
  await fleet.close();
  process.stdout.write(`${JSON.stringify({ stats: cache.stats.snapshot(), errors })}\n`);
  await cache.close();
}
