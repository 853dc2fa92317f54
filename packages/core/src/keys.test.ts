import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errorCodes, RecallError } from "./errors.js";
import { MAX_KEY_DEPTH, requestKeys } from "./keys.js";
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
    expect(key).toMatch(/^recall:v2:default:[0-9a-f]{64}$/);
    expect(requestKeys(base, { ...opts, namespace: "tenant a" }).key).toMatch(/^recall:v2:tenant%20a:/);
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
        ...base.messages!,
        { role: "tool", content: [{ type: "tool-result", toolCallId: "1", toolName: "t", output: 1 }] },
      ],
    };
    expect(requestKeys(endsWithTool, opts).partition).toBeUndefined();
  });

  it("shares a partition between two questions that differ only in the last user turn", () => {
    const other = {
      ...base,
      messages: [base.messages![0]!, { role: "user" as const, content: "How can I change my password?" }],
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

/** Names that collide with `Object.prototype`'s members. */
const ODD_NAMES = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];
const oddOrAny = fc.oneof(fc.constantFrom(...ODD_NAMES), fc.string({ maxLength: 8 }));
/** An object with one own member `name` (as JSON.parse makes it, even for `__proto__`). */
const member = (name: string, value: unknown) =>
  Object.defineProperty({}, name, { value, enumerable: true, writable: true, configurable: true });
const json = fc.jsonValue({ maxDepth: 2 });

describe("requestKeys with names that collide with Object.prototype", () => {
  it("keeps an own `__proto__` member of params.extra and context in the key", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}}');
    const plain = requestKeys(base, opts).key;
    expect(requestKeys({ ...base, params: { extra: parsed } }, opts).key).not.toBe(
      requestKeys({ ...base, params: { extra: {} } }, opts).key,
    );
    expect(requestKeys({ ...base, context: parsed }, opts).key).not.toBe(
      requestKeys({ ...base, context: {} }, opts).key,
    );
    expect(requestKeys({ ...base, context: parsed }, opts).key).not.toBe(plain);
  });

  it("two requests that differ only in one member (any name, any place) get different keys", () => {
    fc.assert(
      fc.property(oddOrAny, json, json, (name, a, b) => {
        const ca = JSON.stringify(sorted(a));
        const cb = JSON.stringify(sorted(b));
        fc.pre(ca !== cb && a !== null && b !== null);
        const places: Array<(v: unknown) => CacheRequest> = [
          (v) => ({ ...base, params: { extra: member(name, v) } }),
          (v) => ({ ...base, context: member(name, v) }),
          (v) => ({ ...base, params: { tools: [{ name, inputSchema: { properties: member(name, v) } }] } }),
          (v) => ({
            ...base,
            messages: [
              ...base.messages!,
              {
                role: "assistant",
                content: [{ type: "tool-call", toolCallId: name, toolName: name, input: member(name, v) }],
              },
            ],
          }),
        ];
        for (const place of places) {
          const ka = requestKeys(place(a), opts);
          const kb = requestKeys(place(b), opts);
          expect(ka.key).not.toBe(kb.key);
          if (ka.partition !== undefined) expect(ka.partition).not.toBe(kb.partition);
        }
        // A member with the name vs none at all.
        expect(requestKeys({ ...base, context: member(name, a) }, opts).key).not.toBe(
          requestKeys({ ...base, context: {} }, opts).key,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("keeps namespaces named like Object.prototype members apart", () => {
    fc.assert(
      fc.property(fc.uniqueArray(oddOrAny, { minLength: 2, maxLength: 6 }), (namespaces) => {
        const keys = namespaces.map((namespace) => requestKeys(base, { ...opts, namespace }));
        expect(new Set(keys.map((k) => k.key)).size).toBe(namespaces.length);
        expect(new Set(keys.map((k) => k.partition)).size).toBe(namespaces.length);
      }),
    );
  });
});

/** A value `depth` levels deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}

describe("requestKeys on values too deep or cyclic to key", () => {
  it("keys a request nested up to the limit", () => {
    expect(requestKeys({ ...base, context: nested(MAX_KEY_DEPTH - 2) }, opts).key).toMatch(/^recall:/);
  });

  it("throws RECALL_INVALID_REQUEST naming the place, never a stack overflow", () => {
    for (const depth of [MAX_KEY_DEPTH, 20_000, 200_000]) {
      for (const request of [
        { ...base, context: nested(depth) },
        { ...base, params: { extra: { deep: nested(depth) } } },
        {
          ...base,
          messages: [
            {
              role: "assistant" as const,
              content: [{ type: "tool-call" as const, toolCallId: "1", toolName: "t", input: nested(depth) }],
            },
            ...base.messages!,
          ],
        },
      ]) {
        let error: unknown;
        try {
          requestKeys(request, opts);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RecallError);
        expect(error).toMatchObject({ code: errorCodes.INVALID_REQUEST, message: /nested deeper than 256/ });
        expect((error as Error).message).toMatch(/request\.(context|params|messages)/);
      }
    }
  });

  it("throws on a cyclic value, and keys a shared (acyclic) one", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => requestKeys({ ...base, context: cyclic }, opts)).toThrow(
      /request\.context\.self\.back is cyclic/,
    );
    const arr: unknown[] = [];
    arr.push(arr);
    expect(() => requestKeys({ ...base, params: { extra: { arr } } }, opts)).toThrow(/cyclic/);
    const shared = { schema: { type: "string" } };
    expect(requestKeys({ ...base, context: { a: shared, b: shared } }, opts).key).toBe(
      requestKeys(
        { ...base, context: { a: { schema: { type: "string" } }, b: { schema: { type: "string" } } } },
        opts,
      ).key,
    );
  });
});
