import { keyScope } from "../keys.js";
import type { SafeStore } from "../store.js";
import { type Observation, observe } from "../verify/evidence.js";
import type { Clock } from "./clock.js";
import type { Updates } from "./entry-update.js";

/** Observations a pool keeps (the newest). */
export const MAX_POOLED = 1_024;
/** How long a pool read here is reused before the store is read again. */
const POOL_READ_TTL_MS = 5_000;
/** How long a pool lives in the store after its last observation. */
const POOL_TTL_MS = 30 * 86_400_000;

interface StoredPool {
  v: 1;
  observations: Observation[];
}

/**
 * What the verifier said about all entries of one partition (one model, system prompt and
 * namespace), pooled: most entries are asked about once or twice, too rarely to learn from their
 * own verdicts alone. Stored beside the entries (`<scope>:evidence:<partition>`), so it survives
 * restarts and is shared by every instance; updated one at a time (`Updates`); read at most every
 * few seconds per instance. A lost or stale pool costs learning speed, never a wrong answer: the
 * rule that reads it (`verify/evidence.ts`) only ever serves fewer unverified candidates with less
 * evidence.
 */
export class EvidencePool {
  private readonly recent = new Map<string, { at: number; observations: Observation[] }>();

  constructor(
    private readonly store: SafeStore,
    private readonly updates: Updates,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  async read(namespace: string, partition: string): Promise<Observation[]> {
    const key = this.keyOf(namespace, partition);
    const cached = this.recent.get(key);
    if (cached && this.clock.now() - cached.at < POOL_READ_TTL_MS) return cached.observations;
    const stored = await this.store.get<StoredPool>(key);
    const observations = isPool(stored) ? stored.observations : [];
    this.remember(key, observations);
    return observations;
  }

  add(namespace: string, partition: string, similarity: number, same: boolean): Promise<void> {
    const key = this.keyOf(namespace, partition);
    return this.updates.run(key, async () => {
      const stored = await this.store.get<StoredPool>(key);
      const observations = observe(isPool(stored) ? stored.observations : [], similarity, same, MAX_POOLED);
      this.remember(key, observations);
      await this.store.set(key, { v: 1, observations } satisfies StoredPool, POOL_TTL_MS);
    });
  }

  private remember(key: string, observations: Observation[]): void {
    this.recent.delete(key);
    this.recent.set(key, { at: this.clock.now(), observations });
    if (this.recent.size > 1_000) this.recent.delete(this.recent.keys().next().value!);
  }

  private keyOf(namespace: string, partition: string): string {
    return `${keyScope(this.prefix, namespace)}:evidence:${partition}`;
  }
}

function isPool(value: unknown): value is StoredPool {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as StoredPool).v === 1 &&
    Array.isArray((value as StoredPool).observations)
  );
}
