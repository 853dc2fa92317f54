// PLACEHOLDER written by the lead so core builds while the vector-index helper works.
// The index helper replaces this whole file (and adds flat-index.ts, hnsw-index.ts, auto-index.ts).
import type { VectorIndex, VectorItem, VectorMatch, VectorSearch } from "../vector-index.js";

export class FlatIndex implements VectorIndex {
  private items = new Map<string, VectorItem>();
  async add(items: VectorItem[]) {
    for (const item of items) this.items.set(item.id, item);
  }
  async remove(ids: string[]) {
    for (const id of ids) this.items.delete(id);
  }
  async removeNamespace(namespace: string) {
    for (const [id, item] of this.items) if (item.namespace === namespace) this.items.delete(id);
  }
  async search(q: VectorSearch): Promise<VectorMatch[]> {
    const out: VectorMatch[] = [];
    for (const item of this.items.values()) {
      if (item.partition !== q.partition) continue;
      let score = 0;
      for (let i = 0; i < q.vector.length; i++) score += q.vector[i]! * item.vector[i]!;
      if (score >= q.minScore) out.push({ id: item.id, score });
    }
    return out.sort((a, b) => b.score - a.score).slice(0, q.k);
  }
  async size() {
    return this.items.size;
  }
}
export const AutoIndex = FlatIndex;
export const HnswIndex = FlatIndex;
export function createVectorIndex(): VectorIndex {
  return new FlatIndex();
}
