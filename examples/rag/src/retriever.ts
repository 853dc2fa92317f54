import type { Embedder } from "@recall/core";
import type { Doc } from "./documents";

/** Cosine top-k over a few dozen documents: a plain loop is plenty at this size. */
export class Retriever {
  private readonly docs = new Map<string, { doc: Doc; vector: Float32Array }>();

  constructor(private readonly embedder: Embedder) {}

  /** Embeds and (re)indexes documents; an edited document replaces its old version. */
  async upsert(docs: Doc[]): Promise<void> {
    const vectors = await this.embedder.embed(docs.map(embeddingText));
    for (const [i, doc] of docs.entries()) this.docs.set(doc.id, { doc, vector: vectors[i]! });
  }

  get(id: string): Doc | undefined {
    return this.docs.get(id)?.doc;
  }

  /** The k documents closest to the question (vectors are L2-normalized, so the dot product is the cosine). */
  async search(question: string, k = 3): Promise<Doc[]> {
    const [q] = await this.embedder.embed([question]);
    return [...this.docs.values()]
      .map(({ doc, vector }) => ({ doc, score: dot(q!, vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k)
      .map((s) => s.doc);
  }
}

function embeddingText(doc: Doc): string {
  return `${doc.title}. ${doc.text}`;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
