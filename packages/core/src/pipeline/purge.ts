import { keyScope } from "../keys.js";
import type { SemanticMatcher } from "../semantic.js";
import type { Entries } from "./entries.js";
import type { IndexSync } from "./index-sync.js";

/**
 * Deleting on purpose: one entry, a namespace, a tag. The store, this instance's index and (through
 * the bus) the other instances' indexes all forget what was deleted. Purges need a store Keyv can
 * iterate (memory, Redis, …).
 */
export class Purger {
  constructor(
    private readonly entries: Entries,
    private readonly semantic: SemanticMatcher | undefined,
    private readonly sync: IndexSync,
    private readonly prefix: string,
  ) {}

  async key(key: string): Promise<void> {
    await this.entries.delete([key]);
    await this.sync.publish({ type: "deleted", ids: [key] });
  }

  async namespace(namespace: string): Promise<number> {
    const scope = `${keyScope(this.prefix, namespace)}:`;
    const keys: string[] = [];
    for await (const [key] of this.entries.store.entries()) if (key.startsWith(scope)) keys.push(key);
    await this.entries.store.delete(keys);
    if (this.semantic) {
      if (this.semantic.index.removeNamespace)
        await this.semantic.index.removeNamespace(namespace).catch(() => {});
      else this.semantic.remove(keys);
    }
    await this.sync.publish({ type: "namespace-purged", namespace });
    return keys.length;
  }

  async tag(tag: string): Promise<number> {
    const keys: string[] = [];
    for await (const [key, entry] of this.entries.own()) if (entry.tags?.includes(tag)) keys.push(key);
    await this.entries.delete(keys);
    await this.sync.publish({ type: "tag-purged", tag, ids: keys });
    return keys.length;
  }
}
