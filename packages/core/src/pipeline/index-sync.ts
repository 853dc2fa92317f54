import type { BusMessage, CacheBus } from "../bus.js";
import { errorCodes, toRecallError } from "../errors.js";
import type { Emitter } from "../events.js";
import type { SemanticMatcher } from "../semantic.js";
import type { AliasVectors } from "./alias-vectors.js";
import type { Entries } from "./entries.js";

/**
 * Keeps this instance's vector index in step with the store and the other instances: at start it
 * rebuilds an empty index from stored entries, it applies what other instances publish on the bus
 * (added vectors, deletes, purges), and after a gap in the bus (a reconnect) it catches up from the
 * store. A shared index (pgvector) needs none of it. Bus failures are reported, never thrown.
 */
export class IndexSync {
  private unsubscribe: (() => Promise<void>) | undefined;
  private started: Promise<void> = Promise.resolve();
  private catchingUp: Promise<void> | undefined;
  private catchUpAgain = false;
  private closed = false;

  constructor(
    private readonly bus: CacheBus | undefined,
    private readonly semantic: SemanticMatcher | undefined,
    private readonly entries: Entries,
    private readonly events: Emitter,
    private readonly aliasVectors: AliasVectors,
  ) {}

  /** Subscribes to the bus and rebuilds the index. Never rejects. */
  start(): Promise<void> {
    this.started = this.subscribeAndRebuild();
    return this.started;
  }

  private async subscribeAndRebuild(): Promise<void> {
    if (this.bus) {
      try {
        this.unsubscribe = await this.bus.subscribe(
          (message) => this.apply(message),
          () => void this.catchUp(),
        );
      } catch (error) {
        this.report("bus subscribe failed", error);
      }
    }
    if (this.semantic) await this.rebuild();
  }

  async publish(message: BusMessage): Promise<void> {
    if (!this.bus) return;
    try {
      await this.bus.publish(message);
    } catch (error) {
      this.report("bus publish failed", error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.started;
    await this.unsubscribe?.();
    await this.catchingUp;
  }

  /** Re-adds the vectors of stored semantic entries, so a new process matches what others stored. */
  private async rebuild(): Promise<void> {
    try {
      if ((await this.semantic!.index.size()) > 0) return;
    } catch {
      return;
    }
    await this.restoreStored();
  }

  /** Re-adds the vector of every stored semantic entry to the index (until closed); how many. */
  private async restoreStored(): Promise<number> {
    let restored = 0;
    for await (const [key, entry] of this.entries.own()) {
      if (this.closed) break;
      const aliasVectors = entry.aliases?.some((a) => !a.vector) ? await this.aliasVectors.read(key) : {};
      if (await this.semantic!.restore(key, entry, aliasVectors)) restored++;
    }
    return restored;
  }

  /**
   * After a gap in the bus, re-adds every stored semantic entry to the in-process index, so entries
   * other instances stored meanwhile become matchable here. Deletes missed in the gap need nothing:
   * a match whose entry is gone is dropped when it is found. One pass at a time; a gap during a pass
   * runs one more.
   */
  private catchUp(): Promise<void> {
    const semantic = this.semantic;
    if (!semantic || semantic.index.shared || this.closed) return Promise.resolve();
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      let entries = 0;
      do {
        this.catchUpAgain = false;
        entries += await this.restoreStored();
      } while (this.catchUpAgain && !this.closed);
      if (!this.closed) this.events.emit("caught-up", { entries });
    })().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  private apply(message: BusMessage): void {
    const semantic = this.semantic;
    // A shared index (pgvector) already holds what another instance added or removed.
    if (!semantic || semantic.index.shared) return;
    switch (message.type) {
      case "vector-added":
        void semantic.add(
          message.item.id,
          message.item.namespace,
          message.item.partition,
          Float32Array.from(message.item.vector),
        );
        break;
      case "deleted":
      case "tag-purged":
        semantic.remove(message.ids);
        break;
      case "namespace-purged":
        void semantic.index.removeNamespace?.(message.namespace).catch(() => {});
        break;
    }
  }

  private report(what: string, error: unknown): void {
    this.events.emit("error", { error: toRecallError(errorCodes.BUS_ERROR, what, error) });
  }
}
