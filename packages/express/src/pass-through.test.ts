import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { passThroughMatcher } from "./pass-through.js";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const anyPath = fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join("/")}`);

describe("passThroughMatcher", () => {
  it("by default forwards only GET and HEAD of /models and /models/:id", () => {
    const allowed = passThroughMatcher(undefined);
    expect(allowed("GET", "/models")).toBe(true);
    expect(allowed("HEAD", "/models/gpt-4o-mini")).toBe(true);
    expect(allowed("get", "/models/")).toBe(true);
    expect(allowed("DELETE", "/models/ft:gpt-4o:acme")).toBe(false);
    expect(allowed("POST", "/models")).toBe(false);
    expect(allowed("GET", "/models/a/b")).toBe(false);
    expect(allowed("DELETE", "/files/file-1")).toBe(false);
    expect(allowed("POST", "/fine_tuning/jobs")).toBe(false);
    expect(allowed("GET", "/files")).toBe(false);
  });

  it("property: the default forwards exactly the read-only model routes", () => {
    const allowed = passThroughMatcher(undefined);
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), anyPath, (method, path) => {
        const parts = path.split("/").filter(Boolean);
        const expected =
          (method === "GET" || method === "HEAD") &&
          parts[0] === "models" &&
          (parts.length === 1 || parts.length === 2);
        expect(allowed(method, path)).toBe(expected);
      }),
      { numRuns: 1_000 },
    );
  });

  it("false forwards nothing, true everything", () => {
    const none = passThroughMatcher(false);
    const all = passThroughMatcher(true);
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), anyPath, (method, path) => {
        expect(none(method, path)).toBe(false);
        expect(all(method, path)).toBe(true);
      }),
    );
    expect(passThroughMatcher([])("GET", "/models")).toBe(false);
  });

  it("takes path patterns, methods, RegExps and { method, path }", () => {
    const allowed = passThroughMatcher([
      "/models",
      "POST /responses",
      "* /batches/:id",
      /^\/files\/[\w-]+$/,
      { method: ["get", "DELETE"], path: "/vector_stores/:id" },
      { method: "PUT", path: /^\/uploads\/\w+$/ },
    ]);
    expect(allowed("POST", "/responses")).toBe(true);
    expect(allowed("GET", "/responses")).toBe(false);
    expect(allowed("PATCH", "/batches/b1")).toBe(true);
    expect(allowed("GET", "/files/file-1")).toBe(true);
    expect(allowed("DELETE", "/files/file-1")).toBe(false);
    expect(allowed("DELETE", "/vector_stores/vs_1")).toBe(true);
    expect(allowed("HEAD", "/vector_stores/vs_1")).toBe(true);
    expect(allowed("POST", "/vector_stores/vs_1")).toBe(false);
    expect(allowed("PUT", "/uploads/u1")).toBe(true);
    expect(allowed("GET", "/models/x")).toBe(false);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["a string", "yes", /passThrough must be true, false or an array/],
    ["a relative path", ["models"], /passThrough\[0\] must be a path starting with "\/"/],
    ["a dot segment", ["/models/.."], /segment "\.\."/],
    ["an encoded segment", ["/models/%2e"], /segment "%2e"/],
    ["an empty segment", ["/models//x"], /segment ""/],
    ["a bad method", ["FETCH! /models"], /not an HTTP method/],
    ["a number", [42], /passThrough\[0\] must be a path pattern/],
    ["a global RegExp", [/^\/models$/g], /g or y flag/],
    ["no method", [{ path: "/x" }], /passThrough\[0\]\.method/],
    ["an empty method list", [{ method: [], path: "/x" }], /passThrough\[0\]\.method/],
    ["an unknown member", [{ method: "GET", path: "/x", upstream: "y" }], /unknown members: upstream/],
    ["a bad path in an object", [{ method: "GET", path: 3 }], /passThrough\[0\]\.path/],
  ];
  it.each(bad)("refuses %s at creation", (_name, option, message) => {
    expect(() => passThroughMatcher(option as never)).toThrow(
      expect.objectContaining({ code: "RECALL_INVALID_OPTION", message: expect.stringMatching(message) }),
    );
  });
});
