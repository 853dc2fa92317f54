import { describe, expect, it } from "vitest";
import { checkBodyBounds, DEFAULT_BODY_BOUNDS } from "./body-bounds.js";
import type { ApiError } from "./errors.js";

const errorOf = (body: unknown, bounds = DEFAULT_BODY_BOUNDS): ApiError | undefined => {
  try {
    checkBodyBounds(body, bounds);
    return undefined;
  } catch (e) {
    return e as ApiError;
  }
};

/** `depth` arrays (or objects under `k`) nested in each other, parsed from text (no recursion to build). */
const deepArrays = (depth: number) => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`);
const deepObjects = (depth: number) => JSON.parse(`${'{"k":'.repeat(depth)}1${"}".repeat(depth)}`);

describe("checkBodyBounds", () => {
  it("accepts a body nested up to the limit, refuses the next level naming its path", () => {
    expect(errorOf({ a: deepArrays(DEFAULT_BODY_BOUNDS.maxDepth - 1) })).toBeUndefined();
    const err = errorOf({ a: deepArrays(DEFAULT_BODY_BOUNDS.maxDepth) });
    expect(err).toMatchObject({ status: 400, code: "nested_too_deeply" });
    expect(err!.param).toBe(`a${"[0]".repeat(DEFAULT_BODY_BOUNDS.maxDepth - 1)}`);
    expect(err!.message).toContain(`'${err!.param}'`);
  });

  it("refuses 20,000 levels of arrays or objects quickly, without overflowing the stack", () => {
    const started = Date.now();
    expect(errorOf({ model: "m", messages: deepArrays(20_000) })?.param).toMatch(/^messages(\[0\])+$/);
    expect(errorOf({ extra: deepObjects(20_000) })?.param).toMatch(/^extra(\.k)+$/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("refuses a cycle (a programmatic body) as too deep instead of looping", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(errorOf(cyclic)).toMatchObject({ code: "nested_too_deeply" });
  });

  it("bounds array lengths, member counts, string lengths and the number of values", () => {
    const bounds = { maxDepth: 8, maxLength: 3, maxStringLength: 5, maxValues: 10 };
    expect(errorOf({ a: [1, 2, 3] }, bounds)).toBeUndefined();
    expect(errorOf({ a: [1, 2, [1, 2, 3, 4]] }, bounds)).toMatchObject({
      param: "a[2]",
      code: "array_above_max_length",
    });
    expect(errorOf({ o: { a: 1, b: 2, c: 3, d: 4 } }, bounds)).toMatchObject({
      param: "o",
      code: "object_above_max_length",
    });
    expect(errorOf({ s: ["ok", "too long"] }, bounds)).toMatchObject({
      param: "s[1]",
      code: "string_above_max_length",
    });
    expect(errorOf({ a: [1, 2, 3], b: [1, 2, 3], c: [1, 2, 3] }, bounds)).toMatchObject({
      code: "body_too_large",
    });
  });

  it("names members that are not identifiers in brackets, and `__proto__` like any member", () => {
    const bounds = { ...DEFAULT_BODY_BOUNDS, maxDepth: 2 };
    expect(errorOf({ "a b": [[]] }, bounds)?.param).toBe('["a b"][0]');
    expect(errorOf(JSON.parse('{"__proto__": [[]]}'), bounds)?.param).toBe("__proto__[0]");
    expect(errorOf([[[]]], bounds)?.param).toBe("[0][0]");
    expect(errorOf("x".repeat(10), { ...bounds, maxStringLength: 5 })?.param).toBe("body");
  });
});
