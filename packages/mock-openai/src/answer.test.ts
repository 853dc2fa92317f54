import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { answerIdFor, answerTextFor, defaultAnswer, extractAnswerId, normalizeQuestion } from "./answer";
import { hashEmbedding } from "./embedding";
import { sampleFromSchema } from "./json-sample";
import { splitIntoTokens } from "./tokens";

const cos = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);

describe("answer ids", () => {
  it("is the first 8 hex digits of sha256 of the normalized question", () => {
    const expected = createHash("sha256").update("what is the capital of france").digest("hex").slice(0, 8);
    expect(normalizeQuestion("  What is the   CAPITAL of France?! ")).toBe("what is the capital of france");
    expect(answerIdFor("What is the capital of France?")).toBe(expected);
    expect(extractAnswerId(answerTextFor("What is the capital of France?"))).toBe(expected);
  });

  it("differs for different questions, even similar-looking ones", () => {
    const a = answerIdFor("Is it safe to take ibuprofen with alcohol?");
    const b = answerIdFor("Is it safe to take ibuprofen without alcohol?");
    expect(a).not.toBe(b);
    expect(answerTextFor("x")).not.toBe(answerTextFor("y"));
  });

  it("answers a request without a user message", () => {
    const r = defaultAnswer({ model: "m", endpoint: "chat", body: {}, messages: [] });
    expect(r).toBe(answerTextFor(""));
    expect(extractAnswerId(r as string)).toBe(answerIdFor(""));
  });
});

describe("hashEmbedding", () => {
  it("is deterministic, unit length, and honours dimensions", () => {
    const v = hashEmbedding("The quick brown fox");
    expect(v).toEqual(hashEmbedding("The quick brown fox"));
    expect(cos(v, v)).toBeCloseTo(1, 10);
    expect(hashEmbedding("x", 32)).toHaveLength(32);
    expect(cos(hashEmbedding(""), hashEmbedding(""))).toBeCloseTo(1, 10);
  });

  it("puts texts that share words closer than unrelated texts", () => {
    const q = hashEmbedding("How do I reset my password?");
    const para = hashEmbedding("how can I reset the password");
    const other = hashEmbedding("Best pizza places in Naples");
    expect(cos(q, para)).toBeGreaterThan(0.7);
    expect(cos(q, other)).toBeLessThan(0.3);
  });
});

describe("sampleFromSchema", () => {
  it("follows enums, consts, bounds, nullable types, anyOf and $ref", () => {
    const value = sampleFromSchema(
      {
        type: "object",
        properties: {
          kind: { enum: ["b", "a"] },
          fixed: { const: 7 },
          n: { type: "number", maximum: 1 },
          maybe: { type: ["null", "integer"] },
          either: { anyOf: [{ type: "null" }, { type: "boolean" }] },
          item: { $ref: "#/definitions/item" },
          list: { type: "array", items: { type: "string", maxLength: 3 }, minItems: 2 },
        },
        definitions: { item: { type: "object", properties: { when: { type: "string", format: "date" } } } },
      },
      (name) => `${name}-value`,
    );
    expect(value).toEqual({
      kind: "b",
      fixed: 7,
      n: 1,
      maybe: 3,
      either: true,
      item: { when: "2024-01-15" },
      list: ["lis", "lis"],
    });
  });
});

describe("splitIntoTokens", () => {
  it("keeps the text intact and cuts long words", () => {
    const text = "Hello  there, extraordinarily long words!\n";
    const pieces = splitIntoTokens(text);
    expect(pieces.join("")).toBe(text);
    expect(pieces[0]).toBe("Hello");
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(8);
  });
});
