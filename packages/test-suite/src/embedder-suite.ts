import type { Embedder } from "@recall/core";
import { cosine } from "@recall/core/testing";
import { beforeAll, describe, expect, it } from "vitest";

/** Four short questions that share no word, so even a bag-of-words embedder tells them apart. */
export const EMBEDDER_SUITE_TEXTS = [
  "How do I reset my password?",
  "What is the capital of France?",
  "Explain TCP versus UDP in two sentences.",
  "Best vegetarian lasagna recipe, please",
];

export interface EmbedderSuiteOptions {
  /** Distinct texts to embed (a handful keeps the suite fast). Default `EMBEDDER_SUITE_TEXTS`. */
  texts?: string[];
  /** Texts the model cannot fully read: `unrepresented` must give each a share above 0. */
  unreadableTexts?: string[];
  /** How far a vector's L2 norm may be from 1. Default 1e-3. */
  normTolerance?: number;
  /**
   * Least cosine between two embeddings of one text: alone or in a batch, now or later (batching
   * may pad; hardware may round). Different texts must score below it. Default 0.999.
   */
  sameTextCosine?: number;
}

/**
 * The behaviour every `Embedder` must give Recall, as vitest tests: an id and a dimension count that
 * matches its vectors; one L2-normalized vector per text, in the order of the texts, the same for the
 * same text whatever the batch, different for different texts; nothing for no texts; and, when it has
 * `unrepresented`, one share in [0, 1] per text, in order. `makeEmbedder` is called once (models are
 * slow to load); dispose of it in your own `afterAll`.
 *
 * @example
 * embedderSuite("fakeEmbedder", () => fakeEmbedder());
 * embedderSuite("local model", async () => {
 *   await local.load();
 *   return local;
 * }, { unreadableTexts: ["🦜🦜🦜"] });
 */
export function embedderSuite(
  name: string,
  makeEmbedder: () => Embedder | Promise<Embedder>,
  options: EmbedderSuiteOptions = {},
): void {
  const texts = options.texts ?? EMBEDDER_SUITE_TEXTS;
  const normTolerance = options.normTolerance ?? 1e-3;
  const same = options.sameTextCosine ?? 0.999;
  if (texts.length < 2) throw new Error(`embedderSuite: give at least two texts, got ${texts.length}`);

  describe(`embedder suite: ${name}`, () => {
    let embedder: Embedder;
    /** Each text embedded alone. */
    let alone: Float32Array[];
    beforeAll(async () => {
      embedder = await makeEmbedder();
      alone = [];
      for (const text of texts) alone.push(...(await embedder.embed([text])));
    });

    it("names its model and gives as many dimensions as its vectors have", async () => {
      expect(typeof embedder.id).toBe("string");
      expect(embedder.id.length).toBeGreaterThan(0);
      expect(Number.isInteger(embedder.dimensions) && embedder.dimensions > 0).toBe(true);
      for (const vector of alone) expect(vector.length).toBe(embedder.dimensions);
    });

    it("returns one vector of finite float32 numbers per text", async () => {
      const vectors = await embedder.embed(texts);
      expect(vectors).toHaveLength(texts.length);
      for (const vector of vectors) {
        expect(vector).toBeInstanceOf(Float32Array);
        expect(vector).toHaveLength(embedder.dimensions);
        expect(vector.every(Number.isFinite)).toBe(true);
      }
    });

    it("returns L2-normalized vectors", async () => {
      for (const vector of [...alone, ...(await embedder.embed(texts))]) {
        const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
        expect(Math.abs(norm - 1)).toBeLessThanOrEqual(normTolerance);
      }
    });

    it("returns the vectors in the order of the texts", async () => {
      const reversed = [...texts].reverse();
      for (const [batch, order] of [
        [texts, texts.map((_, i) => i)],
        [reversed, texts.map((_, i) => texts.length - 1 - i)],
      ] as const) {
        const vectors = await embedder.embed([...batch]);
        vectors.forEach((vector, i) => {
          expect(cosine(vector, alone[order[i]!]!)).toBeGreaterThanOrEqual(same);
        });
      }
    });

    it("gives the same text the same vector, call after call and within a batch", async () => {
      const [first, again] = await embedder.embed([texts[0]!, texts[0]!]);
      expect(cosine(first!, again!)).toBeGreaterThanOrEqual(same);
      expect(cosine(first!, alone[0]!)).toBeGreaterThanOrEqual(same);
      const [later] = await embedder.embed([texts[0]!]);
      expect(cosine(later!, alone[0]!)).toBeGreaterThanOrEqual(same);
    });

    it("gives different texts different vectors", () => {
      for (let i = 0; i < alone.length; i++)
        for (let j = i + 1; j < alone.length; j++)
          expect(cosine(alone[i]!, alone[j]!), `"${texts[i]}" vs "${texts[j]}"`).toBeLessThan(same);
    });

    it("embeds no texts to no vectors", async () => {
      expect(await embedder.embed([])).toEqual([]);
    });

    it("unrepresented, when it has it: one share in [0, 1] per text, in order", async (context) => {
      if (!embedder.unrepresented) return context.skip();
      const all = [...texts, ...(options.unreadableTexts ?? [])];
      const shares = await embedder.unrepresented(all);
      expect(shares).toHaveLength(all.length);
      for (const share of shares) expect(share >= 0 && share <= 1).toBe(true);
      const one = async (text: string) => (await embedder.unrepresented!([text]))[0];
      for (const [i, text] of all.entries()) expect(shares[i]).toBe(await one(text));
      for (const [i] of (options.unreadableTexts ?? []).entries())
        expect(shares[texts.length + i]).toBeGreaterThan(0);
      expect(await embedder.unrepresented([])).toEqual([]);
    });
  });
}
