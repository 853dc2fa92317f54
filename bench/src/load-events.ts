import type { CacheEventName, RecallCache } from "@recall/core";

/**
 * Listens to an event by name, including one this build of the cache may not know yet
 * (`semantic-shed` lands with the embedding queue): an event the cache never emits is never heard.
 */
export function onEvent(cache: RecallCache, name: string, listener: (event: unknown) => void): () => void {
  return cache.on(name as CacheEventName, listener as never);
}
