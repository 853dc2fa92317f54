import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requestKeys } from "./keys.js";
import type { CacheRequest } from "./request.js";

const opts = { prefix: "recall", namespace: "default" };
const base: CacheRequest = {
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [
    { role: "system", content: "You are a support agent." },
    { role: "user", content: "How do I reset my password?" },
  ],
  params: { temperature: 0 },
};

describe("requestKeys", () => {
  it("prefixes the key with the key-format version and namespace", () => {
    const { key } = requestKeys(base, opts);
    expect(key).toMatch(/^recall:v1:default:[0-9a-f]{64}$/);
    expect(requestKeys(base, { ...opts, namespace: "tenant a" }).key).toMatch(/^recall:v1:tenant%20a:/);
  });

  it("folds white space and Unicode forms, and ignores key order and undefined members", () => {
    const spaced: CacheRequest = {
      params: { temperature: 0, topP: undefined },
      messages: [
        { role: "system", content: "You are a  support\tagent. " },
        { role: "user", content: [{ type: "text", text: "How do I reset\nmy password?" }] },
      ],
      model: { id: "gpt-4.1", provider: "openai" },
    };
    expect(requestKeys(spaced, opts).key).toBe(requestKeys(base, opts).key);
    const composed = { ...base, messages: [{ role: "user" as const, content: "caf\u00e9" }] };
    const decomposed = { ...base, messages: [{ role: "user" as const, content: "cafe\u0301" }] };
    expect(requestKeys(composed, opts).key).toBe(requestKeys(decomposed, opts).key);
  });

  it("keeps case apart unless asked to fold it", () => {
    const upper = { ...base, messages: [{ role: "user" as const, content: "HOW DO I RESET MY PASSWORD?" }] };
    const lower = { ...base, messages: [{ role: "user" as const, content: "how do i reset my password?" }] };
    expect(requestKeys(upper, opts).key).not.toBe(requestKeys(lower, opts).key);
    const folded = { ...opts, caseInsensitive: true };
    expect(requestKeys(upper, folded).key).toBe(requestKeys(lower, folded).key);
    // The question keeps its capitals for the guard even when keys fold them.
    expect(requestKeys(upper, folded).question).toBe("HOW DO I RESET MY PASSWORD?");
  });

  it("gives a partition and question only when the last turn is plain user text", () => {
    const k = requestKeys(base, opts);
    expect(k.question).toBe("How do I reset my password?");
    expect(k.partition).toMatch(/^[0-9a-f]{64}$/);
    const withImage: CacheRequest = {
      ...base,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "file", mediaType: "image/png", data: "sha256:ab" },
          ],
        },
      ],
    };
    expect(requestKeys(withImage, opts).partition).toBeUndefined();
    const endsWithTool: CacheRequest = {
      ...base,
      messages: [
        ...base.messages,
        { role: "tool", content: [{ type: "tool-result", toolCallId: "1", toolName: "t", output: 1 }] },
      ],
    };
    expect(requestKeys(endsWithTool, opts).partition).toBeUndefined();
  });

  it("shares a partition between two questions that differ only in the last user turn", () => {
    const other = {
      ...base,
      messages: [base.messages[0]!, { role: "user" as const, content: "How can I change my password?" }],
    };
    expect(requestKeys(other, opts).partition).toBe(requestKeys(base, opts).partition);
    expect(requestKeys(other, opts).key).not.toBe(requestKeys(base, opts).key);
  });

  it("throws a coded error on a malformed request", () => {
    expect(() => requestKeys({ ...base, messages: [] }, opts)).toThrow(/RECALL|non-empty/);
    expect(() => requestKeys({ ...base, model: { provider: "", id: "x" } }, opts)).toThrow(
      /provider and an id/,
    );
  });

  it("never lets two requests that differ in an answer-changing field share a key or a partition", () => {
    const text = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => s.trim().length > 0 && s === s.trim() && !/\s\s|[^\S ]/.test(s));
    const params = fc.record(
      {
        temperature: fc.double({ min: 0, max: 2, noNaN: true }),
        topP: fc.double({ min: 0, max: 1, noNaN: true }),
        topK: fc.integer({ min: 1, max: 100 }),
        maxOutputTokens: fc.integer({ min: 1, max: 4096 }),
        seed: fc.integer(),
        stopSequences: fc.array(text, { maxLength: 2 }),
        presencePenalty: fc.double({ min: -2, max: 2, noNaN: true }),
        frequencyPenalty: fc.double({ min: -2, max: 2, noNaN: true }),
        tools: fc.array(fc.record({ name: text, description: text }), { maxLength: 2 }),
        toolChoice: fc.constantFrom("auto" as const, "none" as const, "required" as const),
        responseFormat: fc.constantFrom({ type: "text" as const }, { type: "json" as const }),
        reasoning: fc.constantFrom("low", "high"),
      },
      { requiredKeys: [] },
    );
    const request = fc.record({
      model: fc.record({
        provider: fc.constantFrom("openai", "anthropic"),
        id: fc.constantFrom("gpt-4.1", "claude-sonnet-4.5"),
      }),
      system: text,
      earlier: fc.array(fc.tuple(text, text), { maxLength: 2 }),
      question: text,
      params,
      namespace: fc.constantFrom("default", "tenant-a"),
    });
    const build = (r: typeof request extends fc.Arbitrary<infer T> ? T : never) => {
      const turns = r.earlier.flatMap(([u, a]) => [
        { role: "user" as const, content: u },
        { role: "assistant" as const, content: a },
      ]);
      const req: CacheRequest = {
        model: r.model,
        params: r.params,
        messages: [{ role: "system", content: r.system }, ...turns, { role: "user", content: r.question }],
      };
      return requestKeys(req, { prefix: "recall", namespace: r.namespace });
    };
    // Two requests are the same iff all their parts are the same (after canonical JSON).
    fc.assert(
      fc.property(request, request, (a, b) => {
        const same = JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
        const ka = build(a);
        const kb = build(b);
        if (same) return ka.key === kb.key;
        if (ka.key === kb.key) return false;
        // Partitions may meet only when everything but the question is the same.
        const sameContext =
          JSON.stringify(sorted({ ...a, question: "" })) === JSON.stringify(sorted({ ...b, question: "" }));
        return sameContext || ka.partition !== kb.partition;
      }),
      { numRuns: 2000 },
    );
  });
});

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
